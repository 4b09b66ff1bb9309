#!/usr/bin/python3
"""The demo's end-to-end legs: frontend linalg IR -> CPU, and -> simulator.

    demo_pipeline.py --bin DIR --frontend FILE.mlir --function NAME
                     --inputs DIR --work-dir DIR [--config TEXT]
                     [--accel-configs a.json,b.json]

CPU leg: raises the frontend IR with hdp-opt --hdp-raise-attention, compiles
and runs both the raised program and the original dense linalg with
hdp-run FILE.mlir (the same hdp-cpu-pipeline, JIT), and prints block
sparsity, the error of the pruned output against the dense output, and the
time of each (median of repeated runs, compilation excluded).

Simulator leg: compiles the same attention to the co-processor's command
stream (hdp-sim --compile) for each accelerator configuration, once with the
pruning config and once with policy = dense, runs both on the simulator and
prints cycles, speed-up over dense, DRAM traffic and energy, and the path of
a Chrome/Perfetto trace.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        sys.exit("demo: error: %s failed (%d):\n%s" % (os.path.basename(cmd[0]), proc.returncode,
                                                       (proc.stderr or proc.stdout).strip()))
    return proc.stdout


def median_ms(stdout):
    m = re.search(r"median ([0-9.]+) ms", stdout)
    return float(m.group(1)) if m else float("nan")


def inputs_of(d):
    names = [n for n in ("q", "k", "v", "mask") if os.path.exists(os.path.join(d, n + ".npy"))]
    return [os.path.join(d, n + ".npy") for n in names]


def cpu_leg(args, inputs):
    work = args.work_dir
    raised = os.path.join(work, "raised.mlir")
    run([os.path.join(args.bin, "hdp-opt"), args.frontend,
         "--hdp-raise-attention=config='%s'" % args.config, "-o", raised])
    text = open(raised).read()
    n_linalg = len(re.findall(r"\blinalg\.", open(args.frontend).read()))
    n_attention = text.count("hdp.attention")
    print("frontend: %s: %d linalg ops -> %d hdp.attention (%s)"
          % (args.frontend, n_linalg, n_attention, args.config))
    if n_attention != 1:
        sys.exit("demo: error: expected the frontend IR to raise to one hdp.attention")

    hdp_run = os.path.join(args.bin, "hdp-run")
    reps = str(args.repetitions)
    dense_out = os.path.join(work, "dense_out.npy")
    pruned_out = os.path.join(work, "pruned_out.npy")
    t_dense = median_ms(run([hdp_run, args.frontend, "--function=" + args.function]
                            + ["--input=@" + p for p in inputs]
                            + ["--output=@" + dense_out, "--benchmark-repetitions=" + reps]))
    t_pruned = median_ms(run([hdp_run, raised, "--function=" + args.function]
                             + ["--input=@" + p for p in inputs]
                             + ["--output=@" + pruned_out, "--benchmark-repetitions=" + reps]))
    # Block sparsity of the same attention (hdp-run --attention returns the masks).
    bm = os.path.join(work, "block_mask.npy")
    run([hdp_run, "--attention", "--config=" + args.config, "--backend=cpu"]
        + ["--input=@" + p for p in inputs] + ["--output=@" + os.path.join(work, "o.npy"),
                                               "--output=@" + bm])
    blocks = np.load(bm)
    # Blocks the mask removes entirely are never work: sparsity counts the rest.
    valid = blocks.copy()
    if len(inputs) == 4:
        removed = np.broadcast_to(np.load(inputs[3]) <= -10000,
                                  np.load(pruned_out).shape[:2] + (blocks.shape[2] * 0 + np.load(inputs[0]).shape[2],
                                                                   np.load(inputs[1]).shape[2]))
        bm_rows, bm_cols = 2, 2  # the demo's block shape (the default)
        n, m = removed.shape[2], removed.shape[3]
        pad = np.ones(removed.shape[:2] + (-(-n // bm_rows) * bm_rows, -(-m // bm_cols) * bm_cols), bool)
        pad[:, :, :n, :m] = removed
        valid = ~pad.reshape(pad.shape[0], pad.shape[1], pad.shape[2] // bm_rows, bm_rows,
                             pad.shape[3] // bm_cols, bm_cols).all(axis=(3, 5))
    else:
        valid = np.ones_like(blocks, bool)
    sparsity = 100.0 * (1.0 - blocks.sum() / max(1, valid.sum()))
    dense = np.load(dense_out).astype(np.float64)
    pruned = np.load(pruned_out).astype(np.float64)
    err = np.abs(pruned - dense)
    print()
    print("%-44s %10s %10s" % ("CPU (hdp-cpu-pipeline, JIT, 1 thread)", "median ms", "vs dense"))
    print("%-44s %10.2f %10s" % ("dense linalg as the frontend wrote it", t_dense, "1.00x"))
    print("%-44s %10.2f %9.2fx" % ("raised hdp.attention, pruned", t_pruned, t_dense / t_pruned))
    print("block sparsity %.1f%% (of the blocks the mask leaves); output vs dense: max |err| %.4f,"
          " mean |err| %.4f (mean |dense| %.3f)" % (sparsity, err.max(), err.mean(), np.abs(dense).mean()))
    print("(the dense baseline here is the naive linalg lowering of the same pipeline;"
          " bench/cpu compares against upstream MLIR's best dense pipeline and PyTorch)")


def sim_leg(args, inputs, shape):
    hdp_sim = os.path.join(args.bin, "hdp-sim")
    B, H, N, D = shape["q"]
    M, Dv = shape["v"][2], shape["v"][3]
    shape_arg = "--shape=%d,%d,%d,%d,%d,%d" % (B, H, N, M, D, Dv)
    mask = ["--mask"] if len(inputs) == 4 else []
    print()
    print("%-11s %-7s %12s %9s %12s %12s %9s" % ("accelerator", "policy", "cycles", "speed-up",
                                                 "DRAM bytes", "energy uJ", "sparsity"))
    traces = []
    for cfg_path in args.accel_configs.split(","):
        name = os.path.splitext(os.path.basename(cfg_path))[0]
        results = {}
        # The baseline is the dense engine: policy = dense compiles to it (no
        # integer pre-pass, no sparsity engine, the full fixed-point product).
        for label, cfg in (("dense", "#hdp.config<policy = dense, approx = false>"),
                           ("hdp", args.config)):
            prog = os.path.join(args.work_dir, "%s-%s.hdpc" % (name, label))
            stats = os.path.join(args.work_dir, "%s-%s-stats.json" % (name, label))
            trace = os.path.join(args.work_dir, "%s-%s-trace.json" % (name, label))
            run([hdp_sim, "--compile", shape_arg, "--attention-config=" + cfg,
                 "--accel-config=" + cfg_path, "-o", prog] + mask)
            run([hdp_sim, prog, "--accel-config=" + cfg_path] + ["--input=@" + p for p in inputs]
                + ["--output=@" + os.path.join(args.work_dir, "%s-%s-out.npy" % (name, label)),
                   "--stats=" + stats, "--trace=" + trace])
            results[label] = json.load(open(stats))
            if label == "hdp":
                traces.append(trace)
        base = results["dense"]["cycles"]["total"]
        for label in ("dense", "hdp"):
            s = results[label]
            dram = s["dram"]
            dram_bytes = dram.get("bytes_read", 0) + dram.get("bytes_written", 0)
            print("%-11s %-7s %12d %8.2fx %12d %12.2f %8.1f%%" % (
                name, label, s["cycles"]["total"], base / s["cycles"]["total"], dram_bytes,
                s["energy_uj"]["total"] if isinstance(s["energy_uj"], dict) else s["energy_uj"],
                100.0 * s["pruning"]["block_sparsity"]))
    print("speed-up against the dense engine on the same accelerator (policy = dense: no integer"
          " pre-pass, no sparsity engine, every score computed once)")
    print("timeline (Chrome trace-event JSON, opens in Perfetto): " + ", ".join(traces))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--frontend", required=True)
    ap.add_argument("--function", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--config", default="#hdp.config<rho = 0.3>")
    ap.add_argument("--accel-configs", default="")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--skip-cpu", action="store_true")
    args = ap.parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    inputs = inputs_of(args.inputs)
    shape = {"q": np.load(inputs[0]).shape, "v": np.load(inputs[2]).shape}
    if not args.skip_cpu:
        cpu_leg(args, inputs)
    if args.accel_configs:
        sim_leg(args, inputs, shape)
    return 0


if __name__ == "__main__":
    sys.exit(main())
