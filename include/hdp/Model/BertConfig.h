//===- BertConfig.h - The config.json of a Hugging Face BERT ----*- C++ -*-===//
//
// The hyper-parameters hdp needs from the config.json of a transformers
// BertForMaskedLM directory: hidden_size, num_hidden_layers,
// num_attention_heads, intermediate_size, layer_norm_eps,
// max_position_embeddings, vocab_size, pad_token_id and hidden_act (which
// must be "gelu", the exact erf GELU). type_vocab_size is read when present
// (default 2). Settings hdp does not implement are refused instead of being
// silently ignored: position_embedding_type other than "absolute",
// is_decoder true, a model_type other than "bert".
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_BERTCONFIG_H
#define HDP_MODEL_BERTCONFIG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace hdp::model {

struct BertConfig {
  int64_t hiddenSize = 0;
  int64_t numLayers = 0;
  int64_t numHeads = 0;
  int64_t intermediateSize = 0;
  int64_t maxPositions = 0; ///< max_position_embeddings
  int64_t vocabSize = 0;
  int64_t typeVocabSize = 2;
  int64_t padTokenId = 0;
  double layerNormEps = 1e-12;

  int64_t headSize() const { return hiddenSize / numHeads; }
};

/// Parses config.json text; `name` (the path) starts every error.
llvm::Expected<BertConfig> parseBertConfig(llvm::StringRef text,
                                           llvm::StringRef name);
llvm::Expected<BertConfig> loadBertConfig(llvm::StringRef path);

} // namespace hdp::model

#endif // HDP_MODEL_BERTCONFIG_H
