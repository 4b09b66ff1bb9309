//===- FusionAnalysis.h - Which hdp stages lower together -------*- C++ -*-===//
//
// hdp-lower-to-loops lowers some producers and consumers together when the
// IR shows that nothing else reads the buffer between them. The decisions
// are made once, on the stage ops before any is rewritten, and the patterns
// read them from here:
//  * fused scoring: a block_score whose θ (and, under importance = signed,
//    block magnitudes) only its prune_mask and head_mask read is lowered
//    with them, θ existing one step of block rows at a time;
//  * S_int is written only when something other than approx_combine (which
//    recomputes it) reads it;
//  * kept-block softmax: a masked_softmax of scores that an approx_combine
//    wrote visits only the kept blocks of each row; when a sparse_pv is the
//    only reader of its P, the two are lowered together per block row (one
//    list of kept blocks, P in registers and packed rows).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_FUSIONANALYSIS_H
#define HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_FUSIONANALYSIS_H

#include "hdp/Dialect/HDP/IR/HDP.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

namespace hdp::loops {

/// A block_score whose θ buffer is private to one prune_mask and one
/// head_mask that follow it with nothing but allocations in between: the
/// three are lowered together at the later of the two, θ existing one tile
/// of block rows at a time instead of [B, H, N/bm, M/bn].
struct FusedScoring {
  PruneMaskOp prune;
  HeadMaskOp head;
  mlir::Operation *last;
};

/// Where a masked_softmax reads scores that an hdp.approx_combine wrote: the
/// block and head masks that approx_combine used (its pruned blocks and
/// pruned heads are -inf in the scores), and whether the entries of pruned
/// blocks of P must still be written (0) because something other than a
/// sparse_pv with the same masks may read them.
struct SoftmaxBlocks {
  mlir::Value blockMask, headMask;
  int64_t bm = 0, bn = 0;
  bool zeroPruned = true;
  /// The sparse_pv lowered with the softmax (at its place), which then
  /// reads P from registers and packed rows instead of a P buffer: set when
  /// it is P's only reader and nothing between the two touches memory.
  SparsePVOp pv;
};

/// The largest static Dv whose output row P·V keeps in vector registers.
constexpr int64_t kMaxVectorRowDv = 256;

class FusionAnalysis {
public:
  /// Decides for every stage op nested in `root`; build it before any of
  /// them is rewritten.
  explicit FusionAnalysis(mlir::Operation *root);

  /// The prune_mask and head_mask lowered with `op`, or null.
  const FusedScoring *getFusedScoring(BlockScoreOp op) const;
  /// Whether `op` (a prune_mask or head_mask) is lowered by its block_score.
  bool isLoweredWithScoring(mlir::Operation *op) const;
  /// Whether `op` must write S_int into its scores buffer.
  bool needsScores(BlockScoreOp op) const;
  /// Whether `op` is lowered by the masked_softmax that writes its P.
  bool isLoweredWithSoftmax(SparsePVOp op) const;
  /// The kept blocks a masked_softmax may restrict itself to, or null.
  const SoftmaxBlocks *getSoftmaxBlocks(MaskedSoftmaxOp op) const;
  /// The θ (and magnitude) buffers of fused scorings: once the stage ops are
  /// lowered, nothing but their deallocation uses them.
  llvm::ArrayRef<mlir::Value> getFusedBlockBuffers() const {
    return fusedBlockBuffers;
  }

  /// Allocated S_int buffers that no one writes (needsScores is false):
  /// once the stage ops are lowered, only views and deallocation use them.
  llvm::ArrayRef<mlir::Value> getUnwrittenScoreBuffers() const {
    return unwrittenScoreBuffers;
  }

private:
  llvm::SmallVector<mlir::Value> unwrittenScoreBuffers;
  llvm::DenseMap<mlir::Operation *, FusedScoring> fusedScoring;
  llvm::DenseSet<mlir::Operation *> loweredWithScoring;
  llvm::DenseSet<mlir::Operation *> scoresNeeded;
  llvm::DenseMap<mlir::Operation *, SoftmaxBlocks> softmaxBlocks;
  llvm::DenseSet<mlir::Operation *> loweredWithSoftmax;
  llvm::SmallVector<mlir::Value> fusedBlockBuffers;
};

} // namespace hdp::loops

#endif // HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_FUSIONANALYSIS_H
