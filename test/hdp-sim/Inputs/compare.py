"""Compares hdp-sim outputs with utils/hdp_numpy_ref.py (an independent numpy
implementation of docs/semantics.md).

  compare.py DIR OUT_DIR key=value...

DIR holds q.npy, k.npy, v.npy [, mask.npy]; OUT_DIR holds the simulator's
out.npy, block_mask.npy, head_mask.npy, theta_h.npy. The key=value pairs are
the attention configuration (rho=0.3 block=2x2 policy=hdp ...). Prints one
line per output and exits non-zero on any disagreement: masks and theta_H
must be identical, outputs within 1e-5.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "utils"))
import hdp_numpy_ref  # noqa: E402


def parse_config(pairs):
    config = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key == "block":
            config[key] = tuple(int(x) for x in value.split("x"))
        elif key in ("policy", "softmax"):
            config[key] = value
        elif key == "approx":
            config[key] = value == "true"
        elif key in ("int_bits", "frac_bits", "shift", "topk"):
            config[key] = int(value)
        else:
            config[key] = float(value)
    return config


def main():
    data, outs = sys.argv[1], sys.argv[2]
    config = parse_config(sys.argv[3:])
    load = lambda d, n: np.load(os.path.join(d, n))
    mask = load(data, "mask.npy") if os.path.exists(os.path.join(data, "mask.npy")) else None
    out, block_mask, head_mask, theta_h = hdp_numpy_ref.attention(
        load(data, "q.npy"), load(data, "k.npy"), load(data, "v.npy"), mask, **config)
    ok = True
    for name, expected in [("block_mask", block_mask), ("head_mask", head_mask),
                           ("theta_h", theta_h)]:
        got = load(outs, name + ".npy")
        same = got.shape == expected.shape and np.array_equal(got, expected)
        print(f"{name}: {'identical' if same else 'DIFFERENT'}")
        ok &= same
    got = load(outs, "out.npy")
    within = got.shape == out.shape
    if within and got.size:
        err = float(np.max(np.abs(got.astype(np.float64) - out.astype(np.float64))))
        within = err <= 1e-5
    print(f"out: {'within 1e-5' if within else 'DIFFERENT'}")
    ok &= within
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
