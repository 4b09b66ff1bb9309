"""Writes a damaged copy of a file.

  corrupt.py IN OUT truncate N       keep the first N bytes
  corrupt.py IN OUT set OFFSET BYTE  set one byte (decimal or 0x..)
  corrupt.py IN OUT append TEXT      add bytes at the end
  add --fix-checksum to recompute the .hdpc CRC-32 afterwards (so that the
  damage reaches the checks behind the checksum).
"""

import struct
import sys
import zlib


def main():
    args = sys.argv[1:]
    fix = "--fix-checksum" in args
    args = [a for a in args if a != "--fix-checksum"]
    src, dst, op = args[0], args[1], args[2]
    data = bytearray(open(src, "rb").read())
    if op == "truncate":
        data = data[: int(args[3])]
    elif op == "set":
        data[int(args[3], 0)] = int(args[4], 0)
    elif op == "append":
        data += args[3].encode()
    else:
        raise SystemExit(f"unknown operation {op}")
    if fix:
        crc = zlib.crc32(bytes(data[:16]))
        crc = zlib.crc32(bytes(data[20:]), crc)
        data[16:20] = struct.pack("<I", crc)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
