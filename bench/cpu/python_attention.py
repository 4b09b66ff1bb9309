#!/usr/bin/python3
"""Dense attention timing in numpy or PyTorch, one process per setting (bench/cpu).

    python_attention.py --impl numpy|torch --dir DIR --reps R --threads T

Loads DIR/{q,k,v}.npy ([B,H,N,D], [B,H,M,D], [B,H,M,Dv] f32), computes
softmax(Q K^T / sqrt(D)) V once to warm up and R more times, and prints one
JSON line: {"times_ms": [...], "impl": ..., "version": ..., "threads": T,
"max_abs_err": error against float64 numpy}.

Both are written the way a user who wants speed would write them: f32
throughout, batched matrix products (OpenBLAS sgemm underneath numpy; PyTorch's
own kernels), the softmax in place so that only the [B,H,N,M] score buffer is
touched after the first product. Thread counts are set through the
environment by the caller (OpenBLAS and OpenMP read it when they load) and,
for PyTorch, again with torch.set_num_threads.
"""

import argparse
import json
import os
import sys
import time

import numpy as np


def numpy_attention(q, k, v, scale):
    s = np.matmul(q, k.swapaxes(-1, -2))
    s *= np.float32(scale)
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return np.matmul(s, v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=("numpy", "torch"), required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    q, k, v = (np.load(os.path.join(args.dir, n + ".npy")) for n in ("q", "k", "v"))
    scale = 1.0 / np.sqrt(q.shape[-1])

    if args.impl == "torch":
        try:
            import torch
        except ImportError as e:  # the caller checks first; say why anyway
            print(json.dumps({"error": "cannot import torch: %s" % e}))
            return 2
        torch.set_num_threads(args.threads)
        tq, tk, tv = (torch.from_numpy(a) for a in (q, k, v))
        version, threads = torch.__version__, torch.get_num_threads()

        def attention():
            s = torch.matmul(tq, tk.transpose(-2, -1)) * scale
            return torch.matmul(torch.softmax(s, dim=-1), tv)

        def run():
            with torch.inference_mode():
                return attention().numpy()
    else:
        version, threads = np.__version__, args.threads

        def run():
            return numpy_attention(q, k, v, scale)

    times = []
    res = run()  # warm-up
    for _ in range(args.reps):
        t0 = time.perf_counter()
        res = run()
        times.append((time.perf_counter() - t0) * 1e3)
    # Correctness of the baseline, against float64 numpy (outside the timing;
    # one head at a time so that it does not raise the peak RSS).
    err = 0.0
    for b in range(q.shape[0]):
        for h in range(q.shape[1]):
            s = q[b, h].astype(np.float64) @ k[b, h].T.astype(np.float64) * scale
            p = np.exp(s - s.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            err = max(err, float(np.abs(res[b, h] - p @ v[b, h].astype(np.float64)).max()))
    print(json.dumps({"times_ms": times, "impl": args.impl, "version": version,
                      "threads": threads, "max_abs_err": err}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
