//===- RowKernels.h - Per-row rules of HDP, defined once --------*- C++ -*-===//
//
// The pure per-row kernels of docs/semantics.md: the block mask of one block
// row (step 3), the head decision (step 3), and the exact and polynomial row
// softmax (step 5). The reference and the simulator's functional model call
// these; they are compiled without FMA contraction so every caller rounds the
// same way.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SEMANTICS_ROWKERNELS_H
#define HDP_SEMANTICS_ROWKERNELS_H

#include "hdp/Semantics/AttentionConfig.h"

#include <cstdint>

namespace hdp::rows {

/// The block mask of one row of `numBlocks` blocks: keep[j] = 1 when block j
/// is valid (valid[j] != 0) and selected by `policy` from the importances
/// theta[j] (any sign; invalid blocks' θ is ignored), else 0. `rhoQ16` is
/// fixed::rhoToQ16(ρ); `topk` is the k of Policy::TopK.
void pruneBlockRow(const int64_t *theta, const uint8_t *valid, uint8_t *keep,
                   int64_t numBlocks, Policy policy, int64_t rhoQ16,
                   int64_t topk);

/// Head decision: kept ⇔ numHeads·65536·θ_H ≥ t·Σθ_H', evaluated exactly;
/// `tauHQ16` is fixed::tauHToQ16(τ_H) and `total` = Σ_h' θ_H' ≥ 0.
bool keepHead(int64_t numHeads, int64_t thetaH, __int128 total,
              uint64_t tauHQ16);

/// The hardware's polynomial exp (I-BERT second order) for x <= 0.
float polyExp(float x);
/// The hardware's reciprocal: linear seed plus one Newton step.
float polyReciprocal(float sigma);

/// Softmax of one row of `n` entries at `in`, written to `out` (may alias
/// `in`). Entries that are not finite (-inf for pruned or removed elements)
/// get 0; a row without a finite entry is all 0. Max and sum run over the
/// finite entries in increasing column order. Returns the number of finite
/// entries.
int64_t softmaxRow(const float *in, float *out, int64_t n, SoftmaxKind kind);

} // namespace hdp::rows

#endif // HDP_SEMANTICS_ROWKERNELS_H
