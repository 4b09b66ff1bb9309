#!/usr/bin/env python3
"""Quality against sparsity of hdp attention on a real model: the decoder
tinystories-260K (--model decoder, the default) or the BERT-style encoder
tinystories-bert-mlm (--model encoder, masked-token prediction).

Runs hdp-eval over sweeps that mirror the HDP paper's accuracy figures:

  rho     HDP block pruning, rho from -1 to 1            (quality vs block sparsity)
  topk    the Top-K baseline, k blocks per block row     (same axes, equal sparsity)
  signed  blocks ranked by the signed sum of integer scores
          (importance = signed) instead of sum |S_int|    (same axes)
  tau     head pruning, tau_H with every block kept      (quality vs heads pruned)
  approx  approx on/off x softmax exact/poly at a few rho
  block   block sizes 1x1, 2x2, 4x4 over rho
  bits    int_bits with approx on/off, nothing pruned     (the cost of quantization)

Every configuration's shifts are calibrated per layer on a calibration text
(hdp-eval --calibrate) that is not the evaluation text. Writes accuracy.csv,
one PNG per figure and the raw hdp-eval JSON into --out-dir and prints a
summary table. Needs /usr/bin/python3 with matplotlib for the plots (the CSV
and the table are written without it).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "bench"))
import sweep_runner  # noqa: E402


def cfg(**kw):
    """#hdp.config<...> text with keys in a stable order."""
    parts = []
    for key in ("int_bits", "frac_bits", "block", "rho", "tau_h", "policy",
                "importance", "topk", "approx", "softmax"):
        if key not in kw:
            continue
        v = kw[key]
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, float):
            v = repr(v)
        elif isinstance(v, tuple):
            v = "[%d, %d]" % v
        parts.append("%s = %s" % (key, v))
    return "#hdp.config<%s>" % ", ".join(parts)


def plan(kind, model="decoder"):
    """The runs: dicts with group, series, x (the swept value), config,
    importance. `kind` is full, quick (the main figure with fewer points) or
    demo (a handful of points for the demo's table)."""
    runs = []

    def add(group, series, x, importance="abs", **kw):
        if importance != "abs":
            kw["importance"] = importance
        runs.append(dict(group=group, series=series, x=x, config=cfg(**kw),
                         importance=importance))

    if model == "encoder":
        plan_encoder(kind, add)
        return runs
    if kind == "demo":
        for r in [-1.0, -0.5, 0.0, 0.5]:
            add("rho", "HDP, 4.4 bits", r, rho=r)
        for k in [4, 16, 64]:
            add("topk", "Top-K, 4.4 bits", k, policy="topk", topk=k)
        for r in [-1.0, 0.0, 0.5]:
            add("signed", "HDP signed, 8.4 bits", r,
                importance="signed", int_bits=8, rho=r)
        return runs
    quick = kind == "quick"

    rhos = [-1.0, -0.5, 0.0, 0.5, 1.0] if quick else \
        [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0]
    ks = [1, 4, 16, 64] if quick else [1, 2, 4, 8, 16, 32, 64, 128]
    bits = [4, 8]  # the paper's 4.4 fixed point, and 8.4 (quantization ~free)
    for ib in bits:
        for r in rhos:
            add("rho", "HDP, %d.4 bits" % ib, r, int_bits=ib, rho=r)
        for k in ks:
            add("topk", "Top-K, %d.4 bits" % ib, k, int_bits=ib,
                policy="topk", topk=k)
    # The signed ranking within 10 bits (6.4), with the paper's 2x2 blocks
    # and with 1x2 blocks, and Top-K ranked the same way.
    for r in rhos + ([0.3, 0.4] if quick else []):
        add("signed", "HDP signed, 6.4 bits", r,
            importance="signed", int_bits=6, rho=r)
        add("signed", "HDP signed, 6.4 bits, block 1x2", r,
            importance="signed", int_bits=6, block=(1, 2), rho=r)
    for k in ks:
        add("topk", "Top-K signed, 6.4 bits", k, importance="signed",
            int_bits=6, policy="topk", topk=k)
    if quick:
        return runs

    for ib in bits:
        for t in [0.25, 0.5, 0.75, 1.0, 1.25, 1.5]:
            add("tau", "HDP heads, %d.4 bits" % ib, t, int_bits=ib, rho=-1.0,
                tau_h=t)
    for r in [-1.0, 0.0]:
        for approx in (True, False):
            for sm in ("exact", "poly"):
                add("approx", "approx=%s, softmax=%s" %
                    ("on" if approx else "off", sm), r, rho=r, approx=approx,
                    softmax=sm)
    for blk in [(1, 1), (4, 4)]:
        for r in [-1.0, -0.5, 0.0, 0.5]:
            add("block", "block %dx%d, 8.4 bits" % blk, r, int_bits=8,
                block=blk, rho=r)
    for r in [-1.0, -0.5, 0.0, 0.5]:
        add("block", "block 2x2, 8.4 bits", r, int_bits=8, rho=r)
    # Block size where the ranking works: signed importance.
    for blk in [(1, 1), (2, 2), (4, 4)]:
        for r in [-0.5, 0.0, 0.5, 0.75]:
            add("block", "block %dx%d, HDP signed" % blk, r,
                importance="signed", int_bits=8, block=blk, rho=r)
    for ib in [3, 4, 5, 6, 7, 8]:
        for approx in (True, False):
            add("bits", "approx=%s" % ("on" if approx else "off"), ib,
                int_bits=ib, rho=-1.0, approx=approx)
    return runs


def plan_encoder(kind, add):
    """The encoder's sweep: both rankings for HDP and Top-K at 4.4 bits (the
    paper's), head pruning, approx/poly softmax and 6.4 bits."""
    if kind == "demo":
        for imp in ("abs", "signed"):
            for r in [0.0, 0.3]:
                add("rho" if imp == "abs" else "signed",
                    "HDP %s, 4.4 bits" % imp, r, importance=imp, rho=r)
        return
    quick = kind == "quick"
    rhos = [-1.0, 0.0, 0.2, 0.3, 0.4, 0.5] if quick else \
        [-1.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8]
    ks = [4, 8, 16, 32] if quick else [2, 4, 8, 12, 16, 24, 32]
    for imp in ("abs", "signed"):
        group = "rho" if imp == "abs" else "signed"
        for r in rhos:
            add(group, "HDP %s, 4.4 bits" % imp, r, importance=imp, rho=r)
        for k in ks:
            add("topk", "Top-K %s, 4.4 bits" % imp, k, importance=imp,
                policy="topk", topk=k)
    if quick:
        return
    for t in [0.25, 0.5, 0.75, 0.9, 1.0, 1.25]:
        add("tau", "HDP heads, 4.4 bits", t, rho=-1.0, tau_h=t)
    for r in [0.0, 0.3]:
        for approx in (True, False):
            for sm in ("exact", "poly"):
                add("approx", "approx=%s, softmax=%s" %
                    ("on" if approx else "off", sm), r, rho=r, approx=approx,
                    softmax=sm)
    for r in [0.0, 0.3, 0.5]:
        add("wide", "HDP abs, 6.4 bits", r, int_bits=6, rho=r)


def run_chunk(args, chunk, index):
    """One hdp-eval process over `chunk` (same importance); returns its JSON."""
    out = os.path.join(args.out_dir, "raw", "chunk-%02d.json" % index)
    if args.model == "encoder":
        model = ["--model=" + args.encoder_dir]
    else:
        model = ["--model=" + os.path.join(args.model_dir, "stories260K.bin"),
                 "--tokenizer=" + os.path.join(args.model_dir, "tok512.bin")]
    cmd = [args.hdp_eval] + model + [
           "--text=" + args.text, "--calibrate=" + args.calibrate,
           "--backend=" + args.backend, "--json=" + out]
    if args.max_docs:
        cmd.append("--max-docs=%d" % args.max_docs)
    cmd += ["--config=" + r["config"] for r in chunk]
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError("hdp-eval failed (%s):\n%s" %
                           (" ".join(cmd), proc.stderr))
    with open(out) as f:
        report = json.load(f)
    print("  chunk %d: %d configs in %.0f s" % (index, len(chunk),
                                                 time.time() - start),
          file=sys.stderr, flush=True)
    return report


def run_chunk_task(args, task):
    """run_chunk on a dask worker: task = (index, chunk)."""
    index, chunk = task
    return run_chunk(args, chunk, index)


def chunks_of(runs, jobs):
    """Splits runs into about 3*jobs chunks that share an importance (so
    that the dense baseline and calibration are computed once per chunk),
    largest first so that the pool stays busy."""
    by_importance = {}
    for r in runs:
        by_importance.setdefault(r["importance"], []).append(r)
    chunks = []
    per = max(3, -(-len(runs) // (3 * jobs)))
    for group in by_importance.values():
        n = -(-len(group) // per)
        size = -(-len(group) // n)
        for i in range(0, len(group), size):
            chunks.append(group[i:i + size])
    chunks.sort(key=len, reverse=True)
    return chunks


FIELDS = ["group", "series", "x", "config", "importance", "shifts", "nll",
          "perplexity", "top1", "agreement", "kl", "block_sparsity",
          "head_sparsity", "element_sparsity", "mass_lost", "clamp_rate",
          "seconds"]


def collect(runs, reports):
    """Rows for the CSV: one for dense, one per run."""
    rows = []
    dense = None
    by_key = {}
    for report in reports:
        for res in report["results"]:
            if res["label"] == "dense":
                dense = dense or res
                continue
            by_key[res["label"]] = res
    rows.append(dict(group="dense", series="dense f32", x="", config="dense",
                     importance="", shifts="", nll=dense["nll"],
                     perplexity=dense["perplexity"], top1=dense["top1"],
                     agreement=1.0, kl=0.0, block_sparsity=0.0,
                     head_sparsity=0.0, element_sparsity=0.0, mass_lost=0.0,
                     clamp_rate=0.0,
                     seconds=dense["seconds"]))
    for r in runs:
        res = by_key[r["config"]]
        row = dict(r)
        row["shifts"] = " ".join(str(s) for s in res.get("shifts", []))
        for k in FIELDS[6:]:
            row[k] = res.get(k, float("nan"))
        rows.append(row)
    return rows, dense


def print_table(rows, meta):
    print()
    print("quality vs sparsity on %s (%d document(s), %d predicted tokens);"
          % (os.path.relpath(meta["text"]), meta["documents"],
             meta["predictions"]))
    print("shifts calibrated per layer on %s; KL = KL(dense || hdp), "
          "agree = top-1 agreement with dense"
          % os.path.relpath(meta["calibrate"]))
    head = "%-38s %7s %8s %7s %7s %9s %9s %9s %10s" % (
        "series", "x", "NLL", "top-1", "agree", "KL", "block-sp", "heads-pr",
        "mass-lost")
    print(head)
    print("-" * len(head))
    # One block per series, in the order series first appear.
    order = {}
    for r in rows:
        order.setdefault((r["group"], r["series"]), len(order))
    rows = sorted(rows, key=lambda r: order[(r["group"], r["series"])])
    last = None
    for r in rows:
        if last is not None and r["series"] != last:
            print()
        last = r["series"]
        print("%-38s %7s %8.4f %6.1f%% %6.1f%% %9.4f %8.1f%% %8.1f%% %9.1f%%"
              % (r["series"][:38], r["x"], r["nll"], 100 * r["top1"],
                 100 * r["agreement"], r["kl"], 100 * r["block_sparsity"],
                 100 * r["head_sparsity"], 100 * r.get("mass_lost", 0.0)))


def plot(rows, dense, out_dir, meta):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib is missing: no plots; apt-get install "
              "python3-matplotlib)", file=sys.stderr)
        return []
    written = []
    series = {}
    for r in rows:
        series.setdefault((r["group"], r["series"]), []).append(r)
    encoder = meta.get("model") == "encoder"
    nll_label = "masked-token NLL" if encoder else "next-token NLL"
    blocks_label = "blocks" if encoder else "causal blocks"
    subtitle = ("tinystories-bert-mlm" if encoder else "tinystories-260K") + \
        ", %d tokens of %s" % (
        meta["predictions"], os.path.basename(meta["text"]))

    def style(name):
        # Colour by method, line by bit width; the experiment is dashed.
        color = "C3" if "Top-K" in name else "C0"
        if "block 1x1" in name:
            color = "C1"
        elif "block 4x4" in name:
            color = "C4"
        if "signed" in name:
            return dict(color="C2" if "block" not in name else color,
                        marker="^", linestyle="--", markersize=4)
        return dict(color=color, marker="s" if "Top-K" in name else "o",
                    linestyle=":" if "8.4" in name and "block" not in name
                    else "-", markersize=4)

    def save(fig, name):
        path = os.path.join(out_dir, name)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)

    def quality_axes(groups, xkey, xlabel, title, name):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for (g, s), pts in sorted(series.items()):
            if g not in groups:
                continue
            pts = sorted(pts, key=lambda p: p[xkey])
            xs = [100 * p[xkey] for p in pts]
            axes[0].plot(xs, [p["nll"] for p in pts], label=s, **style(s))
            axes[1].plot(xs, [100 * p["agreement"] for p in pts], label=s,
                         **style(s))
        axes[0].axhline(dense["nll"], color="gray", linewidth=1)
        axes[0].text(1, dense["nll"], " dense f32", va="bottom",
                     color="gray", fontsize=8)
        axes[0].set_ylabel("%s (nats, lower is better)" % nll_label)
        axes[1].set_ylabel("top-1 agreement with dense (%)")
        for ax in axes:
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3)
        axes[1].legend(fontsize=7, loc="lower left")
        fig.suptitle("%s\n%s" % (title, subtitle), fontsize=10)
        fig.tight_layout()
        save(fig, name)

    quality_axes({"rho", "topk", "signed"}, "block_sparsity",
                 "block sparsity (%% of %s pruned)" % blocks_label,
                 "HDP (rho sweep) vs Top-K (k sweep) at equal block sparsity",
                 "quality_vs_sparsity.png")
    if any(g == "tau" for g, _ in series):
        quality_axes({"tau"}, "head_sparsity", "heads pruned (%)",
                     "Head pruning (tau_H sweep, every block kept)",
                     "quality_vs_heads.png")
    if any(g == "block" for g, _ in series):
        quality_axes({"block"}, "block_sparsity",
                     "block sparsity (%% of %s pruned)" % blocks_label,
                     "Block size (rho sweep at 1x1, 2x2, 4x4)",
                     "quality_vs_block_size.png")
    if any(g == "approx" for g, _ in series):
        fig, ax = plt.subplots(figsize=(7, 4))
        labels = sorted({s for g, s in series if g == "approx"})
        rhos = sorted({p["x"] for (g, _), pts in series.items()
                       if g == "approx" for p in pts})
        width = 0.8 / len(labels)
        for i, s in enumerate(labels):
            pts = {p["x"]: p for p in series[("approx", s)]}
            ax.bar([j + i * width for j in range(len(rhos))],
                   [pts[r]["nll"] for r in rhos], width, label=s)
        ax.axhline(dense["nll"], color="gray", linewidth=1)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rhos))])
        ax.set_xticklabels(["rho = %g" % r for r in rhos])
        ax.set_ylabel("%s (nats)" % nll_label)
        ax.set_ylim(bottom=min(dense["nll"] * 0.9, ax.get_ylim()[0]))
        ax.legend(fontsize=8)
        ax.set_title("Approximation and polynomial softmax, 4.4 bits\n" +
                     subtitle, fontsize=10)
        fig.tight_layout()
        save(fig, "approx_softmax.png")
    if any(g == "bits" for g, _ in series):
        fig, ax = plt.subplots(figsize=(7, 4))
        for (g, s), pts in sorted(series.items()):
            if g != "bits":
                continue
            pts = sorted(pts, key=lambda p: p["x"])
            ax.semilogy([p["x"] for p in pts], [max(p["kl"], 1e-6) for p in pts],
                        marker="o", label=s)
        ax.set_xlabel("int_bits I (frac_bits F = 4, calibrated shift)")
        ax.set_ylabel("KL(dense || hdp), nats per token")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
        ax.set_title("Cost of quantization alone (nothing pruned)\n" + subtitle,
                     fontsize=10)
        fig.tight_layout()
        save(fig, "quality_vs_bits.png")
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    mdir = os.path.join(REPO, "models", "tinystories-260K")
    p.add_argument("--hdp-eval", default=os.path.join(REPO, "build", "bin",
                                                      "hdp-eval"))
    p.add_argument("--model", default="decoder",
                   choices=["decoder", "encoder"],
                   help="decoder: tinystories-260K (next-token NLL); encoder: "
                   "tinystories-bert-mlm (masked-token NLL)")
    p.add_argument("--model-dir", default=mdir)
    p.add_argument("--encoder-dir", default=os.path.join(
        REPO, "models", "tinystories-bert-mlm"))
    p.add_argument("--text", default=os.path.join(
        mdir, "tinystories_valid_excerpt_30KB.txt"),
        help="evaluation text (default: the 30 KB validation excerpt)")
    p.add_argument("--calibrate", default=os.path.join(
        mdir, "tinystories_v2_sample_cs336.txt"),
        help="calibration text (default: the 3.7 KB sample)")
    p.add_argument("--out-dir", default=os.path.join(REPO, "build",
                                                     "accuracy"))
    p.add_argument("--backend", default="cpu",
                   choices=["reference", "cpu"],
                   help="hdp backend (both compute the same masks)")
    p.add_argument("--jobs", type=int, default=2,
                   help="hdp-eval processes at once (the runs are split into "
                   "chunks for this many; also the default of --workers)")
    sweep_runner.add_arguments(p, default_workers=None)
    p.add_argument("--max-docs", type=int, default=0,
                   help="evaluate only the first N documents")
    p.add_argument("--quick", action="store_true",
                   help="the main figure only, with fewer points")
    p.add_argument("--demo", action="store_true",
                   help="ten points of the main figure, for the demo")
    args = p.parse_args()

    if not os.access(args.hdp_eval, os.X_OK):
        sys.exit("sweep: error: %s is not an executable hdp-eval (build it "
                 "first, or pass --hdp-eval)" % args.hdp_eval)
    os.makedirs(os.path.join(args.out_dir, "raw"), exist_ok=True)
    runs = plan("demo" if args.demo else "quick" if args.quick else "full",
                args.model)
    # The chunks depend on --jobs only, not on the workers that run them, so
    # the results are the same on any cluster.
    chunks = chunks_of(runs, args.jobs)
    if args.workers is None:
        args.workers = max(1, args.jobs)
    print("sweep: %d configurations in %d hdp-eval runs, %d at a time" %
          (len(runs), len(chunks), args.workers), file=sys.stderr, flush=True)
    start = time.time()
    try:
        with sweep_runner.Runner(workers=args.workers,
                                 scheduler=args.scheduler) as runner:
            reports = runner.map(run_chunk_task, list(enumerate(chunks)),
                                 shared=argparse.Namespace(**vars(args)))
    except sweep_runner.RunnerError as e:
        sys.exit("sweep: error: %s" % e)
    except RuntimeError as e:
        sys.exit("sweep: error: %s" % e)
    print("sweep: done in %.0f s" % (time.time() - start), file=sys.stderr)

    rows, dense = collect(runs, reports)
    meta = dict(text=args.text, calibrate=args.calibrate, model=args.model,
                documents=reports[0]["documents"],
                predictions=reports[0]["predictions"])
    csv_path = os.path.join(args.out_dir, "accuracy.csv")
    tmp = csv_path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    os.replace(tmp, csv_path)
    pngs = plot(rows, dense, args.out_dir, meta)
    print_table(rows, meta)
    print()
    print("wrote %s" % csv_path)
    for png in pngs:
        print("wrote %s" % png)


if __name__ == "__main__":
    main()
