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

/// Prunes one block row (docs/semantics.md, stage 3a) whose θ `thetaAt(bj)`
/// reads; `storeKept(bj, kept)` writes its block mask. Under importance =
/// abs θ ≥ 0 for a valid block and -1 for an invalid one, and
/// `magnitudeAt` is null. Under importance = signed θ has any sign and
/// `magnitudeAt(bj)` reads the block's Σ|S_int| (-1: invalid). Returns the
/// sum of the row's valid magnitudes: the row's share of its head's θ_H.
mlir::Value
emitPruneRow(LoopEmitter &e, const hdp::AttentionConfig &cfg, mlir::Value MB,
             llvm::function_ref<mlir::Value(mlir::Value)> thetaAt,
             llvm::function_ref<mlir::Value(mlir::Value)> magnitudeAt,
             llvm::function_ref<void(mlir::Value, mlir::Value)> storeKept);

/// The head mask of batch item `ib` from its θ_H, already in `thetaH`, and
/// their sum `total`: kept ⇔ H·65536·θ_H ≥ t·Σθ_H', in i128.
void emitHeadMask(LoopEmitter &e, const hdp::AttentionConfig &cfg,
                  mlir::Value ib, mlir::Value H, mlir::Value total,
                  mlir::Value thetaH, mlir::Value headOut);

} // namespace hdp::loops

#endif // HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PRUNING_H
