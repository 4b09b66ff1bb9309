//===- ParallelizeLoops.cpp - hdp-parallelize-loops -----------------------===//
//
// The outermost loops marked hdp.parallel become scf.parallel, which
// convert-scf-to-openmp hands to the OpenMP runtime; a marked loop that is
// all its marked parent does (besides side-effect-free ops) joins it as a
// further dimension; other marked loops inside stay sequential (no nested
// parallel regions). See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace hdp {
#define GEN_PASS_DEF_HDPPARALLELIZELOOPS
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {

bool isParallelCandidate(scf::ForOp loop) {
  return loop->hasAttr(hdp::kParallelLoopAttrName) && loop.getNumResults() == 0;
}

/// The marked loop that `loop`'s body consists of, besides side-effect-free
/// ops, when its bounds do not depend on `loop`: the two can be one
/// rectangular parallel loop.
scf::ForOp innerDimension(scf::ForOp loop) {
  scf::ForOp inner;
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto nested = dyn_cast<scf::ForOp>(&op);
        nested && isParallelCandidate(nested) && !inner) {
      inner = nested;
      continue;
    }
    if (!isMemoryEffectFree(&op) || op.getNumRegions() != 0)
      return {};
  }
  if (!inner)
    return {};
  for (Value bound :
       {inner.getLowerBound(), inner.getUpperBound(), inner.getStep()})
    if (!loop.isDefinedOutsideOfLoop(bound))
      return {};
  return inner;
}

struct ParallelizeLoopsPass
    : hdp::impl::HDPParallelizeLoopsBase<ParallelizeLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> outermost;
    getOperation()->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (!isParallelCandidate(loop))
        return WalkResult::advance();
      outermost.push_back(loop);
      return WalkResult::skip();
    });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : outermost) {
      SmallVector<scf::ForOp> nest = {loop};
      while (scf::ForOp inner = innerDimension(nest.back()))
        nest.push_back(inner);
      SmallVector<Value> lbs, ubs, steps;
      for (scf::ForOp l : nest) {
        lbs.push_back(l.getLowerBound());
        ubs.push_back(l.getUpperBound());
        steps.push_back(l.getStep());
      }
      rewriter.setInsertionPoint(loop);
      auto parallel =
          scf::ParallelOp::create(rewriter, loop.getLoc(), lbs, ubs, steps,
                                  ValueRange{}, /*bodyBuilderFn=*/nullptr);
      Block *body = parallel.getBody();
      // The side-effect-free ops of the outer loops are cloned in front of
      // the innermost body, with the outer induction variables mapped.
      IRMapping mapping;
      rewriter.setInsertionPoint(body->getTerminator());
      for (auto [depth, l] : llvm::enumerate(nest)) {
        mapping.map(l.getInductionVar(), body->getArgument(depth));
        if (depth + 1 == nest.size())
          break;
        for (Operation &op : l.getBody()->without_terminator())
          if (&op != nest[depth + 1].getOperation())
            rewriter.clone(op, mapping);
      }
      scf::ForOp innermost = nest.back();
      for (Operation &op : innermost.getBody()->without_terminator())
        rewriter.clone(op, mapping);
      rewriter.eraseOp(loop);
    }
  }
};
} // namespace
