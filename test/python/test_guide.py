"""The Python examples of docs/embedding.md, verbatim (test/docs checks that
the guide's blocks occur here), and what they claim."""

import numpy as np

# --- docs/embedding.md: numpy ----------------------------------------------
import numpy as np
import hdp

rng = np.random.default_rng(0)
q = rng.standard_normal((1, 4, 64, 32), dtype=np.float32)
k = rng.standard_normal((1, 4, 64, 32), dtype=np.float32)
v = rng.standard_normal((1, 4, 64, 32), dtype=np.float32)
padding = np.zeros((1, 1, 1, 64), dtype=np.float32)
padding[..., 50:] = -np.inf  # the last 14 keys are padding

out = hdp.attention(q, k, v, padding, config="#hdp.config<rho = 0.3>")
result = hdp.attention(q, k, v, padding, config=hdp.Config(rho=0.3),
                       backend="sim", accel_config="hdp-edge",
                       return_masks=True)
print("blocks kept:", result.block_mask.mean())
print("cycles:", result.stats["cycles"]["total"])
# --- end -------------------------------------------------------------------

# --- docs/embedding.md: torch ----------------------------------------------
import torch
import hdp.torch

x = torch.randn(2, 8, 128, 64)
with torch.no_grad():
    y = hdp.torch.scaled_dot_product_attention(x, x, x, is_causal=True,
                                               config="rho = 0.3")
# --- end -------------------------------------------------------------------


def test_numpy_example():
    assert out.shape == (1, 4, 64, 32) and out.dtype == np.float32
    # The cpu and the simulator agree (within the shipped bf16 P·V datapath's
    # 2^-7 of max|V|, docs/accelerator.md), and something was pruned.
    assert np.abs(out - result.out).max() <= 2.0 ** -7 * max(1.0, np.abs(v).max())
    assert 0 < result.block_mask.mean() < 1
    assert result.stats["cycles"]["total"] > 0


def test_torch_example():
    assert isinstance(y, torch.Tensor) and y.shape == x.shape
    want = hdp.attention(x, x, x, torch.ones(128, 128, dtype=torch.bool).tril(),
                         config="rho = 0.3")
    assert torch.equal(y, want)
