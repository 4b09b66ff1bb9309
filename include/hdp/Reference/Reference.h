//===- Reference.h - Plain-loop reference of HDP attention ------*- C++ -*-===//
//
// The reference implementation of docs/semantics.md: plain
// loops, no MLIR, no vectorisation. Every other implementation of hdp (the
// compiled CPU code, the simulator) is judged against these functions, so they
// favour obviousness over speed and are never "optimised".
//
//===----------------------------------------------------------------------===//

#ifndef HDP_REFERENCE_REFERENCE_H
#define HDP_REFERENCE_REFERENCE_H

#include "hdp/Semantics/AttentionConfig.h"
#include "hdp/Semantics/Masking.h"
#include "hdp/Semantics/RowKernels.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hdp::ref {

// The configuration types are hdp's shared vocabulary; the reference uses
// them under its own namespace too.
using hdp::AttentionConfig;
using hdp::Importance;
using hdp::Policy;
using hdp::SoftmaxKind;
using hdp::importanceName;
using hdp::policyName;

/// A dense row-major (C order) tensor.
template <typename T> struct Tensor {
  std::vector<int64_t> shape;
  std::vector<T> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> s, T fill = T())
      : shape(std::move(s)), data(numElements(shape), fill) {}

  static int64_t numElements(const std::vector<int64_t> &s) {
    int64_t n = 1;
    for (int64_t d : s)
      n *= d;
    return n;
  }
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t dim(unsigned i) const { return shape[i]; }
  /// Element of a rank-4 tensor.
  T &at(int64_t a, int64_t b, int64_t c, int64_t d) {
    return data[((a * shape[1] + b) * shape[2] + c) * shape[3] + d];
  }
  const T &at(int64_t a, int64_t b, int64_t c, int64_t d) const {
    return data[((a * shape[1] + b) * shape[2] + c) * shape[3] + d];
  }
  /// Element of a rank-2 tensor.
  T &at(int64_t a, int64_t b) { return data[a * shape[1] + b]; }
  const T &at(int64_t a, int64_t b) const { return data[a * shape[1] + b]; }
};

using hdp::isRemoved;
using hdp::kRemovedThreshold;

/// Additive mask value for element (b, h, i, j) of the [B,H,N,M] score matrix,
/// broadcasting `mask` (rank 0..4, numpy rules, trailing dims aligned). A null
/// mask reads as 0.
float maskAt(const Tensor<float> *mask, int64_t b, int64_t h, int64_t i,
             int64_t j);
/// Empty string when `mask` broadcasts to [B,H,N,M], otherwise why not.
std::string checkMaskBroadcast(const std::vector<int64_t> &maskShape, int64_t B,
                               int64_t H, int64_t N, int64_t M);

/// Stage 1, split-quantize: integer (hi) and fraction (lo) parts of x.
/// ±inf and out-of-range values saturate; NaN quantizes to 0.
struct SplitResult {
  Tensor<int32_t> hi; ///< raw >> F (arithmetic)
  Tensor<int32_t> lo; ///< raw - hi * 2^F, in [0, 2^F)
};
SplitResult splitQuantize(const Tensor<float> &x, const AttentionConfig &cfg);

/// Stage 2a: S_int[b,h,i,j] = Σ_d qHi[b,h,i,d]·kHi[b,h,j,d], exactly.
Tensor<int64_t> integerScores(const Tensor<int32_t> &qHi,
                              const Tensor<int32_t> &kHi);

/// Stage 2b: block importance θ [B,H,ceil(N/bm),ceil(M/bn)] over the
/// non-removed elements of each block: Σ|S_int| (Importance::Abs) or Σ S_int
/// (Importance::Signed, may be negative). A block is valid when it has a
/// non-removed element; validity is kept apart from θ (θ = 0 when invalid).
struct BlockImportance {
  Tensor<int64_t> theta;
  Tensor<uint8_t> valid; ///< 1 = at least one non-removed element
};
BlockImportance blockImportance(const Tensor<int64_t> &sInt,
                                const Tensor<float> *mask,
                                const AttentionConfig &cfg);

/// Stage 3a: the block mask [B,H,NB,MB] (1 = kept) under cfg.policy.
Tensor<uint8_t> blockMask(const BlockImportance &importance,
                          const AttentionConfig &cfg);

/// Stage 3b: head importance θ_H [B,H], Σ|S_int| over the non-removed
/// elements of the head (whatever the block ranking).
Tensor<int64_t> headImportance(const Tensor<int64_t> &sInt,
                               const Tensor<float> *mask);
/// Stage 3b: the head mask [B,H] (1 = kept) from θ_H [B,H].
Tensor<uint8_t> headMask(const Tensor<int64_t> &thetaH,
                         const AttentionConfig &cfg);

/// Stage 4, approx-combine: scores [B,H,N,M] in f32 for kept elements (block
/// kept, head kept, element not removed); -inf elsewhere. Includes the
/// 2^-(2F+2shift) rescale, the softmax scale and the additive mask.
Tensor<float> approxCombine(const SplitResult &q, const SplitResult &k,
                            const Tensor<int64_t> &sInt,
                            const Tensor<uint8_t> &blockMask,
                            const Tensor<uint8_t> &headMask,
                            const Tensor<float> *mask,
                            const AttentionConfig &cfg);

/// The hardware's polynomial exp and reciprocal (docs/semantics.md step 5).
using hdp::rows::polyExp;
using hdp::rows::polyReciprocal;

/// Stage 5a: softmax over the finite entries of each row of `scores`
/// ([...,N,M]); rows without one are all 0.
Tensor<float> maskedSoftmax(const Tensor<float> &scores, SoftmaxKind kind);

/// Stage 5b: out[b,h,i,:] = Σ_j p[b,h,i,j]·v[b,h,j,:] over the kept blocks of
/// kept heads; pruned heads output 0.
Tensor<float> sparsePV(const Tensor<float> &probs, const Tensor<float> &v,
                       const Tensor<uint8_t> &blockMask,
                       const Tensor<uint8_t> &headMask,
                       const AttentionConfig &cfg);

/// The whole of docs/semantics.md.
struct AttentionResult {
  Tensor<float> out;         ///< [B,H,N,Dv]
  Tensor<uint8_t> blockMask; ///< [B,H,NB,MB]
  Tensor<uint8_t> headMask;  ///< [B,H]
  Tensor<int64_t> thetaH;    ///< [B,H]
};
/// Precondition: shapes agree (see checkAttentionShapes) and cfg is valid.
AttentionResult attention(const Tensor<float> &q, const Tensor<float> &k,
                          const Tensor<float> &v, const Tensor<float> *mask,
                          const AttentionConfig &cfg);

/// Plain dense f32 softmax(scale·Q·Kᵀ + mask)·V without quantisation or
/// pruning (removed elements excluded): the baseline for error reports.
Tensor<float> denseAttention(const Tensor<float> &q, const Tensor<float> &k,
                             const Tensor<float> &v, const Tensor<float> *mask,
                             float scale);

/// Empty string when q [B,H,N,D], k [B,H,M,D], v [B,H,M,Dv] and the optional
/// mask agree, otherwise a message naming the operand and the expected shape.
std::string checkAttentionShapes(const std::vector<int64_t> &q,
                                 const std::vector<int64_t> &k,
                                 const std::vector<int64_t> &v,
                                 const std::vector<int64_t> *mask);

} // namespace hdp::ref

#endif // HDP_REFERENCE_REFERENCE_H
