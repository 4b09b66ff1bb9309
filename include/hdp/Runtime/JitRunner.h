//===- JitRunner.h - Compile and run hdp programs on the CPU ----*- C++ -*-===//
//
// Compiles a module of functions on tensors (hdp.attention, hdp stage ops,
// linalg) with hdp-cpu-pipeline and the MLIR ExecutionEngine, then calls its
// functions on .npy arrays. hdp-run's `--backend=cpu` and `FILE.mlir
// --function=NAME` modes are thin wrappers around this.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_RUNTIME_JITRUNNER_H
#define HDP_RUNTIME_JITRUNNER_H

#include "hdp/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace hdp {
class ConfigAttr;
} // namespace hdp

namespace hdp::runtime {

/// Registers everything the runner's modules may contain and its pipeline
/// needs: upstream dialects and extensions, hdp, bufferization models and
/// LLVM IR translations.
void registerRunnerDialects(mlir::DialectRegistry &registry);

/// The OpenMP runtime (libomp) that multi-threaded code is linked with.
const char *openMPRuntimePath();

/// How JitModule::compile compiles with hdp-cpu-pipeline.
struct JitOptions {
  /// hdp-cpu-pipeline's num-threads: 0 lets the OpenMP runtime choose
  /// (OMP_NUM_THREADS, else every core), 1 is sequential code.
  int64_t numThreads = 0;
  /// hdp-cpu-pipeline's int-kernels; "host" picks the host CPU's fastest
  /// (hdp::hostIntKernels()).
  std::string intKernels = "host";
  /// hdp-cpu-pipeline's results-to-out-params: the compiled functions write
  /// their results straight into the buffers runDense is given (no copy per
  /// call); such a module runs through runDense only. Results need static
  /// shapes.
  bool resultsToOutParams = false;
};

/// A module compiled for the host CPU, ready to run.
class JitModule {
public:
  ~JitModule();

  /// Lowers `module` (consumed) with hdp-cpu-pipeline and JIT-compiles it;
  /// code that runs on threads loads the OpenMP runtime. Errors carry the
  /// pipeline's diagnostics.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(mlir::OwningOpRef<mlir::ModuleOp> module,
          const JitOptions &options = JitOptions());

  /// Lowers `module` (consumed) with the transform script
  /// `@__transform_main` of `transformLibrary` instead of hdp-cpu-pipeline,
  /// then JIT-compiles it. The script receives the whole module and must
  /// lower it to the LLVM dialect; public functions are marked
  /// `llvm.emit_c_interface` before it runs. The library must live in the
  /// same context as `module`.
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(mlir::OwningOpRef<mlir::ModuleOp> module,
          mlir::ModuleOp transformLibrary);

  /// Runs public function `name` on `inputs` (one per argument, converted
  /// to the argument's element type; shapes must fit the argument types).
  /// `inputNames` name the inputs in errors. Returns one array per result.
  /// With `repetitions` > 1 the function runs that many times (results of
  /// the last run are returned) and `timesMs`, when given, receives the
  /// wall time of each call, conversions excluded.
  llvm::Expected<std::vector<npy::Array>>
  run(llvm::StringRef name, const std::vector<npy::Array> &inputs,
      const std::vector<std::string> &inputNames, unsigned repetitions = 1,
      std::vector<double> *timesMs = nullptr);

  /// Runs public function `name` once on caller buffers, without copying
  /// them: `inputs[i]` holds argument i dense and row-major, in the
  /// argument's element type and shape (which must be static), and is only
  /// read. Result i is copied into `outputs[i]` (dense, in the result's
  /// element type; i1 as bytes 0/1) unless that is null. One copy per
  /// result instead of run()'s conversions: the C API's attention, whose
  /// buffers already have the argument types. A module compiled with
  /// JitOptions::resultsToOutParams writes the results into `outputs` as it
  /// computes them; an output that overlaps an input (or an earlier output)
  /// is computed into a scratch buffer and copied in after the call, so the
  /// results are the same either way.
  llvm::Error runDense(llvm::StringRef name,
                       llvm::ArrayRef<const void *> inputs,
                       llvm::ArrayRef<void *> outputs);

  /// Names of the public functions.
  std::vector<std::string> functionNames() const;

private:
  struct Signature {
    std::vector<mlir::RankedTensorType> args;
    std::vector<mlir::RankedTensorType> results;
  };
  JitModule() = default;
  static llvm::Expected<std::unique_ptr<JitModule>>
  compileWith(mlir::OwningOpRef<mlir::ModuleOp> module,
              mlir::ModuleOp transformLibrary, const JitOptions &options);
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::map<std::string, Signature> signatures;
  /// Compiled with results-to-out-params.
  bool resultsAreOutParams = false;
};

/// A module with one public function (`@attention` by default) computing
/// hdp.attention for the given shapes (rank-4 Q, K, V; mask of any
/// broadcastable shape, or none) and configuration, returning the first
/// `numResults` of (out, block mask, head mask, θ_H).
mlir::OwningOpRef<mlir::ModuleOp> buildAttentionModule(
    mlir::MLIRContext &context, llvm::ArrayRef<int64_t> queryShape,
    llvm::ArrayRef<int64_t> keyShape, llvm::ArrayRef<int64_t> valueShape,
    const std::vector<int64_t> *maskShape, hdp::ConfigAttr config,
    unsigned numResults, llvm::StringRef functionName = "attention");

} // namespace hdp::runtime

#endif // HDP_RUNTIME_JITRUNNER_H
