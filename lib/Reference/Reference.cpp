//===- Reference.cpp - Plain-loop reference of HDP attention --------------===//
//
// docs/semantics.md, written as plainly as possible. Every choice the design leaves open is
// made here once, with a comment, and mirrored in docs/semantics.md.
//
// Floating-point code in this file must not be contracted into FMAs (the
// build passes -ffp-contract=off) so that results do not depend on the target.
//
//===----------------------------------------------------------------------===//

#include "hdp/Reference/Reference.h"
#include "hdp/Semantics/FixedPoint.h"

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

/// The extents of a rank-4 tensor, named as in [B,H,rows,cols].
struct Dims4 {
  int64_t b, h, r, c;
};
Dims4 dims4(const std::vector<int64_t> &shape) {
  assert(shape.size() == 4 && "expected a rank-4 tensor");
  return {shape[0], shape[1], shape[2], shape[3]};
}

} // namespace

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
  SplitResult r{Tensor<int32_t>(x.shape), Tensor<int32_t>(x.shape)};
  for (int64_t n = 0; n < x.size(); ++n) {
    fixed::SplitValue v =
        fixed::splitValue(x.data[n], static_cast<int>(cfg.intBits),
                          static_cast<int>(cfg.fracBits),
                          static_cast<int>(cfg.shift));
    r.hi.data[n] = v.hi;
    r.lo.data[n] = v.lo;
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

BlockImportance blockImportance(const Tensor<int64_t> &sInt,
                                const Tensor<float> *mask,
                                const AttentionConfig &cfg) {
  Dims4 s = dims4(sInt.shape);
  const int64_t bm = cfg.blockRows, bn = cfg.blockCols;
  const int64_t nbRows = ceilDiv(s.r, bm), nbCols = ceilDiv(s.c, bn);
  BlockImportance res{Tensor<int64_t>({s.b, s.h, nbRows, nbCols}, 0),
                      Tensor<uint8_t>({s.b, s.h, nbRows, nbCols}, 0)};
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
              sum += cfg.importance == Importance::Abs && v < 0 ? -v : v;
            }
          res.theta.at(b, h, bi, bj) = sum;
          res.valid.at(b, h, bi, bj) = valid ? 1 : 0;
        }
  return res;
}

//===----------------------------------------------------------------------===//
// Stage 3: prune-mask
//===----------------------------------------------------------------------===//

Tensor<uint8_t> blockMask(const BlockImportance &importance,
                          const AttentionConfig &cfg) {
  Dims4 t = dims4(importance.theta.shape);
  Tensor<uint8_t> keep(importance.theta.shape, 0);
  const int64_t r = fixed::rhoToQ16(cfg.rho);
  for (int64_t b = 0; b < t.b; ++b)
    for (int64_t h = 0; h < t.h; ++h)
      for (int64_t bi = 0; bi < t.r; ++bi)
        rows::pruneBlockRow(&importance.theta.at(b, h, bi, 0),
                            &importance.valid.at(b, h, bi, 0),
                            &keep.at(b, h, bi, 0), t.c, cfg.policy, r,
                            cfg.topk);
  return keep;
}

Tensor<int64_t> headImportance(const Tensor<int64_t> &sInt,
                               const Tensor<float> *mask) {
  Dims4 s = dims4(sInt.shape);
  Tensor<int64_t> thetaH({s.b, s.h}, 0);
  for (int64_t b = 0; b < s.b; ++b)
    for (int64_t h = 0; h < s.h; ++h) {
      int64_t sum = 0;
      for (int64_t i = 0; i < s.r; ++i)
        for (int64_t j = 0; j < s.c; ++j) {
          if (isRemoved(maskAt(mask, b, h, i, j)))
            continue;
          int64_t v = sInt.at(b, h, i, j);
          sum += v < 0 ? -v : v;
        }
      thetaH.at(b, h) = sum;
    }
  return thetaH;
}

Tensor<uint8_t> headMask(const Tensor<int64_t> &thetaH,
                         const AttentionConfig &cfg) {
  const int64_t B = thetaH.dim(0), H = thetaH.dim(1);
  Tensor<uint8_t> keep({B, H}, 0);
  // τ_H is finite and >= 0 (validate); tauHToQ16 caps it (see there).
  const uint64_t t = fixed::tauHToQ16(cfg.tauH);
  for (int64_t b = 0; b < B; ++b) {
    int128 total = 0;
    for (int64_t h = 0; h < H; ++h)
      total += thetaH.at(b, h);
    for (int64_t h = 0; h < H; ++h)
      keep.at(b, h) = rows::keepHead(H, thetaH.at(b, h), total, t) ? 1 : 0;
  }
  return keep;
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

Tensor<float> maskedSoftmax(const Tensor<float> &scores, SoftmaxKind kind) {
  Tensor<float> probs(scores.shape, 0.0f);
  assert(!scores.shape.empty() && "softmax needs at least one dimension");
  const int64_t n = scores.shape.back();
  if (n == 0)
    return probs;
  for (int64_t row = 0; row < scores.size() / n; ++row)
    rows::softmaxRow(&scores.data[row * n], &probs.data[row * n], n, kind);
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
  AttentionResult res;
  res.blockMask = blockMask(blockImportance(sInt, mask, cfg), cfg);
  res.thetaH = headImportance(sInt, mask);
  res.headMask = headMask(res.thetaH, cfg);
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
