//===- CheckpointTest.cpp - llama2.c checkpoint loading -------------------===//
//
// The bundled checkpoint loads with the documented header; truncated,
// oversized, inconsistent and corrupt files give a message that names the
// file and what is wrong.
//
//===----------------------------------------------------------------------===//

#include "TestModel.h"

#include "llvm/Support/Endian.h"

#include <cmath>
#include <cstring>

using namespace hdp::model;
using namespace hdp::model::test;

namespace {

/// The error message of a parse that must fail.
std::string parseError(const std::string &bytes) {
  auto ckpt = parseCheckpoint(bytes, "model.bin");
  if (ckpt) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(ckpt.takeError());
}

/// A small random model (deterministic) with the given shape.
Checkpoint tinyModel(bool shared) {
  Checkpoint c;
  ModelConfig &m = c.config;
  m.dim = 8;
  m.hiddenDim = 12;
  m.numLayers = 2;
  m.numHeads = 4;
  m.numKvHeads = 2;
  m.vocabSize = 16;
  m.seqLen = 10;
  m.sharedClassifier = shared;
  uint32_t state = 12345;
  auto fill = [&](int64_t n) {
    std::vector<float> v(n);
    for (float &x : v) {
      state = state * 1664525u + 1013904223u;
      x = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
    }
    return v;
  };
  const int64_t d = m.dim, kv = m.kvDim(), h = m.hiddenDim;
  c.tokenEmbedding = fill(m.vocabSize * d);
  for (int64_t l = 0; l < m.numLayers; ++l) {
    LayerWeights lw;
    lw.rmsAtt = fill(d);
    lw.wq = fill(d * d);
    lw.wk = fill(kv * d);
    lw.wv = fill(kv * d);
    lw.wo = fill(d * d);
    lw.rmsFfn = fill(d);
    lw.w1 = fill(h * d);
    lw.w2 = fill(d * h);
    lw.w3 = fill(h * d);
    c.layers.push_back(lw);
  }
  c.rmsFinal = fill(d);
  c.classifier = shared ? c.tokenEmbedding : fill(m.vocabSize * d);
  return c;
}

/// Overwrites int32 header field `index` of a serialized checkpoint.
void setHeader(std::string &bytes, int index, int32_t value) {
  llvm::support::endian::write32le(&bytes[4 * index],
                                   static_cast<uint32_t>(value));
}

TEST(Checkpoint, LoadsBundledModel) {
  auto ckpt = loadCheckpoint(modelFile("stories260K.bin"));
  ASSERT_TRUE(static_cast<bool>(ckpt)) << llvm::toString(ckpt.takeError());
  const ModelConfig &c = ckpt->config;
  EXPECT_EQ(c.dim, 64);
  EXPECT_EQ(c.hiddenDim, 172);
  EXPECT_EQ(c.numLayers, 5);
  EXPECT_EQ(c.numHeads, 8);
  EXPECT_EQ(c.numKvHeads, 4);
  EXPECT_EQ(c.vocabSize, 512);
  EXPECT_EQ(c.seqLen, 512);
  EXPECT_TRUE(c.sharedClassifier);
  EXPECT_EQ(c.headSize(), 8);
  EXPECT_EQ(c.kvDim(), 32);
  EXPECT_EQ(c.kvGroup(), 2);
  EXPECT_EQ(checkpointSize(c), 1056540);
  ASSERT_EQ(ckpt->layers.size(), 5u);
  EXPECT_EQ(ckpt->layers[4].wk.size(), 32u * 64u);
  EXPECT_EQ(ckpt->layers[0].w2.size(), 64u * 172u);
  EXPECT_EQ(ckpt->classifier, ckpt->tokenEmbedding);
}

TEST(Checkpoint, MissingFile) {
  auto ckpt = loadCheckpoint("/nonexistent/model.bin");
  ASSERT_FALSE(static_cast<bool>(ckpt));
  std::string msg = llvm::toString(ckpt.takeError());
  EXPECT_NE(msg.find("/nonexistent/model.bin: cannot read the checkpoint"),
            std::string::npos)
      << msg;
}

TEST(Checkpoint, RoundTripsSharedAndSeparateClassifier) {
  for (bool shared : {true, false}) {
    Checkpoint c = tinyModel(shared);
    std::string bytes = serializeCheckpoint(c);
    EXPECT_EQ(static_cast<int64_t>(bytes.size()), checkpointSize(c.config));
    auto back = parseCheckpoint(bytes, "tiny.bin");
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(back->config.sharedClassifier, shared);
    EXPECT_EQ(back->tokenEmbedding, c.tokenEmbedding);
    EXPECT_EQ(back->layers[1].w3, c.layers[1].w3);
    EXPECT_EQ(back->layers[0].wv, c.layers[0].wv);
    EXPECT_EQ(back->rmsFinal, c.rmsFinal);
    EXPECT_EQ(back->classifier, c.classifier);
  }
}

TEST(Checkpoint, TruncatedFiles) {
  std::string bytes = serializeCheckpoint(tinyModel(true));
  EXPECT_EQ(parseError(bytes.substr(0, 10)),
            "model.bin: truncated: a llama2.c checkpoint starts with a 28-byte "
            "header (7 int32), but the file has 10 bytes");
  std::string msg = parseError(bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(msg.rfind("model.bin: truncated: the header (dim=8 hidden_dim=12 "
                      "n_layers=2 n_heads=4 n_kv_heads=2 vocab_size=16 "
                      "seq_len=10) needs ",
                      0),
            0u)
      << msg;
  EXPECT_NE(parseError(bytes.substr(0, 28)).find("truncated"),
            std::string::npos);
  // The real model, cut in half.
  std::string real = readBytes(modelFile("stories260K.bin"));
  msg = parseError(real.substr(0, real.size() / 2));
  EXPECT_NE(msg.find("needs 1056540 bytes, the file has 528270"),
            std::string::npos)
      << msg;
}

TEST(Checkpoint, TrailingData) {
  std::string bytes = serializeCheckpoint(tinyModel(true)) + "xxxx";
  std::string msg = parseError(bytes);
  EXPECT_NE(msg.find("trailing data, or not a llama2.c version-0 checkpoint"),
            std::string::npos)
      << msg;
  // A separate-classifier file read as shared has 16*8 floats too many.
  std::string separate = serializeCheckpoint(tinyModel(false));
  setHeader(separate, 5, 16);
  msg = parseError(separate);
  EXPECT_NE(msg.find("trailing data"), std::string::npos) << msg;
}

TEST(Checkpoint, InconsistentHeaders) {
  const std::string good = serializeCheckpoint(tinyModel(true));
  struct Case {
    int field;
    int32_t value;
    const char *why;
  } cases[] = {
      {0, 0, "dim must be in [1, 65536]"},
      {0, -8, "dim must be in [1, 65536]"},
      {1, 0, "hidden_dim must be in"},
      {2, 0, "n_layers must be in"},
      {3, 3, "dim must be a multiple of n_heads"},
      {3, 16, "n_heads must be in [1, dim]"},
      {4, 3, "n_heads must be a multiple of n_kv_heads"},
      {4, 8, "n_kv_heads must be in [1, n_heads]"},
      {4, 0, "n_kv_heads must be in [1, n_heads]"},
      {5, 0, "|vocab_size| must be in"},
      {6, 0, "seq_len must be in"},
  };
  for (const Case &c : cases) {
    std::string bytes = good;
    setHeader(bytes, c.field, c.value);
    std::string msg = parseError(bytes);
    EXPECT_EQ(msg.rfind("model.bin: inconsistent llama2.c header (", 0), 0u)
        << msg;
    EXPECT_NE(msg.find(c.why), std::string::npos)
        << "field " << c.field << " = " << c.value << ": " << msg;
  }
  // dim 8 with 8 heads: head size 1 cannot be rotated in pairs.
  std::string bytes = good;
  setHeader(bytes, 3, 8);
  setHeader(bytes, 4, 8);
  EXPECT_NE(parseError(bytes).find("head size dim/n_heads must be even"),
            std::string::npos);
}

TEST(Checkpoint, NonFiniteWeight) {
  Checkpoint c = tinyModel(true);
  c.layers[1].wk[5] = std::nanf("");
  EXPECT_EQ(parseError(serializeCheckpoint(c)),
            "model.bin: wk of layer 1 has a non-finite weight at index 5");
}

} // namespace
