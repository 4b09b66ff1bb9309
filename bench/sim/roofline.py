#!/usr/bin/python3
"""Roofline plot of hdp-sim runs, per phase of the dataflow.

    roofline.py STATS.json [STATS.json ...] [--label NAME ...] [-o roofline.png]

Reads the statistics hdp-sim --stats writes and draws, for each run, the
phases (prepass: the integer pre-pass; attention: scores, softmax, P.V; and
the whole run) as points of operational intensity (MACs per DRAM byte)
against achieved throughput (GMAC/s at the configured clock), under the
run's roofs: the PE's peak for the phase's mix of integer and P.V MACs
(dashed, one per point) and the DRAM bandwidth (the slope). It prints the
same numbers as a table. Without python3-matplotlib the table is printed
and the plot is skipped with a message.

Exit status: 0, or 2 on a missing or malformed statistics file.
"""

import argparse
import json
import math
import os
import sys

PHASES = ("prepass", "attention")


def die(msg):
    print(f"roofline: error: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path) as f:
            stats = json.load(f)
        return dict(clock=float(stats["clock_mhz"]),
                    roofs=stats["roofline"], phases=stats["phases"],
                    name=f"{stats['accelerator']} ({stats['engine']})")
    except OSError as e:
        die(f"{path}: cannot read: {e.strerror}")
    except (ValueError, KeyError, TypeError) as e:
        die(f"{path}: not hdp-sim statistics with phases and roofline ({e})")


def points(run):
    """(phase, intensity, GMAC/s, compute roof GMAC/s, bound) per phase."""
    ghz = run["clock"] * 1e-3
    out = []
    for name in PHASES + ("total",):
        r = run["roofs"]["total"] if name == "total" else run["phases"][name]["roofline"]
        if r["macs"] == 0:
            continue
        out.append((name, r["intensity_macs_per_dram_byte"],
                    r["achieved_macs_per_cycle"] * ghz,
                    r["compute_roof_macs_per_cycle"] * ghz, r["bound"],
                    r["fraction_of_attainable"]))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description="Roofline plot of hdp-sim statistics, per phase.")
    p.add_argument("stats", nargs="+", help="hdp-sim --stats files")
    p.add_argument("--label", action="append", default=[],
                   help="a name per statistics file (default: accelerator and engine)")
    p.add_argument("-o", "--out", default="roofline.png", help="the PNG to write")
    args = p.parse_args(argv)
    if args.label and len(args.label) != len(args.stats):
        die(f"{len(args.label)} --label for {len(args.stats)} statistics files")
    runs = [load(path) for path in args.stats]
    for run, label in zip(runs, args.label or [None] * len(runs)):
        if label:
            run["name"] = label

    print(f"{'run':<28} {'phase':<10} {'MAC/byte':>9} {'GMAC/s':>9} "
          f"{'roof GMAC/s':>11} {'DRAM GB/s':>9} {'bound':>8} {'of roof':>7}")
    for run in runs:
        bw = run["roofs"]["dram_bytes_per_cycle"] * run["clock"] * 1e-3
        for name, x, y, roof, bound, frac in points(run):
            print(f"{run['name']:<28} {name:<10} {x:9.3g} {y:9.4g} {roof:11.4g} "
                  f"{bw:9.4g} {bound:>8} {100 * frac:6.1f}%")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("roofline: png: skipped: python3-matplotlib not installed")
        return 0
    fig, ax = plt.subplots(figsize=(7.5, 5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    markers = {"prepass": "s", "attention": "o", "total": "*"}
    xs = [x for run in runs for _, x, *_ in points(run) if x > 0]
    lo = min(xs + [1.0]) / 10
    hi = max(xs + [1.0]) * 10
    for i, run in enumerate(runs):
        color = colors[i % len(colors)]
        ghz = run["clock"] * 1e-3
        bw = run["roofs"]["dram_bytes_per_cycle"] * ghz  # GB/s
        peak = run["roofs"]["int_macs_per_cycle"] * ghz
        pv = run["roofs"]["pv_macs_per_cycle"] * ghz
        grid = [lo * (hi / lo) ** (k / 200) for k in range(201)]
        ax.plot(grid, [min(peak, bw * g) for g in grid], color=color, linewidth=1.5,
                label=f"{run['name']}: roofs (integer, DRAM {bw:.3g} GB/s)")
        ax.plot(grid, [min(pv, bw * g) for g in grid], color=color, linewidth=0.8,
                linestyle=":", label=f"{run['name']}: P.V roof")
        for name, x, y, roof, bound, _ in points(run):
            if x <= 0 or y <= 0:
                continue
            ax.plot([x], [y], marker=markers[name], color=color, markersize=8,
                    linestyle="none", label=f"{run['name']}: {name} ({bound}-bound)")
            ax.plot([x / 1.6, x * 1.6], [roof, roof], color=color, linestyle="--",
                    linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("operational intensity (MACs per DRAM byte)")
    ax.set_ylabel("throughput (GMAC/s)")
    ax.set_title("hdp-sim roofline per phase (dashed: compute roof of the phase's MAC mix)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    tmp = args.out + ".tmp.png"
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, args.out)
    print(f"roofline: png: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
