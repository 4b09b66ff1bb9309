"""hdp.attention: HDP attention on numpy arrays and torch tensors."""

import collections
import ctypes
import json
import os
import sys
import threading

import numpy as np

from . import _capi
from ._config import config_text

AttentionResult = collections.namedtuple(
    "AttentionResult", ["out", "block_mask", "head_mask", "theta_h", "stats"])
AttentionResult.__doc__ = """What hdp.attention(..., return_masks=True) returns.

out [B,H,N,Dv] (the dtype of q), block_mask [B,H,NB,MB] (bool, True = kept),
head_mask [B,H] (bool), theta_h [B,H] (int64), all numpy arrays or all torch
tensors like the inputs; stats: the simulator's statistics (a dict, see
docs/accelerator.md) with backend="sim", else None."""

CacheInfo = collections.namedtuple("CacheInfo", ["hits", "misses", "size",
                                                 "max_size"])

# Compiled attentions kept at once; the least recently used goes first.
MAX_CACHED = 32


class _Compiled:
    """One hdp_attention handle: a config, a shape, a backend."""

    def __init__(self, config, shape, backend, accel_config):
        handle = ctypes.c_void_p()
        accel = accel_config.encode() if accel_config is not None else None
        _capi.check(_capi.lib.hdp_attention_create_on_backend(
            config.encode(), ctypes.byref(shape),
            _capi.BACKENDS[backend], accel, ctypes.byref(handle)))
        self.handle = handle
        self.backend = backend
        nb, mb = ctypes.c_int64(), ctypes.c_int64()
        _capi.check(_capi.lib.hdp_attention_block_grid(
            handle, ctypes.byref(nb), ctypes.byref(mb)))
        b, h = shape.batch, shape.heads
        self.out_shape = (b, h, shape.query_len, shape.value_dim)
        self.block_shape = (b, h, nb.value, mb.value)
        self.head_shape = (b, h)
        # One run at a time, so that a simulator run's statistics are read
        # before the next run replaces them.
        self.lock = threading.Lock()

    def run(self, q, k, v, mask, out, blocks, heads, theta_h):
        with self.lock:
            _capi.check(_capi.lib.hdp_attention_run(
                self.handle, q, k, v, mask, out, blocks, heads, theta_h))
            if self.backend != "sim":
                return None
            return json.loads(_capi.lib.hdp_attention_stats_json(self.handle))

    def __del__(self):
        lib = getattr(_capi, "lib", None)
        if lib is not None and getattr(self, "handle", None):
            lib.hdp_attention_destroy(self.handle)


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = collections.OrderedDict()
        self.hits = self.misses = 0

    def get(self, key, make):
        with self.lock:
            compiled = self.entries.get(key)
            if compiled is not None:
                self.hits += 1
                self.entries.move_to_end(key)
                return compiled
            self.misses += 1
        compiled = make()  # compiling takes long: outside the lock
        with self.lock:
            self.entries[key] = compiled
            while len(self.entries) > MAX_CACHED:
                self.entries.popitem(last=False)
        return compiled


_cache = _Cache()


def cache_info():
    """Hits, misses and size of the cache of compiled attentions."""
    with _cache.lock:
        return CacheInfo(_cache.hits, _cache.misses, len(_cache.entries),
                         MAX_CACHED)


def clear_cache():
    """Forgets every compiled attention (and the counts)."""
    with _cache.lock:
        _cache.entries.clear()
        _cache.hits = _cache.misses = 0


def _torch():
    """The torch module if the program has imported it (hdp never imports
    PyTorch itself: a program that uses none pays nothing)."""
    return sys.modules.get("torch")


def _is_tensor(x):
    torch = _torch()
    return torch is not None and isinstance(x, torch.Tensor)


_NUMPY_FLOATS = (np.float16, np.float32, np.float64)


def _check_operand(name, x, torch_mode):
    if torch_mode:
        torch = _torch()
        if not isinstance(x, torch.Tensor):
            raise TypeError("hdp.attention: %s must be a torch.Tensor like q, "
                            "got %s" % (name, type(x).__name__))
        if x.device.type != "cpu":
            raise ValueError("hdp.attention: %s is on %s; hdp runs on the CPU"
                             % (name, x.device))
        if not x.is_floating_point():
            raise TypeError("hdp.attention: %s must be a floating tensor, "
                            "got %s" % (name, x.dtype))
        if x.requires_grad and torch.is_grad_enabled():
            raise RuntimeError(
                "hdp.attention: %s requires grad, but hdp has no backward "
                "pass; run under torch.no_grad() or torch.inference_mode()"
                % name)
    else:
        if not isinstance(x, np.ndarray):
            like = "a numpy array or a torch tensor" if name == "q" else \
                "a numpy array like q"
            raise TypeError("hdp.attention: %s must be %s, got %s"
                            % (name, like, type(x).__name__))
        if x.dtype not in _NUMPY_FLOATS:
            raise TypeError("hdp.attention: %s must be float16, float32 or "
                            "float64, got %s" % (name, x.dtype))
    if x.ndim != 4:
        dims = {"q": "[B,H,N,D]", "k": "[B,H,M,D]", "v": "[B,H,M,Dv]"}[name]
        raise ValueError("hdp.attention: %s must have rank 4 %s, got shape %s"
                         % (name, dims, tuple(x.shape)))


def _check_shapes(q, k, v):
    """The C API takes one set of dimensions (B, H, N, M, D, Dv): the
    operands must agree on them, or it would read past their ends."""
    b, h, n, d = q.shape
    if tuple(k.shape[:2]) != (b, h) or k.shape[3] != d:
        raise ValueError("hdp.attention: k has shape %s; expected [B=%d,H=%d,"
                         "M,D=%d] (q has shape %s)"
                         % (tuple(k.shape), b, h, d, tuple(q.shape)))
    m = k.shape[2]
    if tuple(v.shape[:3]) != (b, h, m):
        raise ValueError("hdp.attention: v has shape %s; expected [B=%d,H=%d,"
                         "M=%d,Dv] (k has shape %s)"
                         % (tuple(v.shape), b, h, m, tuple(k.shape)))
    if 0 in tuple(q.shape) + tuple(k.shape) + tuple(v.shape):
        raise ValueError("hdp.attention: every dimension must be >= 1, got "
                         "q %s, k %s, v %s" % (tuple(q.shape), tuple(k.shape),
                                               tuple(v.shape)))


def _as_f32(x):
    """A C-contiguous f32 view of x (no copy when it is one already) and its
    address."""
    if _is_tensor(x):
        torch = _torch()
        x = x.detach().to(torch.float32).contiguous()
        return x, x.data_ptr()
    x = np.ascontiguousarray(x, dtype=np.float32)
    return x, x.ctypes.data


def _additive_mask(mask, torch_mode):
    """The mask as additive f32: booleans (True = attend, as PyTorch's) become
    0 / -inf; floating values are added to the scores, and those <= -10000
    remove the element (docs/semantics.md)."""
    if torch_mode:
        torch = _torch()
        if not isinstance(mask, torch.Tensor):
            mask = torch.as_tensor(mask)
        if mask.device.type != "cpu":
            raise ValueError("hdp.attention: mask is on %s; hdp runs on the "
                             "CPU" % mask.device)
        if mask.dtype == torch.bool:
            zero = torch.zeros((), dtype=torch.float32)
            mask = torch.where(mask, zero, zero - float("inf"))
        elif not mask.is_floating_point():
            raise TypeError("hdp.attention: mask must be bool or floating, "
                            "got %s" % mask.dtype)
    else:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            mask = np.where(mask, np.float32(0), np.float32(-np.inf))
        elif mask.dtype not in _NUMPY_FLOATS:
            raise TypeError("hdp.attention: mask must be bool or floating, "
                            "got %s" % mask.dtype)
    if mask.ndim > 4:
        raise ValueError("hdp.attention: mask must have rank <= 4 "
                         "(broadcastable to [B,H,N,M]), got shape %s"
                         % (tuple(mask.shape),))
    return mask


def _accel_config_path(backend, accel_config):
    if backend != "sim":
        if accel_config is not None:
            raise ValueError("hdp.attention: accel_config is only for "
                             "backend='sim'")
        return None
    name = accel_config or "hdp-edge"
    if os.sep in name or name.endswith(".json"):
        path = os.path.abspath(name)
    else:
        path = os.path.join(_capi.accel_configs_dir(), name + ".json")
    if not os.path.isfile(path):
        raise ValueError("hdp.attention: accelerator configuration %r: no "
                         "file %s (bundled: %s)" % (
                             name, path, ", ".join(sorted(
                                 f[:-5] for f in os.listdir(
                                     _capi.accel_configs_dir())
                                 if f.endswith(".json")))))
    return path


def attention(q, k, v, mask=None, config=None, backend="cpu",
              return_masks=False, accel_config=None):
    """Hybrid Dynamic Pruning attention (docs/semantics.md).

    q [B,H,N,D], k [B,H,M,D], v [B,H,M,Dv]: numpy arrays or torch tensors
    (float16/bfloat16/float32/float64; computed in f32, without a copy for
    contiguous f32). mask: None, additive floats broadcastable to [B,H,N,M]
    (values <= -10000 remove the element), or booleans (True = attend).
    config: None (the defaults), "#hdp.config<rho = 0.3>", a dict of keys or
    hdp.Config(rho=0.3). backend: "cpu" (JIT-compiled), "reference" (the
    plain-loop semantics) or "sim" (the co-processor simulator, with
    accel_config "hdp-edge", "hdp-server" or a JSON file).

    Returns out [B,H,N,Dv] in q's dtype, or with return_masks=True an
    AttentionResult (out, block_mask, head_mask, theta_h, stats). An
    attention is compiled once per backend, config and shapes, then cached
    (see cache_info()).
    """
    if backend not in _capi.BACKENDS:
        raise ValueError("hdp.attention: unknown backend %r; expected one of "
                         "%s" % (backend, ", ".join(_capi.BACKENDS)))
    torch_mode = _is_tensor(q)
    for name, x in (("q", q), ("k", k), ("v", v)):
        _check_operand(name, x, torch_mode)
    if not (q.dtype == k.dtype == v.dtype):
        raise TypeError("hdp.attention: q, k and v must have one dtype, got "
                        "%s, %s, %s" % (q.dtype, k.dtype, v.dtype))
    _check_shapes(q, k, v)
    text = config_text(config)
    accel_path = _accel_config_path(backend, accel_config)

    q32, q_addr = _as_f32(q)
    k32, k_addr = _as_f32(k)
    v32, v_addr = _as_f32(v)
    mask32, mask_addr = None, None
    if mask is not None:
        mask32, mask_addr = _as_f32(_additive_mask(mask, torch_mode))

    shape = _capi.Shape(q.shape[0], q.shape[1], q.shape[2], k.shape[2],
                        q.shape[3], v.shape[3], -1)
    if mask32 is not None:
        shape.mask_rank = mask32.ndim
        for i, d in enumerate(mask32.shape):
            shape.mask_shape[i] = d
    key = (backend, text, accel_path, tuple(q.shape), tuple(k.shape),
           tuple(v.shape), None if mask32 is None else tuple(mask32.shape))
    compiled = _cache.get(
        key, lambda: _Compiled(text, shape, backend, accel_path))

    if torch_mode:
        torch = _torch()

        def empty(s, dtype):
            return torch.empty(s, dtype=getattr(torch, dtype))

        def address(t):
            return t.data_ptr()
    else:

        def empty(s, dtype):
            return np.empty(s, dtype=dtype)

        def address(a):
            return a.ctypes.data

    out = empty(compiled.out_shape, "float32")
    blocks = heads = theta_h = None
    if return_masks:
        blocks = empty(compiled.block_shape, "uint8")
        heads = empty(compiled.head_shape, "uint8")
        theta_h = empty(compiled.head_shape, "int64")
    stats = compiled.run(
        q_addr, k_addr, v_addr, mask_addr, address(out),
        None if blocks is None else address(blocks),
        None if heads is None else address(heads),
        None if theta_h is None else address(theta_h))
    del q32, k32, v32, mask32  # alive until the run returned

    if out.dtype != q.dtype:
        out = out.to(q.dtype) if torch_mode else out.astype(q.dtype)
    if not return_masks:
        return out
    if torch_mode:
        blocks, heads = blocks.bool(), heads.bool()
    else:
        blocks, heads = blocks.view(np.bool_), heads.view(np.bool_)
    return AttentionResult(out, blocks, heads, theta_h, stats)
