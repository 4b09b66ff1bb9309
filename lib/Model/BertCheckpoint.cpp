//===- BertCheckpoint.cpp - A Hugging Face BertForMaskedLM directory ------===//
//
// See BertCheckpoint.h. One table (forEachTensor) names every tensor and its
// shape; reading and writing both go through it. Tensors the model does not
// use (the pooler, the next-sentence head, position_ids buffers) are
// ignored.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertCheckpoint.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <functional>

using namespace llvm;

namespace hdp::model {

namespace {

constexpr const char *kDecoderWeight = "cls.predictions.decoder.weight";

/// Calls `visit(name, shape, storage)` for every tensor of a checkpoint with
/// `c`'s shapes, in the order transformers declares them.
template <typename Checkpoint, typename Visit>
void forEachTensor(Checkpoint &ckpt, const BertConfig &c, Visit visit) {
  const int64_t h = c.hiddenSize, inter = c.intermediateSize;
  visit("bert.embeddings.word_embeddings.weight",
        std::vector<int64_t>{c.vocabSize, h}, ckpt.wordEmbeddings);
  visit("bert.embeddings.position_embeddings.weight",
        std::vector<int64_t>{c.maxPositions, h}, ckpt.positionEmbeddings);
  visit("bert.embeddings.token_type_embeddings.weight",
        std::vector<int64_t>{c.typeVocabSize, h}, ckpt.tokenTypeEmbeddings);
  visit("bert.embeddings.LayerNorm.weight", std::vector<int64_t>{h},
        ckpt.embeddingNormWeight);
  visit("bert.embeddings.LayerNorm.bias", std::vector<int64_t>{h},
        ckpt.embeddingNormBias);
  for (int64_t l = 0; l < c.numLayers; ++l) {
    auto &lw = ckpt.layers[l];
    const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
    auto linear = [&](const std::string &name, int64_t out, int64_t in,
                      auto &weight, auto &bias) {
      visit(p + name + ".weight", std::vector<int64_t>{out, in}, weight);
      visit(p + name + ".bias", std::vector<int64_t>{out}, bias);
    };
    auto norm = [&](const std::string &name, auto &weight, auto &bias) {
      visit(p + name + ".weight", std::vector<int64_t>{h}, weight);
      visit(p + name + ".bias", std::vector<int64_t>{h}, bias);
    };
    linear("attention.self.query", h, h, lw.query, lw.queryBias);
    linear("attention.self.key", h, h, lw.key, lw.keyBias);
    linear("attention.self.value", h, h, lw.value, lw.valueBias);
    linear("attention.output.dense", h, h, lw.attentionOutput,
           lw.attentionOutputBias);
    norm("attention.output.LayerNorm", lw.attentionNormWeight,
         lw.attentionNormBias);
    linear("intermediate.dense", inter, h, lw.intermediate,
           lw.intermediateBias);
    linear("output.dense", h, inter, lw.output, lw.outputBias);
    norm("output.LayerNorm", lw.outputNormWeight, lw.outputNormBias);
  }
  visit("cls.predictions.transform.dense.weight", std::vector<int64_t>{h, h},
        ckpt.headDense);
  visit("cls.predictions.transform.dense.bias", std::vector<int64_t>{h},
        ckpt.headDenseBias);
  visit("cls.predictions.transform.LayerNorm.weight", std::vector<int64_t>{h},
        ckpt.headNormWeight);
  visit("cls.predictions.transform.LayerNorm.bias", std::vector<int64_t>{h},
        ckpt.headNormBias);
  visit(kDecoderWeight, std::vector<int64_t>{c.vocabSize, h}, ckpt.decoder);
  visit("cls.predictions.bias", std::vector<int64_t>{c.vocabSize},
        ckpt.decoderBias);
}

/// Checkpoints converted from the original TensorFlow BERT name the
/// LayerNorm parameters gamma and beta; transformers reads both spellings.
std::string legacyName(const SafetensorsFile &weights,
                       const std::string &name) {
  if (weights.find(name))
    return name;
  StringRef n(name);
  for (auto [current, legacy] :
       {std::pair<StringRef, StringRef>{"LayerNorm.weight", "LayerNorm.gamma"},
        {"LayerNorm.bias", "LayerNorm.beta"}})
    if (n.ends_with(current)) {
      std::string old = (n.drop_back(current.size()) + legacy).str();
      if (weights.find(old))
        return old;
    }
  return name; // missing: readFloats names it
}

Error fileError(const Twine &name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}

} // namespace

Expected<BertCheckpoint> readBertWeights(const SafetensorsFile &weights,
                                         const BertConfig &config) {
  BertCheckpoint ckpt;
  ckpt.config = config;
  ckpt.layers.resize(config.numLayers);
  Error error = Error::success();
  forEachTensor(ckpt, config,
                [&](const std::string &name, const std::vector<int64_t> &shape,
                    std::vector<float> &storage) {
                  if (error)
                    return;
                  if (name == kDecoderWeight && !weights.find(name))
                    return; // tied to the word embedding, below
                  Expected<std::vector<float>> values =
                      weights.readFloats(legacyName(weights, name), shape);
                  if (!values)
                    error = values.takeError();
                  else
                    storage = std::move(*values);
                });
  if (error)
    return std::move(error);
  if (ckpt.decoder.empty())
    ckpt.decoder = ckpt.wordEmbeddings;
  return ckpt;
}

std::vector<NamedTensor> bertTensors(const BertCheckpoint &checkpoint) {
  std::vector<NamedTensor> tensors;
  forEachTensor(checkpoint, checkpoint.config,
                [&](const std::string &name, const std::vector<int64_t> &shape,
                    const std::vector<float> &storage) {
                  tensors.push_back({name, shape, storage});
                });
  return tensors;
}

std::string checkVocabulary(const BertTokenizer &tokenizer,
                            const BertConfig &config) {
  if (tokenizer.vocabSize() != config.vocabSize)
    return "the vocabulary has " + std::to_string(tokenizer.vocabSize()) +
           " pieces, but the model's vocab_size is " +
           std::to_string(config.vocabSize);
  if (tokenizer.padId() != config.padTokenId)
    return "[PAD] is piece " + std::to_string(tokenizer.padId()) +
           ", but the model's pad_token_id is " +
           std::to_string(config.padTokenId);
  return "";
}

Expected<BertModelFiles> loadBertModel(StringRef dir) {
  if (!sys::fs::is_directory(dir))
    return fileError(dir, "expected a model directory (config.json, "
                          "model.safetensors, vocab.txt)");
  auto path = [&](StringRef file) {
    SmallString<256> p(dir);
    sys::path::append(p, file);
    return std::string(p);
  };
  Expected<BertConfig> config = loadBertConfig(path("config.json"));
  if (!config)
    return config.takeError();
  Expected<SafetensorsFile> weights =
      SafetensorsFile::open(path("model.safetensors"));
  if (!weights)
    return weights.takeError();
  Expected<BertCheckpoint> ckpt = readBertWeights(*weights, *config);
  if (!ckpt)
    return ckpt.takeError();
  std::string vocabPath = path("vocab.txt");
  Expected<BertTokenizer> tokenizer = BertTokenizer::load(vocabPath);
  if (!tokenizer)
    return tokenizer.takeError();
  if (std::string why = checkVocabulary(*tokenizer, *config); !why.empty())
    return fileError(vocabPath, why + " (" + path("config.json") + ")");
  return BertModelFiles{std::move(*ckpt), std::move(*tokenizer)};
}

} // namespace hdp::model
