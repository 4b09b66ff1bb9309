"""Compares hdp-run's output with plain numpy attention.

  dense_check.py Q K V OUT [MASK]

Meant for inputs that the fixed point represents exactly, run with
policy = dense and approx = false: then HDP attention is plain
softmax(Q K^T / sqrt(D) + mask) V, with removed (mask <= -10000) elements
excluded. Prints the max abs error and whether it is within 1e-5.
"""

import sys

import numpy as np

q, k, v, out = (np.load(p) for p in sys.argv[1:5])
mask = np.load(sys.argv[5]) if len(sys.argv) > 5 else np.zeros((), np.float32)
q, k, v = (x.astype(np.float64) for x in (q, k, v))
s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
mask = np.broadcast_to(mask.astype(np.float64), s.shape)
removed = mask <= -10000.0
s = np.where(removed, -np.inf, s + mask)
rowmax = np.max(s, axis=-1, keepdims=True)
rowmax = np.where(np.isfinite(rowmax), rowmax, 0.0)
e = np.where(removed, 0.0, np.exp(s - rowmax))
denom = e.sum(axis=-1, keepdims=True)
p = np.divide(e, denom, out=np.zeros_like(e), where=denom > 0)
expected = p @ v
err = float(np.max(np.abs(out - expected)))
print(f"shape {out.shape} max-abs-error-within-1e-5={err <= 1e-5}")
