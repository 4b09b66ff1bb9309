"""Compares two .npy files element by element.

  allclose.py ACTUAL EXPECTED TOLERANCE

Prints the shapes and whether max |ACTUAL - EXPECTED| <= TOLERANCE (shapes
must agree); exits non-zero when they do not.
"""

import sys

import numpy as np

actual, expected = np.load(sys.argv[1]), np.load(sys.argv[2])
tol = float(sys.argv[3])
if actual.shape != expected.shape:
    print(f"shape mismatch: {actual.shape} vs {expected.shape}")
    sys.exit(1)
err = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
ok = err <= tol
print(f"shape {actual.shape} within-{sys.argv[3]}={ok}")
sys.exit(0 if ok else 1)
