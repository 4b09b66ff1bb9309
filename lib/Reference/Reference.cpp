//===- Reference.cpp - Plain-loop reference of HDP attention --------------===//
//
// DESIGN section 2, written as plainly as possible; docs/semantics.md is the
// prose version of the same definition. Every choice the design leaves open is
// made here once, with a comment, and mirrored in docs/semantics.md.
//
// Floating-point code in this file must not be contracted into FMAs (the
// build passes -ffp-contract=off) so that results do not depend on the target.
//
//===----------------------------------------------------------------------===//

#include "hdp/Reference/Reference.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <sstream>

namespace hdp::ref {

namespace {

using int128 = __int128;

std::string formatShape(const std::vector<int64_t> &shape) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? "," : "") << shape[i];
  os << ']';
  return os.str();
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// round_half_even(x·65536), the Q16 form of ρ, computed in double (exact for
/// |x| <= 1; nearbyint rounds half to even in the default rounding mode).
int64_t toQ16(double x) {
  return static_cast<int64_t>(std::nearbyint(x * 65536.0));
}

/// The extents of a rank-4 tensor, named as in [B,H,rows,cols].
struct Dims4 {
  int64_t b, h, r, c;
};
Dims4 dims4(const std::vector<int64_t> &shape) {
  assert(shape.size() == 4 && "expected a rank-4 tensor");
  return {shape[0], shape[1], shape[2], shape[3]};
}

/// Softmax of one row of `n` entries at `in`, written to `out`. Entries that
/// are not finite (-inf for pruned or removed elements) get probability 0.
void softmaxRow(const float *in, float *out, int64_t n, SoftmaxKind kind) {
  float mx = -std::numeric_limits<float>::infinity();
  bool any = false;
  for (int64_t j = 0; j < n; ++j) {
    if (!std::isfinite(in[j]))
      continue;
    mx = any ? std::max(mx, in[j]) : in[j];
    any = true;
  }
  if (!any) {
    std::fill(out, out + n, 0.0f);
    return;
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
    return;
  }
  float recip = polyReciprocal(sum);
  for (int64_t j = 0; j < n; ++j)
    out[j] = out[j] * recip;
}

} // namespace

//===----------------------------------------------------------------------===//
// Configuration
//===----------------------------------------------------------------------===//

const char *policyName(Policy policy) {
  switch (policy) {
  case Policy::Hdp:
    return "hdp";
  case Policy::TopK:
    return "topk";
  case Policy::Dense:
    return "dense";
  }
  return "?";
}

std::string AttentionConfig::validate() const {
  std::ostringstream os;
  if (intBits < 1)
    os << "int_bits must be >= 1 (got " << intBits << ")";
  else if (fracBits < 0)
    os << "frac_bits must be >= 0 (got " << fracBits << ")";
  else if (intBits + fracBits > 16)
    os << "int_bits + frac_bits must be <= 16 (got " << intBits << " + "
       << fracBits << ")";
  else if (shift < -16 || shift > 16)
    os << "shift must be in [-16, 16] (got " << shift << ")";
  else if (blockRows < 1 || blockCols < 1 || blockRows > kMaxBlockDim ||
           blockCols > kMaxBlockDim)
    os << "block dimensions must be in [1, " << kMaxBlockDim << "] (got ["
       << blockRows << "," << blockCols << "])";
  // Written so that NaN fails every range check.
  else if (!(rho >= -1.0 && rho <= 1.0))
    os << "rho must be in [-1, 1] (got " << rho << ")";
  else if (!(tauH >= 0.0 && std::isfinite(tauH)))
    os << "tau_h must be finite and >= 0 (got " << tauH << ")";
  else if (policy != Policy::Hdp && policy != Policy::TopK &&
           policy != Policy::Dense)
    os << "policy must be one of hdp, topk, dense";
  else if (topk < 1 || topk > kMaxTopK)
    os << "topk must be in [1, " << kMaxTopK << "] (got " << topk << ")";
  else if (softmax != SoftmaxKind::Exact && softmax != SoftmaxKind::Poly)
    os << "softmax must be one of exact, poly";
  // The scale is applied as an f32, so it must be a normal f32: 1e39 would
  // be +inf there, 1e-46 zero.
  else if (scale && !(*scale >= std::numeric_limits<float>::min() &&
                      *scale <= std::numeric_limits<float>::max()))
    os << "scale must be in [" << std::numeric_limits<float>::min() << ", "
       << std::numeric_limits<float>::max()
       << "] (finite, normal and > 0 as an f32; got " << *scale << ")";
  return os.str();
}

float AttentionConfig::effectiveScale(int64_t d) const {
  if (scale)
    return static_cast<float>(*scale);
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
}

//===----------------------------------------------------------------------===//
// Shapes and masks
//===----------------------------------------------------------------------===//

float maskAt(const Tensor<float> *mask, int64_t b, int64_t h, int64_t i,
             int64_t j) {
  if (!mask)
    return 0.0f;
  const int64_t coords[4] = {b, h, i, j};
  const size_t rank = mask->shape.size();
  assert(rank <= 4 && "mask rank must be at most 4");
  // Mask dim k lines up with score dim (4 - rank + k); size-1 dims broadcast.
  int64_t index = 0;
  for (size_t k = 0; k < rank; ++k) {
    int64_t extent = mask->shape[k];
    int64_t c = extent == 1 ? 0 : coords[4 - rank + k];
    index = index * extent + c;
  }
  return mask->data[index];
}

std::string checkMaskBroadcast(const std::vector<int64_t> &maskShape, int64_t B,
                               int64_t H, int64_t N, int64_t M) {
  const int64_t target[4] = {B, H, N, M};
  const char *names[4] = {"B", "H", "N", "M"};
  std::ostringstream expected;
  expected << "expected a shape broadcastable to [B=" << B << ",H=" << H
           << ",N=" << N << ",M=" << M << "]";
  if (maskShape.size() > 4) {
    std::ostringstream os;
    os << "mask has rank " << maskShape.size() << " (" << formatShape(maskShape)
       << "); " << expected.str() << " (rank at most 4)";
    return os.str();
  }
  const size_t rank = maskShape.size();
  for (size_t k = 0; k < rank; ++k) {
    size_t t = 4 - rank + k;
    if (maskShape[k] == 1 || maskShape[k] == target[t])
      continue;
    std::ostringstream os;
    os << "mask has shape " << formatShape(maskShape) << "; " << expected.str()
       << " (mask dim " << k << " is " << maskShape[k] << ", must be 1 or "
       << names[t] << "=" << target[t] << ")";
    return os.str();
  }
  return "";
}

std::string checkAttentionShapes(const std::vector<int64_t> &q,
                                 const std::vector<int64_t> &k,
                                 const std::vector<int64_t> &v,
                                 const std::vector<int64_t> *mask) {
  auto positive = [](const std::vector<int64_t> &s) {
    return std::all_of(s.begin(), s.end(), [](int64_t d) { return d >= 1; });
  };
  if (q.size() != 4 || !positive(q))
    return "Q has shape " + formatShape(q) +
           "; expected [B,H,N,D] with every dimension >= 1";
  const int64_t B = q[0], H = q[1], N = q[2], D = q[3];
  std::ostringstream bh;
  bh << "B=" << B << ",H=" << H;
  if (k.size() != 4 || !positive(k) || k[0] != B || k[1] != H || k[3] != D) {
    std::ostringstream os;
    os << "K has shape " << formatShape(k) << "; expected [" << bh.str()
       << ",M,D=" << D << "]";
    return os.str();
  }
  const int64_t M = k[2];
  if (v.size() != 4 || !positive(v) || v[0] != B || v[1] != H || v[2] != M) {
    std::ostringstream os;
    os << "V has shape " << formatShape(v) << "; expected [" << bh.str()
       << ",M=" << M << ",Dv]";
    return os.str();
  }
  if (mask)
    return checkMaskBroadcast(*mask, B, H, N, M);
  return "";
}

//===----------------------------------------------------------------------===//
// Stage 1: split-quantize
//===----------------------------------------------------------------------===//

SplitResult splitQuantize(const Tensor<float> &x, const AttentionConfig &cfg) {
  const int64_t f = cfg.fracBits;
  const double maxRaw = std::ldexp(1.0, cfg.intBits + f - 1) - 1.0;
  const double minRaw = -std::ldexp(1.0, cfg.intBits + f - 1);
  SplitResult r{Tensor<int32_t>(x.shape), Tensor<int32_t>(x.shape)};
  for (int64_t n = 0; n < x.size(); ++n) {
    // Power-of-two scaling in f32 is exact (barring over/underflow, which the
    // clamp and the rounding absorb).
    float scaled = std::ldexp(x.data[n], static_cast<int>(f + cfg.shift));
    // Clamp in double before converting so that +-inf and huge values never
    // reach an out-of-range float->int conversion. NaN has no sensible
    // fixed-point value: it quantizes to 0.
    double d = std::isnan(scaled) ? 0.0 : static_cast<double>(scaled);
    d = std::min(std::max(d, minRaw), maxRaw);
    // The bounds are integers, so clamping before rounding is the same as
    // clamping after. nearbyint rounds half to even in the default mode.
    int32_t raw = static_cast<int32_t>(std::nearbyint(d));
    // Arithmetic right shift (floor division by 2^F) for negative raw.
    int32_t hi = raw >> f;
    r.hi.data[n] = hi;
    r.lo.data[n] = raw - hi * (int32_t(1) << f);
  }
  return r;
}

//===----------------------------------------------------------------------===//
// Stage 2: block-score
//===----------------------------------------------------------------------===//

Tensor<int64_t> integerScores(const Tensor<int32_t> &qHi,
                              const Tensor<int32_t> &kHi) {
  Dims4 q = dims4(qHi.shape), k = dims4(kHi.shape);
  assert(q.b == k.b && q.h == k.h && q.c == k.c && "Q/K shapes disagree");
  Tensor<int64_t> s({q.b, q.h, q.r, k.r});
  for (int64_t b = 0; b < q.b; ++b)
    for (int64_t h = 0; h < q.h; ++h)
      for (int64_t i = 0; i < q.r; ++i)
        for (int64_t j = 0; j < k.r; ++j) {
          int64_t acc = 0;
          for (int64_t d = 0; d < q.c; ++d)
            acc += int64_t(qHi.at(b, h, i, d)) * int64_t(kHi.at(b, h, j, d));
          s.at(b, h, i, j) = acc;
        }
  return s;
}

Tensor<int64_t> blockImportance(const Tensor<int64_t> &sInt,
                                const Tensor<float> *mask,
                                const AttentionConfig &cfg) {
  Dims4 s = dims4(sInt.shape);
  const int64_t bm = cfg.blockRows, bn = cfg.blockCols;
  const int64_t nbRows = ceilDiv(s.r, bm), nbCols = ceilDiv(s.c, bn);
  Tensor<int64_t> theta({s.b, s.h, nbRows, nbCols});
  for (int64_t b = 0; b < s.b; ++b)
    for (int64_t h = 0; h < s.h; ++h)
      for (int64_t bi = 0; bi < nbRows; ++bi)
        for (int64_t bj = 0; bj < nbCols; ++bj) {
          int64_t sum = 0;
          bool valid = false;
          // Edge blocks stop at N and M: they are simply smaller.
          for (int64_t i = bi * bm; i < std::min(s.r, (bi + 1) * bm); ++i)
            for (int64_t j = bj * bn; j < std::min(s.c, (bj + 1) * bn); ++j) {
              if (isRemoved(maskAt(mask, b, h, i, j)))
                continue;
              valid = true;
              int64_t v = sInt.at(b, h, i, j);
              sum += v < 0 ? -v : v;
            }
          // -1 cannot be a sum of absolute values, so it encodes "invalid".
          theta.at(b, h, bi, bj) = valid ? sum : -1;
        }
  return theta;
}

//===----------------------------------------------------------------------===//
// Stage 3: prune-mask
//===----------------------------------------------------------------------===//

Tensor<uint8_t> blockMask(const Tensor<int64_t> &theta,
                          const AttentionConfig &cfg) {
  Dims4 t = dims4(theta.shape);
  Tensor<uint8_t> keep(theta.shape, 0);
  const int128 r = toQ16(cfg.rho);
  for (int64_t b = 0; b < t.b; ++b)
    for (int64_t h = 0; h < t.h; ++h)
      for (int64_t bi = 0; bi < t.r; ++bi) {
        std::vector<int64_t> valid; // column indices, increasing
        for (int64_t bj = 0; bj < t.c; ++bj)
          if (theta.at(b, h, bi, bj) >= 0)
            valid.push_back(bj);
        if (valid.empty())
          continue;

        if (cfg.policy == Policy::Dense) {
          for (int64_t bj : valid)
            keep.at(b, h, bi, bj) = 1;
          continue;
        }

        if (cfg.policy == Policy::TopK) {
          // Largest θ first; equal θ: lower column first.
          std::sort(valid.begin(), valid.end(), [&](int64_t x, int64_t y) {
            int64_t tx = theta.at(b, h, bi, x), ty = theta.at(b, h, bi, y);
            return tx != ty ? tx > ty : x < y;
          });
          int64_t n = std::min<int64_t>(cfg.topk, valid.size());
          for (int64_t idx = 0; idx < n; ++idx)
            keep.at(b, h, bi, valid[idx]) = 1;
          continue;
        }

        // Policy::Hdp: Θ = mean + ρ·(max - mean) or mean + ρ·(mean - min),
        // multiplied through by 65536·nb so that everything is an integer.
        // 128 bits: 65536·nb·θ alone can exceed 2^63 on large shapes.
        const int128 nb = static_cast<int128>(valid.size());
        int128 sum = 0;
        int64_t mx = theta.at(b, h, bi, valid.front());
        int64_t mn = mx;
        for (int64_t bj : valid) {
          int64_t th = theta.at(b, h, bi, bj);
          sum += th;
          mx = std::max(mx, th);
          mn = std::min(mn, th);
        }
        const int128 rhs = r >= 0 ? 65536 * sum + r * (nb * mx - sum)
                                  : 65536 * sum + r * (sum - nb * mn);
        for (int64_t bj : valid)
          if (65536 * nb * theta.at(b, h, bi, bj) >= rhs)
            keep.at(b, h, bi, bj) = 1;
      }
  return keep;
}

HeadResult headMask(const Tensor<int64_t> &theta, const AttentionConfig &cfg) {
  Dims4 t = dims4(theta.shape);
  HeadResult res{Tensor<int64_t>({t.b, t.h}, 0), Tensor<uint8_t>({t.b, t.h})};
  for (int64_t b = 0; b < t.b; ++b)
    for (int64_t h = 0; h < t.h; ++h) {
      int64_t sum = 0;
      for (int64_t bi = 0; bi < t.r; ++bi)
        for (int64_t bj = 0; bj < t.c; ++bj)
          if (theta.at(b, h, bi, bj) >= 0) // skip invalid (-1) blocks
            sum += theta.at(b, h, bi, bj);
      res.thetaH.at(b, h) = sum;
    }
  // τ_H is finite and >= 0 (validate). Any t > H·65536 prunes every head with
  // θ_H > 0, so capping t at 2^62 changes no decision while keeping
  // t·Σθ_H' (< 2^62·2^63) inside 128 bits.
  const double tq = std::nearbyint(cfg.tauH * 65536.0);
  const int128 tcap = int128(1) << 62;
  const int128 tQ16 = tq < std::ldexp(1.0, 62) ? int128(tq) : tcap;
  for (int64_t b = 0; b < t.b; ++b) {
    int128 total = 0;
    for (int64_t h = 0; h < t.h; ++h)
      total += res.thetaH.at(b, h);
    for (int64_t h = 0; h < t.h; ++h) {
      int128 lhs = int128(t.h) * 65536 * res.thetaH.at(b, h);
      res.headMask.at(b, h) = lhs >= tQ16 * total ? 1 : 0;
    }
  }
  return res;
}

//===----------------------------------------------------------------------===//
// Stage 4: approx-combine
//===----------------------------------------------------------------------===//

Tensor<float> approxCombine(const SplitResult &q, const SplitResult &k,
                            const Tensor<int64_t> &sInt,
                            const Tensor<uint8_t> &blockMask,
                            const Tensor<uint8_t> &headMask,
                            const Tensor<float> *mask,
                            const AttentionConfig &cfg) {
  Dims4 s = dims4(sInt.shape);
  const int64_t D = q.hi.dim(3);
  const int64_t f = cfg.fracBits;
  const int down = static_cast<int>(-(2 * f + 2 * cfg.shift));
  const float scale = cfg.effectiveScale(D);
  Tensor<float> out(sInt.shape, -std::numeric_limits<float>::infinity());
  for (int64_t b = 0; b < s.b; ++b)
    for (int64_t h = 0; h < s.h; ++h) {
      if (!headMask.at(b, h))
        continue;
      for (int64_t i = 0; i < s.r; ++i)
        for (int64_t j = 0; j < s.c; ++j) {
          if (!blockMask.at(b, h, i / cfg.blockRows, j / cfg.blockCols))
            continue;
          float m = maskAt(mask, b, h, i, j);
          if (isRemoved(m))
            continue;
          int64_t cross = 0, fracFrac = 0;
          for (int64_t d = 0; d < D; ++d) {
            int64_t qh = q.hi.at(b, h, i, d), ql = q.lo.at(b, h, i, d);
            int64_t kh = k.hi.at(b, h, j, d), kl = k.lo.at(b, h, j, d);
            cross += ql * kh + qh * kl;
            fracFrac += ql * kl;
          }
          int64_t acc = sInt.at(b, h, i, j) * (int64_t(1) << (2 * f)) +
                        cross * (int64_t(1) << f);
          if (!cfg.approx)
            acc += fracFrac;
          float score = static_cast<float>(acc);
          score = std::ldexp(score, down); // exact power-of-two rescale
          score = score * scale;
          score = score + m;
          out.at(b, h, i, j) = score;
        }
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Stage 5: softmax and P·V
//===----------------------------------------------------------------------===//

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

Tensor<float> maskedSoftmax(const Tensor<float> &scores, SoftmaxKind kind) {
  Tensor<float> probs(scores.shape, 0.0f);
  assert(!scores.shape.empty() && "softmax needs at least one dimension");
  const int64_t n = scores.shape.back();
  if (n == 0)
    return probs;
  for (int64_t row = 0; row < scores.size() / n; ++row)
    softmaxRow(&scores.data[row * n], &probs.data[row * n], n, kind);
  return probs;
}

Tensor<float> sparsePV(const Tensor<float> &probs, const Tensor<float> &v,
                       const Tensor<uint8_t> &blockMask,
                       const Tensor<uint8_t> &headMask,
                       const AttentionConfig &cfg) {
  Dims4 p = dims4(probs.shape), vd = dims4(v.shape);
  assert(vd.r == p.c && "V rows must match the score columns");
  Tensor<float> out({p.b, p.h, p.r, vd.c}, 0.0f);
  for (int64_t b = 0; b < p.b; ++b)
    for (int64_t h = 0; h < p.h; ++h) {
      if (!headMask.at(b, h))
        continue; // a pruned head outputs 0
      for (int64_t i = 0; i < p.r; ++i)
        for (int64_t e = 0; e < vd.c; ++e) {
          float acc = 0.0f;
          // Only kept blocks are read (Fetch-Upon-Mask): V rows of pruned
          // blocks never enter the sum, even when they hold inf or NaN.
          for (int64_t j = 0; j < p.c; ++j)
            if (blockMask.at(b, h, i / cfg.blockRows, j / cfg.blockCols))
              acc += probs.at(b, h, i, j) * v.at(b, h, j, e);
          out.at(b, h, i, e) = acc;
        }
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Whole attention
//===----------------------------------------------------------------------===//

AttentionResult attention(const Tensor<float> &q, const Tensor<float> &k,
                          const Tensor<float> &v, const Tensor<float> *mask,
                          const AttentionConfig &cfg) {
  assert(checkAttentionShapes(q.shape, k.shape, v.shape,
                              mask ? &mask->shape : nullptr)
             .empty() &&
         "invalid attention shapes");
  assert(cfg.validate().empty() && "invalid attention config");
  SplitResult qs = splitQuantize(q, cfg);
  SplitResult ks = splitQuantize(k, cfg);
  Tensor<int64_t> sInt = integerScores(qs.hi, ks.hi);
  Tensor<int64_t> theta = blockImportance(sInt, mask, cfg);
  AttentionResult res;
  res.blockMask = blockMask(theta, cfg);
  HeadResult heads = headMask(theta, cfg);
  res.headMask = std::move(heads.headMask);
  res.thetaH = std::move(heads.thetaH);
  Tensor<float> scores =
      approxCombine(qs, ks, sInt, res.blockMask, res.headMask, mask, cfg);
  Tensor<float> probs = maskedSoftmax(scores, cfg.softmax);
  res.out = sparsePV(probs, v, res.blockMask, res.headMask, cfg);
  return res;
}

Tensor<float> denseAttention(const Tensor<float> &q, const Tensor<float> &k,
                             const Tensor<float> &v, const Tensor<float> *mask,
                             float scale) {
  Dims4 qd = dims4(q.shape), kd = dims4(k.shape), vd = dims4(v.shape);
  Tensor<float> scores({qd.b, qd.h, qd.r, kd.r});
  for (int64_t b = 0; b < qd.b; ++b)
    for (int64_t h = 0; h < qd.h; ++h)
      for (int64_t i = 0; i < qd.r; ++i)
        for (int64_t j = 0; j < kd.r; ++j) {
          float m = maskAt(mask, b, h, i, j);
          if (isRemoved(m)) {
            scores.at(b, h, i, j) = -std::numeric_limits<float>::infinity();
            continue;
          }
          float dot = 0.0f;
          for (int64_t d = 0; d < qd.c; ++d)
            dot += q.at(b, h, i, d) * k.at(b, h, j, d);
          scores.at(b, h, i, j) = dot * scale + m;
        }
  Tensor<float> probs = maskedSoftmax(scores, SoftmaxKind::Exact);
  Tensor<float> out({qd.b, qd.h, qd.r, vd.c}, 0.0f);
  for (int64_t b = 0; b < qd.b; ++b)
    for (int64_t h = 0; h < qd.h; ++h)
      for (int64_t i = 0; i < qd.r; ++i)
        for (int64_t e = 0; e < vd.c; ++e) {
          float acc = 0.0f;
          // Removed elements are excluded from P·V too, not just weighted 0.
          for (int64_t j = 0; j < kd.r; ++j)
            if (!isRemoved(maskAt(mask, b, h, i, j)))
              acc += probs.at(b, h, i, j) * v.at(b, h, j, e);
          out.at(b, h, i, e) = acc;
        }
  return out;
}

} // namespace hdp::ref
