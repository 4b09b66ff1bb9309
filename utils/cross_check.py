#!/usr/bin/python3
"""Cross-check `hdp-run --backend=reference|cpu` against utils/hdp_numpy_ref.py.

    cross_check.py --random 60 --seed 1            # random cases
    cross_check.py --cases FILE                    # one case spec per line
    cross_check.py --case 'shape=1,2,8,8,4 mask=causal rho=0.3'

A case spec is whitespace-separated key=value tokens:
  shape=B,H,N,M,D[,Dv]   (required unless the data generator fixes it)
  data=realistic|uniform|ints|ones|nan|big|rho_half|tau_half   (default realistic)
  amp=X          multiply q and k by X (X > 8 hits the fixed-point clamp)
  mask=none|padding|causal|causal_min|random|rows|cols|nm|bias|all
  seed=S  name=LABEL
  and any #hdp.config key: int_bits frac_bits shift block=bm,bn rho tau_h
  policy importance=abs|signed topk approx=true|false softmax scale
Lines of a cases file may end in a '# comment'.

Block mask, head mask and theta_H must agree bit for bit (values, shapes and
dtypes bool/bool/int64); outputs within --tol (max |err|, default 1e-5).
Prints one line per case, then "N passed, M failed"; exits 1 on any failure.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hdp_numpy_ref as ref  # noqa: E402
import make_attention_inputs as gen  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_KEYS = set(ref.DEFAULTS)


# ---------------------------------------------------------------------------
# Case specs
# ---------------------------------------------------------------------------


def parse_spec(text):
    """'shape=1,2,8,8,4 rho=0.3 ...' -> (case dict, config dict)."""
    case, cfg = {"data": "realistic", "mask": "none", "amp": 1.0, "seed": 0}, {}
    for tok in shlex.split(text):
        if "=" not in tok:
            raise ValueError("expected key=value, got %r" % tok)
        key, val = tok.split("=", 1)
        if key == "shape":
            dims = [int(x) for x in val.split(",")]
            if len(dims) == 5:
                dims.append(dims[4])
            if len(dims) != 6:
                raise ValueError("shape must be B,H,N,M,D[,Dv]")
            case["shape"] = tuple(dims)
        elif key in ("data", "mask", "name"):
            case[key] = val
        elif key == "amp":
            case["amp"] = float(val)
        elif key == "seed":
            case["seed"] = int(val)
        elif key == "block":
            cfg["block"] = tuple(int(x) for x in val.split(","))
        elif key in ("rho", "tau_h"):
            cfg[key] = float(val)
        elif key == "scale":
            cfg[key] = None if val == "none" else float(val)
        elif key == "approx":
            if val not in ("true", "false"):
                raise ValueError("approx must be true or false")
            cfg[key] = val == "true"
        elif key in ("policy", "importance", "softmax"):
            cfg[key] = val
        elif key in CONFIG_KEYS:
            cfg[key] = int(val)
        else:
            raise ValueError("unknown key %r" % key)
    ref.make_config(**cfg)  # validates keys and enum values
    return case, cfg


def spec_text(case, cfg):
    """Inverse of parse_spec, for printing and replaying a case."""
    toks = []
    if "name" in case:
        toks.append("name=%s" % case["name"])
    if "shape" in case:
        toks.append("shape=" + ",".join(map(str, case["shape"])))
    toks += ["data=%s" % case["data"], "mask=%s" % case["mask"], "seed=%d" % case["seed"]]
    if case["amp"] != 1.0:
        toks.append("amp=%r" % case["amp"])
    for key, val in cfg.items():
        if key == "block":
            val = "%d,%d" % tuple(val)
        elif key == "approx":
            val = "true" if val else "false"
        toks.append("%s=%s" % (key, val))
    return " ".join(toks)


def random_case(rng, index, seed, max_len=12, max_d=8):
    """One random case: shapes with partial blocks, every policy and option."""
    B, H = int(rng.integers(1, 3)), int(rng.integers(1, 5))
    N, M = int(rng.integers(1, max_len + 1)), int(rng.integers(1, max_len + 1))
    D = int(rng.integers(1, max_d + 1))
    Dv = D if rng.random() < 0.5 else int(rng.integers(1, 6))
    case = {
        "shape": (B, H, N, M, D, Dv),
        "data": str(rng.choice(["realistic", "uniform", "ints"], p=[0.5, 0.3, 0.2])),
        "mask": str(rng.choice(["none", "padding", "causal", "causal_min", "random", "rows",
                                "cols", "nm", "bias"],
                               p=[0.2, 0.15, 0.15, 0.05, 0.15, 0.075, 0.075, 0.075, 0.075])),
        "amp": float(rng.choice([1.0, 0.5, 6.0], p=[0.75, 0.1, 0.15])),
        "seed": seed * 100003 + index,
    }
    cfg = {"block": (int(rng.integers(1, 5)), int(rng.integers(1, 5)))}
    if rng.random() < 0.6:
        cfg["int_bits"] = int(rng.choice([1, 2, 3, 4, 5, 6, 8]))
        cfg["frac_bits"] = int(rng.choice([0, 1, 2, 3, 4, 5]))
    cfg["shift"] = int(rng.integers(-1, 3))
    cfg["policy"] = str(rng.choice(["hdp", "topk", "dense"], p=[0.6, 0.25, 0.15]))
    if cfg["policy"] == "topk":
        cfg["topk"] = int(rng.integers(1, 4))
    u = rng.random()
    cfg["rho"] = -1.0 if u < 0.1 else 1.0 if u < 0.2 else 0.0 if u < 0.3 else round(float(rng.uniform(-1, 1)), 3)
    cfg["tau_h"] = float(rng.choice([0.0, 0.5, 1.0, 1.5]))
    cfg["approx"] = bool(rng.random() < 0.5)
    cfg["softmax"] = str(rng.choice(["exact", "poly"]))
    if rng.random() < 0.2:
        cfg["scale"] = float(np.float32(rng.uniform(0.05, 2.0)))
    cfg["importance"] = str(rng.choice(["abs", "signed"]))
    return case, cfg


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def make_data(case, rng):
    """q, k, v (float32) for a case; may fix the shape itself."""
    kind = case["data"]
    if kind == "rho_half":
        # One block row of three 1x1 blocks, theta = (18333, 10000, 1666):
        # with rho = 2.5/65536 the middle block is kept iff r rounds half to
        # even (r = 2); rounding half away from zero (r = 3) prunes it.
        q = np.ones((1, 1, 1, 1))
        k = np.array([18333.0, 10000.0, 1666.0]).reshape(1, 1, 3, 1)
        v = rng.standard_normal((1, 1, 3, 2))
    elif kind == "tau_half":
        # theta_H = (1, 3): with tau_h = 0.5 + 2^-17 head 0 sits exactly on the
        # threshold iff t rounds half to even (t = 32768, kept).
        q = np.ones((1, 2, 1, 1))
        k = np.array([1.0, 3.0]).reshape(1, 2, 1, 1)
        v = rng.standard_normal((1, 2, 1, 2))
    else:
        B, H, N, M, D, Dv = case["shape"]
        if kind in ("realistic", "uniform"):
            q, k, v = gen.realistic(rng, B, H, N, M, D, Dv) if kind == "realistic" else \
                gen.uniform(rng, B, H, N, M, D, Dv)
        elif kind == "ints":  # small integers: many exact ties in theta
            q = rng.integers(-2, 3, (B, H, N, D)).astype(float)
            k = rng.integers(-2, 3, (B, H, M, D)).astype(float)
            v = rng.standard_normal((B, H, M, Dv))
        elif kind == "ones":  # every score and every block equal
            q, k = np.ones((B, H, N, D)), np.ones((B, H, M, D))
            v = rng.standard_normal((B, H, M, Dv))
        elif kind == "nan":  # NaN in q and k quantises to 0
            q, k, v = gen.realistic(rng, B, H, N, M, D, Dv)
            q[rng.random(q.shape) < 0.15] = np.nan
            k[rng.random(k.shape) < 0.15] = np.nan
        elif kind == "big":
            # Near-full-scale magnitudes times `amp` (choose amp ~ 2^(I-1)):
            # |S_int| is then so large that the threshold products exceed 2^63
            # and need 128-bit (or exact) arithmetic. Rows of q have random
            # signs; heads get different magnitudes so that tau_H separates them.
            q = rng.uniform(0.75, 0.95, (B, H, N, D)) * rng.choice([-1.0, 1.0], (B, H, N, 1))
            k = rng.uniform(0.75, 0.95, (B, H, M, D)) * rng.uniform(0.2, 1.0, (1, 1, M, 1))
            hs = np.linspace(0.3, 1.0, H).reshape(1, H, 1, 1)
            q, k = q * hs, k * hs
            v = rng.standard_normal((B, H, M, Dv))
        else:
            raise ValueError("unknown data kind %r" % kind)
    q, k = q * case["amp"], k * case["amp"]
    return q.astype(np.float32), k.astype(np.float32), v.astype(np.float32)


def make_mask(kind, shape, rng):
    B, H, N, M = shape
    if kind == "none":
        return None
    if kind == "padding":
        return gen.padding_mask(rng, B, M)
    if kind == "causal":
        return gen.causal_mask(N, M)
    if kind == "causal_min":
        return gen.causal_mask(N, M, np.finfo(np.float32).min)
    if kind == "random":  # full shape; removed by -10000, -inf, finfo.min; finite biases kept
        vals = np.array([0.0, -0.75, -9999.5, -10000.0, -np.inf, np.finfo(np.float32).min], np.float32)
        return rng.choice(vals, size=(B, H, N, M), p=[0.45, 0.1, 0.05, 0.15, 0.15, 0.1])
    if kind == "rows":  # some query rows fully removed, broadcast over keys
        m = np.zeros((1, 1, N, 1), np.float32)
        m[0, 0, rng.random(N) < 0.4, 0] = -np.inf
        return m
    if kind == "cols":  # scattered removed keys per batch item: invalid blocks
        m = np.zeros((B, 1, 1, M), np.float32)
        m[rng.random((B, 1, 1, M)) < 0.4] = -10000.0
        return m
    if kind == "nm":  # rank-2 mask [N, M]
        return np.where(rng.random((N, M)) < 0.3, np.float32(-1e9), np.float32(0)).astype(np.float32)
    if kind == "bias":  # ALiBi-like finite bias per head, plus a few removed entries
        slopes = (2.0 ** -np.arange(1, H + 1)).reshape(1, H, 1, 1)
        dist = np.abs(np.arange(N)[:, None] - np.arange(M)[None, :])
        m = -slopes * dist
        m = np.where(rng.random((1, H, N, M)) < 0.1, -10000.0, m)
        return m.astype(np.float32)
    if kind == "all":  # everything removed
        return np.full((1, 1, 1, 1), -np.inf, np.float32)
    raise ValueError("unknown mask kind %r" % kind)


# ---------------------------------------------------------------------------
# Running and comparing
# ---------------------------------------------------------------------------


def find_hdp_run(explicit):
    if explicit:
        return explicit
    found = shutil.which("hdp-run")
    if found:
        return found
    for d in ("build", "build-run", "build-e2e"):
        path = os.path.join(REPO, d, "bin", "hdp-run")
        if os.access(path, os.X_OK):
            return path
    return None


# The hdp-run backend under test (set from --backend) and, for sim, the
# accelerator configuration.
BACKEND = "reference"
ACCEL_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "configs", "hdp-edge.json")


def run_hdp(hdp_run, cfg_text, inputs, outdir, backend="reference"):
    """Run hdp-run; returns (error message or None, outputs dict)."""
    names = ("out", "block_mask", "head_mask", "theta_h")
    outs = {n: os.path.join(outdir, n + ".npy") for n in names}
    cmd = [hdp_run, "--attention"]
    if cfg_text != "#hdp.config<>":
        cmd.append("--config=" + cfg_text)
    cmd += ["--input=@" + p for p in inputs]
    cmd += ["--output=@" + outs[n] for n in names]
    cmd.append("--backend=" + backend)
    if backend == "sim":
        cmd.append("--accel-config=" + ACCEL_CONFIG)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "hdp-run timed out", None
    except OSError as e:
        return "cannot run %s: %s" % (hdp_run, e), None
    if proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        return "hdp-run exited %d: %s" % (proc.returncode, msg[0] if msg else "(no output)"), None
    try:
        return None, {n: np.load(outs[n]) for n in names}
    except (OSError, ValueError) as e:
        return "cannot read hdp-run output: %s" % e, None


def _first_diff(a, b):
    idx = np.argwhere(a != b)
    return "%d differ, first at %s: hdp-run %s numpy %s" % (
        len(idx), tuple(int(x) for x in idx[0]), a[tuple(idx[0])], b[tuple(idx[0])])


def compare(got, want, tol):
    """List of mismatch descriptions (empty when everything agrees)."""
    problems = []
    specs = (("out", np.float32), ("block_mask", np.bool_), ("head_mask", np.bool_), ("theta_h", np.int64))
    for (name, dtype), w in zip(specs, want):
        g = got[name]
        if g.dtype != dtype:
            problems.append("%s dtype %s, expected %s" % (name, g.dtype, np.dtype(dtype)))
        if g.shape != w.shape:
            problems.append("%s shape %s, expected %s" % (name, g.shape, w.shape))
            continue
        if name == "out":
            if not np.isfinite(g).all():
                problems.append("out has %d non-finite values" % (~np.isfinite(g)).sum())
                continue
            err = np.abs(g.astype(np.float64) - w.astype(np.float64))
            if err.size and err.max() > tol:
                i = np.unravel_index(np.argmax(err), err.shape)
                problems.append("out max|err| %.3g > %.0e at %s (hdp-run %r numpy %r)" % (
                    err.max(), tol, tuple(int(x) for x in i), float(g[i]), float(w[i])))
        elif not np.array_equal(g.astype(w.dtype), w):
            problems.append("%s: %s" % (name, _first_diff(g.astype(w.dtype), w)))
    return problems


def run_case(n, case, cfg, hdp_run, work, tol, keep):
    rng = np.random.default_rng(case["seed"])
    q, k, v = make_data(case, rng)
    B, H, N, D = q.shape
    M, Dv = k.shape[2], v.shape[3]
    mask = make_mask(case["mask"], (B, H, N, M), rng)
    want = ref.attention(q, k, v, mask, **cfg)
    cfg_text = ref.config_to_mlir(**cfg)
    bm, hm = want[1], want[2]
    stats = "blocks %d/%d heads %d/%d" % (bm.sum(), bm.size, hm.sum(), hm.size)
    label = "%d [%s]" % (n, spec_text(case, cfg))
    if hdp_run is None:  # --numpy-only
        print("NUMPY %s shape=%d,%d,%d,%d,%d,%d %s" % (label, B, H, N, M, D, Dv, stats))
        return True
    cdir = os.path.join(work, "case%03d" % n)
    os.makedirs(cdir, exist_ok=True)
    arrays = {"q": q, "k": k, "v": v}
    if mask is not None:
        arrays["mask"] = mask
    inputs = gen.write_inputs(arrays, cdir)
    err, got = run_hdp(hdp_run, cfg_text, inputs, cdir, BACKEND)
    problems = [err] if err else compare(got, want, tol)
    if problems:
        print("FAIL %s\n     config: %s\n     %s" % (label, cfg_text, "\n     ".join(problems)))
        print("     inputs kept in %s" % cdir)
        return False
    maxerr = float(np.max(np.abs(got["out"].astype(np.float64) - want[0]), initial=0.0))
    print("PASS %s max|err|=%.2g %s" % (label, maxerr, stats))
    if not keep:
        shutil.rmtree(cdir, ignore_errors=True)
    return True


def read_cases(path):
    cases = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                cases.append(parse_spec(line))
            except ValueError as e:
                raise SystemExit("%s:%d: %s" % (path, lineno, e))
    return cases


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--random", type=int, default=0, metavar="N", help="draw N random cases")
    ap.add_argument("--seed", type=int, default=0, help="seed of --random")
    ap.add_argument("--max-len", type=int, default=12, help="largest N and M of --random")
    ap.add_argument("--max-d", type=int, default=8, help="largest D of --random")
    ap.add_argument("--cases", action="append", default=[], metavar="FILE", help="file of case specs")
    ap.add_argument("--case", action="append", default=[], metavar="SPEC", help="one case spec")
    ap.add_argument("--hdp-run", help="hdp-run binary (default: PATH, then build*/bin)")
    ap.add_argument("--backend", default="reference", choices=["reference", "cpu", "sim"],
                    help="hdp-run backend to check (default reference)")
    ap.add_argument("--accel-config", default=None,
                    help="accelerator configuration for --backend sim")
    ap.add_argument("--numpy-only", action="store_true", help="only run the numpy side")
    ap.add_argument("--work-dir", help="where inputs/outputs go (default: a temporary dir)")
    ap.add_argument("--keep", action="store_true", help="keep the files of passing cases")
    ap.add_argument("--tol", type=float, default=1e-5, help="max |err| of outputs")
    args = ap.parse_args(argv)
    global BACKEND, ACCEL_CONFIG
    BACKEND = args.backend
    ACCEL_CONFIG = args.accel_config or ACCEL_CONFIG

    cases = []
    for path in args.cases:
        cases += read_cases(path)
    for text in args.case:
        try:
            cases.append(parse_spec(text))
        except ValueError as e:
            ap.error("--case %r: %s" % (text, e))
    rng = np.random.default_rng(args.seed)
    cases += [random_case(rng, i, args.seed, args.max_len, args.max_d) for i in range(args.random)]
    if not cases:
        ap.error("no cases: give --random N, --cases FILE or --case SPEC")

    hdp_run = None
    if not args.numpy_only:
        hdp_run = find_hdp_run(args.hdp_run)
        if hdp_run is None:
            print("cross_check: error: hdp-run not found (PATH, build/bin, build-run/bin)", file=sys.stderr)
            return 2
    work = args.work_dir or tempfile.mkdtemp(prefix="hdp-cross-check-")
    if args.work_dir:
        shutil.rmtree(work, ignore_errors=True)  # stale cases from an earlier run
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    for n, (case, cfg) in enumerate(cases):
        ok = run_case(n, case, cfg, hdp_run, work, args.tol, args.keep)
        passed, failed = passed + ok, failed + (not ok)
    print("%d passed, %d failed" % (passed, failed))
    if not args.work_dir and not failed and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
