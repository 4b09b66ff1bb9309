//===- DecomposeAggregatedOps.cpp - hdp-decompose-aggregated-ops ----------===//
//
// linalg aggregates (linalg.softmax) into their parts (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/PatternMatch.h"

namespace hdp {
#define GEN_PASS_DEF_HDPDECOMPOSEAGGREGATEDOPS
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct DecomposeAggregatedOpsPass
    : hdp::impl::HDPDecomposeAggregatedOpsBase<DecomposeAggregatedOpsPass> {
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> aggregates;
    getOperation().walk(
        [&](linalg::AggregatedOpInterface op) { aggregates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : aggregates) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> parts = op.decomposeOperation(rewriter);
      if (failed(parts)) {
        mlir::emitError(op->getLoc())
            << "hdp-cpu-pipeline: cannot decompose '" << op->getName() << "'";
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *parts);
    }
  }
};
} // namespace
