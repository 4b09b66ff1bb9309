//===- MlmEval.h - Masked-language-model quality of an encoder --*- C++ -*-===//
//
// The evaluation rule for encoders, fixed so that numbers are comparable
// across tools:
//
//  * documents are the text's <|endoftext|>-separated parts, else its
//    non-empty lines (splitDocuments);
//  * each document is tokenized (BertTokenizer) and cut into consecutive
//    chunks of at most max_position_embeddings − 2 tokens;
//  * a sequence is [CLS] chunk [SEP]; the tokens at positions p with
//    p % 7 == 3 (0-based, [CLS] at 0; never the final [SEP]) are replaced by
//    [MASK] and predicted.
//
// Quality (Metrics.h) is over the masked tokens: NLL of the original token,
// top-1, and KL / agreement against the dense model. Sequences run in
// batches padded with [PAD]; the results do not depend on the batch size.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_MLMEVAL_H
#define HDP_MODEL_MLMEVAL_H

#include "hdp/Model/BertEncoder.h"
#include "hdp/Model/BertTokenizer.h"
#include "hdp/Model/Calibration.h"
#include "hdp/Model/Metrics.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace hdp::model {

/// One evaluation sequence.
struct MlmSequence {
  std::vector<int> tokens;        ///< [CLS] chunk [SEP], [MASK] where masked
  std::vector<int64_t> positions; ///< the masked positions, increasing
  std::vector<int> targets;       ///< the original token at each of them
};

/// Whether the rule masks position `p` of a sequence of `length` tokens.
inline bool isMlmMasked(int64_t p, int64_t length) {
  return p % 7 == 3 && p < length - 1;
}

/// The sequences of `documents` under the rule, in document order.
std::vector<MlmSequence> makeMlmSequences(const BertTokenizer &tokenizer,
                                          llvm::ArrayRef<std::string> documents,
                                          int64_t maxPositions);

/// Reads `path`, splits it into documents (the first `maxDocuments` of them
/// when > 0; their number goes to `documentCount` if set), tokenizes and
/// masks them; errors name the file (also when nothing is left to predict).
llvm::Expected<std::vector<MlmSequence>>
loadMlmSequences(llvm::StringRef path, const BertTokenizer &tokenizer,
                 int64_t maxPositions, int64_t maxDocuments = 0,
                 int64_t *documentCount = nullptr);

/// Evaluates `backends` on `sequences` in batches of `batchSize`, each
/// against the dense forward pass (computed once per batch). The first
/// result is dense itself; then one per backend, labelled by `labels`.
/// `progress`, if set, is called after each batch.
llvm::Expected<std::vector<EvalResult>> evaluateMlm(
    const BertEncoder &encoder, llvm::ArrayRef<MlmSequence> sequences,
    llvm::ArrayRef<AttentionBackend *> backends,
    llvm::ArrayRef<std::string> labels, int64_t batchSize,
    const std::function<void(size_t done, size_t total)> &progress = {});

/// Calibrates every layer's shift (Calibration.h) from the dense encoder's
/// attention inputs on `sequences`, over all token pairs of each sequence
/// (padding excluded). The result's `documents` counts the sequences.
llvm::Expected<Calibration> calibrateEncoderShifts(
    const BertEncoder &encoder, llvm::ArrayRef<MlmSequence> sequences,
    const ref::AttentionConfig &config, int64_t batchSize = 8,
    int64_t minShift = -8, int64_t maxShift = 8);

} // namespace hdp::model

#endif // HDP_MODEL_MLMEVAL_H
