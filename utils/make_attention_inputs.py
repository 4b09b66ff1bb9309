#!/usr/bin/python3
"""Make attention inputs (q.npy, k.npy, v.npy [, mask.npy]) for hdp.

    make_attention_inputs.py --shape B,H,N,M,D[,Dv] --seed S --out-dir DIR
                             [--mask none|padding|causal] [--kind realistic|uniform]

"realistic" imitates what trained models produce rather than i.i.d. noise:
  * attention sinks: a few keys per head (always key 0, like a BOS token, plus
    one or two others) that most queries attend to strongly;
  * positional locality: queries and keys share a per-head projection of a
    sinusoidal position code, so nearby tokens score higher (a diagonal band);
  * per-head temperature: some heads are peaky (large |q|), some nearly flat
    (small |q|), so a head threshold tau_H has heads worth pruning;
  * unit-scale values (|x| mostly < 8), so fixed point with I=4, F=4 is
    meaningful; sink keys carry small values, as observed in trained models.
"uniform" is i.i.d. uniform noise in [-2, 2].

Masks: padding -> [B,1,1,M] with -10000 on the last few keys of each batch item
(at least one key stays); causal -> [1,1,N,M] with -inf where key j is after
query i (queries are aligned to the last N keys, as with a KV cache).
Everything is float32 in C order.
"""

import argparse
import os
import sys

import numpy as np


def _position_code(n, d):
    """Sinusoidal position code [n, d] (Transformer-style), unit-ish scale."""
    pos = np.arange(n)[:, None]
    freq = 1.0 / (10000.0 ** (np.arange((d + 1) // 2) / max(1, d // 2)))
    ang = pos * freq[None, :]
    code = np.concatenate([np.sin(ang), np.cos(ang)], axis=1)[:, :d]
    return code


def realistic(rng, B, H, N, M, D, Dv):
    """q, k, v with sinks, locality and per-head temperature (see module doc)."""
    q = np.empty((B, H, N, D))
    k = np.empty((B, H, M, D))
    v = np.empty((B, H, M, Dv))
    # Per-head temperature, log-uniform: ~0.3 (flat) .. ~2 (peaky).
    temp = np.exp(rng.uniform(np.log(0.3), np.log(2.0), size=H))
    # Sink amplitude along u, for q and k alike, so that a sink's scaled score
    # q.k/sqrt(D) is ~5 (times the head temperature) whatever D is; spread over
    # D coordinates this keeps every element at unit scale.
    amp = np.sqrt(5.0 * np.sqrt(D))
    # Query rows are aligned to the last N keys (KV-cache convention).
    qpos = np.arange(N) + max(0, M - N)
    pos_q = _position_code(qpos.max() + 1, D)[qpos]
    pos_k = _position_code(M, D)
    for h in range(H):
        # Orthonormal basis for the head: u is the "sink" direction; the
        # positional projection is shared by q and k so q.k peaks at i == j.
        basis, _ = np.linalg.qr(rng.standard_normal((D, D)))
        u = basis[:, 0]
        w_pos = basis @ np.diag(rng.uniform(0.5, 1.5, D))
        for b in range(B):
            n_sink = min(M, 1 + int(rng.integers(0, 3)))
            sinks = np.unique(np.concatenate([[0], rng.choice(M, size=n_sink - 1, replace=False)]))
            kk = 0.6 * rng.standard_normal((M, D)) + 0.8 * pos_k @ w_pos.T
            kk[sinks] = 0.3 * kk[sinks] + np.outer(amp * rng.uniform(0.8, 1.2, len(sinks)), u)
            # ~70% of the queries look for the sinks; all carry position.
            attracted = rng.random(N) < 0.7
            qq = 0.5 * rng.standard_normal((N, D)) + 0.8 * pos_q @ w_pos.T
            qq += np.outer(attracted * amp * rng.uniform(0.7, 1.2, N), u)
            q[b, h] = temp[h] * qq
            k[b, h] = kk
            # Values: unit scale with a per-head mean offset; sinks carry little.
            vv = rng.standard_normal((M, Dv)) + rng.normal(0, 0.3, Dv)
            vv[sinks] *= 0.2
            v[b, h] = vv
    return q, k, v


def uniform(rng, B, H, N, M, D, Dv):
    return (rng.uniform(-2, 2, (B, H, N, D)), rng.uniform(-2, 2, (B, H, M, D)),
            rng.uniform(-2, 2, (B, H, M, Dv)))


def padding_mask(rng, B, M):
    """[B,1,1,M]: -10000 on the last 0..M/4 keys of each item (one item pads >= 1)."""
    mask = np.zeros((B, 1, 1, M), np.float32)
    for b in range(B):
        n_pad = int(rng.integers(0, M // 4 + 1))
        if b == 0 and M > 1:
            n_pad = max(n_pad, 1)
        n_pad = min(n_pad, M - 1)
        if n_pad:
            mask[b, 0, 0, M - n_pad:] = -10000.0
    return mask


def causal_mask(N, M, fill=-np.inf):
    """[1,1,N,M]: `fill` where key j lies after query i (aligned to the last N keys)."""
    future = np.arange(M)[None, :] > np.arange(N)[:, None] + (M - N)
    return np.where(future, fill, 0.0).astype(np.float32)[None, None]


def make_inputs(shape, seed=0, mask="none", kind="realistic"):
    """Returns dict q, k, v [, mask] of float32 C-order arrays."""
    if len(shape) == 5:
        shape = tuple(shape) + (shape[4],)
    B, H, N, M, D, Dv = (int(s) for s in shape)
    if min(B, H, N, M, D, Dv) < 1:
        raise ValueError("every dimension must be >= 1, got %s" % (shape,))
    rng = np.random.default_rng(seed)
    gen = {"realistic": realistic, "uniform": uniform}[kind]
    q, k, v = gen(rng, B, H, N, M, D, Dv)
    arrays = {"q": q, "k": k, "v": v}
    if mask == "padding":
        arrays["mask"] = padding_mask(rng, B, M)
    elif mask == "causal":
        arrays["mask"] = causal_mask(N, M)
    elif mask != "none":
        raise ValueError("unknown mask kind %r" % mask)
    return {n: np.ascontiguousarray(a, dtype=np.float32) for n, a in arrays.items()}


def write_inputs(arrays, out_dir):
    """Write NAME.npy for each array; returns the paths in q, k, v, mask order."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name in ("q", "k", "v", "mask"):
        if name in arrays:
            path = os.path.join(out_dir, name + ".npy")
            np.save(path, arrays[name])
            paths.append(path)
    return paths


def parse_shape(text):
    dims = [int(x) for x in text.split(",")]
    if len(dims) not in (5, 6):
        raise argparse.ArgumentTypeError("expected B,H,N,M,D[,Dv], got %r" % text)
    return dims


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", type=parse_shape, required=True, help="B,H,N,M,D[,Dv]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--mask", choices=("none", "padding", "causal"), default="none")
    ap.add_argument("--kind", choices=("realistic", "uniform"), default="realistic")
    args = ap.parse_args(argv)
    try:
        arrays = make_inputs(args.shape, args.seed, args.mask, args.kind)
    except ValueError as e:
        print("make_attention_inputs: error: %s" % e, file=sys.stderr)
        return 1
    for path in write_inputs(arrays, args.out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
