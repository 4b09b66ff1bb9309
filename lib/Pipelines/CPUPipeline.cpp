//===- CPUPipeline.cpp - hdp-cpu-pipeline ---------------------------------===//
//
// From hdp.attention (or the stage ops) on tensors to the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/Transforms/Passes.h"
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

namespace {
/// Marks every public function `llvm.emit_c_interface` so that JIT and AOT
/// callers get `_mlir_ciface_NAME` wrappers taking memref descriptors.
struct EmitCInterfacePass
    : PassWrapper<EmitCInterfacePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(EmitCInterfacePass)
  StringRef getArgument() const override { return "hdp-emit-c-interface"; }
  StringRef getDescription() const override {
    return "Mark public functions llvm.emit_c_interface";
  }
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                      UnitAttr::get(&getContext()));
  }
};

/// Rewrites memref.copy into linalg.copy (and so, later, into loops): the
/// LLVM lowering would otherwise call `memrefCopy` from MLIR's runner
/// library for strided copies, which JIT and AOT users do not link.
struct CopiesToLinalgPass
    : PassWrapper<CopiesToLinalgPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopiesToLinalgPass)
  StringRef getArgument() const override { return "hdp-copies-to-linalg"; }
  StringRef getDescription() const override {
    return "Rewrite memref.copy into linalg.copy (no runtime library call)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
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
/// Rewrites math.exp (the exact softmax, 16 lanes) into upstream's
/// polynomial approximation (range reduction by ln 2 and a polynomial, within
/// a few ulp of expf), which stays vectorised; otherwise each lane would call
/// expf.
struct VectorExpApproximationPass
    : PassWrapper<VectorExpApproximationPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(VectorExpApproximationPass)
  StringRef getArgument() const override { return "hdp-vector-exp-approx"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, math::MathDialect,
                    vector::VectorDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      // Operation names ("math.exp"), not function names.
      return name == math::ExpOp::getOperationName();
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

/// Decomposes linalg ops that are aggregates of others (linalg.softmax into
/// max, sub, exp, sum and div generics), as upstream's
/// transform.structured.decompose_interface does: the loop lowering leaves
/// them in place.
struct DecomposeAggregatedOpsPass
    : PassWrapper<DecomposeAggregatedOpsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DecomposeAggregatedOpsPass)
  StringRef getArgument() const override {
    return "hdp-decompose-aggregated-ops";
  }
  StringRef getDescription() const override {
    return "Decompose linalg ops with AggregatedOpInterface (linalg.softmax) "
           "into linalg.generic ops";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, linalg::LinalgDialect,
                    math::MathDialect>();
  }
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

/// Fails, with one error at the first op left over, unless only the LLVM
/// dialect remains: otherwise translating to LLVM IR would fail later, far
/// from the cause.
struct CheckLoweredToLLVMPass
    : PassWrapper<CheckLoweredToLLVMPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckLoweredToLLVMPass)
  StringRef getArgument() const override { return "hdp-check-lowered-to-llvm"; }
  StringRef getDescription() const override {
    return "Fail naming the first op that is not in the LLVM dialect";
  }
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
  pm.addPass(std::make_unique<DecomposeAggregatedOpsPass>());
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
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(std::make_unique<CopiesToLinalgPass>());

  // Loop-invariant subviews (the K and V slices of a head) move out of the
  // loop over block-row tiles, so that hdp-lower-to-loops prepares K once
  // per head.
  pm.addPass(createLoopInvariantCodeMotionPass());
  hdp::HDPLowerToLoopsOptions lowering;
  lowering.intKernels = options.intKernels;
  pm.addPass(hdp::createHDPLowerToLoops(lowering));
  pm.addPass(std::make_unique<VectorExpApproximationPass>());
  // Other linalg in the module (frontend code around the attention).
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(createCSEPass());
  if (options.numThreads != 1) {
    pm.addPass(hdp::createParallelizeLoopsPass());
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = static_cast<unsigned>(options.numThreads);
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
    // The conversion wraps each loop body in memref.alloca_scope, which must
    // stay one block: the kernels have no alloca, and canonicalization
    // inlines the scopes before scf-to-cf splits their bodies into blocks.
    pm.addPass(createCanonicalizerPass());
  }

  if (options.emitCInterface)
    pm.addPass(std::make_unique<EmitCInterfacePass>());
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
  pm.addPass(std::make_unique<CheckLoweredToLLVMPass>());
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
  PassRegistration<EmitCInterfacePass>();
  PassRegistration<CopiesToLinalgPass>();
  PassRegistration<DecomposeAggregatedOpsPass>();
  PassRegistration<CheckLoweredToLLVMPass>();
  hdp::registerParallelizeLoopsPass();
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
