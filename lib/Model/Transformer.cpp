//===- Transformer.cpp - Llama-2 forward pass with pluggable attention ----===//
//
// See Transformer.h. Built with -ffp-contract=off, like the reference: the
// dense numbers (and the greedy text the tests pin) must not depend on
// whether the compiler fuses multiply-adds on the build machine.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Transformer.h"

#include "hdp/Model/Matmul.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace hdp::model {

namespace {

/// RMSNorm of one row: o = w · (x / sqrt(mean(x²) + 1e-5)).
void rmsnorm(float *o, const float *x, const float *w, int64_t size) {
  float ss = 0.0f;
  for (int64_t j = 0; j < size; ++j)
    ss += x[j] * x[j];
  ss /= static_cast<float>(size);
  ss += 1e-5f;
  ss = 1.0f / std::sqrt(ss);
  for (int64_t j = 0; j < size; ++j)
    o[j] = w[j] * (ss * x[j]);
}

/// RoPE at position `pos` on a row of `width` values made of heads of
/// `headSize`: each pair (2i, 2i+1) of a head rotates by pos·10000^(-2i/hs).
void rope(float *row, int64_t width, int64_t headSize, int64_t pos) {
  for (int64_t i = 0; i < width; i += 2) {
    int64_t headDim = i % headSize;
    float freq = 1.0f / std::pow(10000.0f, static_cast<float>(headDim) /
                                               static_cast<float>(headSize));
    float angle = static_cast<float>(pos) * freq;
    float c = std::cos(angle), s = std::sin(angle);
    float v0 = row[i], v1 = row[i + 1];
    row[i] = v0 * c - v1 * s;
    row[i + 1] = v0 * s + v1 * c;
  }
}

/// The feed-forward half of a layer on `rows` rows of x, in place:
/// x += w2 · (silu(w1 · rmsnorm(x)) ⊙ (w3 · rmsnorm(x))).
void feedForward(const ModelConfig &c, const LayerWeights &lw, float *x,
                 int64_t rows) {
  const int64_t d = c.dim, hd = c.hiddenDim;
  std::vector<float> xb(rows * d), hb(rows * hd), hb2(rows * hd);
  for (int64_t t = 0; t < rows; ++t)
    rmsnorm(&xb[t * d], x + t * d, lw.rmsFfn.data(), d);
  matmul(xb.data(), rows, lw.w1.data(), d, hd, hb.data());
  matmul(xb.data(), rows, lw.w3.data(), d, hd, hb2.data());
  for (int64_t i = 0; i < rows * hd; ++i) {
    float val = hb[i];
    val = val * (1.0f / (1.0f + std::exp(-val)));
    hb[i] = val * hb2[i];
  }
  matmul(hb.data(), rows, lw.w2.data(), hd, d, xb.data());
  for (int64_t i = 0; i < rows * d; ++i)
    x[i] += xb[i];
}

} // namespace

int argmax(const float *logits, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (logits[i] > logits[best])
      best = i;
  return static_cast<int>(best);
}

Transformer::Transformer(Checkpoint checkpoint) : ckpt(std::move(checkpoint)) {
  // Every matrix is kept transposed, [in][out], the layout matmul wants.
  const ModelConfig &c = ckpt.config;
  const int64_t d = c.dim, kv = c.kvDim(), hd = c.hiddenDim;
  for (LayerWeights &lw : ckpt.layers) {
    lw.wq = transpose(lw.wq, d, d);
    lw.wk = transpose(lw.wk, kv, d);
    lw.wv = transpose(lw.wv, kv, d);
    lw.wo = transpose(lw.wo, d, d);
    lw.w1 = transpose(lw.w1, hd, d);
    lw.w2 = transpose(lw.w2, d, hd);
    lw.w3 = transpose(lw.w3, hd, d);
  }
  ckpt.classifier = transpose(ckpt.classifier, c.vocabSize, d);
}

Error Transformer::checkTokens(ArrayRef<int> tokens) const {
  const ModelConfig &c = ckpt.config;
  if (tokens.empty())
    return createStringError(inconvertibleErrorCode(),
                             "cannot run the model on an empty sequence");
  if (static_cast<int64_t>(tokens.size()) > c.seqLen)
    return createStringError(
        inconvertibleErrorCode(),
        ("a sequence of " + Twine(tokens.size()) +
         " tokens is longer than the model's context (seq_len " +
         Twine(c.seqLen) + ")")
            .str());
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocabSize)
      return createStringError(inconvertibleErrorCode(),
                               ("token " + Twine(i) + " has id " +
                                Twine(tokens[i]) + "; expected 0 to " +
                                Twine(c.vocabSize - 1))
                                   .str());
  return Error::success();
}

Expected<std::vector<float>>
Transformer::forward(ArrayRef<int> tokens, AttentionBackend &attention,
                     const ForwardOptions &options) const {
  if (Error e = checkTokens(tokens))
    return std::move(e);
  const ModelConfig &c = ckpt.config;
  const int64_t T = tokens.size(), d = c.dim, kvDim = c.kvDim();
  const int64_t H = c.numHeads, hs = c.headSize(), group = c.kvGroup();
  if (options.stats)
    options.stats->resize(c.numLayers);

  std::vector<float> x(T * d);
  for (int64_t t = 0; t < T; ++t)
    std::copy_n(&ckpt.tokenEmbedding[tokens[t] * d], d, &x[t * d]);

  std::vector<float> xb(T * d), xb2(T * d), q(T * d), k(T * kvDim),
      v(T * kvDim);
  for (int64_t l = 0; l < c.numLayers; ++l) {
    const LayerWeights &lw = ckpt.layers[l];
    for (int64_t t = 0; t < T; ++t)
      rmsnorm(&xb[t * d], &x[t * d], lw.rmsAtt.data(), d);
    matmul(xb.data(), T, lw.wq.data(), d, d, q.data());
    matmul(xb.data(), T, lw.wk.data(), d, kvDim, k.data());
    matmul(xb.data(), T, lw.wv.data(), d, kvDim, v.data());
    for (int64_t t = 0; t < T; ++t) {
      rope(&q[t * d], d, hs, t);
      rope(&k[t * kvDim], kvDim, hs, t);
    }

    // [T][heads·hs] rows to [1,H,T,hs] tensors; query head h reads
    // key/value head h / group (GQA).
    ref::Tensor<float> qt({1, H, T, hs}), kt({1, H, T, hs}), vt({1, H, T, hs});
    for (int64_t h = 0; h < H; ++h) {
      int64_t kvHead = h / group;
      for (int64_t t = 0; t < T; ++t) {
        std::copy_n(&q[t * d + h * hs], hs, &qt.at(0, h, t, 0));
        std::copy_n(&k[t * kvDim + kvHead * hs], hs, &kt.at(0, h, t, 0));
        std::copy_n(&v[t * kvDim + kvHead * hs], hs, &vt.at(0, h, t, 0));
      }
    }
    if (options.observeQK)
      options.observeQK(l, qt, kt);
    Expected<ref::Tensor<float>> out = attention.attend(
        l, qt, kt, vt, options.stats ? &(*options.stats)[l] : nullptr);
    if (!out)
      return out.takeError();
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t)
        std::copy_n(&out->at(0, h, t, 0), hs, &xb[t * d + h * hs]);

    matmul(xb.data(), T, lw.wo.data(), d, d, xb2.data());
    for (int64_t i = 0; i < T * d; ++i)
      x[i] += xb2[i];
    feedForward(c, lw, x.data(), T);
  }

  const int64_t first = options.lastOnly ? T - 1 : 0, rows = T - first;
  for (int64_t t = first; t < T; ++t)
    rmsnorm(&x[t * d], &x[t * d], ckpt.rmsFinal.data(), d);
  std::vector<float> logits(rows * c.vocabSize);
  matmul(&x[first * d], rows, ckpt.classifier.data(), d, c.vocabSize,
         logits.data());
  return logits;
}

std::vector<int> Transformer::generateCached(ArrayRef<int> prompt,
                                             int64_t steps) const {
  const ModelConfig &c = ckpt.config;
  const int64_t d = c.dim, kvDim = c.kvDim(), hs = c.headSize();
  const int64_t group = c.kvGroup();
  std::vector<std::vector<float>> keyCache(c.numLayers),
      valueCache(c.numLayers);
  std::vector<float> x(d), xb(d), xb2(d), q(d), logits(c.vocabSize);
  std::vector<int> sequence(prompt.begin(), prompt.end()), generated;

  // Position pos consumes sequence[pos]; once past the prompt, its argmax
  // becomes the next token.
  for (int64_t pos = 0; pos < c.seqLen; ++pos) {
    if (pos >= static_cast<int64_t>(sequence.size()))
      break;
    std::copy_n(&ckpt.tokenEmbedding[sequence[pos] * d], d, x.data());
    for (int64_t l = 0; l < c.numLayers; ++l) {
      const LayerWeights &lw = ckpt.layers[l];
      std::vector<float> &kc = keyCache[l], &vc = valueCache[l];
      kc.resize((pos + 1) * kvDim);
      vc.resize((pos + 1) * kvDim);
      rmsnorm(xb.data(), x.data(), lw.rmsAtt.data(), d);
      matmul(xb.data(), 1, lw.wq.data(), d, d, q.data());
      matmul(xb.data(), 1, lw.wk.data(), d, kvDim, &kc[pos * kvDim]);
      matmul(xb.data(), 1, lw.wv.data(), d, kvDim, &vc[pos * kvDim]);
      rope(q.data(), d, hs, pos);
      rope(&kc[pos * kvDim], kvDim, hs, pos);
      for (int64_t h = 0; h < c.numHeads; ++h) {
        int64_t kvHead = h / group;
        DenseBackend::attendRow(&q[h * hs], &kc[kvHead * hs], &vc[kvHead * hs],
                                pos + 1, kvDim, hs, &xb[h * hs]);
      }
      matmul(xb.data(), 1, lw.wo.data(), d, d, xb2.data());
      for (int64_t i = 0; i < d; ++i)
        x[i] += xb2[i];
      feedForward(c, lw, x.data(), 1);
    }
    if (pos + 1 < static_cast<int64_t>(sequence.size()))
      continue; // still reading the prompt
    if (static_cast<int64_t>(generated.size()) >= steps)
      break;
    rmsnorm(x.data(), x.data(), ckpt.rmsFinal.data(), d);
    matmul(x.data(), 1, ckpt.classifier.data(), d, c.vocabSize, logits.data());
    int next = argmax(logits.data(), c.vocabSize);
    if (next == 1) // BOS delimits sequences: the model is done
      break;
    generated.push_back(next);
    sequence.push_back(next);
  }
  return generated;
}

Expected<std::vector<int>>
Transformer::generateGreedy(ArrayRef<int> prompt, int64_t steps,
                            AttentionBackend &attention) const {
  if (Error e = checkTokens(prompt))
    return std::move(e);
  // Dense attention is exactly causal, so a key/value cache gives the same
  // logits as recomputing the prefix, bit for bit (same row arithmetic).
  if (dynamic_cast<DenseBackend *>(&attention))
    return generateCached(prompt, steps);
  std::vector<int> sequence(prompt.begin(), prompt.end()), generated;
  ForwardOptions options;
  options.lastOnly = true;
  while (static_cast<int64_t>(generated.size()) < steps &&
         static_cast<int64_t>(sequence.size()) <= ckpt.config.seqLen) {
    Expected<std::vector<float>> logits = forward(sequence, attention, options);
    if (!logits)
      return logits.takeError();
    int next = argmax(logits->data(), ckpt.config.vocabSize);
    if (next == 1)
      break;
    generated.push_back(next);
    sequence.push_back(next);
  }
  return generated;
}

} // namespace hdp::model
