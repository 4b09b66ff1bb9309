//===- BertConfig.cpp - The config.json of a Hugging Face BERT ------------===//
//
// See BertConfig.h. Unknown keys are allowed: transformers writes many
// (dropout rates, initializer_range, torch_dtype, ...) that do not change
// inference.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertConfig.h"

#include "JsonText.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>

using namespace llvm;
using json = nlohmann::json;

namespace hdp::model {

namespace {
/// Far beyond any BERT, and small enough that no size product overflows.
constexpr int64_t kMaxWidth = 1 << 16;
constexpr int64_t kMaxLayers = 1 << 10;
constexpr int64_t kMaxVocab = 1 << 22;
constexpr int64_t kMaxPositions = 1 << 16;

Error configError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}
} // namespace

Expected<BertConfig> parseBertConfig(StringRef text, StringRef name) {
  Expected<json> root = detail::parseJsonText(text, name);
  if (!root)
    return root.takeError();
  if (!root->is_object())
    return configError(name, "expected a JSON object, got " +
                                 detail::describeJson(*root));

  BertConfig c;
  // A required integer key in [lo, hi].
  auto integer = [&](const char *key, int64_t lo, int64_t hi,
                     int64_t &out) -> Error {
    if (!root->contains(key))
      return configError(name, Twine("missing \"") + key + "\"");
    if (!detail::jsonInteger((*root)[key], lo, hi, out))
      return configError(name, Twine("\"") + key +
                                   "\" must be an integer in [" + Twine(lo) +
                                   ", " + Twine(hi) + "], got " +
                                   detail::describeJson((*root)[key]));
    return Error::success();
  };
  if (Error e = integer("hidden_size", 1, kMaxWidth, c.hiddenSize))
    return std::move(e);
  if (Error e = integer("num_hidden_layers", 1, kMaxLayers, c.numLayers))
    return std::move(e);
  if (Error e = integer("num_attention_heads", 1, c.hiddenSize, c.numHeads))
    return std::move(e);
  if (c.hiddenSize % c.numHeads != 0)
    return configError(name, "hidden_size (" + Twine(c.hiddenSize) +
                                 ") must be a multiple of "
                                 "num_attention_heads (" +
                                 Twine(c.numHeads) + ")");
  if (Error e =
          integer("intermediate_size", 1, 16 * kMaxWidth, c.intermediateSize))
    return std::move(e);
  if (Error e =
          integer("max_position_embeddings", 3, kMaxPositions, c.maxPositions))
    return std::move(e);
  if (Error e = integer("vocab_size", 1, kMaxVocab, c.vocabSize))
    return std::move(e);
  if (Error e = integer("pad_token_id", 0, c.vocabSize - 1, c.padTokenId))
    return std::move(e);
  if (root->contains("type_vocab_size"))
    if (Error e = integer("type_vocab_size", 1, kMaxVocab, c.typeVocabSize))
      return std::move(e);

  if (!root->contains("layer_norm_eps"))
    return configError(name, "missing \"layer_norm_eps\"");
  const json &eps = (*root)["layer_norm_eps"];
  if (!eps.is_number() || !(eps.get<double>() > 0.0) ||
      !(eps.get<double>() < 1.0))
    return configError(name, "\"layer_norm_eps\" must be a number in (0, 1), "
                             "got " +
                                 detail::describeJson(eps));
  c.layerNormEps = eps.get<double>();

  // A string-valued key that must have one value when present (`required`:
  // also when absent).
  auto mustBe = [&](const char *key, const char *value,
                    bool required) -> Error {
    if (!root->contains(key)) {
      if (!required)
        return Error::success();
      return configError(name, Twine("missing \"") + key + "\" (hdp runs \"" +
                                   value + "\")");
    }
    const json &v = (*root)[key];
    if (!v.is_string() || v.get<std::string>() != value)
      return configError(name,
                         Twine("\"") + key + "\" is " +
                             (v.is_string() ? "\"" + v.get<std::string>() + "\""
                                            : detail::describeJson(v)) +
                             "; hdp runs only \"" + value + "\"");
    return Error::success();
  };
  if (Error e = mustBe("hidden_act", "gelu", /*required=*/true))
    return std::move(e);
  if (Error e = mustBe("position_embedding_type", "absolute", false))
    return std::move(e);
  if (Error e = mustBe("model_type", "bert", false))
    return std::move(e);
  if (root->contains("is_decoder") && (*root)["is_decoder"] != false)
    return configError(name, "\"is_decoder\" must be false: hdp runs BERT as "
                             "an encoder");
  return c;
}

Expected<BertConfig> loadBertConfig(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return configError(path, "cannot read the model configuration: " +
                                 buffer.getError().message());
  return parseBertConfig((*buffer)->getBuffer(), path);
}

} // namespace hdp::model
