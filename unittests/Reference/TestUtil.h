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

} // namespace hdp::ref::test

#endif // HDP_UNITTESTS_REFERENCE_TESTUTIL_H
