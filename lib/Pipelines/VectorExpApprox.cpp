//===- VectorExpApprox.cpp - hdp-vector-exp-approx ------------------------===//
//
// math.exp as upstream's polynomial approximation, vectorised (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace hdp {
#define GEN_PASS_DEF_HDPVECTOREXPAPPROX
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct VectorExpApproxPass
    : hdp::impl::HDPVectorExpApproxBase<VectorExpApproxPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      // Operation names ("math.exp"), not function names.
      return name == math::ExpOp::getOperationName();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
