//===- Metrics.h - Language-model quality of pruned attention ---*- C++ -*-===//
//
// Next-token quality of the model with hdp attention, against the same model
// with dense f32 attention, over a set of documents:
//
//   * mean negative log-likelihood (nats) of each next token, perplexity
//     exp(mean NLL) and top-1 accuracy: the model against the text;
//   * mean KL(dense ‖ pruned) of the next-token distributions and top-1
//     agreement (same argmax as dense): the pruned model against the dense
//     one, which isolates what pruning changes;
//   * per-layer pruning statistics (LayerStats).
//
// Every document is one sequence: BOS, then its tokens, cut at the model's
// context length. Position t predicts token t+1; averages are over all
// predicted tokens of all documents.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_METRICS_H
#define HDP_MODEL_METRICS_H

#include "hdp/Model/Attention.h"
#include "hdp/Model/Tokenizer.h"
#include "hdp/Model/Transformer.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace hdp::model {

/// Splits a text into documents: at "<|endoftext|>" when the text contains
/// one (TinyStories' separator), otherwise one document per line. Documents
/// are trimmed of surrounding whitespace; empty ones are dropped.
std::vector<std::string> splitDocuments(llvm::StringRef text);
/// Reads the text file at `path` and splits it; errors name the file.
llvm::Expected<std::vector<std::string>> readDocuments(llvm::StringRef path);

/// Token sequences of documents (BOS + encoding), each cut to `maxLength`
/// tokens. `droppedTokens`, if given, receives how many were cut off.
std::vector<std::vector<int>>
tokenizeDocuments(const Tokenizer &tokenizer,
                  llvm::ArrayRef<std::string> documents, int64_t maxLength,
                  int64_t *droppedTokens = nullptr);

/// Reads `path`, splits it and tokenizes it; errors name the file.
llvm::Expected<std::vector<std::vector<int>>>
loadDocuments(llvm::StringRef path, const Tokenizer &tokenizer,
              int64_t maxLength, int64_t *droppedTokens = nullptr);

/// Sums over predicted tokens; the accessors turn them into means.
struct Quality {
  int64_t predictions = 0;    ///< tokens predicted (all positions but the last)
  double nllSum = 0.0;        ///< Σ -log p(next token), nats
  int64_t top1Correct = 0;    ///< argmax == next token
  double klSum = 0.0;         ///< Σ KL(dense ‖ this), nats
  int64_t agreeWithDense = 0; ///< argmax == dense argmax

  double meanNll() const;
  double perplexity() const;
  double top1() const;
  double meanKl() const;
  double agreement() const;
};

/// The result of evaluating one attention backend.
struct EvalResult {
  std::string label;
  Quality quality;
  std::vector<LayerStats> layers;
  double seconds = 0.0; ///< wall time spent in this backend's forward passes

  /// Statistics summed over layers.
  LayerStats total() const;
};

/// The empty results of an evaluation: "dense" first, then one per backend,
/// labelled by `labels` (or, past its end, by the backend's name).
std::vector<EvalResult>
labelledResults(llvm::ArrayRef<AttentionBackend *> backends,
                llvm::ArrayRef<std::string> labels);

/// Evaluates `backends` on `documents`, each against the dense forward pass
/// (computed once per document). The first result is dense itself (its KL
/// is 0, its agreement 1); then one per backend, labelled by `labels`.
/// `progress`, if set, is called after each document.
llvm::Expected<std::vector<EvalResult>>
evaluate(const Transformer &model, llvm::ArrayRef<std::vector<int>> documents,
         llvm::ArrayRef<AttentionBackend *> backends,
         llvm::ArrayRef<std::string> labels,
         const std::function<void(size_t done, size_t total)> &progress = {});

/// Adds one prediction of `target` to `quality`: `logits` and the dense
/// model's `dense` are rows of `vocab` logits.
void accumulatePrediction(const float *logits, const float *dense,
                          int64_t vocab, int target, Quality &quality);

/// Adds the quality of `logits` ([T][vocab], row t predicting tokens[t+1])
/// to `quality`; `dense` (same shape) is the baseline for KL and agreement.
void accumulateQuality(llvm::ArrayRef<int> tokens, llvm::ArrayRef<float> logits,
                       llvm::ArrayRef<float> dense, int64_t vocab,
                       Quality &quality);

} // namespace hdp::model

#endif // HDP_MODEL_METRICS_H
