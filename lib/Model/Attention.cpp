//===- Attention.cpp - Dense and reference attention backends -------------===//
//
// See Attention.h.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Attention.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

using namespace llvm;

namespace hdp::model {

//===----------------------------------------------------------------------===//
// LayerStats
//===----------------------------------------------------------------------===//

void LayerStats::add(const LayerStats &o) {
  validBlocks += o.validBlocks;
  keptBlocks += o.keptBlocks;
  heads += o.heads;
  prunedHeads += o.prunedHeads;
  causalElements += o.causalElements;
  keptElements += o.keptElements;
  quantized += o.quantized;
  clamped += o.clamped;
  rows += o.rows;
  massLost += o.massLost;
}

static double ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

double LayerStats::blockSparsity() const {
  return ratio(validBlocks - keptBlocks, validBlocks);
}
double LayerStats::headSparsity() const { return ratio(prunedHeads, heads); }
double LayerStats::elementSparsity() const {
  return ratio(causalElements - keptElements, causalElements);
}
double LayerStats::clampRate() const { return ratio(clamped, quantized); }
double LayerStats::meanMassLost() const {
  return rows == 0 ? 0.0 : massLost / static_cast<double>(rows);
}

AttentionBackend::~AttentionBackend() = default;

const ref::AttentionConfig &
configForLayer(const std::vector<ref::AttentionConfig> &configs,
               unsigned layer) {
  return configs.size() == 1 ? configs.front() : configs.at(layer);
}

ref::Tensor<float> causalMask(int64_t length) {
  ref::Tensor<float> mask({length, length}, 0.0f);
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = i + 1; j < length; ++j)
      mask.at(i, j) = -std::numeric_limits<float>::infinity();
  return mask;
}

void countClamped(const ref::Tensor<float> &x,
                  const ref::AttentionConfig &config, LayerStats &stats) {
  // Step 1 of the semantics: clamp after rounding x * 2^(F+shift).
  const float scale =
      std::ldexp(1.0f, static_cast<int>(config.fracBits + config.shift));
  const float hi =
      std::ldexp(1.0f, static_cast<int>(config.intBits + config.fracBits - 1));
  for (float v : x.data) {
    float y = std::nearbyint(v * scale);
    stats.quantized += 1;
    stats.clamped += (y > hi - 1 || y < -hi) ? 1 : 0;
  }
}

void countPruning(int64_t length, const ref::AttentionConfig &config,
                  const std::vector<uint8_t> &blockMask,
                  const std::vector<uint8_t> &headMask, int64_t heads,
                  LayerStats &stats) {
  const int64_t bm = config.blockRows, bn = config.blockCols;
  const int64_t nb = (length + bm - 1) / bm, mb = (length + bn - 1) / bn;
  for (int64_t h = 0; h < heads; ++h) {
    bool headKept = headMask[h] != 0;
    stats.heads += 1;
    stats.prunedHeads += headKept ? 0 : 1;
    for (int64_t bi = 0; bi < nb; ++bi) {
      int64_t i0 = bi * bm, i1 = std::min(length, i0 + bm);
      for (int64_t bj = 0; bj < mb; ++bj) {
        int64_t j0 = bj * bn, j1 = std::min(length, j0 + bn);
        if (j0 > i1 - 1)
          continue; // every element above the diagonal: invalid
        int64_t elements = 0;
        for (int64_t i = i0; i < i1; ++i)
          elements += std::max<int64_t>(0, std::min(i + 1, j1) - j0);
        bool kept = blockMask[(h * nb + bi) * mb + bj] != 0;
        stats.validBlocks += 1;
        stats.keptBlocks += kept ? 1 : 0;
        stats.causalElements += elements;
        stats.keptElements += (kept && headKept) ? elements : 0;
      }
    }
  }
}

void countMassLost(const ref::Tensor<float> &q, const ref::Tensor<float> &k,
                   const ref::AttentionConfig &config,
                   const std::vector<uint8_t> &blockMask,
                   const std::vector<uint8_t> &headMask, LayerStats &stats) {
  const int64_t H = q.dim(1), T = q.dim(2), D = q.dim(3);
  const int64_t bm = config.blockRows, bn = config.blockCols;
  const int64_t nb = (T + bm - 1) / bm, mb = (T + bn - 1) / bn;
  const double scale = config.effectiveScale(D);
  std::vector<double> p(T);
  for (int64_t h = 0; h < H; ++h) {
    for (int64_t i = 0; i < T; ++i) {
      stats.rows += 1;
      if (!headMask[h]) {
        stats.massLost += 1.0;
        continue;
      }
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j <= i; ++j) {
        double s = 0.0;
        for (int64_t d = 0; d < D; ++d)
          s += static_cast<double>(q.at(0, h, i, d)) * k.at(0, h, j, d);
        p[j] = s * scale;
        mx = std::max(mx, p[j]);
      }
      double sum = 0.0, lost = 0.0;
      const uint8_t *row = &blockMask[(h * nb + i / bm) * mb];
      for (int64_t j = 0; j <= i; ++j) {
        double e = std::exp(p[j] - mx);
        sum += e;
        if (!row[j / bn])
          lost += e;
      }
      stats.massLost += lost / sum;
    }
  }
}

//===----------------------------------------------------------------------===//
// DenseBackend
//===----------------------------------------------------------------------===//

void DenseBackend::attendRow(const float *query, const float *keys,
                             const float *values, int64_t count, int64_t stride,
                             int64_t headSize, float *out) {
  // Each score is summed over d in increasing order, as run.c; looping over
  // keys innermost lets the keys proceed independently (no latency chain).
  std::vector<float> att(count, 0.0f);
  for (int64_t d = 0; d < headSize; ++d) {
    const float qd = query[d];
    for (int64_t j = 0; j < count; ++j)
      att[j] += qd * keys[j * stride + d];
  }
  const float root = std::sqrt(static_cast<float>(headSize));
  float maxScore = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < count; ++j) {
    att[j] /= root;
    maxScore = std::max(maxScore, att[j]);
  }
  float sum = 0.0f;
  for (int64_t j = 0; j < count; ++j) {
    att[j] = std::exp(att[j] - maxScore);
    sum += att[j];
  }
  for (int64_t j = 0; j < count; ++j)
    att[j] /= sum;
  std::fill(out, out + headSize, 0.0f);
  for (int64_t j = 0; j < count; ++j) {
    const float *value = values + j * stride;
    for (int64_t d = 0; d < headSize; ++d)
      out[d] += att[j] * value[d];
  }
}

Expected<ref::Tensor<float>> DenseBackend::attend(unsigned layer,
                                                  const ref::Tensor<float> &q,
                                                  const ref::Tensor<float> &k,
                                                  const ref::Tensor<float> &v,
                                                  LayerStats *stats) {
  const int64_t H = q.dim(1), T = q.dim(2), D = q.dim(3);
  ref::Tensor<float> out({1, H, T, D});
  for (int64_t h = 0; h < H; ++h)
    for (int64_t i = 0; i < T; ++i)
      attendRow(&q.at(0, h, i, 0), &k.at(0, h, 0, 0), &v.at(0, h, 0, 0), i + 1,
                D, D, &out.at(0, h, i, 0));
  if (stats) {
    // Dense keeps everything; count it so that reports have denominators.
    ref::AttentionConfig denseCfg;
    denseCfg.policy = ref::Policy::Dense;
    int64_t nb = (T + 1) / 2;
    std::vector<uint8_t> blocks(H * nb * nb, 1), heads(H, 1);
    countPruning(T, denseCfg, blocks, heads, H, *stats);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// ReferenceBackend
//===----------------------------------------------------------------------===//

Expected<ref::Tensor<float>>
ReferenceBackend::attend(unsigned layer, const ref::Tensor<float> &q,
                         const ref::Tensor<float> &k,
                         const ref::Tensor<float> &v, LayerStats *stats) {
  const ref::AttentionConfig &cfg = configForLayer(configs, layer);
  if (std::string err = cfg.validate(); !err.empty())
    return createStringError(inconvertibleErrorCode(),
                             ("layer " + Twine(layer) + ": " + err).str());
  const int64_t H = q.dim(1), T = q.dim(2);
  ref::Tensor<float> mask = causalMask(T);
  ref::AttentionResult r = ref::attention(q, k, v, &mask, cfg);
  if (stats) {
    countClamped(q, cfg, *stats);
    countClamped(k, cfg, *stats);
    countPruning(T, cfg, r.blockMask.data, r.headMask.data, H, *stats);
    countMassLost(q, k, cfg, r.blockMask.data, r.headMask.data, *stats);
  }
  return std::move(r.out);
}

} // namespace hdp::model
