"""A PyTorch model's attention through hdp, compared with dense attention.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/llama_attention.py \
        [--rho=-0.5 ...] [--backend=cpu|reference|sim] [--tokens=128]

Loads stories260K (models/tinystories-260K: a Llama-2 decoder, 8 query heads
sharing 4 key/value heads) into a small PyTorch implementation whose
attention is one call, torch-style: `sdpa(q, k, v, is_causal=True,
enable_gqa=True)`. It runs a story with PyTorch's dense attention (written
out, as torch.nn.functional.scaled_dot_product_attention computes it) and
with hdp.torch.scaled_dot_product_attention for a few configurations, and
prints next-token loss, agreement with the dense model's predictions, and
the fraction of the causal mask's blocks that hdp pruned: with the paper's block ranking
(importance = abs, the sum of |scores|) and with the signed sum, which on
this RoPE decoder keeps the model where the paper's ranking prunes the
wrong blocks (docs/accuracy.md).
"""

import argparse
import math
import os
import struct
import sys

import numpy as np
import torch

import hdp
import hdp.torch

MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                         "models", "tinystories-260K")


def dense_sdpa(q, k, v, is_causal=False, enable_gqa=False):
    """What PyTorch's scaled_dot_product_attention computes."""
    if enable_gqa:
        group = q.shape[1] // k.shape[1]
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if is_causal:
        keep = torch.ones(s.shape[-2:], dtype=torch.bool).tril()
        s = s.masked_fill(~keep, -float("inf"))
    return torch.softmax(s, dim=-1) @ v


class Llama(torch.nn.Module):
    """llama2.c's "version 0" checkpoint format (models/.../SOURCE.txt)."""

    def __init__(self, path):
        super().__init__()
        with open(path, "rb") as f:
            header = struct.unpack("7i", f.read(28))
            weights = np.frombuffer(f.read(), dtype=np.float32)
        dim, hidden, layers, heads, kv_heads, vocab, seq_len = header
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        kv_dim = kv_heads * self.head_dim
        offset = 0

        def take(*shape):
            nonlocal offset
            n = int(np.prod(shape))
            t = torch.from_numpy(weights[offset:offset + n].copy()).reshape(shape)
            offset += n
            return t

        self.embedding = take(abs(vocab), dim)
        self.rms_att = take(layers, dim)
        self.wq, self.wk = take(layers, dim, dim), take(layers, kv_dim, dim)
        self.wv, self.wo = take(layers, kv_dim, dim), take(layers, dim, dim)
        self.rms_ffn = take(layers, dim)
        self.w1, self.w2 = take(layers, hidden, dim), take(layers, dim, hidden)
        self.w3 = take(layers, hidden, dim)
        self.rms_final = take(dim)
        self.layers = layers

    @staticmethod
    def rms_norm(x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * weight

    def rope(self, x):
        """Rotates adjacent pairs (llama2.c), theta 10000. x [B,H,T,D]."""
        t, d = x.shape[-2], x.shape[-1]
        freq = 1.0 / 10000.0 ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
        angle = torch.arange(t, dtype=torch.float32)[:, None] * freq[None, :]
        cos, sin = angle.cos(), angle.sin()
        x0, x1 = x[..., 0::2], x[..., 1::2]
        return torch.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos],
                           dim=-1).flatten(-2)

    def forward(self, tokens, sdpa):
        x = self.embedding[tokens][None]  # [1,T,dim]
        t = x.shape[1]
        for layer in range(self.layers):
            h = self.rms_norm(x, self.rms_att[layer])

            def project(w, n):
                return (h @ w.T).reshape(1, t, n, self.head_dim).transpose(1, 2)

            q = self.rope(project(self.wq[layer], self.heads))
            k = self.rope(project(self.wk[layer], self.kv_heads))
            v = project(self.wv[layer], self.kv_heads)
            a = sdpa(q, k, v, is_causal=True, enable_gqa=True)
            x = x + a.transpose(1, 2).reshape(1, t, -1) @ self.wo[layer].T
            h = self.rms_norm(x, self.rms_ffn[layer])
            gate = torch.nn.functional.silu(h @ self.w1[layer].T)
            x = x + (gate * (h @ self.w3[layer].T)) @ self.w2[layer].T
        return self.rms_norm(x, self.rms_final) @ self.embedding.T  # [1,T,V]


def load_vocabulary(path):
    with open(path, "rb") as f:
        (max_len,) = struct.unpack("i", f.read(4))
        pieces, scores = [], []
        while True:
            head = f.read(8)
            if len(head) < 8:
                break
            score, n = struct.unpack("fi", head)
            pieces.append(f.read(n))
            scores.append(score)
    return pieces, scores


def encode(text, pieces, scores):
    """llama2.c's encoder: a leading space, UTF-8 characters (bytes as
    <0xXX> tokens when not in the vocabulary), then the best-scoring merge of
    adjacent pieces, repeated."""
    index = {p: i for i, p in enumerate(pieces)}
    ids = []
    for ch in " " + text:
        b = ch.encode()
        ids.extend([index[b]] if b in index else [c + 3 for c in b])
    while True:
        best = None
        for i in range(len(ids) - 1):
            merged = index.get(pieces[ids[i]] + pieces[ids[i + 1]])
            if merged is not None and (best is None or
                                       scores[merged] > scores[best[1]]):
                best = (i, merged)
        if best is None:
            return ids
        ids[best[0]:best[0] + 2] = [best[1]]


def valid_blocks(keep, config):
    """Blocks of the score matrix with at least one attended element."""
    bm, bn = config.get("block") or (2, 2)
    n, m = keep.shape
    padded = torch.zeros(-(-n // bm) * bm, -(-m // bn) * bn, dtype=torch.bool)
    padded[:n, :m] = keep
    blocks = padded.reshape(padded.shape[0] // bm, bm, -1, bn)
    return int(blocks.any(3).any(1).sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rho", type=float, action="append",
                        help="block threshold ratio (repeatable; default "
                        "-0.5 and 0.0)")
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--tokens", type=int, default=128,
                        help="story tokens to run (default 128)")
    args = parser.parse_args()
    # shift = -1: the model's Q and K need a 2x wider fixed-point range.
    configs = [hdp.Config(policy="dense", int_bits=6, frac_bits=6, shift=-1)]
    for importance in ("abs", "signed"):
        configs += [hdp.Config(rho=rho, shift=-1, importance=importance)
                    for rho in args.rho or (-0.5, 0.0)]

    model = Llama(os.path.join(MODEL_DIR, "stories260K.bin"))
    pieces, scores = load_vocabulary(os.path.join(MODEL_DIR, "tok512.bin"))
    with open(os.path.join(MODEL_DIR, "tinystories_valid_excerpt_30KB.txt"),
              encoding="utf-8") as f:
        story = f.readline().strip()
    tokens = torch.tensor([1] + encode(story, pieces, scores)[:args.tokens])

    def loss(logits):
        return torch.nn.functional.cross_entropy(logits[0, :-1], tokens[1:]).item()

    def run(config, backend):
        """The model with its attention through hdp: logits and the
        fraction of causal blocks pruned."""
        kept, valid = [], []

        def sdpa(q, k, v, **kwargs):
            # The model's call, through hdp; the block masks are read from
            # the same compiled attention for the report.
            out = hdp.torch.scaled_dot_product_attention(
                q, k, v, config=config, backend=backend, **kwargs)
            causal = torch.ones(q.shape[2], k.shape[2], dtype=torch.bool).tril()
            group = q.shape[1] // k.shape[1]
            masks = hdp.attention(q, k.repeat_interleave(group, 1),
                                  v.repeat_interleave(group, 1), causal,
                                  config=config, backend=backend,
                                  return_masks=True)
            assert torch.equal(masks.out, out)
            kept.append(int(masks.block_mask.sum()))
            valid.append(valid_blocks(causal, config) * q.shape[1])
            return out

        logits = model(tokens, sdpa)
        return logits, 1 - sum(kept) / sum(valid)

    with torch.no_grad():
        dense_logits = model(tokens, dense_sdpa)
        dense_top1 = dense_logits.argmax(-1)
        print("%-60s loss %.3f nats" % ("dense attention (PyTorch)",
                                        loss(dense_logits)))
        for config in configs:
            logits, pruned = run(config, args.backend)
            agree = (logits.argmax(-1) == dense_top1).float().mean().item()
            print("%-60s loss %.3f nats, top-1 as dense %5.1f%%, causal "
                  "blocks pruned %5.1f%%" % (config.text(), loss(logits),
                                              100 * agree, 100 * pruned))
    print("compiled attentions: %s" % (hdp.cache_info(),))


if __name__ == "__main__":
    sys.exit(main())
