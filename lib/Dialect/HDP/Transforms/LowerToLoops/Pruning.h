//===- Pruning.h - Block and head mask kernels of hdp loops -----*- C++ -*-===//
//
// The integer pruning rules of docs/semantics.md (stage 3) as IR: one block
// row's mask and one batch item's head mask. The prune_mask and head_mask
// patterns use them on whole θ buffers; the block_score pattern uses them on
// the θ of each step when it lowers the three stages together.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PRUNING_H
#define HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PRUNING_H

#include "KernelBuilder.h"

#include "hdp/Semantics/AttentionConfig.h"

namespace hdp::loops {

/// One block row of a [.., MB] buffer: memref[prefix..., bj].
struct BlockRow {
  mlir::Value memref;
  llvm::SmallVector<mlir::Value> prefix;
};

/// Prunes one block row (docs/semantics.md, stage 3a) of θ `theta` into the
/// block mask row `mask`. Under importance = abs θ ≥ 0 for a valid block
/// and -1 for an invalid one, and `magnitude` is null. Under importance =
/// signed θ has any sign and `magnitude` holds the blocks' Σ|S_int| (-1:
/// invalid). Returns the sum of the row's valid magnitudes: the row's share
/// of its head's θ_H.
mlir::Value emitPruneRow(LoopEmitter &e, const hdp::AttentionConfig &cfg,
                         mlir::Value MB, const BlockRow &theta,
                         const BlockRow *magnitude, const BlockRow &mask);

/// The head mask of batch item `ib` from its θ_H, already in `thetaH`, and
/// their sum `total`: kept ⇔ H·65536·θ_H ≥ t·Σθ_H', in i128.
void emitHeadMask(LoopEmitter &e, const hdp::AttentionConfig &cfg,
                  mlir::Value ib, mlir::Value H, mlir::Value total,
                  mlir::Value thetaH, mlir::Value headOut);

} // namespace hdp::loops

#endif // HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PRUNING_H
