//===- BertCheckpoint.h - A Hugging Face BertForMaskedLM directory -*- C++ -*-//
//
// The weights of a transformers BertForMaskedLM model as saved by
// save_pretrained: DIR/config.json (BertConfig), DIR/model.safetensors and
// DIR/vocab.txt (BertTokenizer). Tensors are looked up by transformers'
// names (bert.embeddings.word_embeddings.weight, bert.encoder.layer.N.
// attention.self.query.weight, ..., cls.predictions.transform.dense.weight,
// cls.predictions.decoder.weight, cls.predictions.bias), with the shapes the
// config implies; matrices are [out][in] as PyTorch stores them. When
// cls.predictions.decoder.weight is absent the decoder is the word embedding
// (transformers ties the two and save_pretrained may store only one), and
// LayerNorm.gamma / LayerNorm.beta are read where LayerNorm.weight / .bias
// are absent (checkpoints converted from the original TensorFlow BERT).
// Tensors may be F32, F16 or BF16; hdp computes in f32.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_BERTCHECKPOINT_H
#define HDP_MODEL_BERTCHECKPOINT_H

#include "hdp/Model/BertConfig.h"
#include "hdp/Model/BertTokenizer.h"
#include "hdp/Model/Safetensors.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace hdp::model {

/// One encoder layer; matrices are [out][in], row-major.
struct BertLayerWeights {
  std::vector<float> query, queryBias, key, keyBias, value, valueBias;
  std::vector<float> attentionOutput, attentionOutputBias;
  std::vector<float> attentionNormWeight, attentionNormBias;
  std::vector<float> intermediate, intermediateBias; ///< [inter][hidden]
  std::vector<float> output, outputBias;             ///< [hidden][inter]
  std::vector<float> outputNormWeight, outputNormBias;
};

struct BertCheckpoint {
  BertConfig config;
  std::vector<float> wordEmbeddings;      ///< [vocab][hidden]
  std::vector<float> positionEmbeddings;  ///< [max positions][hidden]
  std::vector<float> tokenTypeEmbeddings; ///< [type vocab][hidden]
  std::vector<float> embeddingNormWeight, embeddingNormBias;
  std::vector<BertLayerWeights> layers;
  /// The MLM head: dense, GELU, LayerNorm, decoder plus bias.
  std::vector<float> headDense, headDenseBias; ///< [hidden][hidden]
  std::vector<float> headNormWeight, headNormBias;
  std::vector<float> decoder;     ///< [vocab][hidden]
  std::vector<float> decoderBias; ///< [vocab]
};

/// The weights `config` describes, from `weights`.
llvm::Expected<BertCheckpoint> readBertWeights(const SafetensorsFile &weights,
                                               const BertConfig &config);

/// A loaded model directory.
struct BertModelFiles {
  BertCheckpoint checkpoint;
  BertTokenizer tokenizer;
};

/// Loads DIR/config.json, DIR/model.safetensors and DIR/vocab.txt, and
/// checks that they agree (the vocabulary has vocab_size pieces and [PAD] is
/// pad_token_id). Errors name the file.
llvm::Expected<BertModelFiles> loadBertModel(llvm::StringRef dir);

/// Empty when `tokenizer` fits `config`, else why not.
std::string checkVocabulary(const BertTokenizer &tokenizer,
                            const BertConfig &config);

/// The checkpoint's tensors under transformers' names, [out][in] matrices
/// (the inverse of readBertWeights; tests write models with it).
std::vector<NamedTensor> bertTensors(const BertCheckpoint &checkpoint);

} // namespace hdp::model

#endif // HDP_MODEL_BERTCHECKPOINT_H
