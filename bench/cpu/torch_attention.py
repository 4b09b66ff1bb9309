#!/usr/bin/python3
"""PyTorch dense attention timing, one process per thread setting (bench/cpu).

    torch_attention.py --dir DIR --reps R --threads T

Loads DIR/{q,k,v}.npy ([B,H,N,D], [B,H,M,D], [B,H,M,Dv] f32), computes
softmax(Q K^T / sqrt(D)) V once to warm up and R more times, and prints one
JSON line: {"times_ms": [...], "torch": version, "threads": T,
"max_abs_err": error against float64 numpy}. Thread counts are set through
the environment by the caller (OMP/OpenBLAS read it at load) and again here.
"""

import argparse
import json
import os
import sys
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    try:
        import torch
    except ImportError as e:  # the caller checks first; say why anyway
        print(json.dumps({"error": "cannot import torch: %s" % e}))
        return 2
    torch.set_num_threads(args.threads)
    q, k, v = (np.load(os.path.join(args.dir, n + ".npy")) for n in ("q", "k", "v"))
    tq, tk, tv = (torch.from_numpy(a) for a in (q, k, v))
    scale = 1.0 / np.sqrt(q.shape[-1])

    def attention():
        s = torch.matmul(tq, tk.transpose(-2, -1)) * scale
        return torch.matmul(torch.softmax(s, dim=-1), tv)

    times = []
    with torch.inference_mode():
        out = attention()  # warm-up
        for _ in range(args.reps):
            t0 = time.perf_counter()
            out = attention()
            times.append((time.perf_counter() - t0) * 1e3)
    # Correctness of the baseline, against float64 numpy (outside the timing;
    # one head at a time so that it does not raise the peak RSS).
    err = 0.0
    res = out.numpy()
    for b in range(q.shape[0]):
        for h in range(q.shape[1]):
            s = q[b, h].astype(np.float64) @ k[b, h].T.astype(np.float64) * scale
            p = np.exp(s - s.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            err = max(err, float(np.abs(res[b, h] - p @ v[b, h].astype(np.float64)).max()))
    print(json.dumps({"times_ms": times, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "max_abs_err": err}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
