//===- hdp-run.cpp - Run HDP attention on .npy files ----------------------===//
//
// hdp-run --attention --config='#hdp.config<rho = 0.3>' \
//   --input=@q.npy --input=@k.npy --input=@v.npy [--input=@mask.npy] \
//   [--output=@out.npy|- [--output=@block_mask.npy|- [...]]]
//   [--backend=reference|cpu|sim]
//
// hdp-run FILE.mlir --function=NAME --input=@a.npy ... --output=@r.npy ...
//   JIT-compiles FILE.mlir for the CPU (hdp-cpu-pipeline) and runs one of
//   its functions on tensors.
//
// Inputs and outputs follow iree-run-module's '@file' convention; an output
// given as '-' is printed to stdout as one line of text (dtype, shape, first
// values), and without any --output every result is printed so ('@-' writes
// the .npy bytes to stdout instead). Every bad
// input yields one "hdp-run: error: <where>: <what was expected>" line and
// exit code 1; every file (outputs, --sim-stats) is written once everything
// has been computed, all or nothing (hdp/Tooling/OutputFiles.h), so a failed
// run never leaves files behind. Tensors beyond the size limit of
// docs/tools.md are refused before they are allocated.
//
//===----------------------------------------------------------------------===//

#include "hdp-c/Runtime.h"
#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Pipelines/Pipelines.h"
#include "hdp/Reference/Reference.h"
#include "hdp/Runtime/JitRunner.h"
#include "hdp/Sim/Simulator.h"
#include "hdp/Support/Npy.h"
#include "hdp/Support/TextNesting.h"
#include "hdp/Tooling/CommandLine.h"
#include "hdp/Tooling/Diagnostics.h"
#include "hdp/Tooling/Limits.h"
#include "hdp/Tooling/NpyOperands.h"
#include "hdp/Tooling/OutputFiles.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace llvm;
using mlir::openInputFile;
namespace npy = hdp::npy;
namespace ref = hdp::ref;
using namespace hdp::tooling;

namespace {

cl::OptionCategory runCategory("hdp-run options");

cl::opt<std::string> moduleFile(cl::Positional, cl::desc("[FILE.mlir]"),
                                cl::init(""), cl::cat(runCategory));

cl::opt<std::string> functionName("function",
                                  cl::desc("The function of FILE.mlir to run"),
                                  cl::value_desc("NAME"), cl::cat(runCategory));

cl::opt<std::string> transformFile(
    "transform",
    cl::desc("With FILE.mlir: compile with this transform script (its "
             "@__transform_main, which must lower the module to the LLVM "
             "dialect) instead of hdp-cpu-pipeline"),
    cl::value_desc("script.mlir"), cl::init(""), cl::cat(runCategory));

cl::opt<bool> attentionMode(
    "attention",
    cl::desc("Run one HDP attention (Q, K, V[, mask] -> out, block mask, "
             "head mask, theta_H)"),
    cl::cat(runCategory));

cl::opt<std::string>
    configText("config", cl::desc("The configuration as an MLIR attribute"),
               cl::value_desc("#hdp.config<...>"), cl::init("#hdp.config<>"),
               cl::cat(runCategory));

cl::list<std::string>
    inputFiles("input",
               cl::desc("An input .npy file, in the order Q [B,H,N,D], "
                        "K [B,H,M,D], V [B,H,M,Dv], optional additive mask "
                        "broadcastable to [B,H,N,M]"),
               cl::value_desc("@file.npy"), cl::cat(runCategory));

cl::list<std::string> outputFiles(
    "output",
    cl::desc("An output .npy file, in the order out f32 [B,H,N,Dv], block "
             "mask bool [B,H,ceil(N/bm),ceil(M/bn)], head mask bool [B,H], "
             "theta_H int64 [B,H]; any prefix of them. '-' prints that "
             "output to stdout as text (dtype, shape, first values); without "
             "--output every output is printed so"),
    cl::value_desc("@file.npy|-"), cl::cat(runCategory));

cl::opt<std::string> backendName(
    "backend",
    cl::desc("Where to run --attention: reference (the plain-loop reference "
             "library), cpu (compiled by hdp-cpu-pipeline, JIT) or sim (the "
             "command stream on the simulated HDP co-processor)"),
    cl::value_desc("reference|cpu|sim"), cl::init("reference"),
    cl::cat(runCategory));

cl::opt<std::string> accelConfigPath(
    "accel-config",
    cl::desc("Accelerator configuration for --backend=sim (e.g. "
             "configs/hdp-edge.json)"),
    cl::value_desc("file.json"), cl::init(""), cl::cat(runCategory));

cl::opt<std::string> simStatsPath(
    "sim-stats",
    cl::desc("With --backend=sim: write the simulator's statistics JSON "
             "here"),
    cl::value_desc("stats.json"), cl::init(""), cl::cat(runCategory));

cl::opt<unsigned> benchmarkRepetitions(
    "benchmark-repetitions",
    cl::desc("Time the computation: one warm-up run, then N timed runs "
             "(compilation and file I/O excluded); prints the median and "
             "minimum to stdout"),
    cl::value_desc("N"), cl::init(0), cl::cat(runCategory));

const bool threadsNameFree = hdp::tooling::yieldThreadsOptionName();
cl::opt<int> threads(
    "threads",
    cl::desc("Threads of the cpu backend and of FILE.mlir: 0 lets the "
             "OpenMP runtime choose (OMP_NUM_THREADS, else every core), 1 "
             "runs sequential code; the results are the same bits"),
    cl::value_desc("N"), cl::init(0), cl::cat(runCategory));

cl::opt<std::string> intKernels(
    "int-kernels",
    cl::desc("Integer product kernels of the cpu backend and of FILE.mlir: "
             "host (the fastest this CPU runs), generic, avx512-vnni or "
             "avx-vnni; the results are the same bits"),
    cl::value_desc("name"), cl::init("host"), cl::cat(runCategory));

cl::opt<bool> verbose("verbose",
                      cl::desc("Print a one-line summary (block sparsity, "
                               "heads pruned) to stderr"),
                      cl::cat(runCategory));

/// The score matrix the reference materialises has B*H*N*M elements, several
/// times over (int64 scores, f32 scores and probabilities); refusing beyond
/// this bound turns an out-of-memory abort into a message.
constexpr int64_t kMaxScoreElements = int64_t(1) << 28;

/// Where each result goes: a file of `files` or, for '-', a line of text on
/// stdout.
struct OutputPlan {
  OutputFiles files;
  /// One entry per --output: the index in `files`, or none for '-'.
  std::vector<std::optional<size_t>> destinations;
  /// No --output at all: every result is printed.
  bool printAll = false;
};

/// Reads the --output values into `plan` (adding every file, so that a path
/// that cannot be written is refused now).
Error planOutputs(OutputPlan &plan) {
  plan.printAll = outputFiles.empty();
  for (const std::string &value : outputFiles) {
    if (value == "-") {
      plan.destinations.push_back(std::nullopt);
      continue;
    }
    Expected<std::string> path = filePathOf("output", value);
    if (!path)
      return path.takeError();
    Expected<size_t> id = plan.files.add(*path);
    if (!id)
      return id.takeError();
    plan.destinations.push_back(*id);
  }
  return Error::success();
}

/// How many results the run must produce.
size_t resultsWanted(const OutputPlan &plan, size_t available) {
  return plan.printAll ? available : plan.destinations.size();
}

/// Prints "hdp-run: benchmark: ..." for the timed runs (the first of
/// `timesMs` is the warm-up and is dropped).
void reportBenchmark(StringRef what, std::vector<double> timesMs) {
  if (timesMs.size() < 2)
    return;
  timesMs.erase(timesMs.begin());
  std::sort(timesMs.begin(), timesMs.end());
  double median = timesMs[timesMs.size() / 2];
  if (timesMs.size() % 2 == 0)
    median = 0.5 * (median + timesMs[timesMs.size() / 2 - 1]);
  outs() << "hdp-run: benchmark: " << what << ": " << timesMs.size()
         << " runs, median " << format("%.3f", median) << " ms, min "
         << format("%.3f", timesMs.front()) << " ms\n";
}

/// Runs after a warm-up, `benchmarkRepetitions` more times when asked.
unsigned repetitions() {
  return benchmarkRepetitions ? benchmarkRepetitions + 1 : 1;
}

/// Writes `arrays` as `plan` says: the files (committed together), then the
/// lines of text, so that nothing is printed for a run that fails. `names`
/// label the printed results.
int writeOutputs(OutputPlan &plan, const std::vector<npy::Array> &arrays,
                 ArrayRef<std::string> names) {
  std::vector<size_t> printed;
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (plan.printAll ||
        (i < plan.destinations.size() && !plan.destinations[i]))
      printed.push_back(i);
    else if (i < plan.destinations.size())
      if (Error e = writeArrays(plan.files, *plan.destinations[i], arrays[i]))
        return fail(std::move(e));
  }
  if (Error e = plan.files.commit())
    return fail(std::move(e));
  for (size_t i : printed)
    outs() << names[i] << ": " << npy::summarize(arrays[i]) << "\n";
  return 0;
}

/// The names hdp-run prints results under.
const std::vector<std::string> kAttentionOutputNames = {"out", "block_mask",
                                                        "head_mask", "theta_h"};

/// hdp-run FILE.mlir --function=NAME: JIT-compile and run one function.
int runModule() {
  if (attentionMode)
    return fail("--attention", "cannot be combined with FILE.mlir");
  if (functionName.empty())
    return fail("--function", "expected the name of the function of " +
                                  moduleFile + " to run");
  Expected<std::vector<std::string>> inputPaths =
      filePathsOf("input", inputFiles);
  if (!inputPaths)
    return fail(inputPaths.takeError());
  const std::vector<std::string> &inputs = *inputPaths;
  OutputPlan plan;
  if (Error e = planOutputs(plan))
    return fail(std::move(e));

  mlir::DialectRegistry registry;
  hdp::runtime::registerRunnerDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  std::string error;
  auto buffer = openInputFile(moduleFile, &error);
  if (!buffer)
    return fail(moduleFile, error);
  if (Error e = hdp::checkIrNesting(buffer->getBuffer(), moduleFile))
    return fail(std::move(e));
  sourceMgr.AddNewSourceBuffer(std::move(buffer), SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail(moduleFile, "could not parse the module (see above)");
  mlir::OwningOpRef<mlir::ModuleOp> library;
  if (!transformFile.empty()) {
    auto scriptBuffer = openInputFile(transformFile, &error);
    if (!scriptBuffer)
      return fail(transformFile, error);
    if (Error e = hdp::checkIrNesting(scriptBuffer->getBuffer(), transformFile))
      return fail(std::move(e));
    // parseSourceFile reads a SourceMgr's main buffer: the script needs its
    // own.
    llvm::SourceMgr scriptMgr;
    scriptMgr.AddNewSourceBuffer(std::move(scriptBuffer), SMLoc());
    library = mlir::parseSourceFile<mlir::ModuleOp>(scriptMgr, &context);
    if (!library)
      return fail(transformFile, "could not parse the script (see above)");
  }

  std::vector<npy::Array> arrays;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Expected<npy::Array> array =
        readNpyInput(inputs[i], "input #" + std::to_string(i + 1));
    if (!array)
      return fail(array.takeError());
    arrays.push_back(std::move(*array));
  }
  auto jit = library
                 ? hdp::runtime::JitModule::compile(std::move(module), *library)
                 : hdp::runtime::JitModule::compile(std::move(module),
                                                    {/*numThreads=*/threads});
  if (!jit)
    return fail(moduleFile, toString(jit.takeError()));
  std::vector<double> times;
  auto results =
      (*jit)->run(functionName, arrays, inputs, repetitions(), &times);
  if (!results)
    return fail(moduleFile, toString(results.takeError()));
  reportBenchmark("@" + functionName, times);
  if (resultsWanted(plan, results->size()) > results->size())
    return fail("--output", "@" + functionName + " returns " +
                                Twine(results->size()) + " result(s); got " +
                                Twine(plan.destinations.size()) +
                                " --output file(s)");
  std::vector<std::string> names;
  for (size_t i = 0; i < results->size(); ++i)
    names.push_back("result #" + std::to_string(i + 1));
  return writeOutputs(plan, *results, names);
}

/// The same attention as the reference, compiled for the CPU and JIT-run
/// through the runtime C API (hdp-c/Runtime.h), as applications run it.
Expected<std::vector<npy::Array>>
runAttentionOnCPU(const std::vector<ref::Tensor<float>> &operands) {
  auto error = [](const Twine &what) {
    return createStringError(inconvertibleErrorCode(), what + hdp_last_error());
  };
  const ref::Tensor<float> &q = operands[0], &k = operands[1], &v = operands[2];
  hdp_attention_shape shape = {q.dim(0), q.dim(1), q.dim(2), k.dim(2),
                               q.dim(3), v.dim(3), -1,       {0, 0, 0, 0}};
  const float *mask = nullptr;
  if (operands.size() == 4) {
    shape.mask_rank = static_cast<int32_t>(operands[3].shape.size());
    llvm::copy(operands[3].shape, shape.mask_shape);
    mask = operands[3].data.data();
  }
  if (hdp_set_cpu_threads(threads) != HDP_STATUS_OK)
    return error("--threads: ");
  if (hdp_set_cpu_int_kernels(intKernels.c_str()) != HDP_STATUS_OK)
    return error("--int-kernels: ");
  // The --config text, already validated: the C API parses it again.
  hdp_attention *handle = nullptr;
  if (hdp_attention_create(configText.c_str(), &shape, &handle) !=
      HDP_STATUS_OK)
    return error("");
  std::unique_ptr<hdp_attention, void (*)(hdp_attention *)> owner(
      handle, hdp_attention_destroy);
  int64_t nb = 0, mb = 0;
  hdp_attention_block_grid(handle, &nb, &mb);
  const int64_t B = shape.batch, H = shape.heads;
  std::vector<float> out(B * H * shape.query_len * shape.value_dim);
  std::vector<uint8_t> blocks(B * H * nb * mb), heads(B * H);
  std::vector<int64_t> thetaH(B * H);
  std::vector<double> times;
  for (unsigned rep = 0; rep < repetitions(); ++rep) {
    auto start = std::chrono::steady_clock::now();
    if (hdp_attention_run(handle, q.data.data(), k.data.data(), v.data.data(),
                          mask, out.data(), blocks.data(), heads.data(),
                          thetaH.data()) != HDP_STATUS_OK)
      return error("");
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  reportBenchmark("cpu", times);
  std::vector<npy::Array> arrays;
  arrays.push_back(npy::fromF32({B, H, shape.query_len, shape.value_dim}, out));
  arrays.push_back(npy::fromBool({B, H, nb, mb}, blocks));
  arrays.push_back(npy::fromBool({B, H}, heads));
  arrays.push_back(npy::fromI64({B, H}, thetaH));
  return arrays;
}

/// The same attention compiled to the accelerator's command stream and run
/// on the simulator; its statistics go to output `statsId` if there is one.
Expected<std::vector<npy::Array>>
runAttentionOnSimulator(const ref::AttentionConfig &config,
                        const std::vector<ref::Tensor<float>> &operands,
                        OutputFiles &files, std::optional<size_t> statsId,
                        size_t outputsWanted) {
  Expected<hdp::accel::AccelConfig> accel =
      hdp::accel::loadAccelConfig(accelConfigPath);
  if (!accel)
    return accel.takeError();
  const ref::Tensor<float> &q = operands[0], &k = operands[1], &v = operands[2];
  auto shape = hdp::accel::AttentionShape::fromDims(
      q.dim(0), q.dim(1), q.dim(2), k.dim(2), q.dim(3), v.dim(3),
      operands.size() == 4);
  // The dense engine (policy = dense, tau_h = 0) computes no masks: when
  // they are asked for, run the HDP engine with pruning off, which does.
  hdp::accel::BuildOptions options;
  if (outputsWanted > 1)
    options.engine = hdp::accel::Engine::Hdp;
  Expected<hdp::accel::Program> program =
      hdp::accel::buildProgram(shape, config, *accel, options);
  if (!program)
    return program.takeError();
  hdp::sim::Inputs in{q, k, v, std::nullopt};
  if (shape.hasMask)
    in.mask = operands[3];
  Expected<hdp::sim::SimResult> result =
      hdp::sim::simulate(*program, *accel, in);
  if (!result)
    return result.takeError();
  std::vector<npy::Array> arrays = attentionOutputArrays(result->outputs);
  if (statsId)
    files.write(*statsId, hdp::sim::statsToJson(*result, *program, *accel));
  if (verbose)
    errs() << "hdp-run: sim: " << result->stats.totalCycles << " cycles, kept "
           << result->stats.blocksKept << " of " << result->stats.blocksValid
           << " valid blocks, pruned " << result->stats.headsPruned << " of "
           << result->stats.headsTotal << " heads\n";
  return arrays;
}

int run() {
  if (threads < 0 || threads > hdp::kMaxThreads)
    return fail("--threads", "expected 0 to " + Twine(hdp::kMaxThreads) +
                                 ", got " + Twine(threads));
  if (intKernels != "host" && intKernels != "generic" &&
      intKernels != "avx512-vnni" && intKernels != "avx-vnni")
    return fail("--int-kernels", "expected host, generic, avx512-vnni or "
                                 "avx-vnni, got '" +
                                     intKernels + "'");
  if (!moduleFile.empty())
    return runModule();
  if (!transformFile.empty())
    return fail("--transform", "needs FILE.mlir --function=NAME to compile");
  if (!attentionMode) {
    errs() << "hdp-run: error: nothing to run: pass --attention, or "
              "FILE.mlir --function=NAME\n";
    return 1;
  }

  // Cheap checks first, before any file is read.
  if (backendName != "reference" && backendName != "cpu" &&
      backendName != "sim")
    return fail("--backend=" + backendName,
                "unknown backend; expected reference, cpu or sim");
  if (backendName == "sim" && accelConfigPath.empty())
    return fail("--backend=sim",
                "needs --accel-config=FILE.json (e.g. configs/hdp-edge.json)");

  if (inputFiles.size() != 3 && inputFiles.size() != 4)
    return fail("--input", "expected 3 or 4 inputs (Q, K, V[, mask]); got " +
                               Twine(inputFiles.size()));
  if (outputFiles.size() > 4)
    return fail("--output",
                "expected at most 4 outputs (out[, block mask[, head mask[, "
                "theta_H]]]); got " +
                    Twine(outputFiles.size()));
  if (!simStatsPath.empty() && backendName != "sim")
    return fail("--sim-stats", "needs --backend=sim");
  Expected<std::vector<std::string>> inputPaths =
      filePathsOf("input", inputFiles);
  if (!inputPaths)
    return fail(inputPaths.takeError());
  const std::vector<std::string> &inputs = *inputPaths;

  Expected<ref::AttentionConfig> config = hdp::parseConfigText(configText);
  if (!config)
    return fail("--config", toString(config.takeError()));

  // Every file of the run, refused now if it cannot be written.
  OutputPlan plan;
  if (Error e = planOutputs(plan))
    return fail(std::move(e));
  std::optional<size_t> statsId;
  if (!simStatsPath.empty()) {
    Expected<size_t> id = plan.files.add(simStatsPath);
    if (!id)
      return fail(id.takeError());
    statsId = *id;
  }

  static const char *const roles[] = {"Q", "K", "V", "mask"};
  std::vector<ref::Tensor<float>> operands;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Expected<ref::Tensor<float>> t = readFloatInput(inputs[i], roles[i]);
    if (!t)
      return fail(t.takeError());
    operands.push_back(std::move(*t));
  }
  const ref::Tensor<float> &q = operands[0], &k = operands[1], &v = operands[2];
  const ref::Tensor<float> *mask = inputs.size() == 4 ? &operands[3] : nullptr;

  // checkAttentionShapes judges Q, then K, then V, then the mask. Feeding it
  // stand-ins that are known to agree tells which file is at fault.
  if (std::string e =
          ref::checkAttentionShapes(q.shape, q.shape, q.shape, nullptr);
      !e.empty())
    return fail(inputs[0], e);
  if (std::string e =
          ref::checkAttentionShapes(q.shape, k.shape, k.shape, nullptr);
      !e.empty())
    return fail(inputs[1], e);
  if (std::string e =
          ref::checkAttentionShapes(q.shape, k.shape, v.shape, nullptr);
      !e.empty())
    return fail(inputs[2], e);
  if (mask)
    if (std::string e =
            ref::checkAttentionShapes(q.shape, k.shape, v.shape, &mask->shape);
        !e.empty())
      return fail(inputs[3], e);

  // Sizes follow from the shapes alone: refuse before allocating anything.
  const int64_t B = q.dim(0), H = q.dim(1), N = q.dim(2), M = k.dim(2);
  const int64_t Dv = v.dim(3);
  int64_t scoreElements = npy::numElements({B, H, N, M});
  if (scoreElements < 0 || scoreElements > kMaxScoreElements)
    return fail(inputs[0],
                "the score matrix [B,H,N,M] = [" + Twine(B) + "," + Twine(H) +
                    "," + Twine(N) + "," + Twine(M) +
                    "] is too large for the reference backend (at most " +
                    Twine(kMaxScoreElements) + " elements)");
  // The block grid is at most the score matrix; out is the one output that
  // can outgrow every input.
  if (Error e = checkTensorSize("out [B,H,N,Dv]", {B, H, N, Dv}, sizeof(float)))
    return fail(inputs[0] + ", " + inputs[2],
                "Q " + formatDims(q.shape) + " and V " + formatDims(v.shape) +
                    " make " + toString(std::move(e)));

  if (backendName == "sim") {
    Expected<std::vector<npy::Array>> arrays = runAttentionOnSimulator(
        *config, operands, plan.files, statsId, resultsWanted(plan, 4));
    if (!arrays)
      return fail("--backend=sim", toString(arrays.takeError()));
    return writeOutputs(plan, *arrays, kAttentionOutputNames);
  }
  if (backendName == "cpu") {
    Expected<std::vector<npy::Array>> arrays = runAttentionOnCPU(operands);
    if (!arrays)
      return fail("--backend=cpu", toString(arrays.takeError()));
    return writeOutputs(plan, *arrays, kAttentionOutputNames);
  }

  std::vector<double> times;
  ref::AttentionResult result;
  for (unsigned rep = 0; rep < repetitions(); ++rep) {
    auto start = std::chrono::steady_clock::now();
    result = ref::attention(q, k, v, mask, *config);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  reportBenchmark("reference", times);

  if (verbose) {
    int64_t blocks = result.blockMask.size(), kept = 0;
    for (uint8_t b : result.blockMask.data)
      kept += b != 0;
    int64_t heads = result.headMask.size(), pruned = 0;
    for (uint8_t h : result.headMask.data)
      pruned += h == 0;
    double sparsity = blocks ? 100.0 * (blocks - kept) / blocks : 0.0;
    errs() << "hdp-run: reference: B=" << B << " H=" << H << " N=" << N
           << " M=" << M << ": kept " << kept << " of " << blocks
           << " blocks (block sparsity " << format("%.1f", sparsity)
           << "%), pruned " << pruned << " of " << heads << " heads\n";
  }

  return writeOutputs(plan, attentionOutputArrays(result),
                      kAttentionOutputNames);
}

} // namespace

int main(int argc, char **argv) {
  InitTool init(argc, argv, "hdp-run");
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "hdp-run: run HDP attention on .npy files\n\n"
      "  hdp-run --attention --config='#hdp.config<rho = 0.3>' \\\n"
      "    --input=@q.npy --input=@k.npy --input=@v.npy [--input=@mask.npy] "
      "\\\n"
      "    [--output=@out.npy|- [--output=@block_mask.npy|- "
      "[--output=@head_mask.npy|- [--output=@theta_h.npy|-]]]] "
      "[--backend=reference|cpu|sim]\n"
      "  hdp-run FILE.mlir --function=NAME --input=@a.npy ... "
      "[--output=@r.npy|- ...]\n\n"
      "Without --output every result is printed (dtype, shape, first "
      "values).\n");
  return run();
}
