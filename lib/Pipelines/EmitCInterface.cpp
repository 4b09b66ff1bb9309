//===- EmitCInterface.cpp - hdp-emit-c-interface --------------------------===//
//
// Public functions get C interface wrappers (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace hdp {
#define GEN_PASS_DEF_HDPEMITCINTERFACE
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct EmitCInterfacePass
    : hdp::impl::HDPEmitCInterfaceBase<EmitCInterfacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(&getContext()));
  }
};
} // namespace
