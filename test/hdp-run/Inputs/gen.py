"""Writes one .npy test input.

  gen.py PATH SHAPE [--dtype DT] [--seed S] [--fortran] [--causal]
             [--fill V] [--grid] [--corrupt MODE]

SHAPE is comma-separated ("1,2,5,4"; "" is a scalar). Values are normal
random numbers from a seed derived from the file name unless --fill is
given; --grid rounds them to multiples of 1/16 in [-8, 8) (exact in the
default I=4, F=4 fixed point); --causal writes an additive causal mask (0 on and below the diagonal
of the last two dims, -inf above). --corrupt damages the written file:
  bad-magic        first byte replaced
  truncate-header  only the first 20 bytes kept
  truncate-data    the last 4 bytes dropped
  extra-data       4 bytes appended
  version          format version 9.0
"""

import argparse
import zlib

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("path")
    p.add_argument("shape")
    p.add_argument("--dtype", default="<f4")
    p.add_argument("--seed", type=int)
    p.add_argument("--fortran", action="store_true")
    p.add_argument("--causal", action="store_true")
    p.add_argument("--fill", type=float)
    p.add_argument("--grid", action="store_true")
    p.add_argument("--corrupt")
    a = p.parse_args()

    shape = tuple(int(d) for d in a.shape.split(",") if d)
    seed = a.seed if a.seed is not None else zlib.crc32(a.path.split("/")[-1].encode())
    rng = np.random.default_rng(seed)
    if a.causal:
        n, m = shape[-2], shape[-1]
        tri = np.where(np.arange(m)[None, :] <= np.arange(n)[:, None], 0.0, -np.inf)
        x = np.broadcast_to(tri, shape)
    elif a.fill is not None:
        x = np.full(shape, a.fill)
    else:
        x = rng.standard_normal(shape)
    if a.grid:
        x = np.clip(np.round(x * 16.0) / 16.0, -8.0, 7.9375)
    x = np.asarray(x).astype(np.dtype(a.dtype))
    if a.fortran:
        x = np.asfortranarray(x)
    np.save(a.path, x)

    if a.corrupt:
        data = bytearray(open(a.path, "rb").read())
        if a.corrupt == "bad-magic":
            data[0] = ord("X")
        elif a.corrupt == "truncate-header":
            data = data[:20]
        elif a.corrupt == "truncate-data":
            data = data[:-4]
        elif a.corrupt == "extra-data":
            data += b"\0\0\0\0"
        elif a.corrupt == "version":
            data[6] = 9
        else:
            raise SystemExit("unknown --corrupt mode " + a.corrupt)
        open(a.path, "wb").write(bytes(data))


if __name__ == "__main__":
    main()
