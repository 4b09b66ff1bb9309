//===- MaskedAttention.cpp - Batched attention under an additive mask -----===//
//
// The encoder's attention (AttentionBackend::attendMasked) for the dense and
// reference backends, and its statistics. The mask is [B,1,T,T]: a padded
// batch removes the [PAD] keys of each sequence and also its [PAD] query
// rows, so that hdp's decisions (block rows, θ_H) see exactly the sequence's
// own tokens, whatever it was padded to.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Attention.h"

#include "llvm/ADT/Twine.h"

#include <cmath>
#include <limits>

using namespace llvm;

namespace hdp::model {

Expected<ref::Tensor<float>> AttentionBackend::attendMasked(
    unsigned layer, const ref::Tensor<float> &q, const ref::Tensor<float> &k,
    const ref::Tensor<float> &v, const ref::Tensor<float> &mask,
    LayerStats *stats) {
  return createStringError(inconvertibleErrorCode(),
                           name() + " attention has no masked (encoder) form");
}

namespace {
/// Validity of rows and keys under the mask: live[b][i] when row i of item
/// b has a non-removed element, attended[b][j] when key j has one.
void liveRowsAndKeys(const ref::Tensor<float> &mask, int64_t B, int64_t T,
                     std::vector<uint8_t> &live,
                     std::vector<uint8_t> &attended) {
  live.assign(B * T, 0);
  attended.assign(B * T, 0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j < T; ++j)
        if (!ref::isRemoved(ref::maskAt(&mask, b, 0, i, j))) {
          live[b * T + i] = 1;
          attended[b * T + j] = 1;
        }
}

/// Adds the clamping of the rows `keep` selects of x [B,H,T,D].
void countClampedRows(const ref::Tensor<float> &x,
                      const std::vector<uint8_t> &keep,
                      const ref::AttentionConfig &config, LayerStats &stats) {
  const int64_t B = x.dim(0), H = x.dim(1), T = x.dim(2), D = x.dim(3);
  ref::Tensor<float> row({1, 1, 1, D});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t)
        if (keep[b * T + t]) {
          std::copy_n(&x.at(b, h, t, 0), D, row.data.begin());
          countClamped(row, config, stats);
        }
}
} // namespace

void countMaskedStats(const ref::Tensor<float> &q, const ref::Tensor<float> &k,
                      const ref::Tensor<float> &mask,
                      const ref::AttentionConfig &config,
                      const std::vector<uint8_t> &blockMask,
                      const std::vector<uint8_t> &headMask,
                      bool withQuantization, LayerStats &stats) {
  const int64_t B = q.dim(0), H = q.dim(1), T = q.dim(2), D = q.dim(3);
  const int64_t bm = config.blockRows, bn = config.blockCols;
  const int64_t nb = (T + bm - 1) / bm, mb = (T + bn - 1) / bn;
  std::vector<uint8_t> live, attended;
  liveRowsAndKeys(mask, B, T, live, attended);
  if (withQuantization) {
    countClampedRows(q, live, config, stats);
    countClampedRows(k, attended, config, stats);
  }
  const double scale = config.effectiveScale(D);
  std::vector<double> p(T);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t h = 0; h < H; ++h) {
      const bool headKept = headMask[b * H + h] != 0;
      const uint8_t *blocks = &blockMask[(b * H + h) * nb * mb];
      stats.heads += 1;
      stats.prunedHeads += headKept ? 0 : 1;
      for (int64_t bi = 0; bi < nb; ++bi)
        for (int64_t bj = 0; bj < mb; ++bj) {
          int64_t elements = 0;
          for (int64_t i = bi * bm; i < std::min(T, (bi + 1) * bm); ++i)
            for (int64_t j = bj * bn; j < std::min(T, (bj + 1) * bn); ++j)
              elements += !ref::isRemoved(ref::maskAt(&mask, b, 0, i, j));
          if (elements == 0)
            continue; // invalid block
          const bool kept = blocks[bi * mb + bj] != 0;
          stats.validBlocks += 1;
          stats.keptBlocks += kept ? 1 : 0;
          stats.causalElements += elements;
          stats.keptElements += (kept && headKept) ? elements : 0;
        }
      if (!withQuantization)
        continue;
      // The dense softmax of each live row, and its share on elements that
      // hdp does not compute.
      for (int64_t i = 0; i < T; ++i) {
        if (!live[b * T + i])
          continue;
        stats.rows += 1;
        if (!headKept) {
          stats.massLost += 1.0;
          continue;
        }
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < T; ++j) {
          float m = ref::maskAt(&mask, b, 0, i, j);
          if (ref::isRemoved(m))
            continue;
          double s = 0.0;
          for (int64_t d = 0; d < D; ++d)
            s += static_cast<double>(q.at(b, h, i, d)) * k.at(b, h, j, d);
          p[j] = s * scale + m;
          mx = std::max(mx, p[j]);
        }
        double sum = 0.0, lost = 0.0;
        for (int64_t j = 0; j < T; ++j) {
          if (ref::isRemoved(ref::maskAt(&mask, b, 0, i, j)))
            continue;
          double e = std::exp(p[j] - mx);
          sum += e;
          if (!blocks[(i / bm) * mb + j / bn])
            lost += e;
        }
        stats.massLost += lost / sum;
      }
    }
  }
}

Expected<ref::Tensor<float>>
DenseBackend::attendMasked(unsigned layer, const ref::Tensor<float> &q,
                           const ref::Tensor<float> &k,
                           const ref::Tensor<float> &v,
                           const ref::Tensor<float> &mask, LayerStats *stats) {
  const int64_t B = q.dim(0), H = q.dim(1), T = q.dim(2), D = q.dim(3);
  const int64_t Dv = v.dim(3);
  const float root = std::sqrt(static_cast<float>(D));
  ref::Tensor<float> out({B, H, T, Dv});
  std::vector<float> att(T), keysT(D * T), maskRow(T);
  std::vector<uint8_t> removed(T);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h) {
      // K transposed to [D][T]: the score loop then runs over keys with one
      // accumulator each (vectorised, every score still summed over d in
      // increasing order).
      for (int64_t j = 0; j < T; ++j)
        for (int64_t d = 0; d < D; ++d)
          keysT[d * T + j] = k.at(b, h, j, d);
      for (int64_t i = 0; i < T; ++i) {
        bool any = false;
        for (int64_t j = 0; j < T; ++j) {
          maskRow[j] = ref::maskAt(&mask, b, 0, i, j);
          removed[j] = ref::isRemoved(maskRow[j]);
          any |= !removed[j];
        }
        if (!any)
          continue; // every key removed: the row stays 0
        const float *query = &q.at(b, h, i, 0);
        std::fill(att.begin(), att.end(), 0.0f);
        for (int64_t d = 0; d < D; ++d) {
          const float qd = query[d];
          const float *kd = &keysT[d * T];
          for (int64_t j = 0; j < T; ++j)
            att[j] += qd * kd[j];
        }
        float maxScore = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < T; ++j)
          if (!removed[j]) {
            att[j] = att[j] / root + maskRow[j];
            maxScore = std::max(maxScore, att[j]);
          }
        float sum = 0.0f;
        for (int64_t j = 0; j < T; ++j)
          if (!removed[j]) {
            att[j] = std::exp(att[j] - maxScore);
            sum += att[j];
          }
        float *o = &out.at(b, h, i, 0);
        for (int64_t j = 0; j < T; ++j) {
          if (removed[j])
            continue;
          const float p = att[j] / sum;
          const float *value = &v.at(b, h, j, 0);
          for (int64_t d = 0; d < Dv; ++d)
            o[d] += p * value[d];
        }
      }
    }
  if (stats) {
    // Dense keeps everything; count it so that reports have denominators.
    ref::AttentionConfig denseCfg;
    denseCfg.policy = ref::Policy::Dense;
    const int64_t nb = (T + 1) / 2;
    std::vector<uint8_t> blocks(B * H * nb * nb, 1), heads(B * H, 1);
    countMaskedStats(q, k, mask, denseCfg, blocks, heads,
                     /*withQuantization=*/false, *stats);
  }
  return out;
}

Expected<ref::Tensor<float>> ReferenceBackend::attendMasked(
    unsigned layer, const ref::Tensor<float> &q, const ref::Tensor<float> &k,
    const ref::Tensor<float> &v, const ref::Tensor<float> &mask,
    LayerStats *stats) {
  const ref::AttentionConfig &cfg = configForLayer(configs, layer);
  if (std::string err = cfg.validate(); !err.empty())
    return createStringError(inconvertibleErrorCode(),
                             ("layer " + Twine(layer) + ": " + err).str());
  ref::AttentionResult r = ref::attention(q, k, v, &mask, cfg);
  if (stats)
    countMaskedStats(q, k, mask, cfg, r.blockMask.data, r.headMask.data,
                     /*withQuantization=*/true, *stats);
  return std::move(r.out);
}

} // namespace hdp::model
