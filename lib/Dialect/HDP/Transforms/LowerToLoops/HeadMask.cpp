//===- HeadMask.cpp - hdp.head_mask to scf loops --------------------------===//
//
// Stage 3b of docs/semantics.md, one batch item at a time: θ_H of every
// head, then the head mask. A head_mask that its block_score lowers (fused
// scoring) only goes.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"
#include "Pruning.h"

#include "llvm/Support/Debug.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

void lowerHeadMask(LoopEmitter &e, HeadMaskOp op) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  hdp::AttentionConfig cfg = op.getEffectiveConfig().toReference();
  Value thetaIn = op.getTheta(), headOut = op.getInits()[0],
        thetaHOut = op.getInits()[1];
  Value B = e.dim(thetaIn, 0), H = e.dim(thetaIn, 1), NB = e.dim(thetaIn, 2),
        MB = e.dim(thetaIn, 3);
  e.loop(B, [&](Value ib) {
    SmallVector<Value> total = e.loopAcc(
        e.index(0), H, {e.i64(0)},
        [&](Value ih, ValueRange tot) -> SmallVector<Value> {
          SmallVector<Value> head = e.loopAcc(
              e.index(0), NB, {e.i64(0)}, [&](Value bi, ValueRange s) {
                return e.loopAcc(
                    e.index(0), MB, s,
                    [&](Value bj, ValueRange s2) -> SmallVector<Value> {
                      Value theta = e.load(thetaIn, {ib, ih, bi, bj});
                      Value valid = arith::CmpIOp::create(
                          b, loc, arith::CmpIPredicate::sge, theta, e.i64(0));
                      Value added = arith::AddIOp::create(b, loc, s2[0], theta);
                      return {
                          arith::SelectOp::create(b, loc, valid, added, s2[0])};
                    });
              });
          e.store(head[0], thetaHOut, {ib, ih});
          return {arith::AddIOp::create(b, loc, tot[0], head[0])};
        });
    emitHeadMask(e, cfg, ib, H, total[0], thetaHOut, headOut);
  });
}

struct HeadMaskLowering : OpRewritePattern<HeadMaskOp> {
  HeadMaskLowering(MLIRContext *context, const FusionAnalysis &fusion)
      : OpRewritePattern(context), fusion(fusion) {}

  LogicalResult matchAndRewrite(HeadMaskOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    if (fusion.isLoweredWithScoring(op)) {
      LLVM_DEBUG(llvm::dbgs() << "head_mask lowered with its block_score\n");
    } else {
      LoopEmitter e(rewriter, op.getLoc());
      lowerHeadMask(e, op);
    }
    rewriter.eraseOp(op);
    return success();
  }

private:
  const FusionAnalysis &fusion;
};

} // namespace

void hdp::loops::populateHeadMaskLowering(RewritePatternSet &patterns,
                                          const FusionAnalysis &fusion) {
  patterns.add<HeadMaskLowering>(patterns.getContext(), fusion);
}
