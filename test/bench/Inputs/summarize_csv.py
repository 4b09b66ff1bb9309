"""Prints bench/cpu's CSV in a time-independent form for FileCheck.

One line per row: section impl rho= thr= BxHxNxMxD, then "ok time" when the
row ran and has positive median/min times, RSS and ratio (else its status),
the block sparsity to one decimal, and the first words of the check column.
"""

import csv
import sys


def main(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        print("columns " + ",".join(reader.fieldnames))
        for r in reader:
            shape = "x".join(r[k] for k in ("B", "H", "N", "M", "D"))
            head = "%s %s rho=%s thr=%s %s" % (r["section"], r["impl"], r["rho"], r["threads"],
                                              shape)
            if r["status"] != "ok":
                print(head + " " + r["status"])
                continue
            timed = all(r[k] and float(r[k]) > 0 for k in
                        ("median_ms", "min_ms", "ratio_to_dense_mlir", "speedup_vs_dense_mlir"))
            rss = "rss" if r["peak_rss_mb"] and float(r["peak_rss_mb"]) > 0 else "no-rss"
            sparsity = "%.1f" % float(r["block_sparsity"]) if r["block_sparsity"] else "-"
            check = " ".join(r["check"].split()[:3]).rstrip(",")
            print("%s ok %s sparsity=%s %s check=%s"
                  % (head, "time" if timed else "NO-TIME", sparsity, rss, check))
    print("end")


if __name__ == "__main__":
    main(sys.argv[1])
