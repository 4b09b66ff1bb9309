//===- Decompose.cpp - hdp.attention → stage ops --------------------------===//
//
// hdp-decompose: rewrites hdp.attention into the HDP stages on tensors, in
// the order they run, each with a tensor.empty destination.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace hdp {
#define GEN_PASS_DEF_HDPDECOMPOSE
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

using namespace mlir;
using namespace hdp;

namespace {

/// Builds tensor.empty destinations whose sizes are taken from existing
/// values (dynamic sizes read with tensor.dim when the program runs).
class DestinationBuilder {
public:
  DestinationBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// Dimension `dim` of `source`.
  OpFoldResult dim(Value source, int64_t dim) {
    auto type = cast<RankedTensorType>(source.getType());
    if (!type.isDynamicDim(dim))
      return b.getIndexAttr(type.getDimSize(dim));
    return tensor::DimOp::create(b, loc, source, dim).getResult();
  }

  /// ceil(size / block) as an index.
  OpFoldResult ceilDiv(OpFoldResult size, int64_t block) {
    if (auto attr = dyn_cast<Attribute>(size))
      return b.getIndexAttr(
          llvm::divideCeil(cast<IntegerAttr>(attr).getInt(), block));
    Value blockValue = arith::ConstantIndexOp::create(b, loc, block);
    return arith::CeilDivUIOp::create(b, loc, cast<Value>(size), blockValue)
        .getResult();
  }

  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
    return tensor::EmptyOp::create(b, loc, sizes, elementType).getResult();
  }

private:
  OpBuilder &b;
  Location loc;
};

/// The narrowest of i8/i16 that holds both parts of the split.
Type splitElementType(MLIRContext *ctx, ConfigAttr config) {
  return IntegerType::get(ctx, config.getSplitBitWidth() <= 8 ? 8 : 16);
}

/// i32 unless |S_int| <= D·2^(2I-2) might not fit (or D is unknown).
Type scoreElementType(MLIRContext *ctx, ConfigAttr config, int64_t headDim) {
  if (ShapedType::isDynamic(headDim))
    return IntegerType::get(ctx, 64);
  double bits = std::log2(static_cast<double>(headDim)) +
                2.0 * static_cast<double>(config.getIntBits() - 1);
  return IntegerType::get(ctx, bits < 31.0 ? 32 : 64);
}

SplitQuantizeOp buildSplit(RewriterBase &rewriter, Location loc,
                           DestinationBuilder &dest, Value x,
                           ArrayRef<OpFoldResult> shape, Type partType,
                           ConfigAttr configAttr) {
  Value hiInit = dest.empty(shape, partType);
  Value loInit = dest.empty(shape, partType);
  return SplitQuantizeOp::create(rewriter, loc,
                                 TypeRange{hiInit.getType(), loInit.getType()},
                                 x, ValueRange{hiInit, loInit}, configAttr);
}

struct DecomposeAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    decomposeAttention(rewriter, op);
    return success();
  }
};

struct HDPDecomposePass : hdp::impl::HDPDecomposeBase<HDPDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAttention>(&getContext());
    // One walk, no folding or dead-code removal: IR around hdp.attention
    // stays exactly as it was.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace

SmallVector<Operation *> DecomposedAttention::getOps() const {
  return {splitQuery, splitKey,      blockScore,    pruneMask,
          headMask,   approxCombine, maskedSoftmax, sparsePV};
}

DecomposedAttention hdp::decomposeAttention(RewriterBase &rewriter,
                                            AttentionOp op) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  ConfigAttr config = op.getEffectiveConfig();
  // Keep the configuration as written: absent stays absent.
  ConfigAttr configAttr = op.getConfigAttr();
  DestinationBuilder dest(rewriter, loc);

  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Value mask = op.getMask();
  OpFoldResult B = dest.dim(q, 0), H = dest.dim(q, 1), N = dest.dim(q, 2),
               D = dest.dim(q, 3), M = dest.dim(k, 2), Dv = dest.dim(v, 3);
  OpFoldResult NB = dest.ceilDiv(N, config.getBlockRows());
  OpFoldResult MB = dest.ceilDiv(M, config.getBlockCols());
  int64_t headDim = cast<RankedTensorType>(q.getType()).getDimSize(3);

  Type partType = splitElementType(ctx, config);
  Type scoreType = scoreElementType(ctx, config, headDim);
  Type i1 = rewriter.getI1Type(), i64 = rewriter.getI64Type(),
       f32 = rewriter.getF32Type();

  // Stage 1: split Q and K into integer and fraction parts.
  SplitQuantizeOp splitQ =
      buildSplit(rewriter, loc, dest, q, {B, H, N, D}, partType, configAttr);
  SplitQuantizeOp splitK =
      buildSplit(rewriter, loc, dest, k, {B, H, M, D}, partType, configAttr);
  Value qHi = splitQ.getResult(0), qLo = splitQ.getResult(1);
  Value kHi = splitK.getResult(0), kLo = splitK.getResult(1);

  // Stage 2: integer scores and block importance.
  // Under importance = signed a third init receives the block magnitudes
  // (validity and the head importance).
  const bool signedRanking = config.getImportance() == hdp::Importance::Signed;
  SmallVector<Value> scoreInits = {dest.empty({B, H, N, M}, scoreType),
                                   dest.empty({B, H, NB, MB}, i64)};
  if (signedRanking)
    scoreInits.push_back(dest.empty({B, H, NB, MB}, i64));
  BlockScoreOp blockScore =
      BlockScoreOp::create(rewriter, loc, ValueRange(scoreInits).getTypes(),
                           qHi, kHi, mask, scoreInits, configAttr);
  Value sInt = blockScore.getResult(0), theta = blockScore.getResult(1);
  Value magnitude = signedRanking ? blockScore.getResult(2) : theta;

  // Stage 3: block mask and head mask.
  Value blockMaskInit = dest.empty({B, H, NB, MB}, i1);
  PruneMaskOp pruneMask = PruneMaskOp::create(
      rewriter, loc, TypeRange{blockMaskInit.getType()}, theta,
      signedRanking ? magnitude : Value(), ValueRange{blockMaskInit},
      configAttr);
  Value blockMask = pruneMask.getResult(0);
  Value headMaskInit = dest.empty({B, H}, i1);
  Value thetaHInit = dest.empty({B, H}, i64);
  HeadMaskOp headMask = HeadMaskOp::create(
      rewriter, loc, TypeRange{headMaskInit.getType(), thetaHInit.getType()},
      magnitude, ValueRange{headMaskInit, thetaHInit}, configAttr);

  // Stage 4: approximate scores of kept blocks.
  Value scoreInit = dest.empty({B, H, N, M}, f32);
  ApproxCombineOp approxCombine = ApproxCombineOp::create(
      rewriter, loc, TypeRange{scoreInit.getType()}, qHi, qLo, kHi, kLo, sInt,
      blockMask, headMask.getResult(0), mask, ValueRange{scoreInit},
      configAttr);

  // Stage 5: softmax over kept entries, then block-sparse P·V.
  Value probsInit = dest.empty({B, H, N, M}, f32);
  MaskedSoftmaxOp maskedSoftmax = MaskedSoftmaxOp::create(
      rewriter, loc, TypeRange{probsInit.getType()}, approxCombine.getResult(0),
      ValueRange{probsInit}, configAttr);
  Value outInit = dest.empty({B, H, N, Dv}, f32);
  SparsePVOp sparsePV = SparsePVOp::create(
      rewriter, loc, TypeRange{outInit.getType()}, maskedSoftmax.getResult(0),
      v, blockMask, headMask.getResult(0), ValueRange{outInit}, configAttr);

  SmallVector<Value> replacements = {sparsePV.getResult(0), blockMask,
                                     headMask.getResult(0),
                                     headMask.getResult(1)};
  replacements.resize(op.getNumResults());
  // Result types may be more static than the stage results; cast if so.
  for (auto [repl, result] : llvm::zip(replacements, op.getResults()))
    if (repl.getType() != result.getType())
      repl = tensor::CastOp::create(rewriter, loc, result.getType(), repl);
  rewriter.replaceOp(op, replacements);
  return {splitQ,   splitK,        blockScore,    pruneMask,
          headMask, approxCombine, maskedSoftmax, sparsePV};
}
