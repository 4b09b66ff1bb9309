"""Compiled prune_mask / head_mask against the numpy model, on θ given directly.

  prune_check.py --hdp-run PATH --work DIR

The CPU lowering compares θ with a per-row cutoff ⌈T / (65536·nb)⌉ when the
threshold T fits 64 bits and falls back to 128-bit products otherwise; θ from
real scores never reaches the fallback, so this feeds θ arrays directly:
small values with ties, invalid blocks (-1) and rows without a valid block,
values near 2^52 (T = 65536·nb·θ-sized, beyond 64 bits; the row sum of θ
still fits 64 bits, as it does for every θ that scores produce), and rows
mixing both. Prints one line
per case, "<case> ok" or what differs, then "cases N, mismatches M".
"""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "utils"))
import hdp_numpy_ref as ref  # noqa: E402

SHAPE = (1, 3, 5, 37)  # B, H, NB, MB: MB matches no vector width


def thetas(rng):
    small = rng.integers(0, 5000, size=SHAPE, dtype=np.int64)
    small[..., ::7] = small[..., 3:4]               # ties within rows
    small[0, 0, 1, :] = -1                          # a row with no valid block
    small[rng.random(SHAPE) < 0.2] = -1             # invalid blocks
    wide = rng.integers(2**50, 2**53, size=SHAPE, dtype=np.int64)
    wide[rng.random(SHAPE) < 0.1] = -1
    mixed = small.copy()
    mixed[:, :, ::2, :] = wide[:, :, ::2, :]
    return {"small": small, "wide": wide, "mixed": mixed}


def configs():
    for rho in (-1.0, -0.37, 0.0, 0.3, 1.0):
        yield "hdp_%s" % str(rho).replace("-", "m").replace(".", "p"), \
            dict(policy="hdp", rho=rho)
    yield "dense", dict(policy="dense")
    yield "topk3", dict(policy="topk", topk=3)


def module_text():
    t = "tensor<%s>" % "x".join(map(str, SHAPE))
    lines = []
    for name, cfg in configs():
        attr = ref.config_to_mlir(**cfg)
        lines += [
            "func.func @%s(%%t: %sxi64>) -> %sxi1> {" % (name, t[:-1], t[:-1]),
            "  %%e = tensor.empty() : %sxi1>" % t[:-1],
            "  %%m = hdp.prune_mask config %s ins(%%t : %sxi64>) outs(%%e : %sxi1>) -> %sxi1>"
            % (attr, t[:-1], t[:-1], t[:-1]),
            "  return %%m : %sxi1>" % t[:-1],
            "}",
        ]
    hm = "tensor<%dx%d" % SHAPE[:2]
    lines += [
        "func.func @heads(%%t: %sxi64>) -> (%sxi1>, %sxi64>) {" % (t[:-1], hm, hm),
        "  %%e = tensor.empty() : %sxi1>" % hm,
        "  %%f = tensor.empty() : %sxi64>" % hm,
        "  %%h:2 = hdp.head_mask config #hdp.config<tau_h = 0.5> ins(%%t : %sxi64>) "
        "outs(%%e, %%f : %sxi1>, %sxi64>) -> %sxi1>, %sxi64>" % (t[:-1], hm, hm, hm, hm),
        "  return %%h#0, %%h#1 : %sxi1>, %sxi64>" % (hm, hm),
        "}",
    ]
    return "\n".join(lines) + "\n"


def run(hdp_run, module, function, inputs, outputs):
    cmd = [hdp_run, module, "--function=" + function]
    cmd += ["--input=@" + p for p in inputs] + ["--output=@" + p for p in outputs]
    subprocess.run(cmd, check=True)
    return [np.load(p) for p in outputs]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hdp-run", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    module = os.path.join(args.work, "prune.mlir")
    with open(module, "w") as f:
        f.write(module_text())

    cases = mismatches = 0
    for tname, theta in thetas(np.random.default_rng(7)).items():
        path = os.path.join(args.work, tname + ".npy")
        np.save(path, theta)
        valid = theta >= 0
        for cname, cfg in configs():
            got, = run(args.hdp_run, module, cname, [path],
                       [os.path.join(args.work, "%s_%s.npy" % (tname, cname))])
            want = ref.block_mask(np.where(valid, theta, 0), valid, **cfg)
            cases += 1
            bad = np.argwhere(got != want)
            if len(bad):
                mismatches += 1
                print("%s/%s: %d blocks differ, first at %s" % (tname, cname, len(bad), tuple(bad[0])))
            else:
                print("%s/%s ok (%d of %d kept)" % (tname, cname, got.sum(), got.size))
    # θ_H is a 64-bit sum: only the small case stays in range.
    theta = thetas(np.random.default_rng(7))["small"]
    hm, th = run(args.hdp_run, module, "heads", [os.path.join(args.work, "small.npy")],
                 [os.path.join(args.work, "hm.npy"), os.path.join(args.work, "th.npy")])
    want_th, want_hm = ref.head_mask(np.where(theta >= 0, theta, 0), theta >= 0, tau_h=0.5)
    cases += 1
    if np.array_equal(th, want_th) and np.array_equal(hm, want_hm):
        print("small/heads ok (%d of %d kept)" % (hm.sum(), hm.size))
    else:
        mismatches += 1
        print("small/heads: theta_H %s vs %s, head mask %s vs %s" % (th, want_th, hm, want_hm))
    print("cases %d, mismatches %d" % (cases, mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
