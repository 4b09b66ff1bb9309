//===- hdp-eval.cpp - Quality of hdp attention on a real language model ---===//
//
// hdp-eval --model=stories260K.bin --tokenizer=tok512.bin --text=FILE \
//   [--config='#hdp.config<rho = 0.3>' ...] [--backend=reference|cpu] \
//   [--calibrate=FILE | --shifts=a,b,...] [--generate=N [--prompt=TEXT]] \
//   [--json=out.json] [--per-layer]
// hdp-eval --model=BERT_DIR --text=FILE [--config=... --backend=...
//   --calibrate=FILE | --shifts=... --json=... --per-layer] [--batch-size=N]
//
// Runs a llama2.c-format model over the documents of a text with dense f32
// attention and with hdp attention under each --config, and prints a table of
// next-token quality (NLL, perplexity, top-1), agreement with the dense model
// (top-1 agreement, KL(dense ‖ hdp)) and what was pruned (block sparsity,
// heads pruned, element sparsity, clamp rate). --generate writes greedy text
// from each model. --calibrate chooses every layer's fixed-point shift from a
// calibration text first (see hdp/Model/Calibration.h).
//
// When --model is a directory, it is a Hugging Face BertForMaskedLM model
// (config.json, model.safetensors, vocab.txt) and the same table reports
// masked-language-model quality over the masked tokens of the evaluation
// rule in hdp/Model/MlmEval.h.
//
// Every bad input gives one "hdp-eval: error: ..." line naming the file or
// option, and exit code 1; the JSON report is written whole or not at all.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Model/BertCheckpoint.h"
#include "hdp/Model/BertEncoder.h"
#include "hdp/Model/Calibration.h"
#include "hdp/Model/Checkpoint.h"
#include "hdp/Model/CpuBackend.h"
#include "hdp/Model/Metrics.h"
#include "hdp/Model/MlmEval.h"
#include "hdp/Model/Tokenizer.h"
#include "hdp/Model/Transformer.h"
#include "hdp/Pipelines/Pipelines.h"
#include "hdp/Tooling/CommandLine.h"
#include "hdp/Tooling/Diagnostics.h"
#include "hdp/Tooling/OutputFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace llvm;
using namespace hdp::model;
namespace ref = hdp::ref;

namespace {

cl::OptionCategory evalCategory("hdp-eval options");

cl::opt<std::string>
    modelPath("model",
              cl::desc("llama2.c checkpoint (version 0), or a Hugging Face "
                       "BertForMaskedLM directory (config.json, "
                       "model.safetensors, vocab.txt)"),
              cl::value_desc("FILE.bin|DIR"), cl::cat(evalCategory));
cl::opt<std::string> tokenizerPath("tokenizer",
                                   cl::desc("llama2.c tokenizer.bin"),
                                   cl::value_desc("FILE.bin"),
                                   cl::cat(evalCategory));
cl::opt<std::string>
    textPath("text",
             cl::desc("Text to evaluate: documents separated by "
                      "<|endoftext|>, or one per line"),
             cl::value_desc("FILE"), cl::cat(evalCategory));
cl::list<std::string>
    configTexts("config",
                cl::desc("An hdp configuration to evaluate (repeatable); "
                         "dense attention is always evaluated too"),
                cl::value_desc("#hdp.config<...>"), cl::cat(evalCategory));
cl::opt<std::string>
    backendName("backend",
                cl::desc("Where hdp attention runs: reference (plain-loop "
                         "library) or cpu (JIT-compiled hdp-cpu-pipeline)"),
                cl::value_desc("reference|cpu"), cl::init("reference"),
                cl::cat(evalCategory));
const bool threadsNameFree = hdp::tooling::yieldThreadsOptionName();
cl::opt<int> threads(
    "threads",
    cl::desc("Threads of the cpu backend: 0 (the default) lets the OpenMP "
             "runtime choose (OMP_NUM_THREADS, else every core), 1 runs "
             "sequential code; the results are the same bits"),
    cl::value_desc("N"), cl::init(0), cl::cat(evalCategory));
cl::opt<std::string> calibratePath(
    "calibrate",
    cl::desc("Choose each layer's shift from this text (per int_bits, "
             "frac_bits and approx of each config; the config's shift is "
             "replaced)"),
    cl::value_desc("FILE"), cl::cat(evalCategory));
cl::opt<std::string>
    shiftsText("shifts",
               cl::desc("Per-layer shifts replacing the configs' shift, e.g. "
                        "the ones --calibrate printed"),
               cl::value_desc("s0,s1,..."), cl::cat(evalCategory));
cl::opt<int> generateSteps("generate",
                           cl::desc("Greedily generate up to N tokens with "
                                    "each model and print the text"),
                           cl::value_desc("N"), cl::init(0),
                           cl::cat(evalCategory));
cl::opt<std::string> promptText("prompt",
                                cl::desc("Start of the generated text "
                                         "(default: BOS only)"),
                                cl::init(""), cl::cat(evalCategory));
cl::opt<std::string> jsonPath("json",
                              cl::desc("Write every number to this JSON file"),
                              cl::value_desc("FILE"), cl::cat(evalCategory));
cl::opt<bool> perLayer("per-layer",
                       cl::desc("Also print per-layer pruning statistics"),
                       cl::cat(evalCategory));
cl::opt<int> batchSize("batch-size",
                       cl::desc("Encoder: sequences per forward pass (padded "
                                "with [PAD]; results do not depend on it)"),
                       cl::value_desc("N"), cl::init(8), cl::cat(evalCategory));
cl::opt<int> maxDocuments("max-docs",
                          cl::desc("Evaluate only the first N documents"),
                          cl::value_desc("N"), cl::init(0),
                          cl::cat(evalCategory));

cl::opt<bool> forceProgress(
    "progress",
    cl::desc("Report progress on stderr even when it is not a terminal (on "
             "a terminal it is reported anyway); stdout is unchanged"),
    cl::cat(evalCategory));

int fail(const Twine &message) { return hdp::tooling::failUsage(message); }

/// Progress of the evaluation on stderr, never on stdout (which holds the
/// results): on a terminal one line rewritten in place, with --progress
/// elsewhere one line per step.
class Progress {
public:
  explicit Progress(std::string unit)
      : unit(std::move(unit)), terminal(sys::Process::StandardErrIsDisplayed()),
        start(std::chrono::steady_clock::now()) {}

  void operator()(size_t done, size_t total) const {
    if (!terminal && !forceProgress)
      return;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    std::string line = formatv("hdp-eval: {0} of {1} {2} evaluated, {3:F1} s",
                               done, total, unit, seconds);
    if (done > 0 && done < total)
      line += formatv(", about {0:F0} s left", seconds / done * (total - done));
    if (terminal) // "\x1b[K" clears what a longer line left.
      errs() << "\r" << line << "\x1b[K" << (done == total ? "\n" : "");
    else
      errs() << line << "\n";
    errs().flush();
  }

private:
  std::string unit;
  bool terminal;
  std::chrono::steady_clock::time_point start;
};

std::string percent(double v) { return formatv("{0:F1}%", 100.0 * v).str(); }

json::Object configJson(const ref::AttentionConfig &c) {
  json::Object o;
  o["int_bits"] = c.intBits;
  o["frac_bits"] = c.fracBits;
  o["block"] = json::Array{c.blockRows, c.blockCols};
  o["rho"] = c.rho;
  o["tau_h"] = c.tauH;
  o["policy"] = ref::policyName(c.policy);
  o["importance"] = hdp::importanceName(c.importance);
  o["topk"] = c.topk;
  o["approx"] = c.approx;
  o["softmax"] = c.softmax == ref::SoftmaxKind::Poly ? "poly" : "exact";
  return o;
}

json::Object statsJson(const LayerStats &s) {
  json::Object o;
  o["block_sparsity"] = s.blockSparsity();
  o["head_sparsity"] = s.headSparsity();
  o["element_sparsity"] = s.elementSparsity();
  o["clamp_rate"] = s.clampRate();
  o["mass_lost"] = s.meanMassLost();
  o["valid_blocks"] = s.validBlocks;
  o["kept_blocks"] = s.keptBlocks;
  o["heads"] = s.heads;
  o["pruned_heads"] = s.prunedHeads;
  return o;
}

/// One configuration to evaluate.
struct Run {
  std::string label;
  ref::AttentionConfig config;
  std::vector<int64_t> shifts; ///< per layer (empty: the config's own)
  std::unique_ptr<AttentionBackend> backend;
  std::string generated;
};

/// Parses every --config into a Run; on failure returns the error message.
std::optional<std::string> parseRuns(std::vector<Run> &runs) {
  for (const std::string &text : configTexts) {
    Expected<ref::AttentionConfig> cfg = hdp::parseConfigText(text);
    if (!cfg)
      return "--config='" + text + "': " + toString(cfg.takeError());
    Run r;
    r.label = StringRef(text).trim().str();
    r.config = *cfg;
    runs.push_back(std::move(r));
  }
  return std::nullopt;
}

/// Prints one calibration and returns its JSON record.
json::Object reportCalibration(const Calibration &cal,
                               const ref::AttentionConfig &config,
                               StringRef unit) {
  outs() << "calibration on " << calibratePath << " (" << cal.documents << " "
         << unit << ", " << cal.tokens
         << " tokens) for int_bits = " << config.intBits
         << ", frac_bits = " << config.fracBits
         << ", approx = " << (config.approx ? "true" : "false") << ":\n";
  json::Array layersJson;
  for (size_t l = 0; l < cal.layers.size(); ++l) {
    const LayerCalibration &lc = cal.layers[l];
    outs() << formatv("  layer {0}: shift {1,2}  clamp rate {2}  score "
                      "RMSE {3:F4}  max |q|,|k| {4:F2}\n",
                      l, lc.shift, formatv("{0:F3}%", 100 * lc.clampRate),
                      lc.scoreRmse, lc.maxAbs);
    json::Array cands;
    for (const ShiftCandidate &c : lc.candidates)
      cands.push_back(json::Object{{"shift", c.shift},
                                   {"clamp_rate", c.clampRate},
                                   {"score_rmse", c.scoreRmse}});
    layersJson.push_back(json::Object{{"shift", lc.shift},
                                      {"clamp_rate", lc.clampRate},
                                      {"score_rmse", lc.scoreRmse},
                                      {"max_abs", lc.maxAbs},
                                      {"candidates", std::move(cands)}});
  }
  std::string shiftList =
      join(map_range(cal.shifts(), [](int64_t s) { return std::to_string(s); }),
           ",");
  outs() << "  (rerun without calibrating: --shifts=" << shiftList << ")\n";
  return json::Object{{"text", calibratePath},
                      {"int_bits", config.intBits},
                      {"frac_bits", config.fracBits},
                      {"approx", config.approx},
                      {"shifts", json::Array(cal.shifts())},
                      {"layers", std::move(layersJson)}};
}

/// Sets every run's shifts by `calibrate` (once per int_bits, frac_bits and
/// approx in use) and returns the calibration records, or an error message.
std::optional<std::string> calibrateRuns(
    std::vector<Run> &runs, StringRef unit,
    const std::function<Expected<Calibration>(const ref::AttentionConfig &)>
        &calibrate,
    json::Array &calibrationJson) {
  std::map<std::tuple<int64_t, int64_t, bool>, std::vector<int64_t>> done;
  for (Run &r : runs) {
    auto key =
        std::make_tuple(r.config.intBits, r.config.fracBits, r.config.approx);
    if (auto it = done.find(key); it != done.end()) {
      r.shifts = it->second;
      continue;
    }
    Expected<Calibration> cal = calibrate(r.config);
    if (!cal)
      return calibratePath + ": " + toString(cal.takeError());
    calibrationJson.push_back(reportCalibration(*cal, r.config, unit));
    r.shifts = cal->shifts();
    done[key] = r.shifts;
  }
  return std::nullopt;
}

/// Gives every run its backend (with --shifts applied).
void makeBackends(std::vector<Run> &runs,
                  const std::optional<std::vector<int64_t>> &fixedShifts,
                  const std::shared_ptr<JitCache> &jitCache) {
  for (Run &r : runs) {
    if (fixedShifts)
      r.shifts = *fixedShifts;
    std::vector<ref::AttentionConfig> perLayerConfigs =
        r.shifts.empty() ? std::vector<ref::AttentionConfig>{r.config}
                         : withShifts(r.config, r.shifts);
    if (backendName == "cpu")
      r.backend = std::make_unique<CpuBackend>(perLayerConfigs, jitCache);
    else
      r.backend = std::make_unique<ReferenceBackend>(perLayerConfigs);
  }
}

using ProgressFn = std::function<void(size_t, size_t)>;

/// Evaluates every run's backend with `evaluateAll` (reporting progress in
/// `unit`s) and prints the quality table (and the per-layer statistics with
/// --per-layer).
Expected<std::vector<EvalResult>>
evaluateRuns(std::vector<Run> &runs, StringRef unit,
             const std::function<Expected<std::vector<EvalResult>>(
                 ArrayRef<AttentionBackend *>, ArrayRef<std::string>,
                 const ProgressFn &)> &evaluateAll) {
  std::vector<AttentionBackend *> backends;
  std::vector<std::string> labels;
  for (Run &r : runs) {
    backends.push_back(r.backend.get());
    labels.push_back(r.label);
  }
  Expected<std::vector<EvalResult>> evaluated =
      evaluateAll(backends, labels, Progress(unit.str()));
  if (!evaluated)
    return evaluated.takeError();
  const std::vector<EvalResult> &results = *evaluated;

  size_t width = 6;
  for (const EvalResult &r : results)
    width = std::max(width, r.label.size());
  outs() << "\n"
         << left_justify("attention", width)
         << "     NLL     ppl   top-1   agree  KL(dense||.)  block-sp  "
            "heads-pr  elem-sp  mass-lost   clamp    time\n";
  for (const EvalResult &r : results) {
    LayerStats t = r.total();
    const Quality &q = r.quality;
    bool isDense = &r == &results[0];
    outs() << left_justify(r.label, width)
           << formatv("  {0,6:F4}  {1,6:F2}  {2,6}  {3,6}  {4,12:F5}  "
                      "{5,8}  {6,8}  {7,7}  {10,9}  {8,6}  {9,5:F1}s\n",
                      q.meanNll(), q.perplexity(), percent(q.top1()),
                      percent(q.agreement()), q.meanKl(),
                      isDense ? std::string("-") : percent(t.blockSparsity()),
                      isDense ? std::string("-") : percent(t.headSparsity()),
                      isDense ? std::string("-") : percent(t.elementSparsity()),
                      isDense ? std::string("-") : percent(t.clampRate()),
                      r.seconds,
                      isDense ? std::string("-") : percent(t.meanMassLost()));
  }
  if (perLayer && results.size() > 1) {
    outs() << "\nper layer: block sparsity / heads pruned / dense attention "
              "mass lost / clamp rate\n";
    for (size_t i = 1; i < results.size(); ++i) {
      outs() << "  " << results[i].label << "\n";
      for (size_t l = 0; l < results[i].layers.size(); ++l) {
        const LayerStats &s = results[i].layers[l];
        outs() << formatv("    layer {0}: {1,6} / {2,6} / {3,6} / {4,6}", l,
                          percent(s.blockSparsity()), percent(s.headSparsity()),
                          percent(s.meanMassLost()), percent(s.clampRate()));
        if (!runs[i - 1].shifts.empty())
          outs() << "   (shift " << runs[i - 1].shifts[l] << ")";
        outs() << "\n";
      }
    }
  }
  return evaluated;
}

/// The "results" array of the report: dense first, then every run.
json::Array resultsJson(const std::vector<EvalResult> &results,
                        const std::vector<Run> &runs,
                        const std::string &denseText) {
  auto entry = [&](const std::string &label, const EvalResult *r,
                   const Run *run, const std::string &generated) {
    json::Object o;
    o["label"] = label;
    if (run) {
      o["config"] = configJson(run->config);
      if (!run->shifts.empty())
        o["shifts"] = json::Array(run->shifts);
    } else {
      o["config"] = nullptr;
    }
    if (r) {
      const Quality &q = r->quality;
      o["nll"] = q.meanNll();
      o["perplexity"] = q.perplexity();
      o["top1"] = q.top1();
      o["agreement"] = q.agreement();
      o["kl"] = q.meanKl();
      o["seconds"] = r->seconds;
      json::Object total = statsJson(r->total());
      for (auto &kv : total)
        o[kv.first] = std::move(kv.second);
      json::Array layers;
      for (const LayerStats &s : r->layers)
        layers.push_back(statsJson(s));
      o["layers"] = std::move(layers);
    }
    if (generateSteps > 0)
      o["generated"] = generated;
    return o;
  };
  json::Array array;
  array.push_back(entry("dense", results.empty() ? nullptr : &results[0],
                        nullptr, denseText));
  for (size_t i = 0; i < runs.size(); ++i)
    array.push_back(entry(runs[i].label,
                          results.empty() ? nullptr : &results[i + 1], &runs[i],
                          runs[i].generated));
  return array;
}

/// Where the report goes: the --json file, added (and so checked) before any
/// model is read.
struct Report {
  hdp::tooling::OutputFiles files;
  std::optional<size_t> id;
};

/// Adds the --json file to `out`; returns an exit code when it cannot be
/// written.
std::optional<int> openReport(Report &out) {
  if (jsonPath.empty())
    return std::nullopt;
  Expected<size_t> id = out.files.add(jsonPath);
  if (!id)
    return fail(toString(id.takeError()));
  out.id = *id;
  return std::nullopt;
}

/// The start both model kinds share: the --json report, refused now if it
/// cannot be written, and a Run per --config. Returns an exit code on
/// failure.
std::optional<int> openReportAndRuns(Report &out, std::vector<Run> &runs) {
  if (std::optional<int> rc = openReport(out))
    return rc;
  if (std::optional<std::string> error = parseRuns(runs))
    return fail(*error);
  return std::nullopt;
}

/// --shifts for a model of `numLayers` layers (none when not given).
Expected<std::optional<std::vector<int64_t>>>
fixedShiftsOption(int64_t numLayers) {
  if (shiftsText.empty())
    return std::nullopt;
  auto s = parseShifts(shiftsText, numLayers);
  if (!s)
    return createStringError(inconvertibleErrorCode(),
                             "--shifts=" + shiftsText + ": " +
                                 toString(s.takeError()));
  return std::optional<std::vector<int64_t>>(std::move(*s));
}

/// The fields of the report both model kinds share.
json::Object reportHeader(StringRef tokenizer, json::Array calibration) {
  json::Object report;
  report["model"] = modelPath;
  report["tokenizer"] =
      tokenizer.str(); // json::Value keeps a StringRef unowned
  report["backend"] = backendName;
  report["calibration"] = std::move(calibration);
  return report;
}

/// Gives every run its backend (cpu: compiled through one shared cache);
/// returns the cache, if any, for the report.
std::shared_ptr<JitCache>
makeAllBackends(std::vector<Run> &runs,
                const std::optional<std::vector<int64_t>> &fixedShifts) {
  std::shared_ptr<JitCache> jitCache;
  if (backendName == "cpu")
    jitCache = std::make_shared<JitCache>(threads);
  makeBackends(runs, fixedShifts, jitCache);
  return jitCache;
}

/// Writes the report if --json asked for it; returns the exit code.
int finishReport(Report &out, json::Object report,
                 const std::shared_ptr<JitCache> &cache) {
  if (!out.id)
    return 0;
  if (cache) {
    report["jit_compilations"] = cache->compilations();
    report["jit_compile_seconds"] = cache->compileSeconds();
  }
  out.files.stream(*out.id)
      << formatv("{0:2}", json::Value(std::move(report))) << "\n";
  if (Error e = out.files.commit())
    return fail(toString(std::move(e)));
  return 0;
}

/// hdp-eval on a Hugging Face BERT directory: masked-language-model quality
/// under the rule of hdp/Model/MlmEval.h.
int runEncoder() {
  if (!tokenizerPath.empty())
    return fail("--tokenizer: a BERT model directory brings its own "
                "vocab.txt; drop --tokenizer");
  if (generateSteps != 0)
    return fail("--generate: " + modelPath +
                " is an encoder (masked language model); it does not "
                "generate text");
  if (textPath.empty())
    return fail("nothing to do: pass --text=FILE");
  if (batchSize < 1)
    return fail("--batch-size: expected a number of sequences >= 1");

  Report out;
  std::vector<Run> runs;
  if (std::optional<int> rc = openReportAndRuns(out, runs))
    return *rc;

  Expected<BertModelFiles> files = loadBertModel(modelPath);
  if (!files)
    return fail(toString(files.takeError()));
  const BertConfig bc = files->checkpoint.config;
  const BertTokenizer &tokenizer = files->tokenizer;
  BertEncoder encoder(std::move(files->checkpoint));

  int64_t documents = 0;
  Expected<std::vector<MlmSequence>> sequences = loadMlmSequences(
      textPath, tokenizer, bc.maxPositions, maxDocuments, &documents);
  if (!sequences)
    return fail(toString(sequences.takeError()));

  auto fixedShifts = fixedShiftsOption(bc.numLayers);
  if (!fixedShifts)
    return fail(toString(fixedShifts.takeError()));

  outs() << "model: " << modelPath << " (BERT encoder: hidden " << bc.hiddenSize
         << ", " << bc.numLayers << " layers, " << bc.numHeads
         << " heads, head size " << bc.headSize() << ", FFN "
         << bc.intermediateSize << ", vocab " << bc.vocabSize << ", "
         << bc.maxPositions << " positions)\n";

  json::Array calibrationJson;
  if (!calibratePath.empty() && !runs.empty()) {
    Expected<std::vector<MlmSequence>> calSequences =
        loadMlmSequences(calibratePath, tokenizer, bc.maxPositions);
    if (!calSequences)
      return fail(toString(calSequences.takeError()));
    auto calibrate = [&](const ref::AttentionConfig &config) {
      return calibrateEncoderShifts(encoder, *calSequences, config, batchSize);
    };
    if (std::optional<std::string> error =
            calibrateRuns(runs, "sequences", calibrate, calibrationJson))
      return fail(*error);
  }

  std::shared_ptr<JitCache> jitCache = makeAllBackends(runs, *fixedShifts);

  int64_t tokens = 0, masked = 0;
  for (const MlmSequence &s : *sequences) {
    tokens += s.tokens.size();
    masked += s.positions.size();
  }
  outs() << "text: " << textPath << ": " << documents << " documents, "
         << sequences->size() << " sequences, " << tokens << " tokens, "
         << masked << " masked\n";

  Expected<std::vector<EvalResult>> results = evaluateRuns(
      runs, "sequences",
      [&](ArrayRef<AttentionBackend *> backends, ArrayRef<std::string> labels,
          const ProgressFn &progress) {
        return evaluateMlm(encoder, *sequences, backends, labels, batchSize,
                           progress);
      });
  if (!results)
    return fail(toString(results.takeError()));

  json::Object report =
      reportHeader(modelPath + "/vocab.txt", std::move(calibrationJson));
  report["text"] = textPath;
  report["documents"] = documents;
  report["sequences"] = static_cast<int64_t>(sequences->size());
  report["tokens"] = tokens;
  report["batch_size"] = static_cast<int64_t>(batchSize);
  report["predictions"] = (*results)[0].quality.predictions;
  report["results"] = resultsJson(*results, runs, "");
  return finishReport(out, std::move(report), jitCache);
}

int run() {
  // Cheap checks first, before any file is read.
  if (backendName != "reference" && backendName != "cpu")
    return fail("--backend=" + backendName +
                ": unknown backend; expected reference or cpu");
  if (threads < 0 || threads > hdp::kMaxThreads)
    return fail("--threads=" + Twine(threads) + ": expected 0 to " +
                Twine(hdp::kMaxThreads));
  if (modelPath.empty())
    return fail("--model: expected the llama2.c checkpoint (FILE.bin)");
  if (maxDocuments < 0)
    return fail("--max-docs: expected a number of documents >= 0");
  if (!calibratePath.empty() && !shiftsText.empty())
    return fail("--calibrate and --shifts both set the shifts; pass one");
  if (sys::fs::is_directory(modelPath))
    return runEncoder();
  if (tokenizerPath.empty())
    return fail("--tokenizer: expected the llama2.c tokenizer (FILE.bin)");
  if (textPath.empty() && generateSteps <= 0)
    return fail("nothing to do: pass --text=FILE and/or --generate=N");
  if (generateSteps < 0)
    return fail("--generate: expected a number of tokens >= 0");

  Report out;
  std::vector<Run> runs;
  if (std::optional<int> rc = openReportAndRuns(out, runs))
    return *rc;

  Expected<Checkpoint> ckpt = loadCheckpoint(modelPath);
  if (!ckpt)
    return fail(toString(ckpt.takeError()));
  Expected<Tokenizer> tokenizer =
      Tokenizer::load(tokenizerPath, ckpt->config.vocabSize);
  if (!tokenizer)
    return fail(toString(tokenizer.takeError()));
  const ModelConfig mc = ckpt->config;
  Transformer model(std::move(*ckpt));

  std::vector<std::vector<int>> documents;
  int64_t dropped = 0;
  if (!textPath.empty()) {
    auto docs = loadDocuments(textPath, *tokenizer, mc.seqLen, &dropped);
    if (!docs)
      return fail(toString(docs.takeError()));
    documents = std::move(*docs);
    if (maxDocuments > 0 &&
        static_cast<int64_t>(documents.size()) > maxDocuments)
      documents.resize(maxDocuments);
  }

  auto fixedShifts = fixedShiftsOption(mc.numLayers);
  if (!fixedShifts)
    return fail(toString(fixedShifts.takeError()));

  outs() << "model: " << modelPath << " (dim " << mc.dim << ", " << mc.numLayers
         << " layers, " << mc.numHeads << " heads sharing " << mc.numKvHeads
         << " key/value heads, head size " << mc.headSize() << ", vocab "
         << mc.vocabSize << ", context " << mc.seqLen << ")\n";

  // Calibration, once per (int_bits, frac_bits, approx) in use.
  json::Array calibrationJson;
  if (!calibratePath.empty() && !runs.empty()) {
    auto calDocs = loadDocuments(calibratePath, *tokenizer, mc.seqLen);
    if (!calDocs)
      return fail(toString(calDocs.takeError()));
    auto calibrate = [&](const ref::AttentionConfig &config) {
      return calibrateShifts(model, *calDocs, config);
    };
    if (std::optional<std::string> error =
            calibrateRuns(runs, "documents", calibrate, calibrationJson))
      return fail(*error);
  }

  std::shared_ptr<JitCache> jitCache = makeAllBackends(runs, *fixedShifts);
  json::Object report = reportHeader(tokenizerPath, std::move(calibrationJson));

  std::vector<EvalResult> results;
  if (!documents.empty()) {
    int64_t tokens = 0;
    for (const std::vector<int> &d : documents)
      tokens += d.size();
    outs() << "text: " << textPath << ": " << documents.size() << " documents, "
           << tokens << " tokens";
    if (dropped)
      outs() << " (" << dropped << " more cut at the context length)";
    outs() << "\n";
    report["text"] = textPath;
    report["documents"] = static_cast<int64_t>(documents.size());
    report["tokens"] = tokens;
    report["dropped_tokens"] = dropped;

    auto evaluated = evaluateRuns(
        runs, "documents",
        [&](ArrayRef<AttentionBackend *> backends, ArrayRef<std::string> labels,
            const ProgressFn &progress) {
          return evaluate(model, documents, backends, labels, progress);
        });
    if (!evaluated)
      return fail(toString(evaluated.takeError()));
    results = std::move(*evaluated);
    report["predictions"] = results[0].quality.predictions;
  }

  // Greedy generation from the prompt, dense first.
  std::string denseText;
  if (generateSteps > 0) {
    std::vector<int> prompt =
        tokenizer->encode(promptText, /*bos=*/true, /*eos=*/false);
    if (static_cast<int64_t>(prompt.size()) > mc.seqLen)
      return fail("--prompt: " + Twine(prompt.size()) +
                  " tokens do not fit the context (" + Twine(mc.seqLen) + ")");
    auto generate = [&](AttentionBackend &b) -> Expected<std::string> {
      Expected<std::vector<int>> ids =
          model.generateGreedy(prompt, generateSteps, b);
      if (!ids)
        return ids.takeError();
      std::vector<int> all = prompt;
      all.insert(all.end(), ids->begin(), ids->end());
      return tokenizer->decode(all);
    };
    DenseBackend dense;
    Expected<std::string> text = generate(dense);
    if (!text)
      return fail(toString(text.takeError()));
    denseText = *text;
    outs() << "\n--- greedy text, dense attention:\n" << denseText << "\n";
    for (Run &r : runs) {
      Expected<std::string> t = generate(*r.backend);
      if (!t)
        return fail(r.label + ": " + toString(t.takeError()));
      r.generated = *t;
      outs() << "\n--- greedy text, " << r.label << ":\n"
             << r.generated << "\n";
    }
  }

  report["results"] = resultsJson(results, runs, denseText);
  return finishReport(out, std::move(report), jitCache);
}

} // namespace

int main(int argc, char **argv) {
  hdp::tooling::InitTool init(argc, argv, "hdp-eval");
  cl::HideUnrelatedOptions(evalCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "hdp-eval: quality of hdp attention on a llama2.c decoder or a BERT "
      "encoder\n\n"
      "  hdp-eval --model=stories260K.bin --tokenizer=tok512.bin "
      "--text=FILE \\\n"
      "    --config='#hdp.config<rho = 0.3>' [--backend=reference|cpu] "
      "[--calibrate=FILE] [--generate=N]\n"
      "  hdp-eval --model=BERT_DIR --text=FILE "
      "--config='#hdp.config<rho = 0.3>' [--batch-size=N]\n");
  return run();
}
