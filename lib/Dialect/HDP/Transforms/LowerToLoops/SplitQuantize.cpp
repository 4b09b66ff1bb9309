//===- SplitQuantize.cpp - hdp.split_quantize to scf loops ----------------===//
//
// Stage 1 of docs/semantics.md, elementwise over any rank: scale, clamp,
// round half to even, then split into integer and fraction parts.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <algorithm>
#include <cmath>
#include <functional>

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

void lowerSplitQuantize(LoopEmitter &e, SplitQuantizeOp op) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  ConfigAttr config = op.getEffectiveConfig();
  int64_t F = config.getFracBits(), I = config.getIntBits();
  Value input = op.getInput(), hiOut = op.getInits()[0],
        loOut = op.getInits()[1];
  Type partType = cast<MemRefType>(hiOut.getType()).getElementType();
  int64_t rank = cast<MemRefType>(input.getType()).getRank();

  // Both bounds are exact in f32 (|bound| <= 2^15).
  float minRaw = -std::ldexp(1.0f, static_cast<int>(I + F - 1));
  float maxRaw = std::ldexp(1.0f, static_cast<int>(I + F - 1)) - 1.0f;
  float preScale = std::ldexp(1.0f, static_cast<int>(F + config.getShift()));

  std::function<void(SmallVector<Value>)> nest = [&](SmallVector<Value> ivs) {
    int64_t depth = ivs.size();
    if (depth < rank) {
      auto body = [&](Value iv) {
        SmallVector<Value> next = ivs;
        next.push_back(iv);
        nest(next);
      };
      // Elements are independent: the loops down to the one over rows (the
      // one before the innermost) may run in parallel, as one region.
      if (depth <= std::max<int64_t>(rank - 2, 0))
        e.parallelLoop(e.index(0), e.dim(input, depth), body);
      else
        e.loop(e.dim(input, depth), body);
      return;
    }
    Value x = e.load(input, ivs);
    Value scaled = arith::MulFOp::create(b, loc, x, e.f32(preScale));
    // NaN quantises to 0 (docs/semantics.md).
    Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                        scaled, scaled);
    scaled = arith::SelectOp::create(b, loc, isNan, e.f32(0.0f), scaled);
    // Clamping before rounding equals clamping after: the bounds are
    // integers. Clamping first keeps the f32→int conversion in range.
    scaled = arith::MaximumFOp::create(b, loc, scaled, e.f32(minRaw));
    scaled = arith::MinimumFOp::create(b, loc, scaled, e.f32(maxRaw));
    Value rounded = math::RoundEvenOp::create(b, loc, scaled);
    Value raw = arith::FPToSIOp::create(b, loc, b.getI32Type(), rounded);
    Value fBits = arith::ConstantIntOp::create(b, loc, b.getI32Type(), F);
    Value hi = arith::ShRSIOp::create(b, loc, raw, fBits);
    Value lo = arith::SubIOp::create(b, loc, raw,
                                     arith::ShLIOp::create(b, loc, hi, fBits));
    e.store(e.sext(hi, partType.getIntOrFloatBitWidth()), hiOut, ivs);
    e.store(e.sext(lo, partType.getIntOrFloatBitWidth()), loOut, ivs);
  };
  nest({});
}

struct SplitQuantizeLowering : OpRewritePattern<SplitQuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SplitQuantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    LoopEmitter e(rewriter, op.getLoc());
    lowerSplitQuantize(e, op);
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void hdp::loops::populateSplitQuantizeLowering(RewritePatternSet &patterns) {
  patterns.add<SplitQuantizeLowering>(patterns.getContext());
}
