"""hdp.attention on numpy arrays, every backend, against the independent
numpy implementation of docs/semantics.md (utils/hdp_numpy_ref.py): masks
and theta_H identical, outputs within 1e-5."""

import concurrent.futures
import os

import numpy as np
import pytest

import hdp
import hdp_numpy_ref
from hdp import _attention

BACKENDS = ("cpu", "reference", "sim")


def _f32_edge_config():
    """HDP-Edge with an f32 P·V datapath (precision.* = f32), on which the
    simulator rounds exactly as the reference; the shipped bf16 datapath is
    tested against its own tolerance in unittests/Sim."""
    import json
    import tempfile
    with open(os.path.join(hdp.accel_configs_dir(), "hdp-edge.json")) as f:
        config = json.load(f)
    config["precision"] = {"v": "f32", "p": "f32", "out": "f32"}
    path = os.path.join(tempfile.mkdtemp(prefix="hdp-test-"), "edge-f32.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


F32_EDGE = _f32_edge_config()


def accel_for(backend):
    return F32_EDGE if backend == "sim" else None


def operands(seed, b=2, h=3, n=12, m=10, d=8, dv=6):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((b, h, n, d)).astype(np.float32)
    k = rng.standard_normal((b, h, m, d)).astype(np.float32)
    v = rng.standard_normal((b, h, m, dv)).astype(np.float32)
    return q, k, v


def padding_mask(seed, b, m):
    rng = np.random.default_rng(seed)
    return np.where(rng.random((b, 1, 1, m)) < 0.25, -np.inf, 0.0).astype(
        np.float32)


def check_against_numpy(got, want):
    out, blocks, heads, theta_h = want
    assert got.out.shape == out.shape and got.out.dtype == np.float32
    assert np.abs(got.out - out).max() <= 1e-5
    assert got.block_mask.dtype == np.bool_
    assert np.array_equal(got.block_mask, blocks)
    assert np.array_equal(got.head_mask, heads)
    assert np.array_equal(got.theta_h, theta_h)


CONFIGS = [
    dict(rho=0.3, tau_h=0.2),
    dict(rho=-0.5, block=(2, 3)),
    dict(policy="topk", topk=2),
    dict(rho=0.0, softmax="poly", approx=False, int_bits=5, frac_bits=3),
    dict(policy="dense", shift=1, scale=0.25),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("index", range(len(CONFIGS)))
def test_matches_numpy_semantics(backend, index):
    config = CONFIGS[index]
    q, k, v = operands(index)
    mask = padding_mask(index, q.shape[0], k.shape[2])
    got = hdp.attention(q, k, v, mask, config=hdp.Config(**config),
                        backend=backend, accel_config=accel_for(backend),
                        return_masks=True)
    want = hdp_numpy_ref.attention(q, k, v, mask, **config)
    check_against_numpy(got, want)
    if config.get("policy") != "dense":
        assert not got.block_mask.all(), "no block pruned: a weak comparison"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mask_shape", [None, (), (12, 10), (1, 3, 12, 10)])
def test_mask_shapes(backend, mask_shape):
    q, k, v = operands(7)
    mask = None
    if mask_shape is not None:
        rng = np.random.default_rng(3)
        mask = (rng.standard_normal(mask_shape) * 2).astype(np.float32)
        if mask_shape:
            mask[..., 1] = -1e4  # removed everywhere
    got = hdp.attention(q, k, v, mask, config="rho = 0.2", backend=backend,
                        accel_config=accel_for(backend), return_masks=True)
    check_against_numpy(got, hdp_numpy_ref.attention(q, k, v, mask, rho=0.2))


def test_boolean_mask_is_pytorch_style():
    q, k, v = operands(8)
    keep = np.random.default_rng(1).random((1, 1, 12, 10)) > 0.3
    additive = np.where(keep, 0.0, -np.inf).astype(np.float32)
    got = hdp.attention(q, k, v, keep, return_masks=True)
    want = hdp.attention(q, k, v, additive, return_masks=True)
    assert np.array_equal(got.out, want.out)
    assert np.array_equal(got.block_mask, want.block_mask)


def test_return_value_and_dtypes():
    q, k, v = operands(9)
    out = hdp.attention(q, k, v)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3, 12, 6)
    assert out.dtype == np.float32
    want = hdp_numpy_ref.attention(q, k, v)[0]
    assert np.abs(out - want).max() <= 1e-5
    # Other float dtypes are computed in f32 and returned in their own dtype.
    for dtype in (np.float64, np.float16):
        got = hdp.attention(*(x.astype(dtype) for x in (q, k, v)))
        assert got.dtype == dtype
        q32, k32, v32 = (x.astype(dtype).astype(np.float32) for x in (q, k, v))
        ref = hdp_numpy_ref.attention(q32, k32, v32)[0].astype(dtype)
        assert np.array_equal(got, ref) or np.abs(
            got.astype(np.float64) - ref).max() <= 1e-3


def test_sim_reports_statistics():
    q, k, v = operands(10)
    for name in ("hdp-edge", "hdp-server"):
        got = hdp.attention(q, k, v, config="rho = 0.5", backend="sim",
                            accel_config=name, return_masks=True)
        assert got.stats["accelerator"]
        assert got.stats["cycles"]
    assert hdp.attention(q, k, v, return_masks=True).stats is None


def test_compiled_attentions_are_cached():
    hdp.clear_cache()
    q, k, v = operands(11)
    hdp.attention(q, k, v, config="rho = 0.3")
    assert hdp.cache_info()[:3] == (0, 1, 1)
    # The same config in three spellings is one compiled attention.
    hdp.attention(q, k, v, config="#hdp.config<rho = 0.3>")
    hdp.attention(q, k, v, config={"rho": 0.3})
    assert hdp.cache_info()[:3] == (2, 1, 1)
    hdp.attention(q[:, :, :5], k, v, config=hdp.Config(rho=0.3))  # new shape
    hdp.attention(q, k, v, config="rho = 0.3", backend="reference")
    assert hdp.cache_info()[:3] == (2, 3, 3)


def test_contiguous_f32_is_not_copied():
    q, _, _ = operands(12)
    view, address = _attention._as_f32(q)
    assert view is q and address == q.ctypes.data
    # Others are converted, and the results stay right.
    qt, kt, vt = operands(13)
    q_t = np.ascontiguousarray(qt.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    assert not q_t.flags["C_CONTIGUOUS"]
    got = hdp.attention(q_t, kt, vt, config="rho = 0.3")
    assert np.abs(got - hdp_numpy_ref.attention(qt, kt, vt, rho=0.3)[0]).max() <= 1e-5


def test_threads_share_compiled_attentions():
    q, k, v = operands(14)
    want = hdp.attention(q, k, v, config="rho = 0.4")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(
            lambda _: hdp.attention(q, k, v, config="rho = 0.4"), range(8)))
    for got in results:
        assert np.array_equal(got, want)


def test_errors():
    q, k, v = operands(15)
    with pytest.raises(ValueError, match="unknown backend 'gpu'"):
        hdp.attention(q, k, v, backend="gpu")
    with pytest.raises(ValueError, match=r"q must have rank 4 \[B,H,N,D\]"):
        hdp.attention(q[0], k, v)
    with pytest.raises(TypeError, match="k must be float16, float32 or float64"):
        hdp.attention(q, k.astype(np.int32), v)
    with pytest.raises(TypeError, match="one dtype"):
        hdp.attention(q, k.astype(np.float64), v)
    with pytest.raises(TypeError, match="k must be a numpy array like q, got list"):
        hdp.attention(q, k.tolist(), v)
    with pytest.raises(TypeError, match="q must be a numpy array or a torch tensor, got list"):
        hdp.attention(q.tolist(), k, v)
    with pytest.raises(ValueError, match=r"rho must be in \[-1, 1\]"):
        hdp.attention(q, k, v, config="rho = 2.0")
    with pytest.raises(ValueError, match="hdp_attention_create: config: .+"):
        hdp.attention(q, k, v, config="#hdp.config<rho")
    with pytest.raises(TypeError, match="unknown key.*colour"):
        hdp.Config(colour=1)
    # The runtime takes one set of dimensions: a mismatch must not reach it.
    with pytest.raises(ValueError, match=r"k has shape \(2, 3, 10, 4\); expected \[B=2,H=3,M,D=8\]"):
        hdp.attention(q, k[:, :, :, :4], v)
    with pytest.raises(ValueError, match=r"k has shape \(2, 1, 10, 8\)"):
        hdp.attention(q, k[:, :1], v)
    with pytest.raises(ValueError, match=r"v has shape \(2, 3, 9, 6\); expected \[B=2,H=3,M=10,Dv\]"):
        hdp.attention(q, k, v[:, :, :9])
    with pytest.raises(ValueError, match="every dimension must be >= 1"):
        hdp.attention(q[:, :, :0], k, v)
    with pytest.raises(ValueError, match="mask has shape"):
        hdp.attention(q, k, v, np.zeros((1, 2, 12, 10), np.float32))
    with pytest.raises(ValueError, match="accel_config is only for"):
        hdp.attention(q, k, v, accel_config="hdp-edge")
    with pytest.raises(ValueError, match="'tpu'.*bundled: hdp-edge, hdp-server"):
        hdp.attention(q, k, v, backend="sim", accel_config="tpu")


@pytest.mark.parametrize("backend", BACKENDS)
def test_signed_importance(backend):
    q, k, v = operands(16, n=16, m=16)
    mask = padding_mask(16, q.shape[0], k.shape[2])
    config = dict(rho=0.3, importance="signed")
    got = hdp.attention(q, k, v, mask, config=hdp.Config(**config),
                        backend=backend, accel_config=accel_for(backend),
                        return_masks=True)
    check_against_numpy(got, hdp_numpy_ref.attention(q, k, v, mask, **config))
    # The key reaches the runtime: the paper's ranking keeps other blocks.
    plain = hdp.attention(q, k, v, mask, config="rho = 0.3", backend=backend,
                          return_masks=True)
    assert not np.array_equal(got.block_mask, plain.block_mask)
