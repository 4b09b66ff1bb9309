"""Prints the share of a block-mask picture's mask pixels that are "kept".

  mask_pixels.py FILE.png

Counts the pixels of plot_block_mask.py's two colours and prints
"kept-share 0.xx" (the legend's two patches add a little of each).
"""

import sys

import matplotlib.image
import numpy as np

img = matplotlib.image.imread(sys.argv[1])[:, :, :3]
rgb = np.round(img * 255).astype(int)
kept = np.all(rgb == (0x1F, 0x77, 0xB4), axis=2).sum()
pruned = np.all(rgb == (0xE6, 0xE6, 0xE6), axis=2).sum()
print("kept-share %.2f" % (kept / (kept + pruned)))
