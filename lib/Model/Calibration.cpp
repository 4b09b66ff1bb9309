//===- Calibration.cpp - Per-layer fixed-point shift calibration ----------===//
//
// See Calibration.h. Only shifts near the largest one that clamps nothing
// are scored: far below it the rounding error only grows, far above it the
// clamp rate does.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Calibration.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace llvm;

namespace hdp::model {

namespace {

/// Raw fixed-point codes of step 1 (round half to even, clamp; NaN -> 0).
void quantize(const float *x, int64_t n, const ref::AttentionConfig &cfg,
              int64_t shift, int32_t *raw, int64_t &clamped) {
  const float scale = std::ldexp(1.0f, static_cast<int>(cfg.fracBits + shift));
  const float hi =
      std::ldexp(1.0f, static_cast<int>(cfg.intBits + cfg.fracBits - 1));
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) {
      raw[i] = 0;
      continue;
    }
    float y = std::nearbyint(x[i] * scale);
    if (y > hi - 1 || y < -hi)
      ++clamped;
    raw[i] = static_cast<int32_t>(std::clamp(y, -hi, hi - 1));
  }
}

/// The score objective of one layer at one shift over all documents.
ShiftCandidate scoreShift(ArrayRef<ref::Tensor<float>> qs,
                          ArrayRef<ref::Tensor<float>> ks, bool causal,
                          const ref::AttentionConfig &cfg, int64_t shift) {
  ShiftCandidate c;
  c.shift = shift;
  int64_t clamped = 0, values = 0, pairs = 0;
  double sumSq = 0.0;
  const int64_t F = cfg.fracBits, mask = (int64_t(1) << F) - 1;
  const double unscale = std::ldexp(1.0, -static_cast<int>(2 * F + 2 * shift));
  for (size_t doc = 0; doc < qs.size(); ++doc) {
    const ref::Tensor<float> &q = qs[doc], &k = ks[doc];
    const int64_t H = q.dim(1), T = q.dim(2), D = q.dim(3);
    const double scale = cfg.effectiveScale(D);
    std::vector<int32_t> rq(q.size()), rk(k.size());
    quantize(q.data.data(), q.size(), cfg, shift, rq.data(), clamped);
    quantize(k.data.data(), k.size(), cfg, shift, rk.data(), clamped);
    values += q.size() + k.size();
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t i = 0; i < T; ++i) {
        const float *qi = &q.at(0, h, i, 0);
        const int32_t *rqi = &rq[((h * T) + i) * D];
        double sumE = 0.0, sumE2 = 0.0;
        const int64_t keys = causal ? i + 1 : T;
        for (int64_t j = 0; j < keys; ++j) {
          const float *kj = &k.at(0, h, j, 0);
          const int32_t *rkj = &rk[((h * T) + j) * D];
          double exact = 0.0;
          int64_t acc = 0, fracFrac = 0;
          for (int64_t d = 0; d < D; ++d) {
            exact += static_cast<double>(qi[d]) * kj[d];
            acc += int64_t(rqi[d]) * rkj[d];
            fracFrac += (int64_t(rqi[d]) & mask) * (int64_t(rkj[d]) & mask);
          }
          // raw = hi·2^F + lo, so Σ raw·raw is the exact A; approx drops
          // the lo·lo term.
          if (cfg.approx)
            acc -= fracFrac;
          double e = (static_cast<double>(acc) * unscale - exact) * scale;
          sumE += e;
          sumE2 += e * e;
        }
        sumSq += sumE2 - sumE * sumE / static_cast<double>(keys);
        pairs += keys;
      }
    }
  }
  c.clampRate = values ? static_cast<double>(clamped) / values : 0.0;
  c.scoreRmse = pairs ? std::sqrt(std::max(0.0, sumSq / pairs)) : 0.0;
  return c;
}

} // namespace

std::vector<int64_t> Calibration::shifts() const {
  std::vector<int64_t> s;
  for (const LayerCalibration &l : layers)
    s.push_back(l.shift);
  return s;
}

Expected<Calibration>
calibrateFromSamples(ArrayRef<std::vector<ref::Tensor<float>>> qs,
                     ArrayRef<std::vector<ref::Tensor<float>>> ks, bool causal,
                     const ref::AttentionConfig &config, int64_t minShift,
                     int64_t maxShift) {
  if (minShift > maxShift || minShift < -16 || maxShift > 16)
    return createStringError(inconvertibleErrorCode(),
                             "calibration: the shift range must lie in "
                             "[-16, 16]");
  Calibration result;
  for (size_t l = 0; l < qs.size(); ++l) {
    LayerCalibration lc;
    for (const auto *set : {&qs[l], &ks[l]})
      for (const ref::Tensor<float> &t : *set)
        for (float v : t.data)
          if (std::isfinite(v))
            lc.maxAbs = std::max<double>(lc.maxAbs, std::fabs(v));
    // The largest shift at which maxAbs still fits: maxAbs·2^(F+s) below
    // 2^(I+F-1), i.e. s < I-1 - log2(maxAbs).
    int64_t fits = maxShift;
    if (lc.maxAbs > 0)
      fits = static_cast<int64_t>(
          std::floor(config.intBits - 1 - std::log2(lc.maxAbs)));
    int64_t lo = std::clamp<int64_t>(fits - 3, minShift, maxShift);
    int64_t hi = std::clamp<int64_t>(fits + 3, minShift, maxShift);
    double best = std::numeric_limits<double>::infinity();
    for (int64_t s = lo; s <= hi; ++s) {
      ShiftCandidate c = scoreShift(qs[l], ks[l], causal, config, s);
      lc.candidates.push_back(c);
      if (c.scoreRmse < best) {
        best = c.scoreRmse;
        lc.shift = c.shift;
        lc.clampRate = c.clampRate;
        lc.scoreRmse = c.scoreRmse;
      }
    }
    result.layers.push_back(std::move(lc));
  }
  return result;
}

Expected<Calibration> calibrateShifts(const Transformer &model,
                                      ArrayRef<std::vector<int>> documents,
                                      const ref::AttentionConfig &config,
                                      int64_t minShift, int64_t maxShift) {
  if (minShift > maxShift || minShift < -16 || maxShift > 16)
    return createStringError(inconvertibleErrorCode(),
                             "calibration: the shift range must lie in "
                             "[-16, 16]");
  const int64_t L = model.config().numLayers;
  std::vector<std::vector<ref::Tensor<float>>> qs(L), ks(L);
  int64_t documentCount = 0, tokens = 0;
  DenseBackend dense;
  for (const std::vector<int> &doc : documents) {
    ForwardOptions options;
    options.lastOnly = true;
    options.observeQK = [&](unsigned layer, const ref::Tensor<float> &q,
                            const ref::Tensor<float> &k) {
      qs[layer].push_back(q);
      ks[layer].push_back(k);
    };
    if (Expected<std::vector<float>> r = model.forward(doc, dense, options); !r)
      return r.takeError();
    documentCount += 1;
    tokens += doc.size();
  }
  if (documentCount == 0)
    return createStringError(inconvertibleErrorCode(),
                             "calibration: no documents");
  Expected<Calibration> result =
      calibrateFromSamples(qs, ks, /*causal=*/true, config, minShift, maxShift);
  if (result) {
    result->documents = documentCount;
    result->tokens = tokens;
  }
  return result;
}

std::vector<ref::AttentionConfig> withShifts(const ref::AttentionConfig &config,
                                             ArrayRef<int64_t> shifts) {
  std::vector<ref::AttentionConfig> configs;
  for (int64_t s : shifts) {
    configs.push_back(config);
    configs.back().shift = s;
  }
  return configs;
}

Expected<std::vector<int64_t>> parseShifts(StringRef text, int64_t layers) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  std::vector<int64_t> shifts;
  for (StringRef p : parts) {
    int64_t v;
    if (p.trim().getAsInteger(10, v) || v < -16 || v > 16)
      return createStringError(
          inconvertibleErrorCode(),
          ("expected a comma-separated list of integer shifts in [-16, 16], "
           "got '" +
           p.trim() + "'")
              .str());
    shifts.push_back(v);
  }
  if (shifts.size() == 1)
    shifts.assign(layers, shifts.front());
  if (static_cast<int64_t>(shifts.size()) != layers)
    return createStringError(inconvertibleErrorCode(),
                             ("expected one shift per layer (" + Twine(layers) +
                              "), or a single shift; got " +
                              Twine(shifts.size()))
                                 .str());
  return shifts;
}

} // namespace hdp::model
