"""Runs HDP attention from Python through the runtime C API (ctypes).

  /usr/bin/python3 examples/ctypes/attention.py path/to/libHDPRuntimeC.so

Builds random Q, K, V and a causal mask, runs the attention compiled by
libHDPRuntimeC.so (hdp-c/Runtime.h), compares with the numpy implementation
of the semantics (utils/hdp_numpy_ref.py): masks and theta_H identical,
output within 1e-5. Then shows that bad input gives an error, not a crash.
"""

import ctypes
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "utils"))
import hdp_numpy_ref  # noqa: E402


class Shape(ctypes.Structure):
    """hdp_attention_shape."""

    _fields_ = [
        ("batch", ctypes.c_int64),
        ("heads", ctypes.c_int64),
        ("query_len", ctypes.c_int64),
        ("key_len", ctypes.c_int64),
        ("head_dim", ctypes.c_int64),
        ("value_dim", ctypes.c_int64),
        ("mask_rank", ctypes.c_int32),
        ("mask_shape", ctypes.c_int64 * 4),
    ]


def load(path):
    lib = ctypes.CDLL(path)
    f32p = ctypes.POINTER(ctypes.c_float)
    u8p = ctypes.POINTER(ctypes.c_uint8)
    i64p = ctypes.POINTER(ctypes.c_int64)
    lib.hdp_attention_create.argtypes = [
        ctypes.c_char_p, ctypes.POINTER(Shape), ctypes.POINTER(ctypes.c_void_p)]
    lib.hdp_attention_run.argtypes = [
        ctypes.c_void_p, f32p, f32p, f32p, f32p, f32p, u8p, u8p, i64p]
    lib.hdp_attention_block_grid.argtypes = [ctypes.c_void_p, i64p, i64p]
    lib.hdp_attention_destroy.argtypes = [ctypes.c_void_p]
    lib.hdp_attention_destroy.restype = None
    lib.hdp_last_error.restype = ctypes.c_char_p
    return lib


def ptr(array, ctype):
    """A pointer to a C-contiguous numpy array (None for None)."""
    if array is None:
        return None
    assert array.flags["C_CONTIGUOUS"]
    return array.ctypes.data_as(ctypes.POINTER(ctype))


class Attention:
    """One compiled attention: a config and a shape."""

    def __init__(self, lib, config, q_shape, k_shape, v_shape, mask_shape=None):
        self.lib = lib
        shape = Shape(*q_shape[:3], k_shape[2], q_shape[3], v_shape[3], -1)
        if mask_shape is not None:
            shape.mask_rank = len(mask_shape)
            for i, d in enumerate(mask_shape):
                shape.mask_shape[i] = d
        self.handle = ctypes.c_void_p()
        status = lib.hdp_attention_create(
            config.encode(), ctypes.byref(shape), ctypes.byref(self.handle))
        if status != 0:
            raise RuntimeError(lib.hdp_last_error().decode())
        nb, mb = ctypes.c_int64(), ctypes.c_int64()
        lib.hdp_attention_block_grid(self.handle, ctypes.byref(nb), ctypes.byref(mb))
        self.out_shape = (q_shape[0], q_shape[1], q_shape[2], v_shape[3])
        self.grid = (q_shape[0], q_shape[1], nb.value, mb.value)

    def __call__(self, q, k, v, mask=None):
        q, k, v = (np.ascontiguousarray(x, np.float32) for x in (q, k, v))
        if mask is not None:
            mask = np.ascontiguousarray(mask, np.float32)
        out = np.empty(self.out_shape, np.float32)
        blocks = np.empty(self.grid, np.uint8)
        heads = np.empty(self.grid[:2], np.uint8)
        theta_h = np.empty(self.grid[:2], np.int64)
        f = ctypes.c_float
        status = self.lib.hdp_attention_run(
            self.handle, ptr(q, f), ptr(k, f), ptr(v, f), ptr(mask, f),
            ptr(out, f), ptr(blocks, ctypes.c_uint8), ptr(heads, ctypes.c_uint8),
            ptr(theta_h, ctypes.c_int64))
        if status != 0:
            raise RuntimeError(self.lib.hdp_last_error().decode())
        return out, blocks.astype(bool), heads.astype(bool), theta_h

    def __del__(self):
        self.lib.hdp_attention_destroy(self.handle)


def main():
    lib = load(sys.argv[1])
    rng = np.random.default_rng(7)
    B, H, N, M, D = 2, 3, 12, 10, 8
    q = rng.standard_normal((B, H, N, D)).astype(np.float32)
    k = rng.standard_normal((B, H, M, D)).astype(np.float32)
    v = rng.standard_normal((B, H, M, D)).astype(np.float32)
    mask = np.where(np.arange(M)[None, :] > np.arange(N)[:, None] + (M - N),
                    -np.inf, 0.0).astype(np.float32).reshape(1, 1, N, M)

    attention = Attention(lib, "#hdp.config<rho = 0.3, tau_h = 0.2>",
                          q.shape, k.shape, v.shape, mask.shape)
    got = attention(q, k, v, mask)
    want = hdp_numpy_ref.attention(q, k, v, mask, rho=0.3, tau_h=0.2)
    names = ("out", "block_mask", "head_mask", "theta_h")
    ok = True
    for name, g, w in zip(names, got, want):
        if name == "out":
            err = float(np.max(np.abs(g - w)))
            same = err <= 1e-5
            print(f"{name}: max-abs-error-within-1e-5={same}")
        else:
            same = g.shape == w.shape and np.array_equal(g, w)
            print(f"{name}: identical={same}")
        ok &= same
    print(f"pruned blocks: {int((~got[1]).sum())} of {got[1].size}")

    # Errors come back as exceptions with the library's message.
    for config in ("#hdp.config<rho = 2.0>", "#hdp.config<rho"):
        try:
            Attention(lib, config, q.shape, k.shape, v.shape)
        except RuntimeError as e:
            print(f"error: {e}")
    try:  # a mask that does not broadcast to [B,H,N,M]
        Attention(lib, "", q.shape, k.shape, v.shape, (1, 2, N, M))
    except RuntimeError as e:
        print(f"error: {e}")
    status = lib.hdp_attention_run(attention.handle, None, None, None, None,
                                   None, None, None, None)
    print(f"error: status {status}: {lib.hdp_last_error().decode()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
