#!/usr/bin/env python3
"""Writes a damaged copy of a llama2.c checkpoint or tokenizer for the
hdp-eval error tests: corrupt.py KIND SRC DST."""
import struct
import sys

kind, src, dst = sys.argv[1:4]
data = bytearray(open(src, "rb").read())
if kind == "truncate":          # cut off the last 100 bytes
    data = data[:-100]
elif kind == "trailing":        # 8 bytes of garbage after the weights
    data += b"\0" * 8
elif kind == "kv-heads":        # n_kv_heads = 3 does not divide n_heads = 8
    struct.pack_into("<i", data, 16, 3)
elif kind == "nan":             # a NaN in wq of layer 0 (float 7 after the
    # 28-byte header, the 512x64 embedding and the 5x64 rms_att weights)
    struct.pack_into("<f", data, 28 + 4 * (512 * 64 + 5 * 64 + 7),
                     float("nan"))
elif kind == "header-only":
    data = data[:20]
else:
    sys.exit("unknown kind " + kind)
open(dst, "wb").write(data)
