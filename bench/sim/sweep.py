#!/usr/bin/python3
"""Parameter sweeps of the HDP co-processor simulator.

    sweep.py [--inputs DIR | --shape B,H,N,M,D[,Dv] [--seed S] [--mask KIND]]
             [--rho -1,0,0.3,0.6] [--tau-h 0,0.5,1] [--block 1x1,2x2,4x4]
             [--configs configs/hdp-edge.json,configs/hdp-server.json]
             [--sweep KEY=VALUES ...] [--set KEY=VALUE ...]
             [--hdp-sim PATH] [--workers 2 | --scheduler ADDRESS]
             [--out-dir results] [--no-plots] [--no-baseline] [--keep]

Runs every point of rho x tau_H x block size x accelerator configuration x
the values of every --sweep key on one set of attention inputs:
`hdp-sim --compile` builds the command stream,
`hdp-sim prog.hdpc ... --stats` simulates it, and the script reads the
statistics (cycles, energy, DRAM bytes, block sparsity, pruned heads) and
compares the simulated output with dense f32 attention (no quantisation, no
pruning; utils/hdp_numpy_ref.py dense_attention, computed in f64 from the
same inputs). It also simulates, once per configuration and block size, the
dense baseline (policy = dense, approx = false, which compiles to the dense
engine: no integer pre-pass, no sparsity engine) for the speedup and energy
ratios (--no-baseline skips it).

Accelerator keys: --sweep KEY=VALUES sweeps any key of the configuration
(its dotted path, as hdp-sim --set takes it; docs/accelerator.md lists
them) over VALUES: a list (1,2,4,8), an inclusive range (1..8, step 1;
0.5..2:0.5; 65536..524288:x2, doubling), or factors of the configuration's
own value (x0.5,x1,x2). KEY may be a pattern (sram.*_buffer_bytes) that sets
every key it matches, e.g. --sweep 'sram.*=x0.5,x1,x2' scales all the
buffers together. Several --sweep options make a grid; --set KEY=VALUE
changes a key for every point. Every combination is checked against the
configuration's rules before anything runs (exit 2 naming the key). rho and
tau_H take ranges too (--rho -1..1:0.5).

Inputs: --inputs DIR with q.npy, k.npy, v.npy and optionally mask.npy
(utils/make_attention_inputs.py writes them), or, without --inputs, inputs
generated into OUT_DIR/inputs from --shape/--seed/--mask (default
1,12,128,128,64, seed 1, padding mask).

Outputs in --out-dir (default ./results): sweep.csv (one row per point),
sweep-cycles.png, sweep-energy.png, sweep-error.png (metrics against block
sparsity), sweep-keys.png with --sweep (cycles and energy against each swept
key; the plots are skipped with a message when python3-matplotlib is
missing), and a summary table on stdout.

Simulations run on dask.distributed (bench/sweep_runner.py): a local
cluster of --workers workers (default 2; --jobs is the old name), or the
cluster of --scheduler=ADDRESS. The CSV is the same whatever the number of
workers.

Exit status: 0 when every point ran, 1 when some point failed (its row says
why), 2 on bad arguments or inputs.
"""

import argparse
import csv
import fnmatch
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

try:
    import numpy as np
except ImportError:  # pragma: no cover - Debian's python3 has numpy
    sys.exit("sweep: error: numpy is missing (apt-get install -y python3-numpy); "
             "run with /usr/bin/python3")

import hdp_numpy_ref as ref  # noqa: E402
import sweep_runner  # noqa: E402

COLUMNS = [
    "config", "block", "rho", "tau_h",
    "B", "H", "N", "M", "D", "Dv", "mask",
    "cycles", "time_us", "energy_uj", "dram_bytes", "dram_bytes_read",
    "dram_bytes_written", "dram_bytes_saved_fum", "dram_bytes_saved_heads",
    "block_sparsity", "blocks_kept", "blocks_valid", "heads_pruned", "heads_total",
    "max_abs_err", "mean_abs_err", "rel_l2_err",
    "dense_cycles", "speedup_vs_dense", "energy_vs_dense", "dram_vs_dense",
    "area_mm2", "gops", "gops_per_mm2", "gops_per_watt", "bound",
    "pe_active", "pe_stall_dram", "pe_stall_dependency", "pe_stall_unit",
    "status",
]


def log(msg):
    print(f"sweep: {msg}", flush=True)


def die(msg, code=2):
    print(f"sweep: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


# --------------------------------------------------------------------------
# Arguments


RANGE = re.compile(r"^\s*([-+0-9.eE]+)\s*\.\.\s*([-+0-9.eE]+)\s*(?::\s*(x?)\s*([-+0-9.eE]+))?\s*$")
MAX_RANGE_VALUES = 1000


def expand_range(text):
    """'a..b', 'a..b:step' or 'a..b:xfactor' as a list of numbers (ints when
    every bound and step is an integer); None if text is not a range."""
    m = RANGE.match(text)
    if not m:
        return None
    lo_text, hi_text, geometric, step_text = m.groups()
    try:
        lo, hi = float(lo_text), float(hi_text)
        step = float(step_text) if step_text else 1.0
    except ValueError:
        raise ValueError(f"expected a range like 1..8, 0..1:0.25 or 1024..8192:x2, got '{text}'")
    if not all(math.isfinite(v) for v in (lo, hi, step)) or hi < lo:
        raise ValueError(f"expected a range a..b with a <= b, got '{text}'")
    if (geometric and (step <= 1 or lo <= 0)) or (not geometric and step <= 0):
        raise ValueError(f"expected a step > 0 (or a factor x > 1 from a start > 0), got '{text}'")
    integral = all(float(v).is_integer() for v in (lo, hi, step))
    vals, v = [], lo
    while v <= hi * (1 + 1e-12):
        vals.append(int(round(v)) if integral else round(v, 12))
        if len(vals) > MAX_RANGE_VALUES:
            raise ValueError(f"range '{text}' has more than {MAX_RANGE_VALUES} values")
        v = v * step if geometric else lo + len(vals) * step
    return vals


def float_list(text):
    vals = []
    try:
        for item in (x for x in text.split(",") if x.strip()):
            r = expand_range(item)
            vals += r if r is not None else [float(item)]
    except ValueError as e:
        msg = str(e) if "range" in str(e) else f"expected comma-separated numbers, got '{text}'"
        raise argparse.ArgumentTypeError(msg)
    vals = [float(v) for v in vals]
    if not vals or not all(math.isfinite(v) for v in vals):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got '{text}'")
    return vals


def key_values(text):
    """--sweep KEY=VALUES: (key pattern, [value texts]); a value is a number,
    a factor 'xF' of the configuration's value, or text for text keys."""
    key, eq, values = text.partition("=")
    key = key.strip()
    if not eq or not key or not values.strip():
        raise argparse.ArgumentTypeError(
            f"expected KEY=VALUES (e.g. pe.arrays_per_core=1..8), got '{text}'")
    out = []
    for item in (v.strip() for v in values.split(",")):
        if not item:
            continue
        try:
            r = expand_range(item)
        except ValueError as e:
            raise argparse.ArgumentTypeError(f"{key}: {e}")
        out += [fmt_value(v) for v in r] if r is not None else [item]
    if not out:
        raise argparse.ArgumentTypeError(f"{key}: expected at least one value")
    return key, out


def key_value(text):
    key, values = key_values(text)
    if len(values) != 1:
        raise argparse.ArgumentTypeError(f"--set {text}: expected one value")
    return key, values[0]


def fmt_value(v):
    if isinstance(v, int):
        return str(v)
    return f"{v:.12g}"


def block_list(text):
    blocks = []
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            continue
        parts = item.split("x")
        try:
            bm, bn = (int(parts[0]), int(parts[1])) if len(parts) == 2 else (None, None)
        except ValueError:
            bm = bn = None
        if bm is None or bm < 1 or bn < 1:
            raise argparse.ArgumentTypeError(f"expected blocks like 2x2,4x4, got '{item}'")
        blocks.append((bm, bn))
    if not blocks:
        raise argparse.ArgumentTypeError("expected at least one block size")
    return blocks


def path_list(text):
    paths = [p.strip() for p in text.split(",") if p.strip()]
    if not paths:
        raise argparse.ArgumentTypeError("expected at least one configuration file")
    return paths


def find_hdp_sim(explicit):
    if explicit:
        return explicit
    if os.environ.get("HDP_SIM"):
        return os.environ["HDP_SIM"]
    for build in ("build", "build-sweep", "build-sim"):
        cand = os.path.join(ROOT, build, "bin", "hdp-sim")
        if os.access(cand, os.X_OK):
            return cand
    found = shutil.which("hdp-sim")
    if found:
        return found
    die("hdp-sim not found: build it (ninja -C build hdp-sim) or pass --hdp-sim PATH")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Sweep rho x tau_H x block x accelerator config on hdp-sim; "
                    "write a CSV, PNG plots and a summary.")
    p.add_argument("--inputs", help="directory with q.npy, k.npy, v.npy [, mask.npy]")
    p.add_argument("--shape", default="1,12,128,128,64",
                   help="B,H,N,M,D[,Dv] of generated inputs (without --inputs)")
    p.add_argument("--seed", type=int, default=1, help="seed of generated inputs")
    p.add_argument("--mask", choices=("none", "padding", "causal"), default="padding",
                   help="mask of generated inputs")
    p.add_argument("--mask-form", choices=("additive", "bits", "lengths"),
                   default="additive",
                   help="how the accelerator holds the mask (hdp-sim --mask-form)")
    p.add_argument("--kind", choices=("realistic", "uniform"), default="realistic",
                   help="distribution of generated inputs")
    p.add_argument("--rho", type=float_list, default=float_list("-1,0,0.3,0.6"))
    p.add_argument("--tau-h", type=float_list, default=float_list("0,0.5,1"))
    p.add_argument("--block", type=block_list, default=block_list("1x1,2x2,4x4"))
    p.add_argument("--configs", type=path_list,
                   default=path_list("configs/hdp-edge.json,configs/hdp-server.json"),
                   help="accelerator configurations (JSON), comma-separated; "
                        "relative paths are tried from the current directory, "
                        "then from the repository root")
    p.add_argument("--sweep", type=key_values, action="append", default=[],
                   metavar="KEY=VALUES",
                   help="sweep an accelerator configuration key (dotted path, may be "
                        "a pattern) over values: 1,2,4 | 1..8 | 64..512:x2 | x0.5,x2")
    p.add_argument("--set", type=key_value, action="append", default=[],
                   metavar="KEY=VALUE", dest="sets",
                   help="change an accelerator configuration key for every point")
    p.add_argument("--hdp-sim", help="hdp-sim binary (default: $HDP_SIM, "
                                     "build*/bin/hdp-sim, PATH)")
    sweep_runner.add_arguments(p)
    p.add_argument("--jobs", type=int, dest="workers", help=argparse.SUPPRESS)
    p.add_argument("--out-dir", default="results", help="where sweep.csv and the PNGs go")
    p.add_argument("--no-plots", action="store_true", help="do not draw PNGs")
    p.add_argument("--no-baseline", action="store_true",
                   help="skip the dense baseline runs (ratio columns stay empty)")
    p.add_argument("--keep", action="store_true",
                   help="keep the programs, statistics and outputs (OUT_DIR/work)")
    # "--rho -1,0" would read "-1,0" as an option: glue list values on.
    fixed, i = [], 0
    while i < len(argv):
        if argv[i] in ("--rho", "--tau-h") and i + 1 < len(argv):
            fixed.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            fixed.append(argv[i])
            i += 1
    args = p.parse_args(fixed)
    if args.workers < 1:
        p.error("--workers must be at least 1")
    return args


def resolve_config(path):
    for cand in (path, os.path.join(ROOT, path)):
        if os.path.isfile(cand):
            return os.path.abspath(cand)
    die(f"{path}: configuration file not found")


def config_name(path):
    try:
        with open(path) as f:
            return json.load(f)["name"]
    except (OSError, ValueError, KeyError, TypeError):
        return os.path.splitext(os.path.basename(path))[0]


# --------------------------------------------------------------------------
# Accelerator variants (--sweep, --set)


def print_config(sim, cfg_path, sets, context="--set"):
    """The configuration with `sets` applied, as hdp-sim checks and prints
    it; dies with hdp-sim's message (which names the key) when refused."""
    cmd = [sim, "--print-accel-config", f"--accel-config={cfg_path}"]
    cmd += [f"--set={k}={v}" for k, v in sets]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        msg = msg.replace("hdp-sim: error: ", "").replace("--set: ", "")
        die(f"{context}: {msg}")
    return json.loads(proc.stdout)


def flatten(cfg):
    out = {}
    for k, v in cfg.items():
        if isinstance(v, dict):
            out.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            out[k] = v
    return out


def resolve_value(key, text, base):
    """The --set text of `key` for the value text of a --sweep: 'xF' scales
    the configuration's value (integers stay integers)."""
    if text.startswith("x") and isinstance(base, (int, float)) and not isinstance(base, bool):
        try:
            factor = float(text[1:])
        except ValueError:
            die(f"--sweep {key}: expected a factor like x2, got '{text}'")
        v = base * factor
        return str(int(round(v))) if isinstance(base, int) else f"{v:.12g}"
    return text


def variants(sim, cfg_path, sweeps, sets):
    """[(labels {pattern: value text}, sets [(key, value)])] for one
    configuration: the grid of every --sweep, each checked by hdp-sim."""
    base = flatten(print_config(sim, cfg_path, sets))
    keys = list(base)
    matched = []
    for pattern, values in sweeps:
        hits = [k for k in keys if fnmatch.fnmatchcase(k, pattern)]
        if not hits:
            die(f"--sweep {pattern}: unknown key; expected one of: {', '.join(keys)}")
        matched.append((pattern, hits, values))
    out = []
    for combo in itertools.product(*[values for _, _, values in matched]):
        labels, extra = {}, []
        for (pattern, hits, _), text in zip(matched, combo):
            labels[pattern] = text
            extra += [(k, resolve_value(k, text, base[k])) for k in hits]
        overridden = {k for k, _ in extra}
        full = [kv for kv in sets if kv[0] not in overridden] + extra
        if sweeps:  # refuse a bad value before any run
            print_config(sim, cfg_path, full, context=os.path.basename(cfg_path) + " " + " ".join(
                f"--sweep {k}={v}" for k, v in labels.items()))
        out.append((labels, full))
    return out


# --------------------------------------------------------------------------
# Inputs


def make_inputs(args, out_dir):
    in_dir = os.path.join(out_dir, "inputs")
    os.makedirs(in_dir, exist_ok=True)
    cmd = [sys.executable, os.path.join(ROOT, "utils", "make_attention_inputs.py"),
           "--shape", args.shape, "--seed", str(args.seed), "--mask", args.mask,
           "--kind", args.kind, "--out-dir", in_dir]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        die(f"making inputs failed: {' '.join(cmd)}\n{proc.stderr.strip()}")
    # A previous run may have left a mask behind.
    if args.mask == "none" and os.path.exists(os.path.join(in_dir, "mask.npy")):
        os.remove(os.path.join(in_dir, "mask.npy"))
    return in_dir


def load_inputs(in_dir):
    arrays = {}
    for name in ("q", "k", "v"):
        path = os.path.join(in_dir, name + ".npy")
        if not os.path.isfile(path):
            die(f"{path}: missing (an inputs directory holds q.npy, k.npy, v.npy [, mask.npy])")
        arrays[name] = np.load(path)
    mpath = os.path.join(in_dir, "mask.npy")
    arrays["mask"] = np.load(mpath) if os.path.isfile(mpath) else None
    q, k, v = arrays["q"], arrays["k"], arrays["v"]
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        die(f"{in_dir}: q, k, v must be 4-D [B,H,N,D], [B,H,M,D], [B,H,M,Dv]")
    B, H, N, D = q.shape
    if k.shape[:2] != (B, H) or k.shape[3] != D or v.shape[:3] != k.shape[:3]:
        die(f"{in_dir}: shapes do not fit: q {q.shape}, k {k.shape}, v {v.shape}")
    shape = dict(B=B, H=H, N=N, M=k.shape[2], D=D, Dv=v.shape[3])
    return arrays, shape


def dense_reference(q, k, v, mask, rows_per_chunk=None):
    """ref.dense_attention, a head and a band of query rows at a time, so
    that the f64 scores it materialises stay near 64 MiB whatever N and M
    (the whole [B,H,N,M] would be 6 GiB at N = M = 8192, H = 12)."""
    B, H, N, _ = q.shape
    M = k.shape[2]
    rows = rows_per_chunk or max(1, (8 << 20) // max(M, 1))
    out = np.empty((B, H, N, v.shape[3]), dtype=np.float64)
    m4 = None if mask is None else np.asarray(mask).reshape(
        (1,) * (4 - np.ndim(mask)) + np.shape(mask))
    for b in range(B):
        for h in range(H):
            for r0 in range(0, N, rows):
                r1 = min(N, r0 + rows)
                sub = None
                if m4 is not None:
                    sub = m4[b if m4.shape[0] > 1 else 0:][:1]
                    sub = sub[:, h if m4.shape[1] > 1 else 0:][:, :1]
                    sub = sub[:, :, r0:r1] if m4.shape[2] > 1 else sub
                out[b, h, r0:r1] = ref.dense_attention(
                    q[b:b + 1, h:h + 1, r0:r1], k[b:b + 1, h:h + 1], v[b:b + 1, h:h + 1],
                    sub)[0, 0]
    return out


# --------------------------------------------------------------------------
# One point


class PointError(Exception):
    pass


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        msg = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        raise PointError(msg)
    return proc


def simulate(sim, cfg_path, sets, attention, shape, in_dir, has_mask, work, tag,
             want_output):
    shape_arg = ",".join(str(shape[k]) for k in ("B", "H", "N", "M", "D", "Dv"))
    prog = os.path.join(work, tag + ".hdpc")
    stats = os.path.join(work, tag + ".stats.json")
    out = os.path.join(work, tag + ".out.npy")
    set_args = [f"--set={k}={v}" for k, v in sets]
    cmd = [sim, "--compile", f"--shape={shape_arg}", f"--attention-config={attention}",
           f"--accel-config={cfg_path}", *set_args, "-o", prog]
    if has_mask:
        # has_mask: the form the accelerator holds the mask in.
        cmd[3:3] = ["--mask", f"--mask-form={has_mask}"]
    run(cmd)
    cmd = [sim, prog, f"--accel-config={cfg_path}", *set_args]
    cmd += [f"--input=@{os.path.join(in_dir, n + '.npy')}" for n in ("q", "k", "v")]
    if has_mask:
        cmd.append(f"--input=@{os.path.join(in_dir, 'mask.npy')}")
    if want_output:
        cmd.append(f"--output=@{out}")
    cmd.append(f"--stats={stats}")
    run(cmd)
    with open(stats) as f:
        s = json.load(f)
    return s, (out if want_output else None)


def unit_fraction(s, unit, key):
    """A unit's cycles of one kind, as a fraction of cycles x cores."""
    u = s["units"][unit]["cycles"]
    total = sum(u.values())
    if key == "stall_dram":
        part = u["stall_dram_channel"] + u["stall_dram_data"]
    else:
        part = u[key]
    return part / total if total else 0.0


def run_point(ctx, point):
    """Simulates one point; returns a CSV row (dict)."""
    cfg_name, cfg_path, vi, labels, sets, (bm, bn), rho, tau_h = point
    shape = ctx["shape"]
    row = dict(config=cfg_name, block=f"{bm}x{bn}", rho=rho, tau_h=tau_h,
               mask=int(bool(ctx["has_mask"])), **shape, **labels)
    tag = f"{cfg_name}_v{vi}_b{bm}x{bn}_rho{rho:g}_tau{tau_h:g}".replace("-", "m")
    try:
        attention = ref.config_to_mlir(rho=rho, tau_h=tau_h, block=(bm, bn))
        s, out_path = simulate(ctx["sim"], cfg_path, sets, attention, shape, ctx["in_dir"],
                               ctx["has_mask"], ctx["work"], tag, True)
        dram = s["dram"]
        pr = s["pruning"]
        row.update(
            cycles=s["cycles"]["total"], time_us=s["cycles"]["time_us"],
            energy_uj=s["energy_uj"],
            dram_bytes=dram["bytes_read"] + dram["bytes_written"],
            dram_bytes_read=dram["bytes_read"], dram_bytes_written=dram["bytes_written"],
            dram_bytes_saved_fum=dram.get("bytes_saved_fetch_upon_mask", ""),
            dram_bytes_saved_heads=dram.get("bytes_saved_head_pruning", ""),
            block_sparsity=pr["block_sparsity"], blocks_kept=pr["blocks_kept"],
            blocks_valid=pr["blocks_valid"], heads_pruned=pr["heads_pruned"],
            heads_total=pr["heads_total"],
            area_mm2=s["area_mm2"]["total"], gops=s["efficiency"]["effective_gops"],
            gops_per_mm2=s["efficiency"]["gops_per_mm2"],
            gops_per_watt=s["efficiency"]["gops_per_watt"],
            bound=s["roofline"]["total"]["bound"],
            pe_active=unit_fraction(s, "pe", "active"),
            pe_stall_dram=unit_fraction(s, "pe", "stall_dram"),
            pe_stall_dependency=unit_fraction(s, "pe", "stall_dependency"),
            pe_stall_unit=unit_fraction(s, "pe", "stall_unit"))
        out = np.load(out_path).astype(np.float64)
        dense = ctx["dense"]
        if out.shape != dense.shape:
            raise PointError(f"output shape {out.shape} != dense {dense.shape}")
        diff = np.abs(out - dense)
        norm = float(np.linalg.norm(dense))
        row.update(max_abs_err=float(diff.max()), mean_abs_err=float(diff.mean()),
                   rel_l2_err=float(np.linalg.norm(out - dense)) / norm if norm else 0.0)
        row["status"] = "ok"
        if not ctx["keep"]:
            for ext in (".hdpc", ".stats.json", ".out.npy"):
                try:
                    os.remove(os.path.join(ctx["work"], tag + ext))
                except OSError:
                    pass
    except (PointError, OSError, ValueError, KeyError) as e:
        row["status"] = f"error: {e}"
    return row


def run_baseline(ctx, key):
    """Cycles, energy, DRAM bytes of policy = dense, approx = false."""
    cfg_name, cfg_path, vi, sets, (bm, bn) = key
    tag = f"{cfg_name}_v{vi}_b{bm}x{bn}_dense"
    try:
        attention = ref.config_to_mlir(policy="dense", approx=False, block=(bm, bn))
        s, _ = simulate(ctx["sim"], cfg_path, sets, attention, ctx["shape"], ctx["in_dir"],
                        ctx["has_mask"], ctx["work"], tag, False)
        return key, dict(cycles=s["cycles"]["total"], energy_uj=s["energy_uj"],
                         dram=s["dram"]["bytes_read"] + s["dram"]["bytes_written"]), None
    except (PointError, OSError, ValueError, KeyError) as e:
        return key, None, str(e)


def run_task(ctx, task):
    """One task of the runner: a dense baseline or a point."""
    kind, what = task
    if kind == "base":
        return kind, run_baseline(ctx, what)
    return kind, run_point(ctx, what)


# --------------------------------------------------------------------------
# Output


def fmt(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


def write_csv(rows, path, swept=()):
    """One row per point; the swept keys follow the configuration's name."""
    columns = COLUMNS[:1] + list(swept) + COLUMNS[1:]
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: fmt(r.get(c, "")) for c in columns})
    os.replace(tmp, path)


def variant_name(row, swept):
    """The configuration and its swept values, e.g. 'hdp-edge pe.arrays_per_core=4'."""
    return " ".join([row["config"]] + [f"{k}={row[k]}" for k in swept])


def print_summary(rows, swept=()):
    heads = ["config", "block", "rho", "tau_h", "cycles", "speedup", "energy_uj",
             "E/dense", "dram_KiB", "sparsity", "heads", "rel_l2_err", "status"]
    table = [heads]
    for r in rows:
        r = dict(r, config=variant_name(r, swept))
        ok = r["status"] == "ok"

        def g(key, f):
            v = r.get(key, "")
            return f(v) if ok and v != "" else "-"
        table.append([
            r["config"], r["block"], f"{r['rho']:g}", f"{r['tau_h']:g}",
            g("cycles", str), g("speedup_vs_dense", lambda v: f"{v:.2f}x"),
            g("energy_uj", lambda v: f"{v:.4g}"), g("energy_vs_dense", lambda v: f"{v:.2f}"),
            g("dram_bytes", lambda v: f"{v / 1024:.1f}"),
            g("block_sparsity", lambda v: f"{v:.3f}"),
            f"{r['heads_pruned']}/{r['heads_total']}" if ok else "-",
            g("rel_l2_err", lambda v: f"{v:.3g}"),
            r["status"] if len(r["status"]) < 60 else r["status"][:57] + "...",
        ])
    widths = [max(len(str(row[i])) for row in table) for i in range(len(heads))]
    for i, row in enumerate(table):
        print("  ".join(str(c).rjust(w) if 3 < j < len(heads) - 1 else str(c).ljust(w)
                        for j, (c, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def plot(rows, out_dir, swept=()):
    """Writes the PNGs; returns their paths, or a reason why not."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None, "skipped: python3-matplotlib not installed (apt-get install -y python3-matplotlib)"
    ok = [dict(r, config=variant_name(r, swept)) for r in rows if r["status"] == "ok"]
    if not ok:
        return None, "skipped: no successful points"
    configs = sorted({r["config"] for r in ok})
    blocks = sorted({r["block"] for r in ok}, key=lambda b: tuple(int(x) for x in b.split("x")))
    markers = "osD^v<>p*h"
    paths = []

    def series(sel, metric):
        pts = sorted((r["block_sparsity"], r[metric]) for r in sel)
        return [p[0] for p in pts], [p[1] for p in pts]

    taus = sorted({r["tau_h"] for r in ok})
    styles = ["-", "--", ":", "-."]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    # Cycles and energy: one panel per configuration; one line per block size
    # and tau_H (colour: block, marker and line style: tau_H) through the rho
    # values, against the block sparsity they reach.
    for metric, label, fname in (("cycles", "cycles", "sweep-cycles.png"),
                                 ("energy_uj", "energy (µJ)", "sweep-energy.png")):
        fig, axes = plt.subplots(1, len(configs), figsize=(5.5 * len(configs), 4.4),
                                 squeeze=False)
        for ax, cfg in zip(axes[0], configs):
            for i, blk in enumerate(blocks):
                color = colors[i % len(colors)]
                for j, tau in enumerate(taus):
                    sel = [r for r in ok if r["config"] == cfg and r["block"] == blk
                           and r["tau_h"] == tau]
                    if not sel:
                        continue
                    x, y = series(sel, metric)
                    ax.plot(x, y, marker=markers[j % len(markers)],
                            linestyle=styles[j % len(styles)], color=color,
                            label=f"block {blk}, τH={tau:g}")
                sel = [r for r in ok if r["config"] == cfg and r["block"] == blk]
                base = sel[0].get("dense_cycles" if metric == "cycles" else "dense_energy") \
                    if sel else None
                if base not in (None, ""):
                    ax.axhline(base, linestyle=":", linewidth=0.8, color=color)
            ax.set_title(cfg)
            ax.set_xlabel("block sparsity (pruned / valid blocks)")
            ax.set_ylabel(label)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7)
        fig.suptitle(f"{label} vs block sparsity (points: rho values; "
                     f"dotted: dense baseline)")
        fig.tight_layout()
        path = os.path.join(out_dir, fname)
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)

    # Error against dense f32 attention.
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    for i, blk in enumerate(blocks):
        for j, tau in enumerate(taus):
            # The first configuration only: the numerics do not depend on the
            # accelerator (the statistics of the others are the same points).
            sel = [r for r in ok if r["config"] == configs[0] and r["block"] == blk
                   and r["tau_h"] == tau]
            if not sel:
                continue
            x, y = series(sel, "rel_l2_err")
            ax.plot(x, y, marker=markers[j % len(markers)], linestyle=styles[j % len(styles)],
                    color=colors[i % len(colors)], label=f"block {blk}, τH={tau:g}")
    ax.set_xlabel("block sparsity (pruned / valid blocks)")
    ax.set_ylabel("relative L2 error vs dense f32")
    ax.set_title("output error vs block sparsity")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, "sweep-error.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    paths.append(path)
    if swept:
        paths.append(plot_keys(plt, [r for r in rows if r["status"] == "ok"], out_dir,
                               swept, colors, markers))
    return paths, None


def plot_keys(plt, ok, out_dir, swept, colors, markers):
    """Cycles and energy against each swept key: one line per configuration
    and rho (the first tau_H and block size), the other keys at their first
    value."""
    fig, axes = plt.subplots(2, len(swept), figsize=(5.5 * len(swept), 8), squeeze=False)
    tau0 = min(r["tau_h"] for r in ok)
    block0 = ok[0]["block"]

    def number(text):
        try:
            return float(text.lstrip("x"))
        except ValueError:
            return text

    for col, key in enumerate(swept):
        others = [k for k in swept if k != key]
        firsts = {k: ok[0][k] for k in others}
        lines = sorted({(r["config"], r["rho"]) for r in ok})
        for i, (cfg, rho) in enumerate(lines):
            sel = [r for r in ok if r["config"] == cfg and r["rho"] == rho
                   and r["tau_h"] == tau0 and r["block"] == block0
                   and all(r[k] == v for k, v in firsts.items())]
            sel.sort(key=lambda r: number(r[key]))
            for row, (metric, label) in enumerate((("cycles", "cycles"),
                                                   ("energy_uj", "energy (µJ)"))):
                ax = axes[row][col]
                ax.plot([str(r[key]) for r in sel], [r[metric] for r in sel],
                        marker=markers[i % len(markers)], color=colors[i % len(colors)],
                        label=f"{cfg}, rho={rho:g}")
                ax.set_xlabel(key)
                ax.set_ylabel(label)
                ax.grid(True, alpha=0.3)
        axes[0][col].legend(fontsize=7)
    fig.suptitle(f"cycles and energy against the swept keys (tau_H={tau0:g}, block {block0})")
    fig.tight_layout()
    path = os.path.join(out_dir, "sweep-keys.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sim = find_hdp_sim(args.hdp_sim)
    if not (os.path.isfile(sim) and os.access(sim, os.X_OK)) and not shutil.which(sim):
        die(f"{sim}: not an executable")
    configs = [(config_name(p), p) for p in (resolve_config(c) for c in args.configs)]
    names = [n for n, _ in configs]
    if len(set(names)) != len(names):
        die(f"two configurations share a name: {', '.join(names)}")
    swept = [pattern for pattern, _ in args.sweep]
    if len(set(swept)) != len(swept):
        die(f"a key is swept twice: {', '.join(swept)}")
    # [(name, path, [(labels, sets)])], every variant checked by hdp-sim.
    configs = [(n, p, variants(sim, p, args.sweep, args.sets)) for n, p in configs]
    out_dir = os.path.abspath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)

    in_dir = os.path.abspath(args.inputs) if args.inputs else make_inputs(args, out_dir)
    arrays, shape = load_inputs(in_dir)
    has_mask = args.mask_form if arrays["mask"] is not None else None
    log(f"inputs: {in_dir} (B,H,N,M,D,Dv = "
        f"{','.join(str(shape[k]) for k in ('B', 'H', 'N', 'M', 'D', 'Dv'))}, "
        f"mask={'yes' if has_mask else 'no'})")
    log(f"hdp-sim: {sim}")
    dense = dense_reference(arrays["q"], arrays["k"], arrays["v"], arrays["mask"])

    if args.keep:
        work = os.path.join(out_dir, "work")
        os.makedirs(work, exist_ok=True)
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="hdp-sweep-")
        work = cleanup.name
    ctx = dict(sim=sim, shape=shape, in_dir=in_dir, has_mask=has_mask, dense=dense,
               work=work, keep=args.keep)

    points = [(n, p, vi, labels, sets, blk, rho, tau)
              for n, p, vs in configs for vi, (labels, sets) in enumerate(vs)
              for blk in args.block for rho in args.rho for tau in args.tau_h]
    bases = [] if args.no_baseline else [
        (n, p, vi, sets, blk) for n, p, vs in configs
        for vi, (_, sets) in enumerate(vs) for blk in args.block]
    nvariants = len(configs[0][2])
    log(f"grid: {len(args.rho)} rho x {len(args.tau_h)} tau_h x {len(args.block)} block x "
        f"{len(configs)} config"
        + (f" x {nvariants} accelerator variants ({', '.join(swept)})" if swept else "")
        + f" = {len(points)} points"
        + (f" + {len(bases)} dense baselines" if bases else "")
        + f", {args.workers} at a time")

    t0 = time.time()
    done = [0]
    total = len(points) + len(bases)
    tasks = [("base", b) for b in bases] + [("point", pt) for pt in points]

    def report(_, result):
        done[0] += 1
        kind, value = result
        if kind == "base" and value[2]:
            key = value[0]
            log(f"[{done[0]}/{total}] dense baseline {key[0]} v{key[2]} "
                f"{key[4][0]}x{key[4][1]}: error: {value[2]}")
        elif kind == "point" and value["status"] != "ok":
            r = value
            log(f"[{done[0]}/{total}] {variant_name(r, swept)} {r['block']} rho={r['rho']:g} "
                f"tau_h={r['tau_h']:g}: {r['status']}")

    try:
        with sweep_runner.Runner(workers=args.workers, scheduler=args.scheduler) as runner:
            log(f"runner: {runner.description}")
            results = runner.map(run_task, tasks, on_result=report, shared=ctx)
    except sweep_runner.RunnerError as e:
        die(str(e))
    wall = time.time() - t0
    if cleanup:
        cleanup.cleanup()
    baseline = {}
    for kind, value in results[:len(bases)]:
        key, vals, _ = value
        baseline[(key[0], key[2], key[4])] = vals
    rows = [value for _, value in results[len(bases):]]

    for r, (n, _, vi, _, _, blk, _, _) in zip(rows, points):
        base = baseline.get((n, vi, blk))
        if base and r["status"] == "ok":
            r.update(dense_cycles=base["cycles"], dense_energy=base["energy_uj"],
                     speedup_vs_dense=base["cycles"] / r["cycles"] if r["cycles"] else "",
                     energy_vs_dense=r["energy_uj"] / base["energy_uj"] if base["energy_uj"] else "",
                     dram_vs_dense=r["dram_bytes"] / base["dram"] if base["dram"] else "")

    csv_path = os.path.join(out_dir, "sweep.csv")
    write_csv(rows, csv_path, swept)
    print()
    print_summary(rows, swept)
    print()
    log(f"{len(points)} points + {len(bases)} baselines simulated in {wall:.1f} s")
    log(f"csv: {csv_path}")
    if args.no_plots:
        log("png: skipped: --no-plots")
    else:
        paths, why = plot(rows, out_dir, swept)
        log("png: " + (" ".join(paths) if paths else why))
    failed = sum(r["status"] != "ok" for r in rows) + sum(v is None for v in baseline.values())
    if failed:
        log(f"{failed} run(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
