#!/usr/bin/python3
"""hdp CPU benchmark: pruned attention against dense baselines, side by side.

    bench/cpu/run.sh [--sizes 128,512,2048] [--reps R] [--quick] ...

One run times, on the same realistic inputs (utils/make_attention_inputs.py:
attention sinks, local heads) of shape B=1, H=12, D=64, N=M in --sizes:

  dense-mlir     dense attention in upstream linalg (batch_matmul Q K^T,
                 scale, linalg.softmax, batch_matmul P V), tiled and
                 vectorized by a transform script, lowered by upstream
                 mlir-opt and run by mlir-runner -O3, 1 thread: the baseline
                 every ratio refers to (dense_attention.mlir.in,
                 dense_attention_transform.mlir);
  hdp-cpu        hdp-run --attention --backend=cpu at each rho of --rhos
                 (JIT), at each thread count of --threads (hdp-run --threads);
  hdp-reference  hdp-run --backend=reference (plain-loop reference library) at
                 --reference-rho;
  numpy-dense    softmax(Q K^T * scale) V in numpy on OpenBLAS (f32, batched
                 sgemm, softmax in place), at each thread count of --threads;
  pytorch-dense  the same in Debian's python3-torch, at each thread count
                 (skipped, and said so, when torch is missing).

--threads defaults to 1, 2, 4, ... up to every core of the machine; the chart's
last panel is the scaling of each implementation with threads at the largest
N=M.

Each implementation runs in its own process; times are medians of the timed
calls after one warm-up call (compilation and file I/O excluded); peak RSS is
the process's (ru_maxrss from wait4). A second section measures the peak RSS
of hdp-cpu (and dense-mlir) for H=1 at growing N=M (up to 8192 by default).

Writes OUT_DIR/cpu-bench.csv, OUT_DIR/cpu-bench.png, OUT_DIR/cpu-bench.txt
(machine, load, table, goals) and prints the table.
"""

import argparse
import csv
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "utils"))
import make_attention_inputs  # noqa: E402

LLVM_BIN = "/usr/lib/llvm-22/bin"
LLVM_LIB = "/usr/lib/llvm-22/lib"
RUNNER_LIBS = [os.path.join(LLVM_LIB, "libmlir_runner_utils.so"),
               os.path.join(LLVM_LIB, "libmlir_c_runner_utils.so")]

# Upstream pipeline of the dense baseline (the transform script does the
# tiling and vectorization; see bench/README.md).
DENSE_PIPELINE = [
    "--transform-preload-library=transform-library-paths=%s"
    % os.path.join(HERE, "dense_attention_transform.mlir"),
    "--transform-interpreter=entry-point=tile_and_vectorize",
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--transform-interpreter=entry-point=lower_vectors",
    "--buffer-deallocation-pipeline",
    "--convert-bufferization-to-memref",
    "--convert-linalg-to-loops",
    "--test-math-polynomial-approximation",
    "--lower-affine",
    "--convert-vector-to-scf",
    "--convert-scf-to-cf",
    "--convert-vector-to-llvm=reassociate-fp-reductions",
    "--expand-strided-metadata",
    "--lower-affine",  # expand-strided-metadata makes affine.apply on partial tiles
    "--finalize-memref-to-llvm",
    "--convert-math-to-llvm",
    "--convert-to-llvm",
    "--reconcile-unrealized-casts",
]

COLUMNS = ["section", "impl", "rho", "threads", "B", "H", "N", "M", "D", "reps",
           "median_ms", "min_ms", "ratio_to_dense_mlir", "speedup_vs_dense_mlir",
           "block_sparsity", "heads_pruned", "peak_rss_mb", "status", "check"]

BENCH_RE = re.compile(r"hdp-run: benchmark: (\S+): (\d+) runs, median ([0-9.]+) ms, "
                      r"min ([0-9.]+) ms")


class BenchError(Exception):
    pass


def log(msg):
    print("bench: " + msg, flush=True)


# ----------------------------------------------------------------------------
# Processes


GNU_TIME = "/usr/bin/time"


def run_measured(cmd, env=None, timeout=None):
    """Runs cmd; returns (returncode, stdout, stderr, peak RSS in MiB, wall s).

    The peak RSS is the command's own (GNU time's %M when /usr/bin/time is
    there, else the child's ru_maxrss from os.wait4), not the maximum over
    every child this script ever ran.
    """
    # Linux keeps the peak RSS across exec: a child forked from this (large)
    # Python process would report Python's peak as its own. GNU time forks
    # the command from a small process and reports that grandchild's peak.
    rss_file = None
    if os.access(GNU_TIME, os.X_OK):
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file] + list(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        rss = usage.ru_maxrss / 1024.0
        if rss_file:
            try:
                with open(rss_file) as f:
                    rss = int(f.read().split()[-1]) / 1024.0
            except (OSError, ValueError, IndexError):
                pass
            os.unlink(rss_file)
        return (proc.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), rss, wall)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def threads_env(threads=1):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


# ----------------------------------------------------------------------------
# Machine


def machine_info():
    info = {}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        lscpu = ""
    fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = set(fields.get("Flags", "").split())
    info["cpu"] = fields.get("Model name", "unknown")
    info["cores"] = fields.get("CPU(s)", str(os.cpu_count()))
    info["threads_per_core"] = fields.get("Thread(s) per core", "?")
    info["hypervisor"] = fields.get("Hypervisor vendor", "none")
    info["avx2"] = "avx2" in flags
    info["avx512f"] = "avx512f" in flags
    info["fma"] = "fma" in flags
    info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    info["load_avg_start"] = " ".join("%.2f" % x for x in os.getloadavg())
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        info["commit"] = head + ("+dirty" if dirty else "")
    except OSError:
        info["commit"] = "unknown"
    info["date"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    blas = "unknown"
    try:
        maps = open("/proc/self/maps").read()  # numpy is loaded: its BLAS is mapped
        if "openblas" in maps:
            blas = "OpenBLAS (%s)" % ("pthread" if "openblas-pthread" in maps else "serial/openmp")
        elif "/blas/libblas" in maps:
            blas = "Debian reference BLAS (slow: install libopenblas0-pthread)"
    except OSError:
        pass
    info["numpy_blas"] = blas
    return info


def roofline(work_dir):
    """One core's peaks from bench/cpu/roofline.c (built with clang for this
    CPU): {name: "value unit"}, or {} with a note when it cannot be built."""
    compiler = shutil.which("clang-22") or shutil.which("clang") or shutil.which("cc")
    if not compiler:
        return {"roofline": "not measured (no C compiler)"}
    exe = os.path.join(work_dir, "roofline")
    src = os.path.join(HERE, "roofline.c")
    r = subprocess.run([compiler, "-O2", "-march=native", src, "-o", exe],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return {"roofline": "not measured (build failed: %s)" % r.stderr.strip()[-200:]}
    r = subprocess.run([exe], capture_output=True, text=True)
    peaks = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            peaks[parts[0]] = "%s %s" % (parts[1], parts[2])
    return peaks


def torch_available():
    r = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


# ----------------------------------------------------------------------------
# Dense attention in upstream MLIR


def dense_inputs(H, n, D, a, b, c):
    """The formula of @fill_input in dense_attention.mlir.in, in numpy."""
    i, j, l = np.meshgrid(np.arange(H), np.arange(n), np.arange(D), indexing="ij")
    return (((a * i + b * j + c * l) % 61) / 30.5 - 1.0)


def dense_expected_checksum(H, N, M, D):
    q = dense_inputs(H, N, D, 3, 5, 7)
    k = dense_inputs(H, M, D, 5, 7, 11)
    v = dense_inputs(H, M, D, 7, 11, 13)
    total = 0.0
    for h in range(H):  # one head at a time: float64 N x M stays small
        s = q[h] @ k[h].T / np.sqrt(D)
        p = np.exp(s - s.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        total += float((p @ v[h]).sum())
    return total


class DenseMLIR:
    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.template = open(os.path.join(HERE, "dense_attention.mlir.in")).read()

    def compile(self, H, N, M, D, reps):
        text = self.template
        for key, value in (("H", H), ("N", N), ("M", M), ("D", D),
                           ("SCALE", "%.9e" % (1.0 / np.sqrt(D))), ("REPS", reps)):
            text = text.replace("@%s@" % key, str(value))
        stem = os.path.join(self.work_dir, "dense_H%d_N%d_M%d_D%d" % (H, N, M, D))
        with open(stem + ".mlir", "w") as f:
            f.write(text)
        cmd = [os.path.join(LLVM_BIN, "mlir-opt"), stem + ".mlir"] + DENSE_PIPELINE + \
              ["-o", stem + ".llvm.mlir"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("mlir-opt failed on the dense baseline:\n" + r.stderr[-3000:])
        return stem + ".llvm.mlir"

    def run(self, H, N, M, D, reps):
        lowered = self.compile(H, N, M, D, reps)
        cmd = [os.path.join(LLVM_BIN, "mlir-runner"), "-O3", "-e", "main",
               "-entry-point-result=void", "-shared-libs=" + ",".join(RUNNER_LIBS), lowered]
        rc, out, err, rss, _ = run_measured(cmd, env=threads_env(1))
        if rc != 0:
            raise BenchError("mlir-runner failed (exit %d):\n%s" % (rc, err[-3000:]))
        times = [float(x) * 1e3 for x in re.findall(r"time_s\s+([-0-9.eE+]+)", out)]
        m = re.search(r"checksum\s+([-0-9.eE+naif]+)", out)
        if len(times) != reps or not m:
            raise BenchError("unexpected mlir-runner output:\n" + out[-2000:])
        got = float(m.group(1))
        want = dense_expected_checksum(H, N, M, D)
        rel = abs(got - want) / max(1.0, abs(want))
        check = "checksum %s (rel err %.1e vs numpy)" % ("ok" if rel < 1e-3 else "MISMATCH", rel)
        return times, rss, check


# ----------------------------------------------------------------------------
# hdp-run


def hdp_run(hdp, backend, rho, in_dir, out_dir, reps, threads=1):
    """Runs hdp-run --attention; returns (median, min, rss, block mask, head mask, out)."""
    os.makedirs(out_dir, exist_ok=True)
    outs = [os.path.join(out_dir, n + ".npy") for n in ("out", "block_mask", "head_mask")]
    cmd = [hdp, "--attention", "--config=#hdp.config<rho = %s>" % rho,
           "--backend=" + backend, "--benchmark-repetitions=%d" % reps]
    if hdp_has_option(hdp, "threads"):
        cmd.append("--threads=%d" % threads)
    cmd += ["--input=@" + os.path.join(in_dir, n + ".npy") for n in ("q", "k", "v")]
    cmd += ["--output=@" + p for p in outs]
    rc, out, err, rss, _ = run_measured(cmd, env=threads_env(threads))
    if rc != 0:
        raise BenchError("%s failed (exit %d):\n%s" % (" ".join(cmd), rc, err[-3000:]))
    m = BENCH_RE.search(out)
    if not m:
        raise BenchError("no 'hdp-run: benchmark:' line in the output of %s:\n%s"
                         % (" ".join(cmd), out[-2000:]))
    arrays = [np.load(p) for p in outs]
    return float(m.group(3)), float(m.group(4)), rss, arrays[1], arrays[2], arrays[0]


_HELP_TEXT = {}


def hdp_has_option(hdp, name):
    if hdp not in _HELP_TEXT:
        r = subprocess.run([hdp, "--help"], capture_output=True, text=True)
        _HELP_TEXT[hdp] = r.stdout
    return re.search(r"--%s\b" % re.escape(name), _HELP_TEXT[hdp]) is not None


def hdp_supports_benchmark(hdp):
    return hdp_has_option(hdp, "benchmark-repetitions")


def default_thread_counts():
    nproc = os.cpu_count() or 1
    counts, t = [], 1
    while t < nproc:
        counts.append(t)
        t *= 2
    return counts + [nproc]


# ----------------------------------------------------------------------------
# The run


def default_reps(n):
    return 20 if n <= 256 else 10 if n <= 1024 else 5


def row(section, impl, rho, threads, shape, reps, med, mn, rss, status="ok", check="",
        sparsity=None, heads_pruned=None):
    B, H, N, M, D = shape
    return {"section": section, "impl": impl, "rho": "" if rho is None else rho,
            "threads": threads, "B": B, "H": H, "N": N, "M": M, "D": D, "reps": reps,
            "median_ms": med, "min_ms": mn, "ratio_to_dense_mlir": None,
            "speedup_vs_dense_mlir": None, "block_sparsity": sparsity,
            "heads_pruned": heads_pruned, "peak_rss_mb": rss, "status": status,
            "check": check}


def add_ratios(rows):
    dense = {(r["section"], r["H"], r["N"], r["M"]): r["median_ms"] for r in rows
             if r["impl"] == "dense-mlir" and r["median_ms"]}
    for r in rows:
        base = dense.get((r["section"], r["H"], r["N"], r["M"]))
        if base and r["median_ms"]:
            r["ratio_to_dense_mlir"] = r["median_ms"] / base
            r["speedup_vs_dense_mlir"] = base / r["median_ms"]


def python_dense(impl, in_dir, reps, threads):
    """Times numpy or PyTorch dense attention in its own process (python_attention.py)."""
    rc, out, err, rss, _ = run_measured(
        [sys.executable, os.path.join(HERE, "python_attention.py"), "--impl", impl,
         "--dir", in_dir, "--reps", str(reps), "--threads", str(threads)],
        env=threads_env(threads))
    if rc != 0:
        raise BenchError("python_attention.py --impl %s failed (exit %d):\n%s%s"
                         % (impl, rc, out[-1000:], err[-2000:]))
    return json.loads(out.strip().splitlines()[-1]), rss


def speed_section(args, hdp, dense, torch_version, work, rows):
    B, H, D = 1, args.heads, args.head_dim
    threaded_hdp = hdp_has_option(hdp, "threads")
    for n in args.sizes:
        shape = (B, H, n, n, D)
        reps = args.reps or default_reps(n)
        in_dir = os.path.join(work, "inputs_%d" % n)
        make_attention_inputs.write_inputs(
            make_attention_inputs.make_inputs(shape, seed=args.seed, kind="realistic"), in_dir)
        log("N=M=%d: dense-mlir (%d reps)" % (n, reps))
        times, rss, check = dense.run(B * H, n, n, D, reps)
        rows.append(row("speed", "dense-mlir", None, 1, shape, reps, median(times), min(times),
                        rss, check=check))

        cpu_results = {}
        for rho in args.rhos:
            for threads in args.threads:
                if threads > 1 and not threaded_hdp:
                    rows.append(row("speed", "hdp-cpu", rho, threads, shape, 0, None, None, None,
                                    status="skipped: this hdp-run has no --threads option"))
                    continue
                log("N=M=%d: hdp-cpu rho=%s, %d thread(s) (%d reps)" % (n, rho, threads, reps))
                med, mn, rss, bm, hm, out = hdp_run(
                    hdp, "cpu", rho, in_dir, os.path.join(work, "cpu_%d_%s_%d" % (n, rho, threads)),
                    reps, threads)
                check = ""
                if threads != args.threads[0]:
                    # Per-row work is independent: any thread count computes the same bits.
                    bm1, hm1, out1 = cpu_results[rho]
                    same = (np.array_equal(bm1, bm) and np.array_equal(hm1, hm)
                            and np.array_equal(out1, out))
                    check = ("identical to %d thread(s)" % args.threads[0] if same else
                             "MISMATCH: output or masks differ from %d thread(s)"
                             % args.threads[0])
                else:
                    cpu_results[rho] = (bm, hm, out)
                rows.append(row("speed", "hdp-cpu", rho, threads, shape, reps, med, mn, rss,
                                sparsity=1.0 - bm.mean(), heads_pruned=int((~hm).sum()),
                                check=check))

        if not args.no_reference:
            rho = args.reference_rho
            rreps = args.reference_reps or (3 if n <= 512 else 1)
            log("N=M=%d: hdp-reference rho=%s (%d reps)" % (n, rho, rreps))
            med, mn, rss, bm, hm, out = hdp_run(hdp, "reference", rho, in_dir,
                                                os.path.join(work, "ref_%d" % n), rreps)
            check = ""
            if rho in cpu_results:
                cbm, chm, cout = cpu_results[rho]
                same = np.array_equal(cbm, bm) and np.array_equal(chm, hm)
                err = float(np.abs(cout - out).max())
                check = "hdp-cpu masks %s, max|dout| %.1e" % ("equal" if same else "DIFFER", err)
                if not same or err > 1e-4:
                    check = "MISMATCH: " + check
                for r in rows:
                    if (r["impl"] == "hdp-cpu" and r["rho"] == rho and r["N"] == n
                            and r["threads"] == args.threads[0]):
                        r["check"] = check.replace("hdp-cpu", "reference")
            rows.append(row("speed", "hdp-reference", rho, 1, shape, rreps, med, mn, rss,
                            sparsity=1.0 - bm.mean(), heads_pruned=int((~hm).sum()),
                            check=check))

        for impl in ("numpy", "torch"):
            name = impl.replace("torch", "pytorch") + "-dense"
            for threads in args.threads:
                if impl == "torch" and args.no_torch:
                    continue
                if impl == "torch" and not torch_version:
                    rows.append(row("speed", name, None, threads, shape, 0, None, None,
                                    None, status="skipped: python3-torch not installed"))
                    continue
                log("N=M=%d: %s %d thread(s) (%d reps)" % (n, name, threads, reps))
                res, rss = python_dense(impl, in_dir, reps, threads)
                rows.append(row("speed", name, None, threads, shape, reps,
                                median(res["times_ms"]), min(res["times_ms"]), rss,
                                check="max|err| %.1e vs numpy f64" % res["max_abs_err"]))


def memory_section(args, hdp, dense, work, rows):
    B, H, D = 1, args.memory_heads, args.head_dim
    for n in args.memory_sizes:
        shape = (B, H, n, n, D)
        in_dir = os.path.join(work, "mem_inputs_%d" % n)
        make_attention_inputs.write_inputs(
            make_attention_inputs.make_inputs(shape, seed=args.seed, kind="realistic"), in_dir)
        log("memory: N=M=%d H=%d: dense-mlir" % (n, H))
        times, rss, check = dense.run(B * H, n, n, D, 1)
        rows.append(row("memory", "dense-mlir", None, 1, shape, 1, median(times), min(times),
                        rss, check=check))
        log("memory: N=M=%d H=%d: hdp-cpu rho=%s" % (n, H, args.memory_rho))
        med, mn, rss, bm, hm, _ = hdp_run(hdp, "cpu", args.memory_rho, in_dir,
                                          os.path.join(work, "mem_cpu_%d" % n), 1)
        rows.append(row("memory", "hdp-cpu", args.memory_rho, 1, shape, 1, med, mn, rss,
                        sparsity=1.0 - bm.mean(), heads_pruned=int((~hm).sum()),
                        check="one f32 N*M matrix: %.1f MiB" % (H * n * n * 4 / 2**20)))
        shutil.rmtree(in_dir, ignore_errors=True)
        shutil.rmtree(os.path.join(work, "mem_cpu_%d" % n), ignore_errors=True)


# ----------------------------------------------------------------------------
# Reporting


def fmt(v, spec):
    return "-" if v is None or v == "" else format(v, spec)


def table(rows):
    lines = []
    head = "%-7s %-14s %5s %3s %6s %3s %10s %10s %8s %8s %9s %9s  %s" % (
        "section", "impl", "rho", "thr", "N=M", "H", "median ms", "min ms", "x dense",
        "speedup", "blk.spars", "peakRSS MB", "status / check")
    lines.append(head)
    lines.append("-" * len(head))
    for r in rows:
        note = r["status"] if r["status"] != "ok" else r["check"]
        lines.append("%-7s %-14s %5s %3s %6d %3d %10s %10s %8s %8s %9s %9s  %s" % (
            r["section"], r["impl"], r["rho"], r["threads"], r["N"], r["H"],
            fmt(r["median_ms"], ".2f"), fmt(r["min_ms"], ".2f"),
            fmt(r["ratio_to_dense_mlir"], ".2f"), fmt(r["speedup_vs_dense_mlir"], ".2f"),
            fmt(r["block_sparsity"], ".1%"), fmt(r["peak_rss_mb"], ".0f"), note))
    return "\n".join(lines)


def goals(rows, big):
    """Lines judging the issue's goals at N=M=big (None where not measured)."""
    out = []
    sp = [r for r in rows if r["section"] == "speed" and r["N"] == big]
    dense = next((r for r in sp if r["impl"] == "dense-mlir"), None)
    cpu = [r for r in sp if r["impl"] == "hdp-cpu" and r["threads"] == 1 and r["median_ms"]]
    torch_rows = [r for r in sp if r["impl"] == "pytorch-dense" and r["median_ms"]]
    if not dense or not cpu:
        return ["goals: not judged (N=M=%d not in this run)" % big]
    sparse = [r for r in cpu if r["block_sparsity"] is not None and r["block_sparsity"] >= 0.75]
    if sparse:
        best = min(sparse, key=lambda r: r["median_ms"])
        s = best["speedup_vs_dense_mlir"]
        each = "; ".join("rho=%s (%.1f%%): %.2f ms = %.2fx"
                         % (r["rho"], 100 * r["block_sparsity"], r["median_ms"],
                            r["speedup_vs_dense_mlir"]) for r in sparse)
        out.append("goal 1 (>=75%% block sparsity, N=M=%d: hdp >= 3x faster than dense-mlir, "
                   "%.2f ms): %s - %s" % (big, dense["median_ms"], "MET" if s >= 3 else "NOT MET",
                                          each))
        if torch_rows:
            bt = min(torch_rows, key=lambda r: r["median_ms"])
            out.append("goal 2 (same rows: hdp faster than PyTorch dense): %s - best hdp "
                       "(rho=%s) %.2f ms vs PyTorch %.2f ms (%d thread(s), its best setting "
                       "here): hdp %.2fx PyTorch's speed"
                       % ("MET" if best["median_ms"] < bt["median_ms"] else "NOT MET",
                          best["rho"], best["median_ms"], bt["median_ms"], bt["threads"],
                          bt["median_ms"] / best["median_ms"]))
            one = [r for r in torch_rows if r["threads"] == 1]
            if one and one[0] is not bt:
                out.append("        against PyTorch with 1 thread like hdp: %s - %.2f ms vs %.2f ms"
                           % ("faster" if best["median_ms"] < one[0]["median_ms"] else "slower",
                              best["median_ms"], one[0]["median_ms"]))
        else:
            out.append("goal 2 (hdp faster than PyTorch dense): not judged (no PyTorch rows)")
    else:
        out.append("goal 1/2: not judged: no rho reached 75% block sparsity at N=M=%d" % big)
    dense_rho = [r for r in cpu if float(r["rho"]) == -1.0]
    if dense_rho:
        r = dense_rho[0]
        out.append("goal 3 (rho=-1 no more than 1.3x slower than dense-mlir): %s - %.2f ms vs "
                   "%.2f ms = %.2fx dense-mlir's time"
                   % ("MET" if r["ratio_to_dense_mlir"] <= 1.3 else "NOT MET",
                      r["median_ms"], dense["median_ms"], r["ratio_to_dense_mlir"]))
    return out + thread_goals(sp, big)


def thread_goals(sp, big):
    """The multi-threading goals at N=M=big, against numpy + OpenBLAS on 2 threads."""
    def find(impl, rho, threads):
        return next((r for r in sp if r["impl"] == impl and r["threads"] == threads
                     and r["median_ms"] and (rho is None or float(r["rho"]) == rho)), None)
    out = []
    np2 = find("numpy-dense", None, 2)
    hdp1 = find("hdp-cpu", 0.3, 1)
    hdp2 = find("hdp-cpu", 0.3, 2)
    dense2 = find("hdp-cpu", -1.0, 2)
    if np2 and hdp1:
        x = np2["median_ms"] / hdp1["median_ms"]
        out.append("goal T1 (rho=0.3, hdp 1 thread >= 3.4x faster than numpy+OpenBLAS on 2 "
                   "threads, N=M=%d): %s - %.2f ms vs %.2f ms = %.2fx"
                   % (big, "MET" if x >= 3.4 else "NOT MET", hdp1["median_ms"],
                      np2["median_ms"], x))
    else:
        out.append("goal T1: not judged (needs hdp-cpu rho=0.3 on 1 thread and numpy-dense on "
                   "2 threads at N=M=%d)" % big)
    if hdp1 and hdp2:
        x = hdp1["median_ms"] / hdp2["median_ms"]
        out.append("goal T2 (rho=0.3, hdp on 2 threads >= 1.8x faster than on 1): %s - "
                   "%.2f ms vs %.2f ms = %.2fx" % ("MET" if x >= 1.8 else "NOT MET",
                                                  hdp2["median_ms"], hdp1["median_ms"], x))
    else:
        out.append("goal T2: not judged (needs hdp-cpu rho=0.3 on 1 and 2 threads)")
    if dense2 and np2:
        out.append("goal T3 (rho=-1 on 2 threads no slower than numpy+OpenBLAS on 2 threads): "
                   "%s - %.2f ms vs %.2f ms" % ("MET" if dense2["median_ms"] <= np2["median_ms"]
                                                else "NOT MET", dense2["median_ms"],
                                                np2["median_ms"]))
    else:
        out.append("goal T3: not judged (needs hdp-cpu rho=-1 and numpy-dense on 2 threads)")
    return out


def write_csv(path, rows):
    with open(path + ".tmp", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            out = {}
            for k in COLUMNS:
                v = r[k]
                if v is None:
                    v = ""
                elif isinstance(v, float):
                    v = "%.6g" % v
                out[k] = v
            w.writerow(out)
    os.replace(path + ".tmp", path)


def scaling_panel(ax, speed, n):
    """Threads vs speed-up over the same implementation on 1 thread, at N=M=n."""
    at_n = [r for r in speed if r["N"] == n]
    series = {}
    for r in at_n:
        if r["impl"] == "hdp-cpu":
            name = "hdp-cpu rho=%s" % r["rho"]
        elif r["impl"] in ("numpy-dense", "pytorch-dense"):
            name = r["impl"]
        else:
            continue
        series.setdefault(name, {})[r["threads"]] = r["median_ms"]
    top = 1
    for name, by_threads in sorted(series.items()):
        if 1 not in by_threads or len(by_threads) < 2:
            continue
        ts = sorted(by_threads)
        top = max(top, ts[-1])
        ax.plot(ts, [by_threads[1] / by_threads[t] for t in ts], marker="o", label=name)
    ax.plot([1, top], [1, top], "k--", lw=1, label="linear")
    ax.set_xlabel("threads (N=M=%d)" % n)
    ax.set_title("speed-up over the same code on 1 thread")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)


def plot(path, rows, info):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "skipped: python3-matplotlib not installed"
    speed = [r for r in rows if r["section"] == "speed" and r["median_ms"]]
    mem = [r for r in rows if r["section"] == "memory" and r["peak_rss_mb"]]
    sizes = sorted({r["N"] for r in speed})
    def key_of(r):
        if r["impl"] == "hdp-cpu":
            return "hdp-cpu rho=%s %dT" % (r["rho"], r["threads"])
        if r["impl"] in ("pytorch-dense", "numpy-dense"):
            return "%s %dT" % (r["impl"].split("-")[0], r["threads"])
        if r["impl"] == "hdp-reference":
            return "reference rho=%s" % r["rho"]
        return r["impl"]

    series = []
    for r in speed:
        if key_of(r) not in series:
            series.append(key_of(r))
    ncols = 4 if mem else 3
    fig, axes = plt.subplots(1, ncols, figsize=(6 * ncols, 5))
    width = 0.8 / max(1, len(series))
    for ax, field, title in ((axes[0], "median_ms", "median time (ms, log)"),
                             (axes[1], "speedup_vs_dense_mlir", "speedup vs dense-mlir (log)")):
        for i, s in enumerate(series):
            xs, ys = [], []
            for j, n in enumerate(sizes):
                r = next((r for r in speed if r["N"] == n and key_of(r) == s), None)
                if r and r[field]:
                    xs.append(j + (i - (len(series) - 1) / 2) * width)
                    ys.append(r[field])
            ax.bar(xs, ys, width, label=s)
        ax.set_xticks(range(len(sizes)))
        ax.set_xticklabels(["N=M=%d" % n for n in sizes])
        ax.set_yscale("log")
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3, which="both")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 8), fontsize=8)
    g1 = axes[1].axhline(3.0, color="green", ls="--", lw=1)
    g2 = axes[1].axhline(1 / 1.3, color="red", ls=":", lw=1)
    axes[1].axhline(1.0, color="black", lw=0.8)
    axes[1].legend([g1, g2], ["goal: >= 3x at >= 75% block sparsity",
                              "goal: rho=-1 at most 1.3x slower"], fontsize=7)
    scaling_panel(axes[-1], speed, max(sizes))
    if mem:
        ax = axes[2]
        for impl, marker in (("hdp-cpu", "o"), ("dense-mlir", "s")):
            pts = sorted((r["N"], r["peak_rss_mb"]) for r in mem if r["impl"] == impl)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=impl)
        ns = sorted({r["N"] for r in mem})
        h = mem[0]["H"]
        ax.plot(ns, [h * n * n * 4 / 2**20 for n in ns], "k--", lw=1,
                label="one f32 N*M matrix")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("N = M (H=%d, D=%d)" % (h, mem[0]["D"]))
        ax.set_title("peak RSS of the process (MiB, log)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.suptitle("hdp CPU bench, B=1, H=%s, D=%s - %s, %s cores, commit %s, load %s"
                 % (speed[0]["H"] if speed else "?", speed[0]["D"] if speed else "?",
                    info["cpu"], info["cores"], info["commit"], info["load_avg_start"]),
                 fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    fig.savefig(path + ".tmp.png", dpi=110)
    plt.close(fig)
    os.replace(path + ".tmp.png", path)
    return "written"


# ----------------------------------------------------------------------------


def parse_list(text, conv):
    return [conv(x) for x in text.split(",") if x.strip()]


def main(argv=None):
    ap = argparse.ArgumentParser(description="hdp CPU benchmark (see bench/README.md)")
    ap.add_argument("--sizes", default="128,512,2048", help="N=M values (default %(default)s)")
    ap.add_argument("--rhos", default="-1,0,0.3,0.6", help="hdp rho values (default %(default)s)")
    ap.add_argument("--reps", type=int, default=0,
                    help="timed repetitions per run (default: 20/10/5 by size)")
    ap.add_argument("--threads", default="",
                    help="thread counts of hdp-cpu, numpy and PyTorch (default: 1, 2, 4, ... "
                         "up to every core: %s here)" % ",".join(map(str, default_thread_counts())))
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--head-dim", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference-rho", default="0.3")
    ap.add_argument("--reference-reps", type=int, default=0,
                    help="timed runs of the (slow) reference (default 3, 1 above N=512)")
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--memory-sizes", default="2048,4096,8192",
                    help="N=M values of the peak-RSS section (default %(default)s)")
    ap.add_argument("--memory-heads", type=int, default=1)
    ap.add_argument("--memory-rho", default="0.3")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--quick", action="store_true",
                    help="N=M=128, 3 reps, memory section at N=M=256: for CI (< 1 min)")
    ap.add_argument("--build-dir", default=os.environ.get("HDP_BUILD_DIR",
                                                          os.path.join(ROOT, "build")))
    ap.add_argument("--hdp-run", default="",
                    help="the hdp-run to use, a path or a name looked up on PATH "
                         "(default: BUILD_DIR/bin/hdp-run)")
    ap.add_argument("--out-dir", default=os.path.join(HERE, "results"))
    ap.add_argument("--keep-work", action="store_true", help="keep the scratch directory")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes = "128"
        args.reps = args.reps or 3
        if args.memory_sizes == ap.get_default("memory_sizes"):
            args.memory_sizes = "256"
    try:
        args.sizes = parse_list(args.sizes, int)
        args.threads = sorted(set(parse_list(args.threads, int) if args.threads
                                  else default_thread_counts()))
        args.memory_sizes = [] if args.no_memory else parse_list(args.memory_sizes, int)
        rhos = parse_list(args.rhos, float)
        float(args.reference_rho)
        float(args.memory_rho)
    except ValueError as e:
        ap.error(str(e))
    # Keep rho spelled as given (it is also the config text and the CSV key).
    args.rhos = [x.strip() for x in args.rhos.split(",") if x.strip()]
    if any(not -1 <= r <= 1 for r in rhos):
        ap.error("rho must lie in [-1, 1]")
    if min(args.sizes + args.memory_sizes + args.threads + [args.heads, args.head_dim]) < 1:
        ap.error("sizes must be >= 1")

    hdp = os.path.join(args.build_dir, "bin", "hdp-run")
    if args.hdp_run:
        hdp = args.hdp_run if os.sep in args.hdp_run else (shutil.which(args.hdp_run) or
                                                           args.hdp_run)
    problems = []
    if not os.access(hdp, os.X_OK):
        problems.append("%s not found: build hdp first (scripts/setup.sh), or pass "
                        "--build-dir / HDP_BUILD_DIR / --hdp-run" % hdp)
    elif not hdp_supports_benchmark(hdp):
        problems.append("%s has no --benchmark-repetitions option: rebuild it from a newer "
                        "tree (scripts/setup.sh)" % hdp)
    for tool in ("mlir-opt", "mlir-runner"):
        if not os.access(os.path.join(LLVM_BIN, tool), os.X_OK):
            problems.append("%s missing: install mlir-22-tools" % os.path.join(LLVM_BIN, tool))
    for lib in RUNNER_LIBS:
        if not os.path.exists(lib):
            problems.append("%s missing: install libmlir-22-dev" % lib)
    if problems:
        for p in problems:
            print("bench: error: " + p, file=sys.stderr)
        return 1

    info = machine_info()
    info["hdp_run"] = os.path.abspath(hdp)
    torch_version = None if args.no_torch else torch_available()
    info["torch"] = torch_version or ("not used (--no-torch)" if args.no_torch
                                      else "not installed: PyTorch rows skipped")
    log("machine: %s, %s cores, avx2=%s avx512f=%s, load %s, commit %s"
        % (info["cpu"], info["cores"], info["avx2"], info["avx512f"], info["load_avg_start"],
           info["commit"]))
    log("hdp-run: " + info["hdp_run"])
    if not torch_version and not args.no_torch:
        log("PyTorch: skipped - python3-torch is not installed (run.sh installs it as root)")
    elif torch_version:
        log("PyTorch %s, BLAS seen by numpy: %s" % (torch_version, info["numpy_blas"]))

    rows = []
    work = tempfile.mkdtemp(prefix="hdp-cpu-bench-")
    t_start = time.monotonic()
    try:
        dense = DenseMLIR(work)
        speed_section(args, hdp, dense, torch_version, work, rows)
        memory_section(args, hdp, dense, work, rows)
    except BenchError as e:
        print("bench: error: %s" % e, file=sys.stderr)
        return 1
    finally:
        if args.keep_work:
            log("scratch kept in " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    add_ratios(rows)
    info["load_avg_end"] = " ".join("%.2f" % x for x in os.getloadavg())
    info["duration_s"] = round(time.monotonic() - t_start, 1)
    with tempfile.TemporaryDirectory() as tmp:
        info["roofline"] = roofline(tmp)
    for k, v in info["roofline"].items():
        log("roofline %s: %s" % (k, v))

    os.makedirs(args.out_dir, exist_ok=True)
    csv_path = os.path.join(args.out_dir, "cpu-bench.csv")
    png_path = os.path.join(args.out_dir, "cpu-bench.png")
    txt_path = os.path.join(args.out_dir, "cpu-bench.txt")
    write_csv(csv_path, rows)
    png = plot(png_path, rows, info)
    tab = table(rows)
    judged = goals(rows, 2048)
    mismatches = [r for r in rows if "MISMATCH" in r["check"]]
    summary = ["hdp CPU bench, %s" % info["date"]]
    summary += ["%s: %s" % (k, info[k]) for k in
                ("cpu", "cores", "threads_per_core", "hypervisor", "avx2", "avx512f", "fma",
                 "memory_gb", "numpy_blas", "torch", "commit", "hdp_run", "load_avg_start",
                 "load_avg_end",
                 "duration_s")]
    summary += ["roofline (1 core, bench/cpu/roofline.c) %s: %s" % (k, v)
                for k, v in info.get("roofline", {}).items()]
    summary += ["", tab, ""] + judged
    with open(txt_path + ".tmp", "w") as f:
        f.write("\n".join(summary) + "\n")
    os.replace(txt_path + ".tmp", txt_path)

    print()
    print(tab)
    print()
    for line in judged:
        print(line)
    print()
    log("load average %s at the start, %s at the end (%d cores); took %.0f s"
        % (info["load_avg_start"], info["load_avg_end"], int(info["cores"]), info["duration_s"]))
    log("csv: " + csv_path)
    log("png: " + (png_path if png == "written" else png))
    log("machine and summary: " + txt_path)
    if mismatches:
        print("bench: error: %d result check(s) failed (see the check column)" % len(mismatches),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
