//===- BertEncoder.cpp - BERT forward pass, pluggable attention -----------===//
//
// See BertEncoder.h. Built with -ffp-contract=off like the decoder, so that
// the dense numbers the tests pin do not depend on the build machine.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertEncoder.h"

#include "hdp/Model/Matmul.h"

#include "llvm/ADT/Twine.h"

#include <cmath>

using namespace llvm;

namespace hdp::model {

namespace {

/// transformers' BERT padding value: at the removal threshold of hdp.
constexpr float kMaskedOut = -10000.0f;

/// LayerNorm of one row in place: w·(x − mean)/sqrt(var + eps) + b.
void layerNorm(float *x, const float *w, const float *b, int64_t n, float eps) {
  float mean = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    mean += x[i];
  mean /= static_cast<float>(n);
  float var = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    var += (x[i] - mean) * (x[i] - mean);
  var /= static_cast<float>(n);
  const float inv = 1.0f / std::sqrt(var + eps);
  for (int64_t i = 0; i < n; ++i)
    x[i] = (x[i] - mean) * inv * w[i] + b[i];
}

/// The exact GELU, x·(1 + erf(x/√2))/2.
float gelu(float x) {
  return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(M_SQRT1_2)));
}

/// out = x·Wᵀ + b over `rows` rows (wT is [in][out]).
void linear(const std::vector<float> &x, int64_t rows,
            const std::vector<float> &wT, const std::vector<float> &bias,
            int64_t in, int64_t out, std::vector<float> &result) {
  result.resize(rows * out);
  matmul(x.data(), rows, wT.data(), in, out, result.data());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o)
      result[r * out + o] += bias[o];
}

} // namespace

ref::Tensor<float> paddingMask(ArrayRef<int64_t> lengths, int64_t length) {
  const int64_t B = lengths.size();
  ref::Tensor<float> mask({B, 1, length, length}, 0.0f);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < length; ++i)
      for (int64_t j = 0; j < length; ++j)
        if (i >= lengths[b] || j >= lengths[b])
          mask.at(b, 0, i, j) = kMaskedOut;
  return mask;
}

BertEncoder::BertEncoder(BertCheckpoint checkpoint)
    : ckpt(std::move(checkpoint)) {
  // Every matrix is kept transposed, [in][out], the layout matmul wants.
  const BertConfig &c = ckpt.config;
  const int64_t h = c.hiddenSize, inter = c.intermediateSize;
  for (BertLayerWeights &lw : ckpt.layers) {
    lw.query = transpose(lw.query, h, h);
    lw.key = transpose(lw.key, h, h);
    lw.value = transpose(lw.value, h, h);
    lw.attentionOutput = transpose(lw.attentionOutput, h, h);
    lw.intermediate = transpose(lw.intermediate, inter, h);
    lw.output = transpose(lw.output, h, inter);
  }
  ckpt.headDense = transpose(ckpt.headDense, h, h);
  ckpt.decoder = transpose(ckpt.decoder, c.vocabSize, h);
}

Error BertEncoder::checkSequences(ArrayRef<std::vector<int>> sequences) const {
  const BertConfig &c = ckpt.config;
  if (sequences.empty())
    return createStringError(inconvertibleErrorCode(),
                             "cannot run the encoder on an empty batch");
  for (size_t s = 0; s < sequences.size(); ++s) {
    const std::vector<int> &seq = sequences[s];
    if (seq.empty() || static_cast<int64_t>(seq.size()) > c.maxPositions)
      return createStringError(
          inconvertibleErrorCode(),
          ("sequence " + Twine(s) + " has " + Twine(seq.size()) +
           " tokens; expected 1 to max_position_embeddings (" +
           Twine(c.maxPositions) + ")")
              .str());
    for (size_t i = 0; i < seq.size(); ++i)
      if (seq[i] < 0 || seq[i] >= c.vocabSize)
        return createStringError(inconvertibleErrorCode(),
                                 ("token " + Twine(i) + " of sequence " +
                                  Twine(s) + " has id " + Twine(seq[i]) +
                                  "; expected 0 to " + Twine(c.vocabSize - 1))
                                     .str());
  }
  return Error::success();
}

Expected<std::vector<float>>
BertEncoder::encode(ArrayRef<std::vector<int>> sequences,
                    AttentionBackend &attention,
                    const EncoderOptions &options) const {
  if (Error e = checkSequences(sequences))
    return std::move(e);
  const BertConfig &c = ckpt.config;
  const int64_t h = c.hiddenSize, inter = c.intermediateSize;
  const int64_t H = c.numHeads, hs = c.headSize();
  const float eps = static_cast<float>(c.layerNormEps);
  const int64_t B = sequences.size();
  if (options.stats)
    options.stats->resize(c.numLayers);

  // Rows of the real tokens, sequence after sequence.
  std::vector<int64_t> lengths, first;
  int64_t rows = 0, T = 0;
  for (const std::vector<int> &seq : sequences) {
    first.push_back(rows);
    lengths.push_back(seq.size());
    rows += seq.size();
    T = std::max<int64_t>(T, seq.size());
  }
  const ref::Tensor<float> mask = paddingMask(lengths, T);

  std::vector<float> x(rows * h);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < lengths[b]; ++t) {
      float *row = &x[(first[b] + t) * h];
      const float *word = &ckpt.wordEmbeddings[sequences[b][t] * h];
      const float *type = &ckpt.tokenTypeEmbeddings[0];
      const float *pos = &ckpt.positionEmbeddings[t * h];
      for (int64_t i = 0; i < h; ++i)
        row[i] = (word[i] + type[i]) + pos[i];
      layerNorm(row, ckpt.embeddingNormWeight.data(),
                ckpt.embeddingNormBias.data(), h, eps);
    }

  std::vector<float> q, k, v, context(rows * h), projected, hidden;
  for (int64_t l = 0; l < c.numLayers; ++l) {
    const BertLayerWeights &lw = ckpt.layers[l];
    linear(x, rows, lw.query, lw.queryBias, h, h, q);
    linear(x, rows, lw.key, lw.keyBias, h, h, k);
    linear(x, rows, lw.value, lw.valueBias, h, h, v);

    // Token rows to [B,H,T,hs] tensors; padded positions stay 0 (the mask
    // removes them).
    ref::Tensor<float> qt({B, H, T, hs}), kt({B, H, T, hs}), vt({B, H, T, hs});
    for (int64_t b = 0; b < B; ++b)
      for (int64_t head = 0; head < H; ++head)
        for (int64_t t = 0; t < lengths[b]; ++t) {
          const int64_t src = (first[b] + t) * h + head * hs;
          std::copy_n(&q[src], hs, &qt.at(b, head, t, 0));
          std::copy_n(&k[src], hs, &kt.at(b, head, t, 0));
          std::copy_n(&v[src], hs, &vt.at(b, head, t, 0));
        }
    if (options.observeQK)
      options.observeQK(l, qt, kt, mask);
    Expected<ref::Tensor<float>> out = attention.attendMasked(
        l, qt, kt, vt, mask, options.stats ? &(*options.stats)[l] : nullptr);
    if (!out)
      return out.takeError();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t head = 0; head < H; ++head)
        for (int64_t t = 0; t < lengths[b]; ++t)
          std::copy_n(&out->at(b, head, t, 0), hs,
                      &context[(first[b] + t) * h + head * hs]);

    linear(context, rows, lw.attentionOutput, lw.attentionOutputBias, h, h,
           projected);
    for (int64_t r = 0; r < rows; ++r) {
      float *row = &x[r * h];
      for (int64_t i = 0; i < h; ++i)
        row[i] = projected[r * h + i] + row[i];
      layerNorm(row, lw.attentionNormWeight.data(), lw.attentionNormBias.data(),
                h, eps);
    }

    linear(x, rows, lw.intermediate, lw.intermediateBias, h, inter, hidden);
    for (float &value : hidden)
      value = gelu(value);
    linear(hidden, rows, lw.output, lw.outputBias, inter, h, projected);
    for (int64_t r = 0; r < rows; ++r) {
      float *row = &x[r * h];
      for (int64_t i = 0; i < h; ++i)
        row[i] = projected[r * h + i] + row[i];
      layerNorm(row, lw.outputNormWeight.data(), lw.outputNormBias.data(), h,
                eps);
    }
  }
  return x;
}

std::vector<float> BertEncoder::mlmLogits(const float *hidden,
                                          int64_t rows) const {
  const BertConfig &c = ckpt.config;
  const int64_t h = c.hiddenSize, V = c.vocabSize;
  const float eps = static_cast<float>(c.layerNormEps);
  std::vector<float> x(hidden, hidden + rows * h), transformed, logits;
  linear(x, rows, ckpt.headDense, ckpt.headDenseBias, h, h, transformed);
  for (int64_t r = 0; r < rows; ++r) {
    float *row = &transformed[r * h];
    for (int64_t i = 0; i < h; ++i)
      row[i] = gelu(row[i]);
    layerNorm(row, ckpt.headNormWeight.data(), ckpt.headNormBias.data(), h,
              eps);
  }
  linear(transformed, rows, ckpt.decoder, ckpt.decoderBias, h, V, logits);
  return logits;
}

} // namespace hdp::model
