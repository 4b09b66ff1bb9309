//===- CPUPipeline.cpp - hdp-cpu-pipeline ---------------------------------===//
//
// From hdp.attention (or the stage ops) on tensors to the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Pipelines/Passes.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

std::string hdp::hostIntKernels() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512vnni") && features.lookup("avx512bw"))
    return "avx512-vnni";
  if (features.lookup("avxvnni"))
    return "avx-vnni";
  return "generic";
}

bool hdp::hostRunsIntKernels(StringRef kernels) {
  if (kernels == "generic")
    return true;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  bool avx512 = features.lookup("avx512vnni") && features.lookup("avx512bw");
  if (kernels == "avx512-vnni")
    return avx512;
  // 256-bit vpdpbusd: VEX (AVX-VNNI) or EVEX (AVX512-VNNI + VL).
  if (kernels == "avx-vnni")
    return features.lookup("avxvnni") ||
           (avx512 && features.lookup("avx512vl"));
  return false;
}

void hdp::buildCPUPipeline(OpPassManager &pm,
                           const CPUPipelineOptions &options) {
  pm.addPass(hdp::createHDPDecompose());
  // Frontend code around (or instead of) the attention: softmax, and
  // elementwise arith/math on tensors (e.g. the f16 casts around an f32
  // attention), which bufferization cannot take as they are.
  pm.addPass(hdp::createHDPDecomposeAggregatedOps());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  if (options.tileBlockRows > 0) {
    hdp::HDPTileOptions tile;
    tile.tileBlockRows = options.tileBlockRows;
    pm.addNestedPass<func::FuncOp>(hdp::createHDPTile(tile));
    pm.addPass(createCanonicalizerPass());
    // Identical slice offsets must be one value for bufferization to write
    // tiles in place.
    pm.addPass(createCSEPass());
  }

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Plain (identity-layout) memrefs at function boundaries: what C callers
  // pass and receive.
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.resultsToOutParams) {
    // Before deallocation: the results' allocations become the caller's
    // buffers instead of copies into them.
    pm.addPass(createCanonicalizerPass());
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(hdp::createHDPCopiesToLinalg());

  // Loop-invariant subviews (the K and V slices of a head) move out of the
  // loop over block-row tiles, so that hdp-lower-to-loops prepares K once
  // per head.
  pm.addPass(createLoopInvariantCodeMotionPass());
  hdp::HDPLowerToLoopsOptions lowering;
  lowering.intKernels = options.intKernels;
  pm.addPass(hdp::createHDPLowerToLoops(lowering));
  pm.addPass(hdp::createHDPVectorExpApprox());
  // Other linalg in the module (frontend code around the attention).
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(createCSEPass());
  if (options.numThreads != 1) {
    pm.addPass(hdp::createHDPParallelizeLoops());
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = static_cast<unsigned>(options.numThreads);
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
    pm.addPass(hdp::createHDPGuidedSchedule());
    // The conversion wraps each loop body in memref.alloca_scope, which must
    // stay one block: the kernels have no alloca, and canonicalization
    // inlines the scopes before scf-to-cf splits their bodies into blocks.
    pm.addPass(createCanonicalizerPass());
  }

  if (options.emitCInterface)
    pm.addPass(hdp::createHDPEmitCInterface());
  // Subviews of tiles become explicit offset arithmetic (affine.apply),
  // which lower-affine then turns into arith.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // ceildivui and friends have no direct LLVM lowering.
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  // Math without an LLVM intrinsic (erf, ...) calls libm.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(hdp::createHDPCheckLoweredToLLVM());
}

namespace {
/// Parses and checks the options of hdp-cpu-pipeline{...} when the pipeline
/// is parsed: a bad option is one error, before anything runs.
LogicalResult
buildCPUPipelineFromText(OpPassManager &pm, StringRef text,
                         function_ref<LogicalResult(const Twine &)> error) {
  hdp::CPUPipelineOptions options;
  if (failed(options.parseFromString(text)))
    return failure();
  if (options.numThreads < 0 || options.numThreads > hdp::kMaxThreads)
    return error("hdp-cpu-pipeline: num-threads must be in [0, " +
                 Twine(hdp::kMaxThreads) +
                 "] (0 lets the OpenMP runtime choose), got " +
                 Twine(options.numThreads.getValue()));
  if (options.intKernels != "generic" && options.intKernels != "avx512-vnni" &&
      options.intKernels != "avx-vnni")
    return error("hdp-cpu-pipeline: int-kernels must be generic, avx512-vnni "
                 "or avx-vnni, got '" +
                 Twine(options.intKernels.getValue()) + "'");
  if (options.tileBlockRows < 0)
    return error("hdp-cpu-pipeline: tile-block-rows must be >= 0 (0 leaves "
                 "the attention untiled), got " +
                 Twine(options.tileBlockRows.getValue()));
  hdp::buildCPUPipeline(pm, options);
  return success();
}
} // namespace

void hdp::registerPipelines() {
  // The pipeline's own steps, so that a transform script
  // (transform.apply_registered_pass) can spell out the same compilation.
  hdp::registerHDPPipelinesPasses();
  registerPassPipeline(
      "hdp-cpu-pipeline",
      "Compile hdp.attention (or the hdp stage ops) on tensors to the LLVM "
      "dialect for the CPU: decompose, bufferize, lower to loops, lower to "
      "LLVM; fails naming the first op it could not lower",
      buildCPUPipelineFromText,
      [](function_ref<void(const detail::PassOptions &)> printOptions) {
        printOptions(CPUPipelineOptions());
      });
}
