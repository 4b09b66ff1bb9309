//===- hdp-sim.cpp - Simulate the HDP co-processor on a command stream ----===//
//
// Simulate:
//   hdp-sim prog.hdpc --accel-config=configs/hdp-edge.json \
//     --input=@q.npy --input=@k.npy --input=@v.npy [--input=@mask.npy] \
//     --output=@out.npy [--output=@block_mask.npy [--output=@head_mask.npy
//     [--output=@theta_h.npy]]] [--stats=stats.json] [--trace=trace.json]
//     [--progress] [--verbose]
// Compile:
//   hdp-sim --compile --shape=B,H,N,M,D[,Dv] [--mask]
//     --attention-config='#hdp.config<...>' --accel-config=cfg.json -o
//     prog.hdpc
// Text round trip (the hdp_accel dialect, as hdp-translate --hdpc-to-hdp
// prints and --hdp-to-hdpc reads it):
//   hdp-sim --disassemble prog.hdpc [-o prog.mlir]
//   hdp-sim --assemble prog.mlir -o prog.hdpc
//
// Every failure prints one "hdp-sim: error: <where>: <what>" line and exits
// with 1. All output files of a run are written together at the end, all or
// nothing (hdp/Tooling/OutputFiles.h), so a failed run leaves none behind.
// --config is the old name of --accel-config (deprecated; it warns).
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/ProgramText.h"
#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/ISA/AccelConfig.h"
#include "hdp/ISA/ConfigOverrides.h"
#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Sim/Simulator.h"
#include "hdp/Support/Npy.h"
#include "hdp/Target/Hdpc/Hdpc.h"
#include "hdp/Tooling/CommandLine.h"
#include "hdp/Tooling/Diagnostics.h"
#include "hdp/Tooling/Limits.h"
#include "hdp/Tooling/NpyOperands.h"
#include "hdp/Tooling/OutputFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace llvm;
namespace accel = hdp::accel;
namespace npy = hdp::npy;
namespace ref = hdp::ref;
namespace sim = hdp::sim;
using namespace hdp::tooling;

namespace {

cl::OptionCategory simCategory("hdp-sim options");

cl::opt<std::string> positionalFile(cl::Positional,
                                    cl::desc("<program.hdpc | program.txt>"),
                                    cl::init(""), cl::cat(simCategory));

cl::opt<std::string>
    accelConfigOption("accel-config",
                      cl::desc("The accelerator configuration (JSON), e.g. "
                               "configs/hdp-edge.json"),
                      cl::value_desc("file.json"), cl::cat(simCategory));
cl::opt<std::string>
    deprecatedConfigOption("config",
                           cl::desc("Deprecated name of --accel-config"),
                           cl::value_desc("file.json"), cl::cat(simCategory));
/// --accel-config, or its deprecated name; set in main().
std::string configFile;

cl::list<std::string> setOptions(
    "set",
    cl::desc("Change one key of the accelerator configuration, by its dotted "
             "path (e.g. --set pe.arrays_per_core=4 --set "
             "dram.bytes_per_cycle=32); checked like the file. Compile and "
             "simulate with the same --set options"),
    cl::value_desc("key=value"), cl::cat(simCategory));
cl::opt<bool> printConfigMode(
    "print-accel-config",
    cl::desc("Print the accelerator configuration (with the --set changes) "
             "in the file format, to -o or standard output"),
    cl::cat(simCategory));

cl::list<std::string>
    inputFiles("input",
               cl::desc("An input .npy file, in the order Q [B,H,N,D], "
                        "K [B,H,M,D], V [B,H,M,Dv], additive mask (only if "
                        "the program was compiled with --mask)"),
               cl::value_desc("@file.npy"), cl::cat(simCategory));

cl::list<std::string> outputFiles(
    "output",
    cl::desc("An output .npy file, in the order out f32 [B,H,N,Dv], block "
             "mask bool [B,H,ceil(N/bm),ceil(M/bn)], head mask bool [B,H], "
             "theta_H int64 [B,H]; any prefix of them"),
    cl::value_desc("@file.npy"), cl::cat(simCategory));

/// --stats=<file>. LLVM itself registers a boolean -stats (its statistics
/// counters) on first use of the command line; main() unregisters that one
/// and only then creates this option.
cl::opt<std::string> *statsOption = nullptr;
std::string statsFile() { return statsOption ? statsOption->getValue() : ""; }
cl::opt<std::string>
    traceFile("trace",
              cl::desc("Write the timeline as Chrome trace-event JSON "
                       "(opens in Perfetto)"),
              cl::value_desc("trace.json"), cl::cat(simCategory));
cl::opt<std::string> reportFile(
    "report",
    cl::desc("Write the statistics as text: where each unit's cycles went, "
             "the phases with their roofline, area and energy ('-': standard "
             "output)"),
    cl::value_desc("report.txt"), cl::cat(simCategory));
cl::opt<bool> progressFlag("progress",
                           cl::desc("Print a progress line to stderr (also "
                                    "shown on a terminal for long runs)"),
                           cl::cat(simCategory));
cl::opt<bool> verbose("verbose",
                      cl::desc("Print a summary (and, with --compile, the "
                               "tiling) to stderr"),
                      cl::cat(simCategory));

cl::opt<bool> compileMode("compile",
                          cl::desc("Build a command stream for an attention "
                                   "shape and configuration"),
                          cl::cat(simCategory));
cl::opt<std::string> shapeText("shape",
                               cl::desc("With --compile: the attention shape"),
                               cl::value_desc("B,H,N,M,D[,Dv]"),
                               cl::cat(simCategory));
cl::opt<bool> withMask("mask",
                       cl::desc("With --compile: the attention takes an "
                                "additive mask"),
                       cl::cat(simCategory));
cl::opt<accel::MaskForm> maskForm(
    "mask-form",
    cl::desc("With --compile --mask: how the accelerator holds the mask "
             "(the input stays an additive mask; the host converts it)"),
    cl::values(clEnumValN(accel::MaskForm::Additive, "additive",
                          "f32 values added to the scores (any mask)"),
               clEnumValN(accel::MaskForm::Bits, "bits",
                          "one bit per element: masks of 0 and removed "
                          "values"),
               clEnumValN(accel::MaskForm::Lengths, "lengths",
                          "leading keys kept per query row: padding and "
                          "causal masks")),
    cl::init(accel::MaskForm::Additive), cl::cat(simCategory));
cl::opt<bool> fusePhases(
    "fuse-phases",
    cl::desc("With --compile: run phases A and B strip by strip where the "
             "attention allows it (no head pruning, whole score rows, K in "
             "one slot); --fuse-phases=false keeps them apart"),
    cl::init(true), cl::cat(simCategory));
cl::opt<std::string> attentionConfig(
    "attention-config",
    cl::desc("With --compile: the HDP configuration as an MLIR attribute"),
    cl::value_desc("#hdp.config<...>"), cl::init("#hdp.config<>"),
    cl::cat(simCategory));
cl::opt<unsigned> stripRows("strip-rows",
                            cl::desc("With --compile: query rows per strip "
                                     "(a multiple of bm; default: the most "
                                     "that fit the buffers)"),
                            cl::init(0), cl::cat(simCategory));
cl::opt<accel::Engine> engine(
    "engine",
    cl::desc("With --compile: the engine (default auto: the dense engine for "
             "policy = dense with tau_h = 0, HDP otherwise)"),
    cl::values(clEnumValN(accel::Engine::Auto, "auto", "choose by the policy"),
               clEnumValN(accel::Engine::Hdp, "hdp",
                          "the HDP engine (with policy = dense: pruning off)"),
               clEnumValN(accel::Engine::Dense, "dense",
                          "the dense attention engine")),
    cl::init(accel::Engine::Auto), cl::cat(simCategory));

cl::opt<bool>
    disassembleMode("disassemble",
                    cl::desc("Print a .hdpc file as an hdp_accel.program"),
                    cl::cat(simCategory));
cl::opt<bool> assembleMode("assemble",
                           cl::desc("Write an hdp_accel.program as .hdpc"),
                           cl::cat(simCategory));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file of --compile, "
                                         "--assemble, --disassemble"),
                                cl::value_desc("file"), cl::init(""),
                                cl::cat(simCategory));

//===----------------------------------------------------------------------===//
// --compile
//===----------------------------------------------------------------------===//

/// Declares `-o` (or standard output when it is "-") as the only output.
std::optional<size_t> addOutput(OutputFiles &files, StringRef path) {
  Expected<size_t> id = files.add(path);
  if (!id) {
    fail(id.takeError());
    return std::nullopt;
  }
  return *id;
}

/// Writes `bytes` as the only output of the run.
int writeOutput(OutputFiles &files, size_t id, StringRef bytes) {
  files.write(id, bytes);
  if (Error e = files.commit())
    return fail(std::move(e));
  return 0;
}

/// The configuration file, or, with --set, the file and its changes (for
/// messages that name where the configuration came from).
std::string configOrigin() {
  std::string origin = configFile;
  for (const std::string &set : setOptions)
    origin += " --set " + set;
  return origin;
}

/// --accel-config with the --set changes applied.
Expected<accel::AccelConfig> loadConfig() {
  Expected<accel::AccelConfig> config = accel::loadAccelConfig(configFile);
  if (!config)
    return config.takeError();
  std::vector<accel::ConfigOverride> overrides;
  for (const std::string &set : setOptions) {
    Expected<accel::ConfigOverride> o = accel::parseConfigOverride(set);
    if (!o)
      return createStringError(inconvertibleErrorCode(),
                               "--set: " + toString(o.takeError()));
    overrides.push_back(std::move(*o));
  }
  return accel::applyConfigOverrides(*config, overrides);
}

int runPrintConfig() {
  if (configFile.empty())
    return failUsage("--print-accel-config needs --accel-config=<file.json>");
  OutputFiles files;
  std::optional<size_t> out =
      addOutput(files, outputPath.empty() ? "-" : StringRef(outputPath));
  if (!out)
    return 1;
  Expected<accel::AccelConfig> config = loadConfig();
  if (!config)
    return fail(config.takeError());
  return writeOutput(files, *out, accel::accelConfigToJson(*config));
}

int runCompile() {
  if (shapeText.empty())
    return failUsage("--compile needs --shape=B,H,N,M,D[,Dv]");
  if (configFile.empty())
    return failUsage("--compile needs --accel-config=<accelerator.json>");
  if (outputPath.empty())
    return failUsage("--compile needs -o <program.hdpc>");
  if (!positionalFile.empty())
    return failUsage("--compile takes no input file (got '" + positionalFile +
                     "')");
  // The command stream's header holds 32-bit dimensions.
  Expected<AttentionDims> dims = parseAttentionDims(shapeText, UINT32_MAX);
  if (!dims)
    return fail("--shape", toString(dims.takeError()));
  auto shape = accel::AttentionShape::fromDims(
      static_cast<uint32_t>(dims->B), static_cast<uint32_t>(dims->H),
      static_cast<uint32_t>(dims->N), static_cast<uint32_t>(dims->M),
      static_cast<uint32_t>(dims->D), static_cast<uint32_t>(dims->Dv),
      withMask);
  if (maskForm.getNumOccurrences() && !withMask)
    return failUsage("--mask-form needs --mask");
  shape.maskForm = withMask ? maskForm : accel::MaskForm::Additive;
  Expected<ref::AttentionConfig> config = hdp::parseConfigText(attentionConfig);
  if (!config)
    return fail("--attention-config", toString(config.takeError()));
  OutputFiles files;
  std::optional<size_t> out = addOutput(files, outputPath);
  if (!out)
    return 1;
  Expected<accel::AccelConfig> accelConfig = loadConfig();
  if (!accelConfig)
    return fail(accelConfig.takeError());
  accel::BuildOptions options;
  options.stripRows = stripRows;
  options.engine = engine;
  options.fusePhases = fusePhases;
  if (Expected<bool> dense = accel::selectDenseEngine(
          accel::AttentionParams::from(*config, shape.D), options);
      !dense)
    return fail("--engine", toString(dense.takeError()));
  Expected<accel::Program> program =
      accel::buildProgram(shape, *config, *accelConfig, options);
  if (!program)
    return fail(configOrigin(), toString(program.takeError()));
  if (verbose) {
    Expected<accel::TilePlan> plan =
        accel::planTiles(shape, program->attention, *accelConfig, options);
    if (plan)
      errs() << "hdp-sim: compiled for " << accelConfig->name << ": "
             << plan->describe() << "; " << program->commands.size()
             << " commands\n";
    else
      consumeError(plan.takeError());
  }
  return writeOutput(files, *out, accel::writeProgram(*program));
}

//===----------------------------------------------------------------------===//
// --disassemble, --assemble
//===----------------------------------------------------------------------===//

int runDisassemble() {
  if (positionalFile.empty())
    return failUsage("--disassemble needs a .hdpc file");
  OutputFiles files;
  std::optional<size_t> out =
      addOutput(files, outputPath.empty() ? "-" : StringRef(outputPath));
  if (!out)
    return 1;
  Expected<accel::Program> program = accel::readProgramFile(positionalFile);
  if (!program)
    return fail(program.takeError());
  Expected<std::string> text = hdp::accel_ir::printProgramText(*program);
  if (!text)
    return fail(text.takeError());
  return writeOutput(files, *out, *text);
}

int runAssemble() {
  if (positionalFile.empty())
    return failUsage("--assemble needs an hdp_accel.program (.mlir) file");
  if (outputPath.empty())
    return failUsage("--assemble needs -o <program.hdpc>");
  OutputFiles files;
  std::optional<size_t> out = addOutput(files, outputPath);
  if (!out)
    return 1;
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(positionalFile, /*IsText=*/true);
  if (!buffer)
    return fail(positionalFile, "cannot read: " + buffer.getError().message());
  Expected<accel::Program> program =
      hdp::accel_ir::parseProgramText((*buffer)->getBuffer(), positionalFile);
  if (!program)
    return fail(program.takeError());
  return writeOutput(files, *out, accel::writeProgram(*program));
}

//===----------------------------------------------------------------------===//
// Simulation
//===----------------------------------------------------------------------===//

/// A progress line on stderr, at most a few times per second.
class Progress {
public:
  explicit Progress(bool forced)
      : forced(forced), terminal(sys::Process::StandardErrIsDisplayed()),
        begin(std::chrono::steady_clock::now()) {}

  void update(size_t done, size_t total) {
    double elapsed = seconds();
    // Long runs on a terminal get a progress line even without --progress.
    bool show = forced || (terminal && elapsed > 1.0);
    if (!show || (done != total && elapsed - lastShown < 0.25))
      return;
    lastShown = elapsed;
    shown = true;
    errs() << "\rhdp-sim: simulating: " << (total ? 100 * done / total : 100)
           << "% (" << done << "/" << total << " commands, "
           << format("%.1f", elapsed) << " s)";
    errs().flush();
  }
  void finish() {
    if (shown)
      errs() << "\n";
  }

private:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         begin)
        .count();
  }
  bool forced, terminal;
  std::chrono::steady_clock::time_point begin;
  double lastShown = -1.0;
  bool shown = false;
};

int runSimulate() {
  if (positionalFile.empty())
    return failUsage("no command stream given; usage: hdp-sim prog.hdpc "
                     "--accel-config=cfg.json --input=@q.npy --input=@k.npy "
                     "--input=@v.npy --output=@out.npy (or --compile, "
                     "--disassemble, --assemble; see --help)");
  if (configFile.empty())
    return failUsage("--accel-config=<accelerator.json> is required");
  if (inputFiles.size() != 3 && inputFiles.size() != 4)
    return fail("--input", "expected 3 or 4 inputs (Q, K, V[, mask]); got " +
                               Twine(inputFiles.size()));
  if (outputFiles.size() > 4)
    return fail("--output", "expected at most 4 outputs (out[, block mask[, "
                            "head mask[, theta_H]]]); got " +
                                Twine(outputFiles.size()));
  if (outputFiles.empty() && statsFile().empty() && traceFile.empty() &&
      reportFile.empty())
    return failUsage(
        "nothing to write: give --output, --stats, --report or --trace");
  Expected<std::vector<std::string>> inputs = filePathsOf("input", inputFiles);
  if (!inputs)
    return fail(inputs.takeError());
  Expected<std::vector<std::string>> outputs =
      filePathsOf("output", outputFiles);
  if (!outputs)
    return fail(outputs.takeError());
  // Every file of the run, refused now if it cannot be written.
  OutputFiles files;
  Expected<std::vector<size_t>> outputIds = addOutputs(files, *outputs);
  if (!outputIds)
    return fail(outputIds.takeError());
  std::optional<size_t> statsId, traceId, reportId;
  for (auto [path, id] : {std::make_pair(statsFile(), &statsId),
                          std::make_pair(traceFile.getValue(), &traceId),
                          std::make_pair(reportFile.getValue(), &reportId)}) {
    if (path.empty())
      continue;
    Expected<size_t> added = files.add(path);
    if (!added)
      return fail(added.takeError());
    *id = *added;
  }

  Expected<accel::AccelConfig> config = loadConfig();
  if (!config)
    return fail(config.takeError());
  Expected<accel::Program> program = accel::readProgramFile(positionalFile);
  if (!program)
    return fail(program.takeError());
  if (Error e = sim::checkCompatible(*program, positionalFile, *config,
                                     configOrigin()))
    return fail(std::move(e));
  if (program->shape.hasMask && inputs->size() != 4)
    return fail("--input",
                "expected 4 inputs (Q, K, V, mask): " + positionalFile +
                    " was compiled with a mask; got " + Twine(inputs->size()));
  if (!program->shape.hasMask && inputs->size() != 3)
    return fail("--input", "expected 3 inputs (Q, K, V): " + positionalFile +
                               " was compiled without a mask; got " +
                               Twine(inputs->size()));
  // The program's shape fixes every tensor's size: refuse before reading.
  const accel::AttentionShape &shape = program->shape;
  std::pair<const char *, std::vector<int64_t>> tensors[] = {
      {"Q [B,H,N,D]", {shape.B, shape.H, shape.N, shape.D}},
      {"K [B,H,M,D]", {shape.B, shape.H, shape.M, shape.D}},
      {"V [B,H,M,Dv]", {shape.B, shape.H, shape.M, shape.Dv}},
      {"out [B,H,N,Dv]", {shape.B, shape.H, shape.N, shape.Dv}}};
  for (const auto &[what, dims] : tensors)
    if (Error e = checkTensorSize(what, dims, sizeof(float)))
      return fail(positionalFile, toString(std::move(e)));

  if (outputs->size() >= 2 && accel::isDenseEngineProgram(*program))
    return fail((*outputs)[1],
                positionalFile + " runs on the dense engine, which computes no "
                                 "block mask, head mask or theta_H; only the "
                                 "output (the first --output) can be written");

  static const char *const roles[] = {"Q", "K", "V", "mask"};
  std::vector<ref::Tensor<float>> operands;
  for (size_t i = 0; i < inputs->size(); ++i) {
    Expected<ref::Tensor<float>> t = readFloatInput((*inputs)[i], roles[i]);
    if (!t)
      return fail(t.takeError());
    operands.push_back(std::move(*t));
  }
  sim::Inputs simInputs;
  simInputs.q = std::move(operands[0]);
  simInputs.k = std::move(operands[1]);
  simInputs.v = std::move(operands[2]);
  if (operands.size() == 4)
    simInputs.mask = std::move(operands[3]);
  unsigned which = 0;
  if (Error e = sim::checkInputs(*program, simInputs, which))
    return fail((*inputs)[std::min<size_t>(which, inputs->size() - 1)],
                toString(std::move(e)));

  Progress progress(progressFlag);
  sim::SimOptions options;
  options.collectTrace = traceId.has_value();
  options.progress = [&](size_t done, size_t total) {
    progress.update(done, total);
  };
  Expected<sim::SimResult> result =
      sim::simulate(*program, *config, simInputs, options);
  progress.finish();
  if (!result)
    return fail(positionalFile, toString(result.takeError()));
  const sim::Outputs &o = result->outputs;
  if (outputs->size() >= 2 && !o.blockMaskComplete)
    return fail((*outputs)[1], "the program does not store every block row of "
                               "the block mask; cannot write it");
  if (outputs->size() >= 3 && !o.headTableComplete)
    return fail((*outputs)[2], "the program does not store the head table of "
                               "every batch item; cannot write it");

  if (Error e = writeArrays(files, *outputIds, attentionOutputArrays(o)))
    return fail(std::move(e));
  if (statsId)
    files.write(*statsId, sim::statsToJson(*result, *program, *config));
  if (traceId)
    files.write(*traceId, sim::traceToJson(*result, *program, *config));
  if (reportId)
    files.write(*reportId, sim::statsToText(*result, *program, *config));
  if (Error e = files.commit())
    return fail(std::move(e));

  if (verbose) {
    const sim::Stats &s = result->stats;
    double sparsity =
        s.blocksValid ? 100.0 * (s.blocksValid - s.blocksKept) / s.blocksValid
                      : 0.0;
    errs() << "hdp-sim: " << config->name << ": " << s.totalCycles
           << " cycles (" << format("%.1f", s.totalCycles / config->clockMhz)
           << " us), block sparsity " << format("%.1f", sparsity)
           << "%, pruned " << s.headsPruned << " of " << s.headsTotal
           << " heads, DRAM " << s.dramBytesRead << " B read, "
           << s.dramBytesWritten << " B written, "
           << format("%.3f", sim::computeEnergy(s, *config).total() * 1e-6)
           << " uJ\n";
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  InitTool init(argc, argv, "hdp-sim");
  cl::HideUnrelatedOptions(simCategory);
  auto &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("stats"); it != registered.end())
    it->second->removeArgument();
  static cl::opt<std::string> stats(
      "stats", cl::desc("Write the statistics as JSON"),
      cl::value_desc("stats.json"), cl::cat(simCategory));
  statsOption = &stats;
  cl::ParseCommandLineOptions(
      argc, argv,
      "hdp-sim: simulate the HDP co-processor on a command stream\n\n"
      "  hdp-sim prog.hdpc --accel-config=configs/hdp-edge.json \\\n"
      "    --input=@q.npy --input=@k.npy --input=@v.npy [--input=@mask.npy] "
      "\\\n"
      "    --output=@out.npy [--output=@block_mask.npy ...] "
      "--stats=stats.json [--trace=trace.json]\n"
      "  hdp-sim --compile --shape=B,H,N,M,D[,Dv] [--mask] "
      "--attention-config='#hdp.config<...>' \\\n"
      "    --accel-config=configs/hdp-edge.json -o prog.hdpc\n"
      "  hdp-sim --disassemble prog.hdpc [-o prog.mlir]\n"
      "  hdp-sim --assemble prog.mlir -o prog.hdpc\n"
      "  hdp-sim --print-accel-config --accel-config=cfg.json [--set "
      "key=value ...]\n");
  configFile = accelConfigOption;
  if (deprecatedConfigOption.getNumOccurrences()) {
    if (accelConfigOption.getNumOccurrences())
      return failUsage("--config is the deprecated name of --accel-config; "
                       "pass only --accel-config");
    warn("--config is deprecated; use --accel-config=" +
         deprecatedConfigOption);
    configFile = deprecatedConfigOption;
  }
  int modes = int(compileMode) + int(disassembleMode) + int(assembleMode) +
              int(printConfigMode);
  if (modes > 1)
    return failUsage("--compile, --disassemble, --assemble and "
                     "--print-accel-config exclude each other");
  if (printConfigMode)
    return runPrintConfig();
  if (compileMode)
    return runCompile();
  if (disassembleMode)
    return runDisassemble();
  if (assembleMode)
    return runAssemble();
  return runSimulate();
}
