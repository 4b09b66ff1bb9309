#!/usr/bin/env python3
"""One figure over both model families from two sweep CSVs (sweep.py's
accuracy.csv of the decoder and of the encoder): NLL above dense against
block sparsity, one panel per model, every block-pruning series (HDP and
Top-K in both rankings); and loss against heads pruned where a tau sweep ran.

    compare_models.py --decoder DIR/accuracy.csv --encoder DIR/accuracy.csv \\
        --out models.png
"""

import argparse
import csv
import os
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    dense = next(r for r in rows if r["group"] == "dense")
    return rows, float(dense["nll"])


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--decoder", required=True)
    p.add_argument("--encoder", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("compare_models: python3-matplotlib is missing")
    models = [("decoder tinystories-260K (next-token NLL)", args.decoder),
              ("encoder tinystories-bert-mlm (masked-token NLL)", args.encoder)]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    for col, (title, path) in enumerate(models):
        rows, dense = read(path)
        series = {}
        for r in rows:
            if r["group"] in ("rho", "signed", "topk", "tau"):
                series.setdefault((r["group"], r["series"]), []).append(r)
        ax, hx = axes[0][col], axes[1][col]
        for (group, name), pts in sorted(series.items()):
            signed = "signed" in name
            style = dict(marker="s" if "Top-K" in name else "o",
                         linestyle="--" if signed else "-", markersize=4,
                         color=("C3" if "Top-K" in name else "C0")
                         if not signed else ("C1" if "Top-K" in name else "C2"))
            if group == "tau":
                pts = sorted(pts, key=lambda r: float(r["head_sparsity"]))
                hx.plot([100 * float(r["head_sparsity"]) for r in pts],
                        [float(r["nll"]) - dense for r in pts], label=name,
                        **style)
                continue
            pts = sorted(pts, key=lambda r: float(r["block_sparsity"]))
            ax.plot([100 * float(r["block_sparsity"]) for r in pts],
                    [float(r["nll"]) - dense for r in pts], label=name, **style)
        for a in (ax, hx):
            a.axhline(0.05, color="gray", linewidth=1, linestyle=":")
            a.set_yscale("symlog", linthresh=0.01)
            a.grid(alpha=0.3)
            a.set_ylabel("NLL - dense (nats)")
        ax.set_xlabel("block sparsity (% of blocks pruned)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
        hx.set_xlabel("heads pruned (%)")
        if any(not l.get_label().startswith("_") for l in hx.lines):
            hx.legend(fontsize=7, loc="upper left")
        else:
            hx.text(0.5, 0.5, "no tau sweep in this CSV", ha="center",
                    transform=hx.transAxes, color="gray")
    fig.suptitle("hdp on both model families (dotted line: dense + 0.05 nats)",
                 fontsize=11)
    fig.tight_layout()
    tmp = args.out + ".tmp.png"
    fig.savefig(tmp, dpi=90)
    os.replace(tmp, args.out)
    print("wrote %s" % args.out)


if __name__ == "__main__":
    main()
