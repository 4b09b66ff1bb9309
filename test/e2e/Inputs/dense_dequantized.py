"""Dense f32 attention of the dequantized Q and K, compared with hdp's output.

With rho = -1, policy = dense and approx = false nothing is pruned and the
scores are exact fixed-point products, so hdp must equal plain attention over
Q and K rounded to the fixed point (I, F), up to f32 summation order.

usage: dense_dequantized.py DIR OUT.npy INT_BITS FRAC_BITS
"""
import sys

import numpy as np


def dequantize(x, int_bits, frac_bits):
    scaled = np.float32(x) * np.float32(2.0 ** frac_bits)
    lo, hi = -(2 ** (int_bits + frac_bits - 1)), 2 ** (int_bits + frac_bits - 1) - 1
    raw = np.clip(np.rint(scaled), lo, hi)
    return (raw / 2.0 ** frac_bits).astype(np.float64)


def main():
    d, out_path, ib, fb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    q = dequantize(np.load(d + "/q.npy"), ib, fb)
    k = dequantize(np.load(d + "/k.npy"), ib, fb)
    v = np.load(d + "/v.npy").astype(np.float64)
    mask = np.load(d + "/mask.npy").astype(np.float64)
    scale = np.float32(1.0 / np.sqrt(q.shape[-1]))
    s = np.einsum("bhnd,bhmd->bhnm", q, k) * scale
    removed = np.broadcast_to(mask <= -10000, s.shape)
    s = np.where(removed, -np.inf, s + mask)
    m = s.max(axis=-1, keepdims=True)
    e = np.where(removed, 0.0, np.exp(s - np.where(np.isfinite(m), m, 0)))
    tot = e.sum(axis=-1, keepdims=True)
    p = np.divide(e, tot, out=np.zeros_like(e), where=tot > 0)
    want = np.einsum("bhnm,bhmv->bhnv", p, v)
    got = np.load(out_path).astype(np.float64)
    err = np.abs(got - want).max()
    print("shape %s max-abs-error %.2e within-1e-5=%s" % (got.shape, err, err <= 1e-5))


if __name__ == "__main__":
    main()
