//===- Metrics.cpp - Language-model quality of pruned attention -----------===//
//
// See Metrics.h. Log-probabilities are computed in double from the f32
// logits (log-sum-exp with the maximum subtracted), so the metrics add no
// rounding of their own worth mentioning.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Metrics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <cmath>

using namespace llvm;

namespace hdp::model {

std::vector<std::string> splitDocuments(StringRef text) {
  static constexpr StringRef kSeparator = "<|endoftext|>";
  SmallVector<StringRef> parts;
  if (text.contains(kSeparator))
    text.split(parts, kSeparator);
  else
    text.split(parts, '\n');
  std::vector<std::string> docs;
  for (StringRef p : parts) {
    p = p.trim();
    if (!p.empty())
      docs.push_back(p.str());
  }
  return docs;
}

std::vector<std::vector<int>> tokenizeDocuments(const Tokenizer &tokenizer,
                                                ArrayRef<std::string> documents,
                                                int64_t maxLength,
                                                int64_t *droppedTokens) {
  std::vector<std::vector<int>> out;
  int64_t dropped = 0;
  for (const std::string &doc : documents) {
    std::vector<int> tokens = tokenizer.encode(doc, /*bos=*/true,
                                               /*eos=*/false);
    if (static_cast<int64_t>(tokens.size()) > maxLength) {
      dropped += tokens.size() - maxLength;
      tokens.resize(maxLength);
    }
    out.push_back(std::move(tokens));
  }
  if (droppedTokens)
    *droppedTokens = dropped;
  return out;
}

Expected<std::vector<std::string>> readDocuments(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(
        inconvertibleErrorCode(),
        (path + ": cannot read the text: " + buffer.getError().message())
            .str());
  return splitDocuments((*buffer)->getBuffer());
}

Expected<std::vector<std::vector<int>>>
loadDocuments(StringRef path, const Tokenizer &tokenizer, int64_t maxLength,
              int64_t *droppedTokens) {
  Expected<std::vector<std::string>> docs = readDocuments(path);
  if (!docs)
    return docs.takeError();
  std::vector<std::vector<int>> tokens =
      tokenizeDocuments(tokenizer, *docs, maxLength, droppedTokens);
  // A document needs BOS plus one token to predict anything.
  size_t usable = 0;
  for (const std::vector<int> &t : tokens)
    usable += t.size() >= 2;
  if (usable == 0)
    return createStringError(inconvertibleErrorCode(),
                             (path + ": no text to evaluate (expected "
                                     "documents separated by <|endoftext|> "
                                     "or one per line)")
                                 .str());
  return tokens;
}

static double mean(double sum, int64_t n) {
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}
double Quality::meanNll() const { return mean(nllSum, predictions); }
double Quality::perplexity() const { return std::exp(meanNll()); }
double Quality::top1() const { return mean(top1Correct, predictions); }
double Quality::meanKl() const { return mean(klSum, predictions); }
double Quality::agreement() const { return mean(agreeWithDense, predictions); }

LayerStats EvalResult::total() const {
  LayerStats sum;
  for (const LayerStats &l : layers)
    sum.add(l);
  return sum;
}

namespace {
/// log-softmax of one row, in double.
void logSoftmax(const float *logits, int64_t n, std::vector<double> &out) {
  out.resize(n);
  double mx = logits[0];
  for (int64_t i = 1; i < n; ++i)
    mx = std::max<double>(mx, logits[i]);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    sum += std::exp(static_cast<double>(logits[i]) - mx);
  double lse = mx + std::log(sum);
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<double>(logits[i]) - lse;
}
} // namespace

void accumulatePrediction(const float *logits, const float *dense,
                          int64_t vocab, int target, Quality &quality) {
  std::vector<double> lp, lpDense;
  logSoftmax(logits, vocab, lp);
  logSoftmax(dense, vocab, lpDense);
  int best = argmax(logits, vocab);
  quality.predictions += 1;
  quality.nllSum += -lp[target];
  quality.top1Correct += best == target;
  quality.agreeWithDense += best == argmax(dense, vocab);
  double kl = 0.0;
  for (int64_t i = 0; i < vocab; ++i)
    kl += std::exp(lpDense[i]) * (lpDense[i] - lp[i]);
  // Rounding can leave a tiny negative sum when the two agree.
  quality.klSum += std::max(0.0, kl);
}

void accumulateQuality(ArrayRef<int> tokens, ArrayRef<float> logits,
                       ArrayRef<float> dense, int64_t vocab, Quality &quality) {
  for (size_t t = 0; t + 1 < tokens.size(); ++t)
    accumulatePrediction(&logits[t * vocab], &dense[t * vocab], vocab,
                         tokens[t + 1], quality);
}

std::vector<EvalResult> labelledResults(ArrayRef<AttentionBackend *> backends,
                                        ArrayRef<std::string> labels) {
  std::vector<EvalResult> results(backends.size() + 1);
  results[0].label = "dense";
  for (size_t b = 0; b < backends.size(); ++b)
    results[b + 1].label = b < labels.size() ? labels[b] : backends[b]->name();
  return results;
}

Expected<std::vector<EvalResult>>
evaluate(const Transformer &model, ArrayRef<std::vector<int>> documents,
         ArrayRef<AttentionBackend *> backends, ArrayRef<std::string> labels,
         const std::function<void(size_t, size_t)> &progress) {
  using Clock = std::chrono::steady_clock;
  DenseBackend dense;
  std::vector<EvalResult> results = labelledResults(backends, labels);
  const int64_t vocab = model.config().vocabSize;

  for (size_t docIndex = 0; docIndex < documents.size(); ++docIndex) {
    ArrayRef<int> tokens = documents[docIndex];
    if (tokens.size() < 2) { // nothing to predict
      if (progress)
        progress(docIndex + 1, documents.size());
      continue;
    }
    ForwardOptions denseOptions;
    denseOptions.stats = &results[0].layers;
    auto start = Clock::now();
    Expected<std::vector<float>> denseLogits =
        model.forward(tokens, dense, denseOptions);
    if (!denseLogits)
      return denseLogits.takeError();
    results[0].seconds +=
        std::chrono::duration<double>(Clock::now() - start).count();
    accumulateQuality(tokens, *denseLogits, *denseLogits, vocab,
                      results[0].quality);

    for (size_t b = 0; b < backends.size(); ++b) {
      EvalResult &r = results[b + 1];
      ForwardOptions options;
      options.stats = &r.layers;
      start = Clock::now();
      Expected<std::vector<float>> logits =
          model.forward(tokens, *backends[b], options);
      if (!logits)
        return createStringError(
            inconvertibleErrorCode(),
            (r.label + ": " + toString(logits.takeError())).c_str());
      r.seconds += std::chrono::duration<double>(Clock::now() - start).count();
      accumulateQuality(tokens, *logits, *denseLogits, vocab, r.quality);
    }
    if (progress)
      progress(docIndex + 1, documents.size());
  }
  return results;
}

} // namespace hdp::model
