//===- MlmEval.cpp - Masked-language-model quality of an encoder ----------===//
//
// See MlmEval.h.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/MlmEval.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <chrono>

using namespace llvm;

namespace hdp::model {

std::vector<MlmSequence> makeMlmSequences(const BertTokenizer &tokenizer,
                                          ArrayRef<std::string> documents,
                                          int64_t maxPositions) {
  const int64_t chunk = maxPositions - 2;
  std::vector<MlmSequence> sequences;
  for (const std::string &doc : documents) {
    std::vector<int> ids = tokenizer.encode(doc);
    for (int64_t start = 0; start < static_cast<int64_t>(ids.size());
         start += chunk) {
      const int64_t end = std::min<int64_t>(start + chunk, ids.size());
      MlmSequence s;
      s.tokens.push_back(tokenizer.clsId());
      s.tokens.insert(s.tokens.end(), ids.begin() + start, ids.begin() + end);
      s.tokens.push_back(tokenizer.sepId());
      const int64_t length = s.tokens.size();
      for (int64_t p = 0; p < length; ++p)
        if (isMlmMasked(p, length)) {
          s.positions.push_back(p);
          s.targets.push_back(s.tokens[p]);
          s.tokens[p] = tokenizer.maskId();
        }
      sequences.push_back(std::move(s));
    }
  }
  return sequences;
}

Expected<std::vector<MlmSequence>>
loadMlmSequences(StringRef path, const BertTokenizer &tokenizer,
                 int64_t maxPositions, int64_t maxDocuments,
                 int64_t *documentCount) {
  Expected<std::vector<std::string>> read = readDocuments(path);
  if (!read)
    return read.takeError();
  std::vector<std::string> &documents = *read;
  if (maxDocuments > 0 && static_cast<int64_t>(documents.size()) > maxDocuments)
    documents.resize(maxDocuments);
  if (documentCount)
    *documentCount = documents.size();
  std::vector<MlmSequence> sequences =
      makeMlmSequences(tokenizer, documents, maxPositions);
  bool anyMasked =
      std::any_of(sequences.begin(), sequences.end(),
                  [](const MlmSequence &s) { return !s.positions.empty(); });
  if (!anyMasked)
    return createStringError(
        inconvertibleErrorCode(),
        (path + ": no text to evaluate (expected documents separated by "
                "<|endoftext|> or one per line, with at least 3 tokens)")
            .str());
  return sequences;
}

namespace {
/// The final hidden states of the masked positions of `batch` ([rows]
/// [hidden], sequence after sequence), from the rows encode() returns.
std::vector<float> maskedRows(ArrayRef<MlmSequence> batch,
                              const std::vector<float> &hidden, int64_t h) {
  std::vector<float> rows;
  int64_t first = 0;
  for (const MlmSequence &s : batch) {
    for (int64_t p : s.positions)
      rows.insert(rows.end(), hidden.begin() + (first + p) * h,
                  hidden.begin() + (first + p + 1) * h);
    first += s.tokens.size();
  }
  return rows;
}

std::vector<std::vector<int>> tokensOf(ArrayRef<MlmSequence> batch) {
  std::vector<std::vector<int>> tokens;
  for (const MlmSequence &s : batch)
    tokens.push_back(s.tokens);
  return tokens;
}
} // namespace

Expected<std::vector<EvalResult>>
evaluateMlm(const BertEncoder &encoder, ArrayRef<MlmSequence> sequences,
            ArrayRef<AttentionBackend *> backends, ArrayRef<std::string> labels,
            int64_t batchSize,
            const std::function<void(size_t, size_t)> &progress) {
  using Clock = std::chrono::steady_clock;
  if (batchSize < 1)
    return createStringError(inconvertibleErrorCode(),
                             "the batch size must be at least 1");
  DenseBackend dense;
  std::vector<AttentionBackend *> all = {&dense};
  all.insert(all.end(), backends.begin(), backends.end());
  std::vector<EvalResult> results = labelledResults(backends, labels);
  const int64_t h = encoder.config().hiddenSize;
  const int64_t vocab = encoder.config().vocabSize;

  for (size_t start = 0; start < sequences.size(); start += batchSize) {
    ArrayRef<MlmSequence> batch = sequences.slice(
        start, std::min<size_t>(batchSize, sequences.size() - start));
    std::vector<std::vector<int>> tokens = tokensOf(batch);
    std::vector<int> targets;
    for (const MlmSequence &s : batch)
      targets.insert(targets.end(), s.targets.begin(), s.targets.end());

    std::vector<float> denseLogits;
    for (size_t r = 0; r < all.size(); ++r) {
      EvalResult &result = results[r];
      EncoderOptions options;
      options.stats = &result.layers;
      auto begin = Clock::now();
      Expected<std::vector<float>> hidden =
          encoder.encode(tokens, *all[r], options);
      if (!hidden)
        return createStringError(
            inconvertibleErrorCode(),
            (result.label + ": " + toString(hidden.takeError())).c_str());
      std::vector<float> logits = encoder.mlmLogits(
          maskedRows(batch, *hidden, h).data(), targets.size());
      result.seconds +=
          std::chrono::duration<double>(Clock::now() - begin).count();
      if (r == 0)
        denseLogits = logits;
      for (size_t m = 0; m < targets.size(); ++m)
        accumulatePrediction(&logits[m * vocab], &denseLogits[m * vocab], vocab,
                             targets[m], result.quality);
    }
    if (progress)
      progress(start + batch.size(), sequences.size());
  }
  return results;
}

Expected<Calibration> calibrateEncoderShifts(const BertEncoder &encoder,
                                             ArrayRef<MlmSequence> sequences,
                                             const ref::AttentionConfig &config,
                                             int64_t batchSize,
                                             int64_t minShift,
                                             int64_t maxShift) {
  if (sequences.empty())
    return createStringError(inconvertibleErrorCode(),
                             "calibration: no sequences");
  const int64_t L = encoder.config().numLayers;
  std::vector<std::vector<ref::Tensor<float>>> qs(L), ks(L);
  DenseBackend dense;
  int64_t tokens = 0;
  for (size_t start = 0; start < sequences.size(); start += batchSize) {
    ArrayRef<MlmSequence> batch = sequences.slice(
        start, std::min<size_t>(batchSize, sequences.size() - start));
    EncoderOptions options;
    // Each sequence's own [1,H,len,D] slice: padding is not part of it.
    options.observeQK = [&](unsigned layer, const ref::Tensor<float> &q,
                            const ref::Tensor<float> &k,
                            const ref::Tensor<float> &) {
      const int64_t H = q.dim(1), D = q.dim(3);
      for (size_t b = 0; b < batch.size(); ++b) {
        const int64_t len = batch[b].tokens.size();
        ref::Tensor<float> qb({1, H, len, D}), kb({1, H, len, D});
        for (int64_t head = 0; head < H; ++head) {
          std::copy_n(&q.at(b, head, 0, 0), len * D, &qb.at(0, head, 0, 0));
          std::copy_n(&k.at(b, head, 0, 0), len * D, &kb.at(0, head, 0, 0));
        }
        qs[layer].push_back(std::move(qb));
        ks[layer].push_back(std::move(kb));
      }
    };
    if (Expected<std::vector<float>> r =
            encoder.encode(tokensOf(batch), dense, options);
        !r)
      return r.takeError();
    for (const MlmSequence &s : batch)
      tokens += s.tokens.size();
  }
  Expected<Calibration> result = calibrateFromSamples(
      qs, ks, /*causal=*/false, config, minShift, maxShift);
  if (result) {
    result->documents = sequences.size();
    result->tokens = tokens;
  }
  return result;
}

} // namespace hdp::model
