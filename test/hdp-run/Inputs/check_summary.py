"""Checks hdp-run's printed results against the .npy files of the same run.

  check_summary.py PRINTED NAME=FILE.npy ...

PRINTED holds lines "NAME: DTYPE SHAPE = [v0, v1, ...] (N elements[, T true])";
each NAME's dtype, shape, first values (6 significant digits), element count
and true count must be those of FILE.npy. Prints "ok NAME" per result.
"""

import re
import sys

import numpy as np

LINE = re.compile(r"^(\S+): (\S+) (\(.*\)) = \[(.*)\] \((\d+) elements?(?:, (\d+) true)?\)$")


def main():
    printed = {}
    for line in open(sys.argv[1]):
        m = LINE.match(line.rstrip("\n"))
        if not m:
            sys.exit("unexpected line: " + line)
        printed[m.group(1)] = m.groups()[1:]
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        dtype, shape, values, count, trues = printed.pop(name)
        a = np.load(path)
        assert dtype == str(a.dtype), (name, dtype, a.dtype)
        assert shape == str(a.shape), (name, shape, a.shape)
        assert int(count) == a.size, (name, count, a.size)
        shown = [v for v in values.split(", ") if v and v != "..."]
        assert len(shown) == min(8, a.size), (name, shown)
        assert values.endswith("...") == (a.size > 8), (name, values)
        for s, x in zip(shown, a.ravel()):
            expect = "%.6g" % x if a.dtype.kind == "f" else str(int(x))
            assert s == expect, (name, s, expect)
        if a.dtype == bool:
            assert int(trues) == int(a.sum()), (name, trues, a.sum())
        print("ok", name)
    assert not printed, printed


main()
