"""Writes q/k/v in every half spelling hdp reads, and their f32 twins.

  halves.py DIR

For each of q, k, v (read from DIR/{q,k,v}.npy, float32) it writes
  DIR/f16/X.npy          '<f2' (np.float16)
  DIR/f16w/X.npy         the same values widened back to float32
  DIR/bf16-void/X.npy    bfloat16 bits as numpy's 2-byte void ('|V2')
  DIR/bf16-v2/X.npy      the same bits, header descr '<V2' (ml_dtypes' np.save)
  DIR/bf16-name/X.npy    the same bits, header descr 'bfloat16'
  DIR/bf16w/X.npy        the bfloat16 values widened back to float32
bfloat16 is the upper half of the f32 bits, rounded to nearest even.
"""

import os
import sys

import numpy as np


def bf16_bits(x):
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = u + 0x7FFF + ((u >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


def save_with_descr(path, bits, descr):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (
        descr, tuple(bits.shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little"))
        f.write(header.encode("latin1"))
        f.write(bits.astype("<u2").tobytes())


def main():
    d = sys.argv[1]
    for sub in ("f16", "f16w", "bf16-void", "bf16-v2", "bf16-name", "bf16w"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for name in ("q", "k", "v"):
        x = np.load(os.path.join(d, name + ".npy"))
        out = lambda sub: os.path.join(d, sub, name + ".npy")
        np.save(out("f16"), x.astype(np.float16))
        np.save(out("f16w"), x.astype(np.float16).astype(np.float32))
        bits = bf16_bits(x)
        np.save(out("bf16-void"), bits.view("V2"))
        save_with_descr(out("bf16-v2"), bits, "<V2")
        save_with_descr(out("bf16-name"), bits, "bfloat16")
        np.save(out("bf16w"), (bits.astype(np.uint32) << 16).view(np.float32))


main()
