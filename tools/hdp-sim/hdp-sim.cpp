//===- hdp-sim.cpp - Simulate the HDP co-processor on a command stream ----===//
//
// Simulate:
//   hdp-sim prog.hdpc --config=configs/hdp-edge.json \
//     --input=@q.npy --input=@k.npy --input=@v.npy [--input=@mask.npy] \
//     --output=@out.npy [--output=@block_mask.npy [--output=@head_mask.npy
//     [--output=@theta_h.npy]]] [--stats=stats.json] [--trace=trace.json]
//     [--progress] [--verbose]
// Compile (until hdp-lower-to-accel exists):
//   hdp-sim --compile --shape=B,H,N,M,D[,Dv] [--mask]
//     --attention-config='#hdp.config<...>' --config=cfg.json -o prog.hdpc
// Text round trip:
//   hdp-sim --disassemble prog.hdpc [-o prog.txt]
//   hdp-sim --assemble prog.txt -o prog.hdpc
//
// Every failure prints one "hdp-sim: error: <where>: <what>" line and exits
// with 1. All output files of a run are written together at the end, through
// temporaries renamed into place, so a failed run leaves none behind.
//
//===----------------------------------------------------------------------===//

#include "hdp/Accel/AccelConfig.h"
#include "hdp/Accel/Hdpc.h"
#include "hdp/Accel/StreamBuilder.h"
#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Sim/Simulator.h"
#include "hdp/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
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

namespace {

cl::OptionCategory simCategory("hdp-sim options");

cl::opt<std::string> positionalFile(cl::Positional,
                                    cl::desc("<program.hdpc | program.txt>"),
                                    cl::init(""), cl::cat(simCategory));

cl::opt<std::string>
    configFile("config",
               cl::desc("The accelerator configuration (JSON), e.g. "
                        "configs/hdp-edge.json"),
               cl::value_desc("file.json"), cl::cat(simCategory));

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

cl::opt<bool> disassembleMode("disassemble",
                              cl::desc("Print a .hdpc file as text"),
                              cl::cat(simCategory));
cl::opt<bool> assembleMode("assemble",
                           cl::desc("Turn the text form back into .hdpc"),
                           cl::cat(simCategory));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file of --compile, "
                                         "--assemble, --disassemble"),
                                cl::value_desc("file"), cl::init(""),
                                cl::cat(simCategory));

int fail(const Twine &where, const Twine &what) {
  errs() << "hdp-sim: error: " << where << ": " << what << "\n";
  return 1;
}
/// For messages that already start with the file name.
int fail(Error e) {
  errs() << "hdp-sim: error: " << toString(std::move(e)) << "\n";
  return 1;
}
int failUsage(const Twine &what) {
  errs() << "hdp-sim: error: " << what << "\n";
  return 1;
}

std::optional<std::string> stripAt(StringRef option, StringRef value) {
  StringRef path = value;
  if (!path.consume_front("@") || path.empty()) {
    fail(("--" + option + "=" + value).str(),
         "expected @file.npy (a file name prefixed with '@')");
    return std::nullopt;
  }
  return path.str();
}

//===----------------------------------------------------------------------===//
// Writing several files all or nothing
//===----------------------------------------------------------------------===//

struct PendingFile {
  std::string path;
  std::string contents;
};

/// Problems found before anything is written: duplicates and directories.
std::optional<int> checkOutputPaths(ArrayRef<std::string> paths) {
  StringSet<> seen;
  for (const std::string &path : paths) {
    SmallString<256> real(path);
    sys::fs::make_absolute(real);
    sys::path::remove_dots(real, /*remove_dot_dot=*/true);
    if (!seen.insert(real).second)
      return fail(path, "named more than once as an output");
    if (sys::fs::is_directory(path))
      return fail(path, "is a directory; expected a file path");
  }
  return std::nullopt;
}

/// Writes every file to a temporary next to it, then renames them all; on
/// any failure removes the temporaries and touches no destination.
int writeAllOrNothing(ArrayRef<PendingFile> files) {
  std::vector<std::string> temps;
  auto cleanup = [&]() {
    for (const std::string &t : temps)
      sys::fs::remove(t);
  };
  for (const PendingFile &f : files) {
    SmallString<256> model(sys::path::parent_path(f.path));
    sys::path::append(model,
                      "." + sys::path::filename(f.path).str() + ".tmp-%%%%%%");
    int fd;
    SmallString<256> temp;
    if (std::error_code ec = sys::fs::createUniqueFile(model, fd, temp)) {
      cleanup();
      return fail(f.path,
                  "cannot create a temporary file next to it: " + ec.message());
    }
    temps.push_back(temp.str().str());
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << f.contents;
    os.close();
    if (os.has_error()) {
      std::string message = os.error().message();
      os.clear_error();
      cleanup();
      return fail(f.path, "cannot write: " + message);
    }
  }
  for (size_t i = 0; i < files.size(); ++i)
    if (std::error_code ec = sys::fs::rename(temps[i], files[i].path)) {
      cleanup();
      return fail(files[i].path,
                  "cannot rename the temporary into place: " + ec.message());
    }
  return 0;
}

//===----------------------------------------------------------------------===//
// --compile
//===----------------------------------------------------------------------===//

std::optional<accel::AttentionShape> parseShape(StringRef text,
                                                std::string &error) {
  SmallVector<StringRef, 6> parts;
  text.split(parts, ',');
  if (parts.size() != 5 && parts.size() != 6) {
    error = "expected B,H,N,M,D or B,H,N,M,D,Dv (5 or 6 positive integers), "
            "got '" +
            text.str() + "'";
    return std::nullopt;
  }
  uint32_t dims[6];
  const char *names[6] = {"B", "H", "N", "M", "D", "Dv"};
  for (size_t i = 0; i < parts.size(); ++i) {
    uint64_t v;
    if (parts[i].trim().getAsInteger(10, v) || v < 1 || v > UINT32_MAX) {
      error = std::string(names[i]) + " must be an integer in [1, " +
              std::to_string(UINT32_MAX) + "], got '" + parts[i].str() + "'";
      return std::nullopt;
    }
    dims[i] = static_cast<uint32_t>(v);
  }
  // Without a sixth dim, Dv defaults to D.
  uint32_t dv = parts.size() == 6 ? dims[5] : dims[4];
  return accel::AttentionShape::fromDims(dims[0], dims[1], dims[2], dims[3],
                                         dims[4], dv, withMask);
}

int runCompile() {
  if (shapeText.empty())
    return failUsage("--compile needs --shape=B,H,N,M,D[,Dv]");
  if (configFile.empty())
    return failUsage("--compile needs --config=<accelerator.json>");
  if (outputPath.empty())
    return failUsage("--compile needs -o <program.hdpc>");
  if (!positionalFile.empty())
    return failUsage("--compile takes no input file (got '" + positionalFile +
                     "')");
  std::string error;
  std::optional<accel::AttentionShape> shape = parseShape(shapeText, error);
  if (!shape)
    return fail("--shape", error);
  Expected<ref::AttentionConfig> config = hdp::parseConfigText(attentionConfig);
  if (!config)
    return fail("--attention-config", toString(config.takeError()));
  Expected<accel::AccelConfig> accelConfig = accel::loadAccelConfig(configFile);
  if (!accelConfig)
    return fail(accelConfig.takeError());
  accel::BuildOptions options;
  options.stripRows = stripRows;
  options.engine = engine;
  if (Expected<bool> dense = accel::selectDenseEngine(
          accel::AttentionParams::from(*config, shape->D), options);
      !dense)
    return fail("--engine", toString(dense.takeError()));
  Expected<accel::Program> program =
      accel::buildProgram(*shape, *config, *accelConfig, options);
  if (!program)
    return fail(configFile, toString(program.takeError()));
  if (verbose) {
    Expected<accel::TilePlan> plan =
        accel::planTiles(*shape, program->attention, *accelConfig, options);
    if (plan)
      errs() << "hdp-sim: compiled for " << accelConfig->name << ": "
             << plan->describe() << "; " << program->commands.size()
             << " commands\n";
    else
      consumeError(plan.takeError());
  }
  if (Error e = accel::writeProgramFile(outputPath, *program))
    return fail(std::move(e));
  return 0;
}

//===----------------------------------------------------------------------===//
// --disassemble, --assemble
//===----------------------------------------------------------------------===//

int runDisassemble() {
  if (positionalFile.empty())
    return failUsage("--disassemble needs a .hdpc file");
  Expected<accel::Program> program = accel::readProgramFile(positionalFile);
  if (!program)
    return fail(program.takeError());
  std::string text = accel::disassemble(*program);
  if (outputPath.empty() || outputPath == "-") {
    outs() << text;
    return 0;
  }
  Error e = writeToOutput(outputPath, [&](raw_ostream &os) {
    os << text;
    return Error::success();
  });
  if (e)
    return fail(outputPath, "cannot write: " + toString(std::move(e)));
  return 0;
}

int runAssemble() {
  if (positionalFile.empty())
    return failUsage("--assemble needs a text file");
  if (outputPath.empty())
    return failUsage("--assemble needs -o <program.hdpc>");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(positionalFile, /*IsText=*/true);
  if (!buffer)
    return fail(positionalFile, "cannot read: " + buffer.getError().message());
  Expected<accel::Program> program =
      accel::assemble((*buffer)->getBuffer(), positionalFile);
  if (!program)
    return fail(program.takeError());
  if (Error e = accel::writeProgramFile(outputPath, *program))
    return fail(std::move(e));
  return 0;
}

//===----------------------------------------------------------------------===//
// Simulation
//===----------------------------------------------------------------------===//

std::optional<ref::Tensor<float>> readFloatOperand(const std::string &path,
                                                   StringRef role) {
  Expected<npy::Array> array = npy::readFile(path);
  if (!array) {
    fail(array.takeError());
    return std::nullopt;
  }
  if (array->dtype != npy::DType::F32 && array->dtype != npy::DType::F64) {
    fail(path, role + " has dtype " + npy::dtypeDescr(array->dtype) +
                   "; expected a float array (<f4 or <f8)");
    return std::nullopt;
  }
  Expected<std::vector<float>> values = npy::toF32(*array, path);
  if (!values) {
    fail(values.takeError());
    return std::nullopt;
  }
  ref::Tensor<float> t;
  t.shape = array->shape;
  t.data = std::move(*values);
  return t;
}

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
                     "--config=cfg.json --input=@q.npy --input=@k.npy "
                     "--input=@v.npy --output=@out.npy (or --compile, "
                     "--disassemble, --assemble; see --help)");
  if (configFile.empty())
    return failUsage("--config=<accelerator.json> is required");
  if (inputFiles.size() != 3 && inputFiles.size() != 4)
    return fail("--input", "expected 3 or 4 inputs (Q, K, V[, mask]); got " +
                               Twine(inputFiles.size()));
  if (outputFiles.size() > 4)
    return fail("--output", "expected at most 4 outputs (out[, block mask[, "
                            "head mask[, theta_H]]]); got " +
                                Twine(outputFiles.size()));
  if (outputFiles.empty() && statsFile().empty() && traceFile.empty())
    return failUsage("nothing to write: give --output, --stats or --trace");
  std::vector<std::string> inputs, outputs;
  for (const std::string &v : inputFiles) {
    std::optional<std::string> path = stripAt("input", v);
    if (!path)
      return 1;
    inputs.push_back(*path);
  }
  for (const std::string &v : outputFiles) {
    std::optional<std::string> path = stripAt("output", v);
    if (!path)
      return 1;
    outputs.push_back(*path);
  }
  std::vector<std::string> allOutputs = outputs;
  if (!statsFile().empty())
    allOutputs.push_back(statsFile());
  if (!traceFile.empty())
    allOutputs.push_back(traceFile);
  if (std::optional<int> rc = checkOutputPaths(allOutputs))
    return *rc;

  Expected<accel::AccelConfig> config = accel::loadAccelConfig(configFile);
  if (!config)
    return fail(config.takeError());
  Expected<accel::Program> program = accel::readProgramFile(positionalFile);
  if (!program)
    return fail(program.takeError());
  if (Error e =
          sim::checkCompatible(*program, positionalFile, *config, configFile))
    return fail(std::move(e));
  if (program->shape.hasMask && inputs.size() != 4)
    return fail("--input",
                "expected 4 inputs (Q, K, V, mask): " + positionalFile +
                    " was compiled with a mask; got " + Twine(inputs.size()));
  if (!program->shape.hasMask && inputs.size() != 3)
    return fail("--input", "expected 3 inputs (Q, K, V): " + positionalFile +
                               " was compiled without a mask; got " +
                               Twine(inputs.size()));

  if (outputs.size() >= 2 && accel::isDenseEngineProgram(*program))
    return fail(outputs[1], positionalFile +
                                " runs on the dense engine, which computes no "
                                "block mask, head mask or theta_H; only the "
                                "output (the first --output) can be written");

  static const char *const roles[] = {"Q", "K", "V", "mask"};
  std::vector<ref::Tensor<float>> operands;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::optional<ref::Tensor<float>> t = readFloatOperand(inputs[i], roles[i]);
    if (!t)
      return 1;
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
    return fail(inputs[std::min<size_t>(which, inputs.size() - 1)],
                toString(std::move(e)));

  Progress progress(progressFlag);
  sim::SimOptions options;
  options.collectTrace = !traceFile.empty();
  options.progress = [&](size_t done, size_t total) {
    progress.update(done, total);
  };
  Expected<sim::SimResult> result =
      sim::simulate(*program, *config, simInputs, options);
  progress.finish();
  if (!result)
    return fail(positionalFile, toString(result.takeError()));
  const sim::Outputs &o = result->outputs;
  if (outputs.size() >= 2 && !o.blockMaskComplete)
    return fail(outputs[1], "the program does not store every block row of "
                            "the block mask; cannot write it");
  if (outputs.size() >= 3 && !o.headTableComplete)
    return fail(outputs[2], "the program does not store the head table of "
                            "every batch item; cannot write it");

  // Serialise everything first; write only when all of it exists.
  std::vector<npy::Array> arrays;
  arrays.push_back(npy::fromF32(o.out.shape, o.out.data));
  arrays.push_back(npy::fromBool(o.blockMask.shape, o.blockMask.data));
  arrays.push_back(npy::fromBool(o.headMask.shape, o.headMask.data));
  arrays.push_back(npy::fromI64(o.thetaH.shape, o.thetaH.data));
  std::vector<PendingFile> files;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Expected<std::string> bytes = npy::serialize(arrays[i]);
    if (!bytes)
      return fail(outputs[i], toString(bytes.takeError()));
    files.push_back({outputs[i], std::move(*bytes)});
  }
  if (!statsFile().empty())
    files.push_back(
        {statsFile(), sim::statsToJson(*result, *program, *config)});
  if (!traceFile.empty())
    files.push_back({traceFile, sim::traceToJson(*result, *program, *config)});
  if (int rc = writeAllOrNothing(files))
    return rc;

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
  InitLLVM initLLVM(argc, argv);
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
      "  hdp-sim prog.hdpc --config=configs/hdp-edge.json \\\n"
      "    --input=@q.npy --input=@k.npy --input=@v.npy [--input=@mask.npy] "
      "\\\n"
      "    --output=@out.npy [--output=@block_mask.npy ...] "
      "--stats=stats.json [--trace=trace.json]\n"
      "  hdp-sim --compile --shape=B,H,N,M,D[,Dv] [--mask] "
      "--attention-config='#hdp.config<...>' \\\n"
      "    --config=configs/hdp-edge.json -o prog.hdpc\n"
      "  hdp-sim --disassemble prog.hdpc [-o prog.txt]\n"
      "  hdp-sim --assemble prog.txt -o prog.hdpc\n");
  int modes = int(compileMode) + int(disassembleMode) + int(assembleMode);
  if (modes > 1)
    return failUsage("--compile, --disassemble and --assemble exclude each "
                     "other");
  if (compileMode)
    return runCompile();
  if (disassembleMode)
    return runDisassemble();
  if (assembleMode)
    return runAssemble();
  return runSimulate();
}
