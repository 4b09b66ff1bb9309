//===- BertConfigTest.cpp - config.json of a Hugging Face BERT ------------===//
//
// The bundled config reads as documented; missing keys, values out of range,
// activations and position embeddings hdp does not run, and malformed JSON
// each give one message naming the file and the key.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertConfig.h"

#include "gtest/gtest.h"
#include <nlohmann/json.hpp>

#include <string>

using namespace hdp::model;

namespace {

/// A minimal valid config whose keys `extra` (JSON object members) adds to
/// or replaces.
std::string configWith(const std::string &extra) {
  nlohmann::json config = nlohmann::json::parse(R"({"hidden_size": 8,
      "num_hidden_layers": 2, "num_attention_heads": 2,
      "intermediate_size": 16, "max_position_embeddings": 12,
      "vocab_size": 30, "pad_token_id": 0, "layer_norm_eps": 1e-5,
      "hidden_act": "gelu"})");
  config.update(nlohmann::json::parse("{" + extra + "}"));
  return config.dump();
}

std::string configError(const std::string &text) {
  auto c = parseBertConfig(text, "config.json");
  if (c) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(c.takeError());
}

TEST(BertConfig, BundledConfig) {
  auto c = loadBertConfig(std::string(HDP_BERT_DIR) + "/config.json");
  ASSERT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
  EXPECT_EQ(c->hiddenSize, 256);
  EXPECT_EQ(c->numLayers, 4);
  EXPECT_EQ(c->numHeads, 4);
  EXPECT_EQ(c->headSize(), 64);
  EXPECT_EQ(c->intermediateSize, 1024);
  EXPECT_EQ(c->maxPositions, 128);
  EXPECT_EQ(c->vocabSize, 4096);
  EXPECT_EQ(c->typeVocabSize, 2);
  EXPECT_EQ(c->padTokenId, 0);
  EXPECT_EQ(c->layerNormEps, 1e-5);
}

TEST(BertConfig, UnknownKeysAreIgnored) {
  // transformers writes many keys that do not change inference.
  auto c =
      parseBertConfig(configWith(R"("torch_dtype": "float16")"), "config.json");
  ASSERT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
  EXPECT_EQ(c->hiddenSize, 8);
  EXPECT_EQ(c->typeVocabSize, 2);
}

TEST(BertConfig, RefusesWhatHdpCannotRun) {
  EXPECT_EQ(configError(R"({"hidden_size": 8})"),
            "config.json: missing \"num_hidden_layers\"");
  EXPECT_EQ(configError(configWith(R"("hidden_act": "relu")")),
            "config.json: \"hidden_act\" is \"relu\"; hdp runs only \"gelu\"");
  EXPECT_EQ(configError(configWith(R"("num_attention_heads": 3)")),
            "config.json: hidden_size (8) must be a multiple of "
            "num_attention_heads (3)");
  EXPECT_EQ(configError(R"({"hidden_size": 8, "num_hidden_layers": 0})"),
            "config.json: \"num_hidden_layers\" must be an integer in [1, "
            "1024], got the integer 0");
  EXPECT_EQ(configError(R"({"hidden_size": "8"})"),
            "config.json: \"hidden_size\" must be an integer in [1, 65536], "
            "got a string");
  EXPECT_EQ(
      configError(configWith(R"("position_embedding_type": "relative_key")")),
      "config.json: \"position_embedding_type\" is \"relative_key\"; hdp "
      "runs only \"absolute\"");
  EXPECT_EQ(configError(configWith(R"("is_decoder": true)")),
            "config.json: \"is_decoder\" must be false: hdp runs BERT as an "
            "encoder");
  EXPECT_EQ(configError(configWith(R"("model_type": "roberta")")),
            "config.json: \"model_type\" is \"roberta\"; hdp runs only "
            "\"bert\"");
  EXPECT_EQ(configError("{\n  \"hidden_size\": 8,\n  oops\n}"),
            "config.json: invalid JSON at line 3, column 3: syntax error "
            "while parsing object key - invalid literal; last read: "
            "'8,<U+000A>  o'; expected string literal");
  EXPECT_EQ(configError("[]"),
            "config.json: expected a JSON object, got an array");
}

TEST(BertConfig, RefusesDeepNestingAndDuplicateKeys) {
  // Found by BertConfigFuzzer's seeds: a value nested 100000 levels deep
  // must be refused before anything recurses over it, and a key given twice
  // must not silently keep its last value.
  std::string deep = configWith("");
  deep.insert(deep.size() - 1, R"(, "x": )" + std::string(100000, '[') +
                                   std::string(100000, ']'));
  EXPECT_EQ(configError(deep),
            "config.json: invalid JSON at line 1, column " +
                std::to_string(deep.find('[') + 16) +
                ": arrays and objects nested deeper than 16 levels");
  EXPECT_EQ(configError(R"({"vocab_size": 30, "hidden_size": 8,
                            "vocab_size": 8})"),
            "config.json: duplicate key 'vocab_size'");
  // Keys may repeat in different objects.
  auto c = parseBertConfig(configWith(R"("id2label": {"vocab_size": 1})"),
                           "config.json");
  EXPECT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
}

TEST(BertConfig, LayerNormEpsAndPadId) {
  EXPECT_EQ(configError(configWith(R"("layer_norm_eps": 0)")),
            "config.json: \"layer_norm_eps\" must be a number in (0, 1), got "
            "the integer 0");
  EXPECT_EQ(configError(configWith(R"("layer_norm_eps": "small")")),
            "config.json: \"layer_norm_eps\" must be a number in (0, 1), got "
            "a string");
  auto c =
      parseBertConfig(configWith(R"("layer_norm_eps": 1e-12)"), "config.json");
  ASSERT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
  EXPECT_EQ(c->layerNormEps, 1e-12);
  EXPECT_EQ(configError(configWith(R"("pad_token_id": 30)")),
            "config.json: \"pad_token_id\" must be an integer in [0, 29], got "
            "the integer 30");
  EXPECT_EQ(configError(configWith(R"("type_vocab_size": 0)")),
            "config.json: \"type_vocab_size\" must be an integer in [1, "
            "4194304], got the integer 0");
}

} // namespace
