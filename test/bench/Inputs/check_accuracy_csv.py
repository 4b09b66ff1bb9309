"""Checks an accuracy.csv written by bench/accuracy/sweep.py --demo: one
dense row, every planned point present, and the properties the sweep exists
to show. Prints one line per property; exits 1 on the first that fails."""
import csv
import sys


def main(path):
    rows = list(csv.DictReader(open(path)))
    dense = [r for r in rows if r["group"] == "dense"]
    assert len(dense) == 1, "expected one dense row, got %d" % len(dense)
    by = {}
    for r in rows[1:]:
        by.setdefault(r["group"], []).append(r)

    def f(r, k):
        return float(r[k])

    def check(ok, what):
        print(("ok: " if ok else "FAILED: ") + what)
        if not ok:
            sys.exit(1)

    print("points:", {g: len(v) for g, v in sorted(by.items())})
    rho = sorted(by["rho"], key=lambda r: f(r, "x"))
    sp = [f(r, "block_sparsity") for r in rho]
    check(sp[0] == 0 and all(a < b for a, b in zip(sp, sp[1:])),
          "HDP block sparsity is 0 at rho = -1 and rises with rho")
    kl = [f(r, "kl") for r in rho]
    check(all(a < b for a, b in zip(kl, kl[1:])), "HDP KL rises with rho")
    topk = sorted(by["topk"], key=lambda r: f(r, "x"))
    tsp = [f(r, "block_sparsity") for r in topk]
    check(all(a > b for a, b in zip(tsp, tsp[1:])),
          "Top-K block sparsity falls as k grows")
    signed = sorted(by["signed"], key=lambda r: f(r, "x"))
    check(f(signed[0], "kl") < 1e-3,
          "signed ranking at rho = -1, 8.4 bits: KL < 1e-3 (pruning off)")
    s0 = [r for r in signed if f(r, "x") == 0.0][0]
    h0 = [r for r in rho if f(r, "x") == 0.0][0]
    check(f(s0, "block_sparsity") > 0.4 and f(s0, "kl") < f(h0, "kl") / 10,
          "signed ranking at rho = 0 prunes > 40% for a tenth of the KL "
          "of |S| ranking")
    bad = [(r["series"], r["x"], k) for r in rows
           for k in ("nll", "kl", "block_sparsity", "mass_lost")
           if not f(r, k) >= 0]  # NaN fails too
    check(not bad, "every NLL, KL, sparsity and mass lost is a number >= 0"
          + (": %s" % bad if bad else ""))
    print("all properties hold")


if __name__ == "__main__":
    main(sys.argv[1])
