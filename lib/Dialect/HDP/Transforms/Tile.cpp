//===- Tile.cpp - hdp-tile: tile and fuse the stages along block rows -----===//
//
// The floating-point pass of each attention becomes one loop over (batch,
// head, block-row tile): hdp.sparse_pv with hdp.masked_softmax and
// hdp.approx_combine fused in, so the f32 scores and probabilities exist one
// tile at a time. The integer pass (split, block_score, prune_mask,
// head_mask) stays whole: the head decision needs all of it before any
// score is approximated. Its N×M result S_int is not kept by the CPU
// lowering (approx_combine recomputes Int·Int per tile); θ (one i64 per
// block) and the masks are.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace hdp {
#define GEN_PASS_DEF_HDPTILE
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

using namespace mlir;
using namespace hdp;

namespace {
using ControlFnResult = scf::SCFTileAndFuseOptions::ControlFnResult;

/// The floating-point pass: sparse_pv ← masked_softmax ← approx_combine.
std::optional<ControlFnResult>
fuseFloatPass(tensor::ExtractSliceOp, OpResult producer, bool isDestination) {
  Operation *op = producer.getOwner();
  if (isa<tensor::EmptyOp>(op))
    return ControlFnResult{};
  if (isDestination)
    return std::nullopt;
  if (isa<MaskedSoftmaxOp, ApproxCombineOp>(op))
    return ControlFnResult{};
  return std::nullopt;
}

struct HDPTilePass : hdp::impl::HDPTileBase<HDPTilePass> {
  using HDPTileBase::HDPTileBase;

  /// Options are checked once, before anything runs: one error, not one per
  /// function, and not attached to (and so printing) an op.
  LogicalResult initialize(MLIRContext *context) override {
    if (tileBlockRows < 1)
      return emitError(UnknownLoc::get(context))
             << "hdp-tile: tile-block-rows must be >= 1, got "
             << tileBlockRows.getValue();
    return success();
  }

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<SparsePVOp> pvOps;
    getOperation()->walk([&](SparsePVOp pv) {
      if (pv.hasPureTensorSemantics())
        pvOps.push_back(pv);
    });
    for (SparsePVOp op : pvOps)
      if (failed(tileAndFuseBlockRows(rewriter, op, {1, 1, tileBlockRows})))
        return signalPassFailure();
    if (pvOps.empty())
      return;
    if (failed(foldEmptyTensorSlices(getOperation())))
      return signalPassFailure();
    // Folding made tile-sized tensor.empty ops inside the loops.
    privatizeTileScratch(getOperation());
  }
};
} // namespace

FailureOr<TiledFloatPass>
hdp::tileAndFuseBlockRows(RewriterBase &rewriter, SparsePVOp pv,
                          ArrayRef<int64_t> tileSizes) {
  if (tileSizes.size() != 3)
    return pv->emitError("expected 3 tile sizes (batch, head, block rows), "
                         "got ")
           << tileSizes.size();
  if (llvm::any_of(tileSizes, [](int64_t size) { return size < 1; })) {
    InFlightDiagnostic diag = pv->emitError("tile sizes must be >= 1, got [");
    llvm::interleaveComma(tileSizes, diag);
    return diag << "]";
  }
  if (!pv.hasPureTensorSemantics())
    return pv->emitError("only hdp.sparse_pv on tensors can be tiled");
  scf::SCFTileAndFuseOptions options;
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : tileSizes)
    sizes.push_back(rewriter.getIndexAttr(size));
  options.tilingOptions.setTileSizes(sizes);
  options.tilingOptions.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  options.setFusionControlFn(fuseFloatPass);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(pv);
  auto consumer = cast<TilingInterface>(pv.getOperation());
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(rewriter, consumer, options);
  if (failed(result))
    return pv->emitError("could not tile this op");
  // The untiled consumer and fused producers are replaced by the loop's
  // results and go away; uses among themselves must not be rewritten, or
  // they would refer to the loop before it; neither may uses inside the
  // loop itself.
  llvm::SetVector<Operation *> originals = result->fusedProducers;
  originals.insert(consumer);
  for (auto [original, replacement] : result->replacements)
    rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
      Operation *user = use.getOwner();
      return !originals.contains(user) &&
             !result->loops.front()->isAncestor(user);
    });
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation *op : originals) {
      if (!op->getBlock() || !op->use_empty())
        continue;
      rewriter.eraseOp(op);
      originals.remove(op);
      erased = true;
      break;
    }
  }
  TiledFloatPass tiled;
  for (LoopLikeOpInterface loop : result->loops)
    tiled.loops.push_back(loop.getOperation());
  // Tiles (batch items, heads, block rows) write disjoint rows of the
  // output and allocate their own scores: they may run in parallel.
  for (Operation *loop : tiled.loops)
    loop->setAttr(kParallelLoopAttrName, rewriter.getUnitAttr());
  privatizeTileScratch(tiled.loops.front());
  tiled.tiledOps.assign(result->tiledAndFusedOps.begin(),
                        result->tiledAndFusedOps.end());
  return tiled;
}

LogicalResult hdp::foldEmptyTensorSlices(Operation *root) {
  RewritePatternSet patterns(root->getContext());
  tensor::populateFoldTensorEmptyPatterns(patterns);
  return applyPatternsGreedily(root, std::move(patterns));
}

void hdp::privatizeTileScratch(Operation *root) {
  SmallVector<tensor::EmptyOp> scratch;
  root->walk([&](tensor::EmptyOp empty) {
    for (Operation *parent = empty->getParentOp(); parent;
         parent = parent->getParentOp()) {
      if (isa<scf::ForOp>(parent) && parent->hasAttr(kParallelLoopAttrName)) {
        scratch.push_back(empty);
        return;
      }
      if (parent == root)
        return;
    }
  });
  IRRewriter rewriter(root->getContext());
  for (tensor::EmptyOp empty : scratch) {
    rewriter.setInsertionPoint(empty);
    rewriter.replaceOpWithNewOp<bufferization::AllocTensorOp>(
        empty, empty.getType(), empty.getDynamicSizes());
  }
}
