//===- ParallelizeLoops.cpp - hdp-parallelize-loops -----------------------===//
//
// The loops the hdp lowering marks independent (hdp.parallel) become
// scf.parallel, which convert-scf-to-openmp then hands to the OpenMP runtime.
// Only the outermost marked loop of a nest is converted: the ones inside it
// stay sequential loops within each thread (no nested parallel regions).
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/Transforms/Transforms.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;

namespace {
struct ParallelizeLoopsPass
    : PassWrapper<ParallelizeLoopsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ParallelizeLoopsPass)
  StringRef getArgument() const override { return "hdp-parallelize-loops"; }
  StringRef getDescription() const override {
    return "Turn the outermost scf.for loops marked hdp.parallel into "
           "scf.parallel";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<scf::SCFDialect>();
  }
  void runOnOperation() override {
    SmallVector<scf::ForOp> outermost;
    getOperation()->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      // A loop with results carries values from one iteration to the next.
      if (!loop->hasAttr(hdp::kParallelLoopAttrName) ||
          loop.getNumResults() != 0)
        return WalkResult::advance();
      outermost.push_back(loop);
      return WalkResult::skip();
    });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : outermost) {
      rewriter.setInsertionPoint(loop);
      auto parallel = scf::ParallelOp::create(
          rewriter, loop.getLoc(), ValueRange{loop.getLowerBound()},
          ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()},
          ValueRange{}, /*bodyBuilderFn=*/nullptr);
      Block *body = parallel.getBody();
      rewriter.eraseOp(loop.getBody()->getTerminator());
      rewriter.inlineBlockBefore(loop.getBody(), body->getTerminator(),
                                 body->getArguments());
      rewriter.eraseOp(loop);
    }
  }
};
} // namespace

std::unique_ptr<Pass> hdp::createParallelizeLoopsPass() {
  return std::make_unique<ParallelizeLoopsPass>();
}

void hdp::registerParallelizeLoopsPass() {
  PassRegistration<ParallelizeLoopsPass>();
}
