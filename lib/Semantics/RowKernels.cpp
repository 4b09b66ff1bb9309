//===- RowKernels.cpp - Per-row rules of HDP, defined once -----------------===//
//
// Built with -ffp-contract=off: the softmax must round the same on every
// target and in every caller.
//
//===----------------------------------------------------------------------===//

#include "hdp/Semantics/RowKernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace hdp::rows {

using int128 = __int128;

void pruneBlockRow(const int64_t *theta, const uint8_t *valid, uint8_t *keep,
                   int64_t numBlocks, Policy policy, int64_t rhoQ16,
                   int64_t topk) {
  std::vector<int64_t> cols; // valid columns, increasing
  for (int64_t j = 0; j < numBlocks; ++j) {
    keep[j] = 0;
    if (valid[j])
      cols.push_back(j);
  }
  if (cols.empty())
    return;

  switch (policy) {
  case Policy::Dense:
    for (int64_t j : cols)
      keep[j] = 1;
    return;
  case Policy::TopK: {
    // Largest θ first, equal θ: lower column first. A strict total order, so
    // the kept set does not depend on how the selection is done.
    auto before = [&](int64_t x, int64_t y) {
      return theta[x] != theta[y] ? theta[x] > theta[y] : x < y;
    };
    size_t n = std::min<size_t>(static_cast<size_t>(topk), cols.size());
    std::nth_element(cols.begin(), cols.begin() + (n - 1), cols.end(), before);
    for (size_t k = 0; k < n; ++k)
      keep[cols[k]] = 1;
    return;
  }
  case Policy::Hdp: {
    // Θ = mean + ρ·(max − mean) (ρ ≥ 0) or mean + ρ·(mean − min) (ρ < 0),
    // multiplied through by 65536·nb so that everything is an integer.
    // 128 bits: 65536·nb·θ alone can exceed 2^63 on large shapes. θ may be
    // negative (signed ranking); the inequalities are the same.
    const int128 nb = static_cast<int128>(cols.size());
    const int128 r = rhoQ16;
    int128 sum = 0;
    int64_t mx = theta[cols.front()], mn = mx;
    for (int64_t j : cols) {
      sum += theta[j];
      mx = std::max(mx, theta[j]);
      mn = std::min(mn, theta[j]);
    }
    const int128 rhs = r >= 0 ? 65536 * sum + r * (nb * mx - sum)
                              : 65536 * sum + r * (sum - nb * mn);
    for (int64_t j : cols)
      if (65536 * nb * theta[j] >= rhs)
        keep[j] = 1;
    return;
  }
  }
}

bool keepHead(int64_t numHeads, int64_t thetaH, int128 total,
              uint64_t tauHQ16) {
  const int128 lhs = int128(numHeads) * 65536 * thetaH;
  return lhs >= static_cast<int128>(tauHQ16) * total;
}

float polyExp(float x) {
  const float ln2 = 0.693147180559945309f;
  float t = -x / ln2;
  // 2^-z underflows f32 long before z = 256; this also covers x = -inf and
  // keeps the float->int conversion of z in range.
  if (t >= 256.0f)
    return 0.0f;
  float z = std::floor(t);
  float p = x + z * ln2;
  float u = p + 1.353f;
  float poly = 0.3585f * (u * u) + 0.344f;
  return std::ldexp(poly, -static_cast<int>(z));
}

float polyReciprocal(float sigma) {
  // Only positive finite sums occur in softmax; give the edges IEEE-like
  // answers rather than garbage.
  if (std::isnan(sigma))
    return sigma;
  if (sigma < 0.0f)
    return -polyReciprocal(-sigma);
  if (sigma == 0.0f)
    return std::numeric_limits<float>::infinity();
  if (std::isinf(sigma))
    return 0.0f;
  int e = 0;
  float m = std::frexp(sigma, &e); // sigma = m·2^e, m in [0.5, 1)
  m = m * 2.0f;                    // renormalise to m in [1, 2)
  e = e - 1;
  float y0 = 24.0f / 17.0f - (8.0f / 17.0f) * m;
  float y1 = y0 * (2.0f - m * y0);
  return std::ldexp(y1, -e);
}

int64_t softmaxRow(const float *in, float *out, int64_t n, SoftmaxKind kind) {
  float mx = -std::numeric_limits<float>::infinity();
  int64_t finite = 0;
  for (int64_t j = 0; j < n; ++j) {
    if (!std::isfinite(in[j]))
      continue;
    mx = finite ? std::max(mx, in[j]) : in[j];
    ++finite;
  }
  if (!finite) {
    std::fill(out, out + n, 0.0f);
    return 0;
  }
  float sum = 0.0f;
  for (int64_t j = 0; j < n; ++j) {
    if (!std::isfinite(in[j])) {
      out[j] = 0.0f;
      continue;
    }
    float x = in[j] - mx;
    out[j] = kind == SoftmaxKind::Exact ? std::exp(x) : polyExp(x);
    sum += out[j];
  }
  if (kind == SoftmaxKind::Exact) {
    for (int64_t j = 0; j < n; ++j)
      out[j] = out[j] / sum;
    return finite;
  }
  float recip = polyReciprocal(sum);
  for (int64_t j = 0; j < n; ++j)
    out[j] = out[j] * recip;
  return finite;
}

} // namespace hdp::rows
