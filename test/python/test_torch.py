"""hdp with PyTorch: hdp.attention on tensors and
hdp.torch.scaled_dot_product_attention as a drop-in for PyTorch's, against
the numpy implementation of the semantics (utils/hdp_numpy_ref.py) and
against dense attention written out in torch.

PyTorch is a test dependency (scripts/setup.sh installs python3-torch):
without it these tests fail rather than skip."""

import math

import numpy as np
import pytest
import torch

import hdp
import hdp.torch
import hdp_numpy_ref
from hdp import _attention

SDPA = hdp.torch.scaled_dot_product_attention
# Dense policy, wide fixed point, exact combine: close to dense attention.
NEAR_DENSE = "policy = dense, int_bits = 6, frac_bits = 10, approx = false"


def tensors(seed, *shapes, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g) * scale for s in shapes]


def dense(q, k, v, keep=None, additive=None, scale=None):
    """softmax(q·kᵀ·scale + mask)·v in torch, the way PyTorch's SDPA defines
    it."""
    s = q @ k.transpose(-2, -1) * (scale or 1 / math.sqrt(q.shape[-1]))
    if keep is not None:
        s = s.masked_fill(~keep, -float("inf"))
    if additive is not None:
        s = s + additive
    return torch.softmax(s, dim=-1) @ v


def test_tensors_in_tensors_out():
    q, k, v = tensors(1, (2, 3, 12, 8), (2, 3, 10, 8), (2, 3, 10, 6))
    mask = torch.zeros(2, 1, 1, 10)
    mask[0, ..., 3] = -float("inf")
    got = hdp.attention(q, k, v, mask, config="rho = 0.3", return_masks=True)
    want = hdp_numpy_ref.attention(q.numpy(), k.numpy(), v.numpy(),
                                   mask.numpy(), rho=0.3)
    assert isinstance(got.out, torch.Tensor) and got.out.dtype == torch.float32
    assert (got.out.numpy() - want[0]).__abs__().max() <= 1e-5
    assert got.block_mask.dtype == torch.bool
    assert np.array_equal(got.block_mask.numpy(), want[1])
    assert np.array_equal(got.head_mask.numpy(), want[2])
    assert np.array_equal(got.theta_h.numpy(), want[3])


def test_contiguous_f32_tensors_are_not_copied():
    (q,) = tensors(2, (1, 2, 4, 8))
    view, address = _attention._as_f32(q)
    assert address == q.data_ptr()
    # A slice that is contiguous is passed at its own offset, uncopied.
    part = q[:, 1:]
    assert _attention._as_f32(part)[1] == part.data_ptr()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_is_converted(dtype):
    q, k, v = (t.to(dtype) for t in tensors(3, (1, 2, 8, 8), (1, 2, 8, 8),
                                             (1, 2, 8, 8)))
    got = hdp.attention(q, k, v, config="rho = 0.2")
    assert got.dtype == dtype
    want = hdp.attention(q.float(), k.float(), v.float(), config="rho = 0.2")
    assert torch.equal(got, want.to(dtype))


def test_no_backward_pass():
    q, k, v = tensors(4, (1, 1, 4, 8), (1, 1, 4, 8), (1, 1, 4, 8))
    q.requires_grad_()
    with pytest.raises(RuntimeError, match="no backward pass.*no_grad"):
        hdp.attention(q, k, v)
    with torch.no_grad():
        assert hdp.attention(q, k, v).shape == (1, 1, 4, 8)


def test_tensor_errors():
    q, k, v = tensors(5, (1, 1, 4, 8), (1, 1, 4, 8), (1, 1, 4, 8))
    with pytest.raises(TypeError, match="k must be a torch.Tensor like q"):
        hdp.attention(q, k.numpy(), v)
    with pytest.raises(TypeError, match="must be a floating tensor"):
        hdp.attention(q, k, v.long())
    with pytest.raises(TypeError, match="mask must be bool or floating"):
        hdp.attention(q, k, v, torch.zeros(4, 4, dtype=torch.int32))


# --- scaled_dot_product_attention ------------------------------------------


# The SDPA tests are about what its arguments mean, the same on every
# backend: they run on the reference, which needs no compilation.
REF = "reference"


def sdpa_against_numpy(q, k, v, additive, config, **kwargs):
    """SDPA's output must equal the semantics applied to the additive mask
    SDPA's arguments mean (built independently here)."""
    got = SDPA(q, k, v, config=config, backend=REF, **kwargs)
    q4, k4, v4 = (t.reshape((1,) * (4 - t.dim()) + tuple(t.shape)).numpy()
                  for t in (q, k, v))
    if q4.shape[1] != k4.shape[1]:
        group = q4.shape[1] // k4.shape[1]
        k4, v4 = (np.repeat(t, group, axis=1) for t in (k4, v4))
    want = hdp_numpy_ref.attention(q4, k4, v4, additive, **hdp_keys(config))
    assert got.shape == q.shape[:-1] + (v.shape[-1],)
    assert np.abs(got.reshape(want[0].shape).numpy() - want[0]).max() <= 1e-5
    return got


def hdp_keys(config):
    return dict(rho=0.3) if config == "rho = 0.3" else {}


def test_sdpa_float_and_boolean_masks():
    q, k, v = tensors(6, (2, 4, 9, 8), (2, 4, 11, 8), (2, 4, 11, 8))
    keep = torch.rand(2, 1, 9, 11, generator=torch.Generator().manual_seed(1)) > 0.2
    additive = torch.where(keep, 0.0, -float("inf"))
    a = sdpa_against_numpy(q, k, v, additive.numpy(), "rho = 0.3",
                           attn_mask=keep)
    b = sdpa_against_numpy(q, k, v, additive.numpy(), "rho = 0.3",
                           attn_mask=additive)
    assert torch.equal(a, b)


def test_sdpa_is_causal_is_top_left():
    q, k, v = tensors(7, (1, 2, 6, 8), (1, 2, 9, 8), (1, 2, 9, 4))
    n, m = 6, 9
    additive = np.where(np.arange(m)[None, :] <= np.arange(n)[:, None], 0.0,
                        -np.inf).astype(np.float32)
    sdpa_against_numpy(q, k, v, additive, "rho = 0.3", is_causal=True)


def test_sdpa_ranks_scale_and_gqa():
    q3, k3, v3 = tensors(8, (3, 7, 8), (3, 5, 8), (3, 5, 8))
    sdpa_against_numpy(q3, k3, v3, None, "rho = 0.3")
    q2, k2, v2 = tensors(9, (7, 8), (5, 8), (5, 6))
    sdpa_against_numpy(q2, k2, v2, None, "rho = 0.3")
    # scale: the same as a config with that scale.
    q, k, v = tensors(10, (1, 2, 6, 8), (1, 2, 6, 8), (1, 2, 6, 8))
    assert torch.equal(SDPA(q, k, v, scale=0.5, config="rho = 0.3", backend=REF),
                       hdp.attention(q, k, v, config="rho = 0.3, scale = 0.5",
                                     backend=REF))
    # Grouped-query attention: 8 query heads share 2 key/value heads.
    qg, kg, vg = tensors(11, (1, 8, 6, 8), (1, 2, 6, 8), (1, 2, 6, 8))
    sdpa_against_numpy(qg, kg, vg, None, "rho = 0.3", enable_gqa=True)


def test_sdpa_near_dense_equals_dense_attention():
    q, k, v = tensors(12, (2, 3, 10, 8), (2, 3, 10, 8), (2, 3, 10, 8),
                      scale=0.5)
    keep = torch.rand(1, 1, 10, 10, generator=torch.Generator().manual_seed(2)) > 0.3
    keep[..., 0] = True  # no fully masked row (PyTorch: NaN, hdp: 0)
    cases = [
        (dict(), dense(q, k, v)),
        (dict(attn_mask=keep), dense(q, k, v, keep=keep)),
        (dict(is_causal=True),
         dense(q, k, v, keep=torch.ones(10, 10, dtype=torch.bool).tril())),
        (dict(scale=0.2), dense(q, k, v, scale=0.2)),
    ]
    for kwargs, want in cases:
        got = SDPA(q, k, v, config=NEAR_DENSE, backend=REF, **kwargs)
        assert (got - want).abs().max() <= 2e-3, kwargs


def test_sdpa_errors():
    q, k, v = tensors(13, (1, 2, 4, 8), (1, 2, 4, 8), (1, 2, 4, 8))
    with pytest.raises(NotImplementedError, match="dropout_p=0.1 is not supported"):
        SDPA(q, k, v, dropout_p=0.1)
    with pytest.raises(ValueError, match="either attn_mask or is_causal"):
        SDPA(q, k, v, attn_mask=torch.ones(4, 4, dtype=torch.bool),
             is_causal=True)
    with pytest.raises(ValueError, match="rank 2 to 4"):
        SDPA(q[None], k[None], v[None])
    with pytest.raises(ValueError, match="one rank"):
        SDPA(q, k[0], v)
    with pytest.raises(ValueError, match="pass enable_gqa=True"):
        SDPA(q, k[:, :1], v[:, :1])
    with pytest.raises(ValueError, match="enable_gqa needs"):
        SDPA(torch.cat([q, q[:, :1]], 1), k, v, enable_gqa=True)
    with pytest.raises(ValueError, match="higher rank"):
        SDPA(q[0], k[0], v[0], attn_mask=torch.zeros(1, 1, 4, 4))
    with pytest.raises(ValueError, match="scale given both"):
        SDPA(q, k, v, scale=0.5, config="scale = 0.25")
    with pytest.raises(TypeError, match="query must be a torch.Tensor"):
        SDPA(q.numpy(), k, v)
