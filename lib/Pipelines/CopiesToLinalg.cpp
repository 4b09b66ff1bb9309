//===- CopiesToLinalg.cpp - hdp-copies-to-linalg --------------------------===//
//
// memref.copy becomes linalg.copy: no runtime library call (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace hdp {
#define GEN_PASS_DEF_HDPCOPIESTOLINALG
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct CopiesToLinalgPass
    : hdp::impl::HDPCopiesToLinalgBase<CopiesToLinalgPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    });
  }
};
} // namespace
