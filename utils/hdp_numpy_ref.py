#!/usr/bin/python3
"""An independent numpy implementation of hdp attention (docs/semantics.md).

Written from the design text alone, not from the C++ reference, so that the two
can judge each other. Integer stages (split, S_int, theta, theta_H, masks) are
exact: int64 where it cannot overflow, Python ints (object arrays) for the
threshold products that may need more than 64 bits. Floating stages follow the
f32 recipe of the design step by step.

    out, block_mask, head_mask, theta_h = attention(q, k, v, mask, rho=0.3)

`python3 hdp_numpy_ref.py --self-test` compares the vectorised functions with a
plain-Python-loop version written separately in this file.
"""

import math
import sys

import numpy as np

# Defaults of `#hdp.config<...>` (docs/semantics.md), in the order the
# attribute prints them.
DEFAULTS = {
    "int_bits": 4,
    "frac_bits": 4,
    "shift": 0,
    "block": (2, 2),
    "rho": 0.0,
    "tau_h": 0.0,
    "policy": "hdp",
    "importance": "abs",
    "topk": 1,
    "approx": True,
    "softmax": "exact",
    "scale": None,
}

# A mask value at or below this removes the element (-inf, finfo.min, BERT's -10000).
REMOVED_THRESHOLD = np.float32(-10000.0)
Q16 = 65536


def make_config(**config):
    """Complete `config` with the defaults; reject unknown keys."""
    unknown = set(config) - set(DEFAULTS)
    if unknown:
        raise TypeError("unknown config key(s): %s" % ", ".join(sorted(unknown)))
    cfg = dict(DEFAULTS)
    cfg.update(config)
    cfg["block"] = tuple(int(b) for b in cfg["block"])
    if cfg["policy"] not in ("hdp", "topk", "dense"):
        raise ValueError("policy must be hdp, topk or dense")
    if cfg["softmax"] not in ("exact", "poly"):
        raise ValueError("softmax must be exact or poly")
    if cfg["importance"] not in ("abs", "signed"):
        raise ValueError("importance must be abs or signed")
    return cfg


def effective_scale(scale, d):
    """The softmax scale as f32: 1/sqrt(D) computed in double, then rounded."""
    if scale is None:
        return np.float32(1.0 / math.sqrt(d))
    return np.float32(scale)


def q16(x):
    """round_half_even(x * 65536) as a Python int (Python's round is half-even)."""
    return int(round(float(x) * Q16))


# ---------------------------------------------------------------------------
# Vectorised implementation
# ---------------------------------------------------------------------------


def split_quantize(x, int_bits=4, frac_bits=4, shift=0):
    """Stage 1: (hi, lo) int64 arrays with x*2^shift ~ hi + lo*2^-F."""
    x = np.asarray(x, dtype=np.float32)
    x = np.where(np.isnan(x), np.float32(0), x)  # NaN is treated as 0
    with np.errstate(over="ignore", invalid="ignore"):
        # The product is formed in f32 (exact unless it overflows to +-inf,
        # which the clamp then catches).
        scaled = x * np.float32(2.0 ** (frac_bits + shift))
    top = 2 ** (int_bits + frac_bits - 1)
    # Clamp in f64: the bounds are exact there (in f32, 2^k - 1 may round up).
    raw = np.clip(np.rint(scaled).astype(np.float64), -top, top - 1).astype(np.int64)
    hi = raw >> frac_bits  # arithmetic shift on signed ints
    lo = raw - (hi << frac_bits)
    return hi, lo


def removed_mask(mask, shape):
    """Boolean [B,H,N,M]: True where the additive mask removes the element."""
    if mask is None:
        return np.zeros(shape, dtype=bool)
    m = np.broadcast_to(np.asarray(mask, dtype=np.float32), shape)
    return m <= REMOVED_THRESHOLD


def _blocked(a, bm, bn, fill):
    """Pad the last two axes of `a` to multiples of (bm, bn) and expose blocks as
    [..., NB, bm, MB, bn]."""
    n, m = a.shape[-2:]
    nb, mb = -(-n // bm), -(-m // bn)
    pad = [(0, 0)] * (a.ndim - 2) + [(0, nb * bm - n), (0, mb * bn - m)]
    a = np.pad(a, pad, constant_values=fill)
    return a.reshape(a.shape[:-2] + (nb, bm, mb, bn))


def block_importance(s_int, removed, block, importance="abs"):
    """Stage 2: theta [B,H,NB,MB] (int64: sum of |S_int|, or of S_int when
    importance is "signed") and the valid-block mask."""
    bm, bn = block
    contrib = np.where(removed, 0, s_int if importance == "signed" else np.abs(s_int))
    theta = _blocked(contrib, bm, bn, 0).sum(axis=(-3, -1))
    # Padding beyond N/M counts as removed: edge blocks are partial.
    valid = (~_blocked(removed, bm, bn, True)).any(axis=(-3, -1))
    return theta, valid


def _hdp_keep(theta, valid, r):
    """Row-balanced threshold of docs/semantics.md step 3, exactly, on object (Python int)
    arrays because 65536*nb*theta may exceed 64 bits."""
    th = np.where(valid, theta, 0).astype(object)
    nb = valid.sum(axis=-1, keepdims=True).astype(object)
    s = th.sum(axis=-1, keepdims=True)
    # max/min over valid blocks only; rows without a valid block keep nothing.
    mx = np.where(valid, theta, np.iinfo(np.int64).min).max(axis=-1, keepdims=True).astype(object)
    mn = np.where(valid, theta, np.iinfo(np.int64).max).min(axis=-1, keepdims=True).astype(object)
    lhs = Q16 * nb * th
    if r >= 0:
        rhs = Q16 * s + r * (nb * mx - s)
    else:
        rhs = Q16 * s + r * (s - nb * mn)
    return valid & (lhs >= rhs).astype(bool)


def _topk_keep(theta, valid, k):
    """The k valid blocks of largest theta per block row, ties to the lower column."""
    # Ascending on -theta; invalid blocks (any theta may be negative) sort
    # after every valid one. Stable: lower column first.
    key = np.where(valid, -theta, np.iinfo(np.int64).max)
    order = np.argsort(key, axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(key.shape[-1]), axis=-1)
    return valid & (rank < k)


def block_mask(theta, valid, policy="hdp", rho=0.0, topk=1):
    """Stage 3a: kept blocks [B,H,NB,MB] (bool)."""
    if policy == "dense":
        return valid.copy()
    if policy == "topk":
        return _topk_keep(theta, valid, topk)
    return _hdp_keep(theta, valid, q16(rho))


def head_mask(theta, valid, tau_h=0.0):
    """Stage 3b: (theta_H int64 [B,H], head mask bool [B,H])."""
    theta_h = np.where(valid, theta, 0).sum(axis=(-2, -1))
    t = q16(tau_h)
    n_heads = theta_h.shape[1]
    th = theta_h.astype(object)
    total = th.sum(axis=1, keepdims=True)
    keep = (n_heads * Q16 * th >= t * total).astype(bool)
    return theta_h.astype(np.int64), keep


def _poly_exp(x):
    """I-BERT's second-order exp for x <= 0, in f32 (x may hold -inf)."""
    ln2 = np.float32(math.log(2.0))
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.floor(-x / ln2)
        finite = np.isfinite(z) & (z < 256)  # beyond 2^-256 the result is 0 in f32
        z = np.where(finite, z, np.float32(0)).astype(np.float32)
        p = x + z * ln2
        poly = np.float32(0.3585) * ((p + np.float32(1.353)) * (p + np.float32(1.353))) + np.float32(0.344)
        e = np.ldexp(poly.astype(np.float32), -z.astype(np.int64)).astype(np.float32)
    return np.where(finite, e, np.float32(0))


def _poly_reciprocal(sigma):
    """1/sigma: linear seed on the mantissa, one Newton step, times 2^-e (f32)."""
    fr, ex = np.frexp(sigma.astype(np.float32))  # fr in [0.5, 1)
    m = (fr * np.float32(2)).astype(np.float32)  # m in [1, 2)
    e = ex - 1
    y0 = np.float32(24.0 / 17.0) - np.float32(8.0 / 17.0) * m
    y1 = y0 * (np.float32(2) - m * y0)
    return np.ldexp(y1.astype(np.float32), -e).astype(np.float32)


def masked_softmax(s, kind="exact"):
    """Stage 5a in f32 over the finite entries of each row; empty rows give 0."""
    s = s.astype(np.float32)
    kept = np.isfinite(s)
    any_kept = kept.any(axis=-1, keepdims=True)
    rowmax = np.where(kept, s, -np.inf).max(axis=-1, keepdims=True)
    rowmax = np.where(any_kept, rowmax, np.float32(0)).astype(np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        x = np.where(kept, s - rowmax, -np.inf).astype(np.float32)
        if kind == "poly":
            e = np.where(kept, _poly_exp(x), np.float32(0))
        else:
            e = np.where(kept, np.exp(x), np.float32(0)).astype(np.float32)
        total = e.sum(axis=-1, keepdims=True, dtype=np.float32)
        safe = np.where(any_kept, total, np.float32(1)).astype(np.float32)
        if kind == "poly":
            p = e * _poly_reciprocal(safe)
        else:
            p = e / safe
    return np.where(any_kept, p, np.float32(0)).astype(np.float32)


def attention(q, k, v, mask=None, **config):
    """The whole of docs/semantics.md.

    Returns (out f32 [B,H,N,Dv], block_mask bool [B,H,NB,MB], head_mask bool
    [B,H], theta_h int64 [B,H]). The block mask is reported as computed, i.e.
    not ANDed with the head mask.
    """
    cfg = make_config(**config)
    q = np.asarray(q, dtype=np.float32)
    k = np.asarray(k, dtype=np.float32)
    v = np.asarray(v, dtype=np.float32)
    B, H, N, D = q.shape
    M = k.shape[2]
    I, F, sh = cfg["int_bits"], cfg["frac_bits"], cfg["shift"]
    bm, bn = cfg["block"]

    qhi, qlo = split_quantize(q, I, F, sh)
    khi, klo = split_quantize(k, I, F, sh)
    kT = lambda a: np.swapaxes(a, -1, -2)
    s_int = qhi @ kT(khi)  # exact int64
    removed = removed_mask(mask, (B, H, N, M))

    # The ranking (abs or signed) and the magnitudes the head decision uses.
    theta, valid = block_importance(s_int, removed, (bm, bn), cfg["importance"])
    magnitude, _ = block_importance(s_int, removed, (bm, bn))
    bmask = block_mask(theta, valid, cfg["policy"], cfg["rho"], cfg["topk"])
    theta_h, hmask = head_mask(magnitude, valid, cfg["tau_h"])

    # Stage 4: exact i64 accumulator, then the f32 recipe.
    acc = (s_int << (2 * F)) + ((qlo @ kT(khi) + qhi @ kT(klo)) << F)
    if not cfg["approx"]:
        acc = acc + qlo @ kT(klo)
    with np.errstate(over="ignore", invalid="ignore"):  # only removed entries overflow
        s = acc.astype(np.float32) * np.float32(2.0 ** -(2 * F + 2 * sh))
        s = s * effective_scale(cfg["scale"], D)
        if mask is not None:
            s = s + np.broadcast_to(np.asarray(mask, dtype=np.float32), s.shape)
    elem_kept = np.repeat(np.repeat(bmask, bm, axis=2), bn, axis=3)[:, :, :N, :M]
    elem_kept = elem_kept & ~removed & hmask[:, :, None, None]
    s = np.where(elem_kept, s, -np.inf).astype(np.float32)

    p = masked_softmax(s, cfg["softmax"])
    out = np.matmul(p, v).astype(np.float32)  # p is 0 off the kept entries
    return out, bmask, hmask, theta_h


def dense_attention(q, k, v, mask=None, scale=None, dtype=np.float64):
    """Plain softmax(scale*Q.K^T + mask).V without quantisation or pruning,
    removed elements excluded (rows with none left give 0)."""
    q = np.asarray(q, dtype=dtype)
    k = np.asarray(k, dtype=dtype)
    v = np.asarray(v, dtype=dtype)
    B, H, N, D = q.shape
    M = k.shape[2]
    sc = dtype(effective_scale(scale, D))
    s = (q @ np.swapaxes(k, -1, -2)) * sc
    removed = removed_mask(mask, (B, H, N, M))
    if mask is not None:
        with np.errstate(invalid="ignore"):
            s = s + np.broadcast_to(np.asarray(mask, dtype=dtype), s.shape)
    s = np.where(removed, -np.inf, s)
    any_kept = (~removed).any(axis=-1, keepdims=True)
    rowmax = np.where(any_kept, s.max(axis=-1, keepdims=True), 0)
    e = np.where(removed, 0, np.exp(np.where(removed, 0, s - rowmax)))
    total = np.where(any_kept, e.sum(axis=-1, keepdims=True), 1)
    return ((e / total) @ v).astype(dtype)


def _fmt_float(x):
    """A float literal MLIR's lexer accepts (needs a '.') that round-trips."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError("config floats must be finite, got %r" % x)
    s = repr(x)
    mant, _, exp = s.partition("e")
    if "." not in mant:
        mant += ".0"
    return mant + ("e" + exp if exp else "")


def config_to_mlir(**config):
    """`#hdp.config<key = value, ...>` with the non-default keys only."""
    cfg = make_config(**config)
    parts = []
    for key, default in DEFAULTS.items():
        val = cfg[key]
        if key == "block":
            if tuple(val) != default:
                parts.append("block = [%d, %d]" % tuple(val))
        elif key in ("rho", "tau_h", "scale"):
            if val is not None and (default is None or float(val) != default):
                parts.append("%s = %s" % (key, _fmt_float(val)))
        elif key == "approx":
            if bool(val) != default:
                parts.append("approx = %s" % ("true" if val else "false"))
        elif key in ("policy", "importance", "softmax"):
            if val != default:
                parts.append("%s = %s" % (key, val))
        elif int(val) != default:
            parts.append("%s = %d" % (key, int(val)))
    return "#hdp.config<%s>" % ", ".join(parts)


# ---------------------------------------------------------------------------
# Plain-Python-loop implementation, for the self test only. Deliberately
# written without the helpers above (except the shared config defaults).
# ---------------------------------------------------------------------------


def _loop_attention(q, k, v, mask=None, **config):
    cfg = make_config(**config)
    q = np.asarray(q, dtype=np.float32)
    k = np.asarray(k, dtype=np.float32)
    v = np.asarray(v, dtype=np.float32)
    B, H, N, D = q.shape
    M, Dv = k.shape[2], v.shape[3]
    I, F, sh = cfg["int_bits"], cfg["frac_bits"], cfg["shift"]
    bm, bn = cfg["block"]
    NB, MB = (N + bm - 1) // bm, (M + bn - 1) // bn
    lo_lim, hi_lim = -(2 ** (I + F - 1)), 2 ** (I + F - 1) - 1
    mfull = None if mask is None else np.broadcast_to(np.asarray(mask, np.float32), (B, H, N, M))

    def quant(x):
        x = np.float32(x)
        if x != x:
            x = np.float32(0)
        with np.errstate(over="ignore"):
            y = float(x * np.float32(2.0 ** (F + sh)))
        if y >= hi_lim:
            raw = hi_lim
        elif y <= lo_lim:
            raw = lo_lim
        else:
            raw = int(round(y))  # half-even
        hi = raw // (2 ** F)  # floor division == arithmetic shift
        return hi, raw - hi * 2 ** F

    def mval(b, h, i, j):
        return np.float32(0) if mfull is None else mfull[b, h, i, j]

    Q = [[[[quant(q[b, h, i, d]) for d in range(D)] for i in range(N)] for h in range(H)] for b in range(B)]
    K = [[[[quant(k[b, h, j, d]) for d in range(D)] for j in range(M)] for h in range(H)] for b in range(B)]
    r = int(round(cfg["rho"] * 65536))
    t = int(round(cfg["tau_h"] * 65536))

    bmask = np.zeros((B, H, NB, MB), bool)
    theta_h = np.zeros((B, H), np.int64)
    hmask = np.zeros((B, H), bool)
    out = np.zeros((B, H, N, v.shape[3]), np.float32)
    for b in range(B):
        for h in range(H):
            S = [[sum(Q[b][h][i][d][0] * K[b][h][j][d][0] for d in range(D)) for j in range(M)] for i in range(N)]
            th = [[0] * MB for _ in range(NB)]
            val = [[False] * MB for _ in range(NB)]
            theta_h[b, h] = 0
            for i in range(N):
                for j in range(M):
                    if not mval(b, h, i, j) <= -10000:
                        signed = cfg["importance"] == "signed"
                        th[i // bm][j // bn] += S[i][j] if signed else abs(S[i][j])
                        val[i // bm][j // bn] = True
                        theta_h[b, h] += abs(S[i][j])
            for I_ in range(NB):
                cols = [J for J in range(MB) if val[I_][J]]
                if not cols:
                    continue
                if cfg["policy"] == "dense":
                    keep = set(cols)
                elif cfg["policy"] == "topk":
                    keep = set(sorted(cols, key=lambda J: (-th[I_][J], J))[: cfg["topk"]])
                else:
                    nb = len(cols)
                    tot = sum(th[I_][J] for J in cols)
                    mx = max(th[I_][J] for J in cols)
                    mn = min(th[I_][J] for J in cols)
                    extra = r * (nb * mx - tot) if r >= 0 else r * (tot - nb * mn)
                    keep = {J for J in cols if 65536 * nb * th[I_][J] >= 65536 * tot + extra}
                for J in keep:
                    bmask[b, h, I_, J] = True
        for h in range(H):
            hmask[b, h] = H * 65536 * int(theta_h[b, h]) >= t * sum(int(x) for x in theta_h[b])
        for h in range(H):
            if not hmask[b, h]:
                continue
            scale = np.float32(1.0 / math.sqrt(D)) if cfg["scale"] is None else np.float32(cfg["scale"])
            for i in range(N):
                scores = {}
                for j in range(M):
                    if mval(b, h, i, j) <= -10000 or not bmask[b, h, i // bm, j // bn]:
                        continue
                    acc = 0
                    for d in range(D):
                        (qh, ql), (kh, kl) = Q[b][h][i][d], K[b][h][j][d]
                        acc += qh * kh * 2 ** (2 * F) + (ql * kh + qh * kl) * 2 ** F
                        if not cfg["approx"]:
                            acc += ql * kl
                    s = np.float32(np.int64(acc)) * np.float32(2.0 ** -(2 * F + 2 * sh))
                    scores[j] = float((s * scale) + mval(b, h, i, j))
                if not scores:
                    continue
                mxs = max(scores.values())
                if cfg["softmax"] == "poly":
                    ex = {}
                    for j, s in scores.items():
                        x = s - mxs
                        z = math.floor(-x / math.log(2))
                        p = x + z * math.log(2)
                        ex[j] = (0.3585 * (p + 1.353) ** 2 + 0.344) * 2.0 ** -z
                    sigma = sum(ex.values())
                    mant, e = math.frexp(sigma)
                    m, e = 2 * mant, e - 1
                    y0 = 24 / 17 - 8 / 17 * m
                    inv = y0 * (2 - m * y0) * 2.0 ** -e
                else:
                    ex = {j: math.exp(s - mxs) for j, s in scores.items()}
                    inv = 1.0 / sum(ex.values())
                for c in range(Dv):
                    out[b, h, i, c] = sum(ex[j] * inv * float(v[b, h, j, c]) for j in ex)
    return out, bmask, hmask, theta_h


def _self_test():
    """Vectorised vs loop implementation on small cases; returns failures."""
    rng = np.random.default_rng(1234)
    cases = [
        ((1, 1, 4, 4, 3, 2), None, {}),
        ((1, 2, 5, 7, 3, 2), "causal", {"block": (2, 3), "rho": 0.4}),
        ((2, 3, 6, 5, 4, 3), "padding", {"rho": -0.6, "tau_h": 1.0, "block": (3, 1)}),
        ((1, 2, 5, 6, 2, 2), None, {"policy": "topk", "topk": 2, "block": (1, 4), "approx": False}),
        ((1, 2, 4, 4, 3, 1), "random", {"policy": "dense", "softmax": "poly", "shift": 1}),
        ((2, 2, 3, 9, 5, 4), "random", {"rho": 1.0, "int_bits": 3, "frac_bits": 2, "shift": -1}),
        ((1, 3, 7, 7, 4, 3), "causal", {"rho": 0.25, "softmax": "poly", "tau_h": 0.5, "scale": 0.3}),
        ((1, 1, 3, 3, 2, 2), "ties", {"policy": "topk", "topk": 2}),
        ((1, 2, 4, 6, 3, 2), "ties", {"rho": 1.0, "block": (1, 2)}),
        ((1, 2, 5, 7, 3, 2), "causal", {"block": (2, 3), "rho": 0.4, "importance": "signed"}),
        ((2, 3, 6, 5, 4, 3), "padding", {"rho": -0.6, "tau_h": 1.0, "importance": "signed"}),
        ((1, 2, 5, 6, 2, 2), "ties", {"policy": "topk", "topk": 2, "importance": "signed"}),
        ((1, 2, 4, 6, 3, 2), "random", {"rho": 1.0, "block": (1, 2), "importance": "signed"}),
    ]
    failures = 0
    for n, (shape, mkind, cfg) in enumerate(cases):
        B, H, N, M, D, Dv = shape
        if mkind == "ties":
            q = np.ones((B, H, N, D), np.float32)
            k = np.ones((B, H, M, D), np.float32)
        else:
            q = (rng.standard_normal((B, H, N, D)) * 2).astype(np.float32)
            k = (rng.standard_normal((B, H, M, D)) * 2).astype(np.float32)
        v = rng.standard_normal((B, H, M, Dv)).astype(np.float32)
        mask = None
        if mkind == "causal":
            mask = np.where(np.arange(M)[None, :] > np.arange(N)[:, None] + (M - N), -np.inf, 0).astype(np.float32)
        elif mkind == "padding":
            mask = np.zeros((B, 1, 1, M), np.float32)
            mask[..., M - 2:] = -10000
        elif mkind == "random":
            mask = rng.choice(np.array([0, -1.5, -10000, -np.inf], np.float32), size=(B, H, N, M), p=[0.5, 0.1, 0.2, 0.2])
        got = attention(q, k, v, mask, **cfg)
        want = _loop_attention(q, k, v, mask, **cfg)
        err = float(np.max(np.abs(got[0].astype(np.float64) - want[0]), initial=0))
        problems = []
        for name, g, w in zip(("block_mask", "head_mask", "theta_h"), got[1:], want[1:]):
            if g.shape != w.shape or not np.array_equal(g, w):
                problems.append(name)
        if not err <= 1e-5:
            problems.append("out (max err %.3g)" % err)
        status = "FAIL" if problems else "PASS"
        failures += bool(problems)
        print("%s self-test %d: shape=%s mask=%s %s max|err|=%.3g%s" % (
            status, n, ",".join(map(str, shape)), mkind, config_to_mlir(**cfg), err,
            (" mismatch: " + ", ".join(problems)) if problems else ""))
    # config_to_mlir formatting.
    text = config_to_mlir(rho=1e-5, block=(3, 1), approx=False, policy="topk", topk=2, scale=0.125)
    want = "#hdp.config<block = [3, 1], rho = 1.0e-05, policy = topk, topk = 2, approx = false, scale = 0.125>"
    if text != want:
        print("FAIL config_to_mlir: %s != %s" % (text, want))
        failures += 1
    print("%d passed, %d failed" % (len(cases) + 1 - failures, failures))
    return failures


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(1 if _self_test() else 0)
    print("usage: hdp_numpy_ref.py --self-test", file=sys.stderr)
    sys.exit(2)
