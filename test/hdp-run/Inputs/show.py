"""Describes .npy files and directories for FileCheck.

  show.py PATH...

For a file: "<name>: <dtype> <shape>", plus "true=<count>" for bool arrays,
"finite" (and "all-zero" if so) for float arrays without NaN/inf, and
"min=<m>" for integer arrays.
For a directory: "<name>/: [sorted entries]".
"""

import os
import sys

import numpy as np

for path in sys.argv[1:]:
    name = os.path.basename(os.path.normpath(path))
    if os.path.isdir(path):
        print(f"{name}/: {sorted(os.listdir(path))}")
        continue
    a = np.load(path)
    assert a.flags["C_CONTIGUOUS"], path
    extra = ""
    if a.dtype == np.bool_:
        extra = f" true={int(a.sum())}"
    elif a.dtype.kind == "f":
        extra = " finite" if np.isfinite(a).all() else " NOT FINITE"
        if a.size and not a.any():
            extra += " all-zero"
    elif a.dtype.kind in "iu":
        extra = f" min={a.min() if a.size else 'none'}"
    print(f"{name}: {a.dtype} {a.shape}{extra}")
