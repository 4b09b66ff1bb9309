//===- ParallelizeLoops.cpp - hdp-parallelize-loops -----------------------===//
//
// The outermost loops marked hdp.parallel become scf.parallel, which
// convert-scf-to-openmp hands to the OpenMP runtime; the marked loops inside
// them stay sequential (no nested parallel regions). See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace hdp {
#define GEN_PASS_DEF_HDPPARALLELIZELOOPS
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct ParallelizeLoopsPass
    : hdp::impl::HDPParallelizeLoopsBase<ParallelizeLoopsPass> {
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
