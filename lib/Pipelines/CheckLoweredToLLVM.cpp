//===- CheckLoweredToLLVM.cpp - hdp-check-lowered-to-llvm -----------------===//
//
// One error at the first op the lowering left behind (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/SetVector.h"

namespace hdp {
#define GEN_PASS_DEF_HDPCHECKLOWEREDTOLLVM
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct CheckLoweredToLLVMPass
    : hdp::impl::HDPCheckLoweredToLLVMBase<CheckLoweredToLLVMPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> leftOver;
    module.walk([&](Operation *op) {
      // OpenMP ops translate to LLVM IR (runtime calls) as they are.
      if (op != module.getOperation() &&
          !isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
        leftOver.push_back(op);
    });
    if (leftOver.empty())
      return;
    // Unrealized casts are left where a conversion gave up on something
    // else: name that something.
    Operation *first = leftOver.front();
    for (Operation *op : leftOver)
      if (!isa<UnrealizedConversionCastOp>(op)) {
        first = op;
        break;
      }
    llvm::SetVector<StringRef> others;
    for (Operation *op : leftOver)
      if (op->getName() != first->getName())
        others.insert(op->getName().getStringRef());
    int64_t count = leftOver.size();
    // On the location, not the op: the diagnostic stays one line instead of
    // printing the op (and all it contains).
    InFlightDiagnostic diag = mlir::emitError(first->getLoc());
    diag << "hdp-cpu-pipeline: '" << first->getName()
         << "' was not lowered to the LLVM dialect";
    if (count > 1) {
      diag << " (" << count << " ops left over";
      if (!others.empty()) {
        diag << ", also ";
        llvm::interleaveComma(
            others, diag, [&](StringRef name) { diag << "'" << name << "'"; });
      }
      diag << ")";
    }
    signalPassFailure();
  }
};
} // namespace
