//===- PruneMask.cpp - hdp.prune_mask to scf loops ------------------------===//
//
// Stage 3a of docs/semantics.md: the block mask of every block row from its
// θ. A prune_mask that its block_score lowers (fused scoring) only goes.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"
#include "Pruning.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

void lowerPruneMask(LoopEmitter &e, PruneMaskOp op) {
  hdp::AttentionConfig cfg = op.getEffectiveConfig().toReference();
  Value thetaIn = op.getTheta(), maskOut = op.getInits()[0];
  Value magnitudeIn = op.getMagnitude();
  Value B = e.dim(thetaIn, 0), H = e.dim(thetaIn, 1), NB = e.dim(thetaIn, 2),
        MB = e.dim(thetaIn, 3);
  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      e.loop(NB, [&](Value bi) {
        BlockRow magnitude{magnitudeIn, {ib, ih, bi}};
        emitPruneRow(e, cfg, MB, BlockRow{thetaIn, {ib, ih, bi}},
                     magnitudeIn ? &magnitude : nullptr,
                     BlockRow{maskOut, {ib, ih, bi}});
      });
    });
  });
}

struct PruneMaskLowering : OpRewritePattern<PruneMaskOp> {
  PruneMaskLowering(MLIRContext *context, const FusionAnalysis &fusion)
      : OpRewritePattern(context), fusion(fusion) {}

  LogicalResult matchAndRewrite(PruneMaskOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    if (fusion.isLoweredWithScoring(op)) {
      LLVM_DEBUG(llvm::dbgs() << "prune_mask lowered with its block_score\n");
    } else {
      LoopEmitter e(rewriter, op.getLoc());
      lowerPruneMask(e, op);
    }
    rewriter.eraseOp(op);
    return success();
  }

private:
  const FusionAnalysis &fusion;
};

} // namespace

void hdp::loops::populatePruneMaskLowering(RewritePatternSet &patterns,
                                           const FusionAnalysis &fusion) {
  patterns.add<PruneMaskLowering>(patterns.getContext(), fusion);
}
