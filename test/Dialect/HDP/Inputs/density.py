"""Prints whether a block mask (.npy of bool) prunes at least one block."""

import sys

import numpy as np

mask = np.load(sys.argv[1])
print(f"pruned some blocks: {bool((~mask).any())}")
