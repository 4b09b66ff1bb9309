//===- Pipelines.h - hdp compilation pipelines ------------------*- C++ -*-===//

#ifndef HDP_PIPELINES_PIPELINES_H
#define HDP_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <memory>

namespace mlir {
class DialectRegistry;
class OpPassManager;
class Pass;
} // namespace mlir

namespace hdp {

/// The largest `num-threads` hdp-cpu-pipeline accepts.
constexpr int64_t kMaxThreads = 1024;

/// Options of `hdp-cpu-pipeline`.
struct CPUPipelineOptions : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Give every function a C interface wrapper "
                     "(_mlir_ciface_NAME) for JIT and AOT callers"),
      llvm::cl::init(true)};
  Option<int64_t> tileBlockRows{
      *this, "tile-block-rows",
      llvm::cl::desc("Block rows per tile of the fused floating-point pass "
                     "(hdp-tile); 0 leaves it untiled"),
      llvm::cl::init(8)};
  Option<int64_t> numThreads{
      *this, "num-threads",
      llvm::cl::desc("Threads of the OpenMP runtime that run the independent "
                     "loops (block-row tiles, rows): 0 lets the runtime "
                     "choose (OMP_NUM_THREADS, else every core), 1 compiles "
                     "sequential code that needs no OpenMP runtime"),
      llvm::cl::init(0)};
  Option<std::string> intKernels{
      *this, "int-kernels",
      llvm::cl::desc("Integer product kernels (hdp-lower-to-loops): generic "
                     "(any x86-64), avx512-vnni or avx-vnni (the target CPU "
                     "must have them; hostIntKernels() names the host's)"),
      llvm::cl::init("generic")};
  Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Public functions write their (static-shape) results "
                     "into buffers the caller passes after the arguments "
                     "(upstream buffer-results-to-out-params with "
                     "hoist-static-allocs): no copy of the results per call"),
      llvm::cl::init(false)};
};

/// The fastest int-kernels the host CPU runs: avx512-vnni, avx-vnni or
/// generic.
std::string hostIntKernels();

/// Whether `kernels` names int-kernels that the host CPU runs.
bool hostRunsIntKernels(llvm::StringRef kernels);

/// hdp.attention (or the stage ops) on tensors → LLVM dialect:
/// hdp-decompose, hdp-tile, one-shot-bufferize, hdp-lower-to-loops, then the
/// upstream lowering to LLVM. Frontend code around the attention is lowered
/// too (linalg.softmax decomposed, elementwise ops on tensors, libm calls);
/// the pipeline fails, naming the first op, if anything else is left.
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Registers the pipelines under their stable names (`hdp-cpu-pipeline`).
void registerPipelines();

/// Adds the upstream dialects and interface models (bufferization, buffer
/// deallocation, tiling, convert-to-llvm) that buildCPUPipeline relies on, for
/// tools that do not register all of upstream MLIR. hdp::registerAllDialects
/// calls it.
void registerCPUPipelineDependencies(mlir::DialectRegistry &registry);

} // namespace hdp

#endif // HDP_PIPELINES_PIPELINES_H
