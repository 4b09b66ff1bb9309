//===- Transforms.h - hdp rewrites callable outside the passes --*- C++ -*-===//
//
// The rewrites behind hdp-raise-attention, hdp-decompose and hdp-tile, as
// functions: the passes and the transform dialect ops (transform.hdp.*) call
// the same code, so a pass and a transform script cannot drift apart.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_TRANSFORMS_H
#define HDP_DIALECT_HDP_TRANSFORMS_TRANSFORMS_H

#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

namespace hdp {

/// A unit attribute on an scf.for whose iterations are independent (they
/// write disjoint parts of every buffer defined outside the loop and share no
/// scratch): hdp-tile's loop over block-row tiles and the row loops of the
/// hdp-lower-to-loops kernels carry it. hdp-parallelize-loops turns the
/// outermost of them into scf.parallel; elsewhere it means nothing.
constexpr llvm::StringLiteral kParallelLoopAttrName = "hdp.parallel";

/// Raises every recognised linalg attention chain nested in `root` (root
/// itself included) into one hdp.attention carrying `config` (its scale
/// replaced by the one found in the IR), and erases the matched chains.
/// Returns the created ops, in program order; IR it does not recognise stays
/// unchanged.
llvm::SmallVector<AttentionOp> raiseAttention(mlir::RewriterBase &rewriter,
                                              mlir::Operation *root,
                                              ConfigAttr config);

/// The stage ops that replace one hdp.attention, in the order they run.
struct DecomposedAttention {
  SplitQuantizeOp splitQuery, splitKey;
  BlockScoreOp blockScore;
  PruneMaskOp pruneMask;
  HeadMaskOp headMask;
  ApproxCombineOp approxCombine;
  MaskedSoftmaxOp maskedSoftmax;
  SparsePVOp sparsePV;

  /// All of them, in that order.
  llvm::SmallVector<mlir::Operation *> getOps() const;
};

/// Replaces `op` by the HDP stage ops on tensors (with tensor.empty
/// destinations), built at its position.
DecomposedAttention decomposeAttention(mlir::RewriterBase &rewriter,
                                       AttentionOp op);

/// The loop nest that tileAndFuseBlockRows made.
struct TiledFloatPass {
  /// Outermost first: batch, head, block-row tile. Each carries
  /// kParallelLoopAttrName.
  llvm::SmallVector<mlir::Operation *> loops;
  /// The tiled hdp.sparse_pv and the fused producers inside the loops.
  llvm::SmallVector<mlir::Operation *> tiledOps;
};

/// Tiles `pv` (on tensors) along its (batch, head, block row) domain with
/// `tileSizes` (three sizes, each >= 1; block rows counted in blocks of the
/// configuration), fuses the hdp.masked_softmax and hdp.approx_combine
/// producing its probabilities into the loops, and replaces the originals by
/// the loops' results. Fails, with an error on `pv` naming the problem, if
/// the sizes are malformed, if `pv` is on memrefs or if tiling fails.
mlir::FailureOr<TiledFloatPass>
tileAndFuseBlockRows(mlir::RewriterBase &rewriter, SparsePVOp pv,
                     llvm::ArrayRef<int64_t> tileSizes);

/// Folds slices of tensor.empty into tile-sized tensor.empty under `root`, so
/// that bufferization allocates tiles rather than whole score matrices.
mlir::LogicalResult foldEmptyTensorSlices(mlir::Operation *root);

/// Turns every tensor.empty inside a loop marked kParallelLoopAttrName under
/// `root` (or `root` itself) into bufferization.alloc_tensor: each tile then
/// allocates its own scratch. A tensor.empty there could be merged by CSE
/// with one of the same type before the loop, and bufferization would give
/// every tile, and so every thread, that one buffer.
void privatizeTileScratch(mlir::Operation *root);

} // namespace hdp

#endif // HDP_DIALECT_HDP_TRANSFORMS_TRANSFORMS_H
