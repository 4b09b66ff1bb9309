#!/usr/bin/env python3
"""Writes a damaged copy of a Hugging Face BERT directory for the hdp-eval
error tests: bert_corrupt.py KIND SRC_DIR DST_DIR [ARG...]. DST_DIR gets all
three files, one of them damaged (KIND copy: none)."""
import json
import os
import shutil
import struct
import sys

kind, src, dst = sys.argv[1:4]
args = sys.argv[4:]
# The file each kind damages is written anew; the others are links to the
# originals (cheap, and never written through).
damaged = ("config.json" if kind.startswith("config") else
           "vocab.txt" if kind.startswith("vocab") else
           None if kind == "copy" else "model.safetensors")
os.makedirs(dst, exist_ok=True)
for name in ("config.json", "model.safetensors", "vocab.txt"):
    if name == damaged:
        shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
    else:
        os.symlink(os.path.abspath(os.path.join(src, name)),
                   os.path.join(dst, name))
weights = os.path.join(dst, "model.safetensors")
blob = open(os.path.join(src, "model.safetensors"), "rb").read()
(header_len,) = struct.unpack_from("<Q", blob, 0)
header = json.loads(blob[8:8 + header_len])
data = blob[8 + header_len:]


def write_weights(header, data, header_len=None):
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    length = len(text) if header_len is None else header_len
    open(weights, "wb").write(struct.pack("<Q", length) + text + data)


def edit_config(update):
    path = os.path.join(dst, "config.json")
    config = json.load(open(path))
    update(config)
    json.dump(config, open(path, "w"), indent=2)


if kind == "missing-tensor":    # drop ARG0, keeping the data contiguous
    kept, out = {}, b""
    for name, t in sorted(header.items(),
                          key=lambda kv: kv[1].get("data_offsets", [0])[0]
                          if kv[0] != "__metadata__" else -1):
        if name == "__metadata__" or name == args[0]:
            if name == "__metadata__":
                kept[name] = t
            continue
        begin, end = t["data_offsets"]
        t["data_offsets"] = [len(out), len(out) + end - begin]
        out += data[begin:end]
        kept[name] = t
    write_weights(kept, out)
elif kind == "wrong-shape":     # ARG0's dimensions reversed (same bytes)
    header[args[0]]["shape"] = header[args[0]]["shape"][::-1]
    write_weights(header, data)
elif kind == "dtype":           # ARG0's dtype set to ARG1
    header[args[0]]["dtype"] = args[1]
    write_weights(header, data)
elif kind == "truncate":        # the last ARG0 bytes cut off
    open(weights, "wb").write(blob[:-int(args[0])])
elif kind == "shift-offsets":   # ARG0's data_offsets moved by ARG1 bytes
    t = header[args[0]]
    t["data_offsets"] = [o + int(args[1]) for o in t["data_offsets"]]
    write_weights(header, data)
elif kind == "header-length":   # the 8-byte header length set to ARG0
    open(weights, "wb").write(struct.pack("<Q", int(args[0])) + blob[8:])
elif kind == "config-set":      # config key ARG0 set to the JSON value ARG1
    edit_config(lambda c: c.__setitem__(args[0], json.loads(args[1])))
elif kind == "config-drop":     # config key ARG0 removed
    edit_config(lambda c: c.pop(args[0]))
elif kind == "config-text":     # config.json replaced by ARG0
    open(os.path.join(dst, "config.json"), "w").write(args[0])
elif kind == "vocab-drop-last":  # one piece fewer than vocab_size
    lines = open(os.path.join(dst, "vocab.txt")).read().splitlines()
    open(os.path.join(dst, "vocab.txt"), "w").write("\n".join(lines[:-1]) + "\n")
elif kind == "vocab-duplicate":  # line ARG0 (1-based) repeats line ARG1
    path = os.path.join(dst, "vocab.txt")
    lines = open(path).read().splitlines()
    lines[int(args[0]) - 1] = lines[int(args[1]) - 1]
    open(path, "w").write("\n".join(lines) + "\n")
elif kind == "copy":
    pass
else:
    sys.exit("unknown kind " + kind)
