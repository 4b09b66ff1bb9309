//===- TestUtil.h - Helpers for the reference unit tests --------*- C++ -*-===//
//
// Small builders shared by the HDPReferenceTests files, so that each test
// states its inputs as literal tables.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_UNITTESTS_REFERENCE_TESTUTIL_H
#define HDP_UNITTESTS_REFERENCE_TESTUTIL_H

#include "hdp/Reference/Reference.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace hdp::ref::test {

/// A tensor of `shape` holding `data` in row-major order.
template <typename T>
Tensor<T> make(std::vector<int64_t> shape, std::vector<T> data) {
  Tensor<T> t(std::move(shape));
  if (static_cast<int64_t>(data.size()) != t.size())
    throw std::invalid_argument("data size does not match shape");
  t.data = std::move(data);
  return t;
}

inline constexpr float kInf = std::numeric_limits<float>::infinity();
/// numpy's finfo(float32).min, the mask value HF transformers use.
inline constexpr float kFinfoMin = -3.4028235e38f;

/// raw = hi·2^F + lo, the clamped rounded fixed-point value.
inline int64_t rawOf(const SplitResult &s, int64_t n, int64_t fracBits) {
  return int64_t(s.hi.data[n]) * (int64_t(1) << fracBits) + s.lo.data[n];
}

/// The real number a split value stands for: raw·2^-(F+shift).
inline Tensor<float> dequantize(const SplitResult &s,
                                const AttentionConfig &cfg) {
  Tensor<float> out(s.hi.shape);
  for (int64_t n = 0; n < out.size(); ++n)
    out.data[n] = static_cast<float>(
        std::ldexp(static_cast<double>(rawOf(s, n, cfg.fracBits)),
                   static_cast<int>(-(cfg.fracBits + cfg.shift))));
  return out;
}

/// Deterministic values in [lo, hi) (a 32-bit LCG), so inputs are
/// reproducible without std::random's implementation-defined distributions.
inline std::vector<float> pseudoRandom(int64_t n, uint32_t seed, float lo,
                                       float hi) {
  std::vector<float> v(n);
  uint32_t state = seed;
  for (int64_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    v[i] = lo + (hi - lo) * static_cast<float>(state >> 8) / 16777216.0f;
  }
  return v;
}

/// The tests' compact notation for absolute block importances: θ ≥ 0 for a
/// valid block, -1 for an invalid one (every element removed).
inline Tensor<int64_t> compactTheta(const Tensor<int64_t> &sInt,
                                    const Tensor<float> *mask,
                                    const AttentionConfig &cfg) {
  BlockImportance imp = blockImportance(sInt, mask, cfg);
  for (int64_t n = 0; n < imp.theta.size(); ++n)
    if (!imp.valid.data[n])
      imp.theta.data[n] = -1;
  return imp.theta;
}
/// The importances that `compact` (in the notation above) stands for.
inline BlockImportance fromCompact(const Tensor<int64_t> &compact) {
  BlockImportance imp{compact, Tensor<uint8_t>(compact.shape, 1)};
  for (int64_t n = 0; n < compact.size(); ++n)
    if (compact.data[n] < 0) {
      imp.theta.data[n] = 0;
      imp.valid.data[n] = 0;
    }
  return imp;
}

/// θ_H and the head mask of compact absolute θ [B,H,NB,MB]: θ_H is the sum of
/// the valid θ of each head (Σ|S_int| over its non-removed elements).
struct HeadResult {
  Tensor<int64_t> thetaH;
  Tensor<uint8_t> headMask;
};
inline HeadResult headsOf(const Tensor<int64_t> &compact,
                          const AttentionConfig &cfg) {
  const int64_t B = compact.dim(0), H = compact.dim(1);
  const int64_t perHead = compact.dim(2) * compact.dim(3);
  Tensor<int64_t> thetaH({B, H}, 0);
  for (int64_t bh = 0; bh < B * H; ++bh)
    for (int64_t n = 0; n < perHead; ++n)
      if (compact.data[bh * perHead + n] >= 0)
        thetaH.data[bh] += compact.data[bh * perHead + n];
  Tensor<uint8_t> keep = headMask(thetaH, cfg);
  return {std::move(thetaH), std::move(keep)};
}

} // namespace hdp::ref::test

#endif // HDP_UNITTESTS_REFERENCE_TESTUTIL_H
