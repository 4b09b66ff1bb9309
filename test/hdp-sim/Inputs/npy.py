"""Writes a small .npy file for error tests.

  npy.py OUT SHAPE DTYPE     e.g.  npy.py x.npy 1,2,8,4 <i4
"""

import sys

import numpy as np

shape = tuple(int(d) for d in sys.argv[2].split(","))
np.save(sys.argv[1], np.zeros(shape, dtype=np.dtype(sys.argv[3])))
