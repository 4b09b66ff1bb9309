#!/usr/bin/python3
"""Writes the seed corpora of the BERT readers' fuzzers from the bundled model.

    fuzz/corpus/make_model_seeds.py

From models/tinystories-bert-mlm (config.json, model.safetensors, vocab.txt)
and, when BERT_VOCAB names it, Google's uncased vocab.txt: corpus/safetensors/, corpus/bert-config/ and
corpus/bert-vocab/ (whose inputs start with the byte n and n bytes of text,
see BertVocabFuzzer.cpp). Rerun it only to change the seeds; run.sh copies
them, it never writes here.
"""

import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "tinystories-bert-mlm")


def write(sub, name, data):
    with open(os.path.join(HERE, sub, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(header, data):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def main():
    real = open(os.path.join(MODEL, "model.safetensors"), "rb").read()
    (n,) = struct.unpack("<Q", real[:8])
    header = json.loads(real[8:8 + n])
    body = real[8 + n:]
    # The real header with only its first data bytes: "truncated file".
    write("safetensors", "real-header-truncated.safetensors", real[:8 + n + 64])
    # The real first tensors (by offset) with their real bytes.
    first = sorted((v["data_offsets"][0], k) for k, v in header.items()
                   if k != "__metadata__")[:2]
    small = {"__metadata__": {"format": "pt"}}
    end = 0
    for _, k in first:
        small[k] = header[k]
        end = max(end, header[k]["data_offsets"][1])
    write("safetensors", "real-two-tensors-f16.safetensors",
          safetensors(small, body[:end]))
    f32 = struct.pack("<6f", 0.5, -1.25, 3.0, 0.0, 1e-3, -7.5)
    write("safetensors", "tiny-f32.safetensors", safetensors(
        {"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
         "b.bias": {"dtype": "F32", "shape": [], "data_offsets": [24, 28]},
         "empty": {"dtype": "F32", "shape": [0, 4], "data_offsets": [28, 28]}},
        f32 + struct.pack("<f", 2.0)))
    write("safetensors", "tiny-bf16-i64.safetensors", safetensors(
        {"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]},
         "ids": {"dtype": "I64", "shape": [1], "data_offsets": [4, 12]}},
        struct.pack("<HHq", 0x3F80, 0xC049, 7)))
    deep = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":' + \
        b"[" * 5000 + b"]" * 5000 + b"}}"
    write("safetensors", "deep-offsets.safetensors",
          struct.pack("<Q", len(deep)) + deep + b"\0" * 4)
    dup = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' \
        b'"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'
    write("safetensors", "duplicate-key.safetensors",
          struct.pack("<Q", len(dup)) + dup + b"\0" * 8)

    config = open(os.path.join(MODEL, "config.json")).read()
    write("bert-config", "tinystories-bert-mlm.json", config)
    c = json.loads(config)
    c.update(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
             intermediate_size=3072, max_position_embeddings=512,
             vocab_size=30522, layer_norm_eps=1e-12)
    write("bert-config", "bert-base-uncased.json", json.dumps(c, indent=2))
    write("bert-config", "deep.json",
          config.replace('"gelu"', "[" * 3000 + "]" * 3000))
    write("bert-config", "duplicate-key.json",
          config.replace('"vocab_size": 4096,',
                         '"vocab_size": 4096, "vocab_size": 8,'))

    # The first 1000 pieces: whole vocabularies make every execution slow.
    vocab = b"\n".join(open(os.path.join(MODEL, "vocab.txt"), "rb")
                       .read().split(b"\n")[:1000]) + b"\n"
    text = "Once upon a time, Lily's cat ran! unaffable 123".encode()
    write("bert-vocab", "tinystories.bin", bytes([len(text)]) + text + vocab)
    uncased = os.environ.get("BERT_VOCAB")
    if uncased:
        lines = open(uncased, "rb").read().split(b"\n")[:1000]
        text = "naïve café 東京 — hello, WORLD! \xff".encode("utf-8", "surrogateescape")
        write("bert-vocab", "uncased-head.bin",
              bytes([len(text)]) + text + b"\n".join(lines) + b"\n")
    specials = b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n##a\na\nb\n##b\r\n"
    write("bert-vocab", "specials.bin", b"\x05ab ba" + specials)


main()
