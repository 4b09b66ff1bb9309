"""Prints "<dir>/: [sorted entries]" for each directory (to check that a
failed run left no file behind)."""

import os
import sys

for path in sys.argv[1:]:
    print(f"{os.path.basename(os.path.normpath(path))}/: {sorted(os.listdir(path))}")
