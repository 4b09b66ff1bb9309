#!/usr/bin/python3
"""Run hdp-run over a few pruning settings and print a short accuracy table.

    demo_report.py --inputs DIR [--hdp-run PATH] [--work-dir DIR]

DIR holds q.npy, k.npy, v.npy [, mask.npy] (e.g. from make_attention_inputs.py).
For each setting the table shows the blocks pruned (% of the valid blocks, i.e.
blocks not removed entirely by the mask), the heads pruned, and the max / mean
|error| of the output against plain dense attention in float64. The last
column says whether hdp-run agrees with utils/hdp_numpy_ref.py (masks and
theta_H bit for bit, outputs within 1e-5, or the sim backend's tolerance for
its configuration's bf16/fp16 P·V datapath). Without --hdp-run the numpy
reference alone fills the table.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hdp_numpy_ref as ref  # noqa: E402

# (rho, tau_h) pairs the demo sweeps.
SETTINGS = [(-1.0, 0.0), (0.0, 0.0), (0.3, 0.0), (0.6, 0.0), (0.3, 1.0)]


def load_inputs(path):
    arrays = {}
    for name in ("q", "k", "v", "mask"):
        f = os.path.join(path, name + ".npy")
        if os.path.exists(f):
            arrays[name] = np.load(f)
    missing = {"q", "k", "v"} - set(arrays)
    if missing:
        raise SystemExit("demo_report: error: %s: missing %s" % (path, ", ".join(sorted(missing))))
    return arrays


# Accelerator configuration of the sim backend.
ACCEL_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "configs", "hdp-edge.json")


def sim_tolerance(cfg, v):
    """How close the sim backend's output must be to the reference: 1e-5 on
    an f32 P·V datapath; with bf16/fp16 V, P and output (precision.* of the
    accelerator configuration) 2^-7 / 2^-10 of max(1, max|V|), plus 2^-7 for
    the polynomial softmax in key tiles (docs/accelerator.md, "Precision")."""
    with open(ACCEL_CONFIG) as f:
        formats = set(json.load(f).get("precision", {}).values()) or {"f32"}
    if formats == {"f32"}:
        return 1e-5
    scale = max(1.0, float(np.abs(v[np.isfinite(v)]).max(initial=0)))
    tol = (2.0 ** -7 if "bf16" in formats else 2.0 ** -10) * scale
    if cfg.get("softmax") == "poly":
        tol += 2.0 ** -7
    return tol


def hdp_run_cmd(hdp_run, cfg_text, inputs, outs, backend="reference"):
    extra = ["--accel-config=" + ACCEL_CONFIG] if backend == "sim" else []
    return ([hdp_run, "--attention", "--config=" + cfg_text]
            + ["--input=@" + p for p in inputs]
            + ["--output=@" + p for p in outs] + ["--backend=" + backend] + extra)


def run_setting(hdp_run, cfg, inputs, arrays, work, tag, backends):
    """(out, block_mask, head_mask, theta_h, {backend: agrees}) for one
    setting; the outputs are those of the first backend."""
    want = ref.attention(arrays["q"], arrays["k"], arrays["v"], arrays.get("mask"), **cfg)
    if hdp_run is None:
        return want + ({},)
    first, agreement = None, {}
    for backend in backends:
        outs = [os.path.join(work, "%s_%s_%s.npy" % (tag, backend, n))
                for n in ("out", "bm", "hm", "th")]
        cmd = hdp_run_cmd(hdp_run, ref.config_to_mlir(**cfg), inputs, outs, backend)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("hdp-run --backend=%s failed (%d): %s"
                               % (backend, proc.returncode, proc.stderr.strip()))
        got = [np.load(p) for p in outs]
        tol = sim_tolerance(cfg, arrays["v"]) if backend == "sim" else 1e-5
        agreement[backend] = (
            np.abs(got[0].astype(np.float64) - want[0]).max(initial=0) <= tol
            and all(np.array_equal(g.astype(w.dtype), w) for g, w in zip(got[1:], want[1:])))
        first = first or got
    return tuple(first) + (agreement,)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inputs", required=True, help="directory with q/k/v[/mask].npy")
    ap.add_argument("--hdp-run", help="hdp-run binary (omit: numpy reference only)")
    ap.add_argument("--work-dir", help="where hdp-run writes its outputs")
    ap.add_argument("--backends", default="reference",
                    help="comma-separated hdp-run backends to run and check (reference,cpu,sim)")
    args = ap.parse_args(argv)

    arrays = load_inputs(args.inputs)
    inputs = [os.path.join(args.inputs, n + ".npy") for n in ("q", "k", "v", "mask") if n in arrays]
    q, k, v, mask = arrays["q"], arrays["k"], arrays["v"], arrays.get("mask")
    B, H, N, D = q.shape
    M = k.shape[2]
    work = args.work_dir or tempfile.mkdtemp(prefix="hdp-demo-")
    os.makedirs(work, exist_ok=True)

    dense = ref.dense_attention(q, k, v, mask)  # float64
    block = ref.DEFAULTS["block"]
    # Blocks the mask removes entirely are never work: count sparsity over the rest.
    _, valid = ref.block_importance(np.zeros((B, H, N, M), np.int64),
                                    ref.removed_mask(mask, (B, H, N, M)), block)
    n_valid = int(valid.sum())

    print("inputs: %s  q %s  k %s  v %s  mask %s" % (
        args.inputs, list(q.shape), list(k.shape), list(v.shape),
        "none" if mask is None else list(mask.shape)))
    print("config: I=4 F=4 block %dx%d, policy hdp, exact softmax; %d valid blocks"
          % (block[0], block[1], n_valid))
    if args.hdp_run:
        example = hdp_run_cmd("hdp-run", ref.config_to_mlir(rho=0.3), inputs,
                              [os.path.join(work, "out.npy")])
        # Quote the config for a shell: --config='#hdp.config<...>'.
        print("e.g.:   " + " ".join(a.replace("=#", "='#") + "'" if "<" in a else a for a in example))
    else:
        print("(no hdp-run given: numpy reference only)")
    print()
    backends = [b for b in args.backends.split(",") if b]
    header = "%6s %5s  %14s  %12s  %10s  %10s  %s" % (
        "rho", "tau_H", "blocks pruned", "heads pruned", "max|err|", "mean|err|",
        "vs numpy ref: " + " ".join(backends) if args.hdp_run else "")
    print(header)
    print("-" * len(header.rstrip()))
    failed = False
    for n, (rho, tau) in enumerate(SETTINGS):
        cfg = {"rho": rho, "tau_h": tau}
        try:
            out, bm, hm, _, agreement = run_setting(args.hdp_run, cfg, inputs, arrays, work,
                                                    "s%d" % n, backends)
        except RuntimeError as e:
            print("%6.2f %5.2f  %s" % (rho, tau, e))
            failed = True
            continue
        bm = bm.astype(bool)
        pruned = 100.0 * (n_valid - int(bm.sum())) / max(1, n_valid)
        err = np.abs(out.astype(np.float64) - dense)
        check = " ".join("%s %s" % (b, "agrees" if ok else "DIFFERS")
                         for b, ok in agreement.items())
        failed |= not all(agreement.values())
        print("%6.2f %5.2f  %13.1f%%  %7d / %-3d  %10.4f  %10.4f  %s" % (
            rho, tau, pruned, int((~hm.astype(bool)).sum()), hm.size, err.max(), err.mean(), check))
    print()
    print("blocks pruned: of the block mask as computed (pruned heads are skipped as a whole);")
    print("error: against dense float64 attention without quantisation or pruning;")
    print("agrees: masks and theta_H bit for bit, outputs within 1e-5 of utils/hdp_numpy_ref.py "
          "(sim: within the tolerance of its bf16 P.V datapath, docs/accelerator.md).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
