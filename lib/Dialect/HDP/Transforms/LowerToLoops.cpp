//===- LowerToLoops.cpp - hdp stage ops on memrefs → scf loops ------------===//
//
// hdp-lower-to-loops: each stage op on memrefs becomes an scf.for nest that
// computes docs/semantics.md exactly (one pattern per stage op, in
// LowerToLoops/). The stage ops are illegal: a dialect conversion rewrites
// them in program order, and one that no pattern lowers fails the pass.
//
//===----------------------------------------------------------------------===//

#include "LowerToLoops/FusionAnalysis.h"
#include "LowerToLoops/KernelBuilder.h"
#include "LowerToLoops/Patterns.h"

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"

// The dialects the pass declares it creates ops of.
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace hdp {
#define GEN_PASS_DEF_HDPLOWERTOLOOPS
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

void hdp::loops::populateHDPToLoopsPatterns(RewritePatternSet &patterns,
                                            const FusionAnalysis &fusion,
                                            IntKernels kernels) {
  populateSplitQuantizeLowering(patterns);
  populateBlockScoreLowering(patterns, fusion, kernels);
  populatePruneMaskLowering(patterns, fusion);
  populateHeadMaskLowering(patterns, fusion);
  populateApproxCombineLowering(patterns, kernels);
  populateMaskedSoftmaxLowering(patterns, fusion, kernels);
  populateSparsePVLowering(patterns, fusion, kernels);
}

namespace {

/// Whether `buffer` is used only by deallocations and by views that are
/// themselves unread.
bool isUnread(Value buffer) {
  return llvm::all_of(buffer.getUsers(), [](Operation *user) {
    if (isa<memref::DeallocOp>(user))
      return true;
    if (isa<memref::SubViewOp, memref::CastOp>(user))
      return isUnread(user->getResult(0));
    return false;
  });
}

/// Erases `op` after everything that uses its results.
void eraseWithUsers(RewriterBase &rewriter, Operation *op) {
  for (Value result : op->getResults())
    for (Operation *user : llvm::make_early_inc_range(result.getUsers()))
      eraseWithUsers(rewriter, user);
  rewriter.eraseOp(op);
}

/// Erases an unread buffer with its views and deallocations.
void eraseIfUnread(RewriterBase &rewriter, Value buffer) {
  if (isUnread(buffer))
    eraseWithUsers(rewriter, buffer.getDefiningOp());
}

struct HDPLowerToLoopsPass
    : hdp::impl::HDPLowerToLoopsBase<HDPLowerToLoopsPass> {
  using HDPLowerToLoopsBase::HDPLowerToLoopsBase;

  LogicalResult initialize(MLIRContext *context) override {
    std::optional<IntKernels> parsed = parseIntKernels(intKernels);
    if (!parsed)
      return emitError(UnknownLoc::get(context))
             << "hdp-lower-to-loops: int-kernels must be generic, "
                "avx512-vnni or avx-vnni, got '"
             << intKernels << "'";
    kernels = *parsed;
    return success();
  }

  void runOnOperation() override {
    // Inputs from the wrong point of the pipeline get one error that names
    // the missing step.
    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (isa<AttentionOp>(op)) {
        op->emitError("hdp-lower-to-loops expects the stage ops: run "
                      "hdp-decompose and one-shot-bufferize first");
        failedAny = true;
        return;
      }
      if (op->getDialect() && isa<HDPDialect>(op->getDialect()) &&
          !hasPureBufferSemantics(op)) {
        op->emitError("hdp-lower-to-loops expects stage ops on memrefs: "
                      "run one-shot-bufferize first");
        failedAny = true;
      }
    });
    if (failedAny)
      return signalPassFailure();

    // Decided on the whole input before any stage op is rewritten.
    FusionAnalysis fusion(getOperation());
    RewritePatternSet patterns(&getContext());
    populateHDPToLoopsPatterns(patterns, fusion, kernels);

    ConversionTarget target(getContext());
    target.addIllegalDialect<HDPDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    // The patterns build their loops at once and never need undoing; the
    // stage ops (no results) have nothing to fold.
    ConversionConfig config;
    config.allowPatternRollback = false;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config)))
      return signalPassFailure();

    // A fused θ (or magnitude) buffer has no reader left but its
    // deallocation: it goes.
    IRRewriter rewriter(&getContext());
    for (Value buffer : fusion.getFusedBlockBuffers()) {
      for (Operation *user : llvm::make_early_inc_range(buffer.getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(buffer.getDefiningOp());
    }
    // So does an S_int buffer that nothing wrote: the N×M matrix is never
    // allocated.
    for (Value buffer : fusion.getUnwrittenScoreBuffers())
      eraseIfUnread(rewriter, buffer);
  }

private:
  IntKernels kernels = IntKernels::Generic;
};

} // namespace
