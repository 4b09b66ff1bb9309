#!/usr/bin/python3
"""Draw the block mask of one attention head: kept blocks vs pruned ones.

    plot_block_mask.py BLOCK_MASK.npy [--head-mask HEAD_MASK.npy]
                       [--batch B] [--head H] [-o FILE.png]

BLOCK_MASK.npy is hdp-run's second output (bool [B,H,ceil(N/bm),ceil(M/bn)],
true = the block of scores was computed); HEAD_MASK.npy its third (bool
[B,H], false = the whole head was pruned). Row r of the picture is query
block r, column c key block c. Prints one line: the file, the head, and how
many blocks it keeps.

    hdp-run --attention --config='#hdp.config<rho = 0.5>' \
      --input=@q.npy --input=@k.npy --input=@v.npy \
      --output=@out.npy --output=@block_mask.npy --output=@head_mask.npy
    utils/plot_block_mask.py block_mask.npy --head-mask head_mask.npy --head 3
"""

import argparse
import sys

import numpy as np

KEPT = "#1f77b4"    # blue
PRUNED = "#e6e6e6"  # light grey


def fail(message):
    sys.exit("plot_block_mask: error: " + message)


def load_bool(path, rank, what):
    try:
        a = np.load(path)
    except (OSError, ValueError) as e:
        fail("%s: cannot read: %s" % (path, e))
    if a.dtype != bool or a.ndim != rank:
        fail("%s: expected the %s (bool, %d dimensions); got %s %s"
             % (path, what, rank, a.dtype, a.shape))
    return a


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("block_mask")
    p.add_argument("--head-mask")
    p.add_argument("--batch", type=int, default=0)
    p.add_argument("--head", type=int, default=0)
    p.add_argument("-o", "--output", default="block_mask.png")
    a = p.parse_args()

    blocks = load_bool(a.block_mask, 4, "block mask [B,H,Nb,Mb]")
    B, H, nb, mb = blocks.shape
    if not (0 <= a.batch < B and 0 <= a.head < H):
        fail("--batch %d --head %d: %s has B=%d, H=%d"
             % (a.batch, a.head, a.block_mask, B, H))
    head_kept = True
    if a.head_mask:
        heads = load_bool(a.head_mask, 2, "head mask [B,H]")
        if heads.shape != (B, H):
            fail("%s: shape %s does not match the block mask's [B,H] = %s"
                 % (a.head_mask, heads.shape, (B, H)))
        head_kept = bool(heads[a.batch, a.head])
    mask = blocks[a.batch, a.head]
    kept = int(mask.sum())

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    fig, ax = plt.subplots(figsize=(5.5, 5.5 * min(2.0, max(0.5, nb / mb))))
    ax.imshow(mask.astype(np.uint8), cmap=ListedColormap([PRUNED, KEPT]),
              vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    ax.set_xlabel("key block")
    ax.set_ylabel("query block")
    state = "" if head_kept else " - head pruned"
    ax.set_title("batch %d, head %d: %d of %d blocks kept (%.0f%%)%s"
                 % (a.batch, a.head, kept, mask.size,
                    100.0 * kept / mask.size if mask.size else 0.0, state))
    ax.legend(handles=[Patch(color=KEPT, label="kept"),
                       Patch(color=PRUNED, label="pruned")],
              loc="upper right", bbox_to_anchor=(1.0, -0.08), ncol=2,
              frameon=False)
    fig.tight_layout()
    fig.savefig(a.output, dpi=100)
    print("%s: batch %d, head %d: kept %d of %d blocks%s"
          % (a.output, a.batch, a.head, kept, mask.size,
             "" if head_kept else " (head pruned)"))


main()
