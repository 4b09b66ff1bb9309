//===- CPUPipeline.cpp - hdp-cpu-pipeline ---------------------------------===//
//
// From hdp.attention (or the stage ops) on tensors to the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Pipelines.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
/// Marks every public function `llvm.emit_c_interface` so that JIT and AOT
/// callers get `_mlir_ciface_NAME` wrappers taking memref descriptors.
struct EmitCInterfacePass
    : PassWrapper<EmitCInterfacePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EmitCInterfacePass)
  StringRef getArgument() const override { return "hdp-emit-c-interface"; }
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(&getContext()));
  }
};
} // namespace

void hdp::buildCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options) {
  pm.addPass(hdp::createHDPDecompose());
  pm.addPass(createCanonicalizerPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Plain (identity-layout) memrefs at function boundaries: what C callers
  // pass and receive.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);

  pm.addPass(hdp::createHDPLowerToLoops());
  // Other linalg in the module (frontend code around the attention).
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(createCSEPass());

  if (options.emitCInterface)
    pm.addPass(std::make_unique<EmitCInterfacePass>());
  pm.addPass(createLowerAffinePass());
  // ceildivui and friends have no direct LLVM lowering.
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void hdp::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "hdp-cpu-pipeline",
      "Compile hdp.attention (or the hdp stage ops) on tensors to the LLVM "
      "dialect for the CPU: decompose, bufferize, lower to loops, lower to "
      "LLVM",
      buildCPUPipeline);
}
