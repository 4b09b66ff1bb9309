//===- BertEncoderTest.cpp - The BERT forward pass and MLM evaluation -----===//
//
// On a small random BERT written to safetensors and read back: the dense
// forward pass against a plain double-precision implementation of the same
// equations; batches against one sequence at a time (bit for bit, dense and
// hdp, statistics included); the MLM rule on hand-counted sequences; MLM
// results for several batch sizes; the CPU backend's masked attention
// against the reference; weight-loading rules and errors.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertEncoder.h"
#include "hdp/Model/CpuBackend.h"
#include "hdp/Model/MlmEval.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace hdp::model;
namespace ref = hdp::ref;

namespace {

BertConfig tinyConfig() {
  BertConfig c;
  c.hiddenSize = 8;
  c.numLayers = 2;
  c.numHeads = 2;
  c.intermediateSize = 16;
  c.maxPositions = 12;
  c.vocabSize = 30;
  c.typeVocabSize = 2;
  c.padTokenId = 0;
  c.layerNormEps = 1e-5;
  return c;
}

/// A deterministic random checkpoint of `c`'s shapes.
BertCheckpoint tinyCheckpoint(const BertConfig &c) {
  BertCheckpoint ckpt;
  ckpt.config = c;
  ckpt.layers.resize(c.numLayers);
  uint32_t state = 2024;
  // Fill every tensor (through the name table, so nothing is missed).
  std::vector<NamedTensor> tensors = bertTensors(ckpt);
  for (NamedTensor &t : tensors) {
    t.values.resize(ref::Tensor<float>::numElements(t.shape));
    bool isNormWeight = t.name.find("LayerNorm.weight") != std::string::npos;
    for (float &x : t.values) {
      state = state * 1664525u + 1013904223u;
      float r = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
      x = isNormWeight ? 1.0f + 0.2f * r : 1.2f * r;
    }
  }
  auto file = serializeSafetensors(tensors, "F32");
  auto parsed = SafetensorsFile::parse(file, "tiny.safetensors");
  EXPECT_TRUE(static_cast<bool>(parsed));
  auto read = readBertWeights(*parsed, c);
  EXPECT_TRUE(static_cast<bool>(read)) << llvm::toString(read.takeError());
  return std::move(*read);
}

const BertCheckpoint &tinyWeights() {
  static BertCheckpoint ckpt = tinyCheckpoint(tinyConfig());
  return ckpt;
}

/// The same equations in double, one sequence, no batching or masking.
std::vector<double> plainForward(const BertCheckpoint &w,
                                 const std::vector<int> &tokens,
                                 int64_t position) {
  const BertConfig &c = w.config;
  const int64_t h = c.hiddenSize, T = tokens.size(), hs = c.headSize();
  using Rows = std::vector<std::vector<double>>;
  auto layerNorm = [&](std::vector<double> x, const std::vector<float> &g,
                       const std::vector<float> &b) {
    double mean = 0, var = 0;
    for (double v : x)
      mean += v / h;
    for (double v : x)
      var += (v - mean) * (v - mean) / h;
    for (int64_t i = 0; i < h; ++i)
      x[i] = (x[i] - mean) / std::sqrt(var + c.layerNormEps) * g[i] + b[i];
    return x;
  };
  auto linear = [](const std::vector<double> &x, const std::vector<float> &wt,
                   const std::vector<float> &b) {
    const size_t out = b.size(), in = x.size();
    std::vector<double> y(out);
    for (size_t o = 0; o < out; ++o) {
      y[o] = b[o];
      for (size_t i = 0; i < in; ++i)
        y[o] += static_cast<double>(wt[o * in + i]) * x[i];
    }
    return y;
  };
  auto gelu = [](double x) {
    return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  };

  Rows x(T, std::vector<double>(h));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t i = 0; i < h; ++i)
      x[t][i] = static_cast<double>(w.wordEmbeddings[tokens[t] * h + i]) +
                w.positionEmbeddings[t * h + i] + w.tokenTypeEmbeddings[i];
    x[t] = layerNorm(x[t], w.embeddingNormWeight, w.embeddingNormBias);
  }
  for (const BertLayerWeights &lw : w.layers) {
    Rows q(T), k(T), v(T), next(T);
    for (int64_t t = 0; t < T; ++t) {
      q[t] = linear(x[t], lw.query, lw.queryBias);
      k[t] = linear(x[t], lw.key, lw.keyBias);
      v[t] = linear(x[t], lw.value, lw.valueBias);
    }
    for (int64_t i = 0; i < T; ++i) {
      std::vector<double> context(h, 0.0);
      for (int64_t head = 0; head < c.numHeads; ++head) {
        std::vector<double> s(T);
        double mx = -1e300, sum = 0;
        for (int64_t j = 0; j < T; ++j) {
          s[j] = 0;
          for (int64_t d = 0; d < hs; ++d)
            s[j] += q[i][head * hs + d] * k[j][head * hs + d];
          s[j] /= std::sqrt(static_cast<double>(hs));
          mx = std::max(mx, s[j]);
        }
        for (double &e : s)
          sum += (e = std::exp(e - mx));
        for (int64_t j = 0; j < T; ++j)
          for (int64_t d = 0; d < hs; ++d)
            context[head * hs + d] += s[j] / sum * v[j][head * hs + d];
      }
      std::vector<double> a =
          linear(context, lw.attentionOutput, lw.attentionOutputBias);
      for (int64_t d = 0; d < h; ++d)
        a[d] += x[i][d];
      next[i] = layerNorm(a, lw.attentionNormWeight, lw.attentionNormBias);
    }
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> f =
          linear(next[t], lw.intermediate, lw.intermediateBias);
      for (double &e : f)
        e = gelu(e);
      std::vector<double> o = linear(f, lw.output, lw.outputBias);
      for (int64_t d = 0; d < h; ++d)
        o[d] += next[t][d];
      x[t] = layerNorm(o, lw.outputNormWeight, lw.outputNormBias);
    }
  }
  std::vector<double> y = linear(x[position], w.headDense, w.headDenseBias);
  for (double &e : y)
    e = gelu(e);
  y = layerNorm(y, w.headNormWeight, w.headNormBias);
  return linear(y, w.decoder, w.decoderBias);
}

const std::vector<std::vector<int>> kBatch = {
    {2, 7, 9, 4, 11, 3},
    {2, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 3},
    {2, 17, 4, 3},
};

TEST(BertEncoder, DenseMatchesPlainDoubleForward) {
  BertEncoder encoder(tinyWeights());
  DenseBackend dense;
  auto hidden = encoder.encode(kBatch, dense);
  ASSERT_TRUE(static_cast<bool>(hidden)) << llvm::toString(hidden.takeError());
  const int64_t h = encoder.config().hiddenSize, V = encoder.config().vocabSize;
  int64_t row = 0;
  double worst = 0;
  for (const std::vector<int> &seq : kBatch)
    for (size_t p = 0; p < seq.size(); ++p, ++row) {
      std::vector<float> logits = encoder.mlmLogits(&(*hidden)[row * h], 1);
      std::vector<double> expected = plainForward(tinyWeights(), seq, p);
      for (int64_t i = 0; i < V; ++i)
        worst = std::max(worst, std::fabs(logits[i] - expected[i]));
    }
  EXPECT_EQ(row * h, static_cast<int64_t>(hidden->size()));
  EXPECT_LT(worst, 1e-4);
}

/// Every field of two statistics.
void expectSameStats(const std::vector<LayerStats> &a,
                     const std::vector<LayerStats> &b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t l = 0; l < a.size(); ++l) {
    EXPECT_EQ(a[l].validBlocks, b[l].validBlocks) << l;
    EXPECT_EQ(a[l].keptBlocks, b[l].keptBlocks) << l;
    EXPECT_EQ(a[l].heads, b[l].heads) << l;
    EXPECT_EQ(a[l].prunedHeads, b[l].prunedHeads) << l;
    EXPECT_EQ(a[l].causalElements, b[l].causalElements) << l;
    EXPECT_EQ(a[l].keptElements, b[l].keptElements) << l;
    EXPECT_EQ(a[l].quantized, b[l].quantized) << l;
    EXPECT_EQ(a[l].clamped, b[l].clamped) << l;
    EXPECT_EQ(a[l].rows, b[l].rows) << l;
    EXPECT_EQ(a[l].massLost, b[l].massLost) << l;
  }
}

TEST(BertEncoder, BatchGivesTheBitsOfOneSequenceAtATime) {
  BertEncoder encoder(tinyWeights());
  ref::AttentionConfig pruned;
  pruned.rho = 0.3;
  pruned.tauH = 0.5;
  pruned.shift = 1;
  for (bool hdp : {false, true}) {
    DenseBackend dense;
    ReferenceBackend reference({pruned});
    AttentionBackend &backend =
        hdp ? static_cast<AttentionBackend &>(reference) : dense;
    std::vector<LayerStats> batchStats, singleStats;
    EncoderOptions batchOptions, singleOptions;
    batchOptions.stats = &batchStats;
    singleOptions.stats = &singleStats;
    auto batched = encoder.encode(kBatch, backend, batchOptions);
    ASSERT_TRUE(static_cast<bool>(batched));
    std::vector<float> one;
    for (const std::vector<int> &seq : kBatch) {
      auto single = encoder.encode({seq}, backend, singleOptions);
      ASSERT_TRUE(static_cast<bool>(single));
      one.insert(one.end(), single->begin(), single->end());
    }
    EXPECT_EQ(*batched, one) << (hdp ? "reference" : "dense");
    expectSameStats(batchStats, singleStats);
    // Pruning happened, and the statistics count only real tokens.
    const int64_t tokens = 6 + 12 + 4;
    EXPECT_EQ(batchStats[0].rows, hdp ? 2 * tokens : 0);
    EXPECT_EQ(batchStats[0].causalElements, 2 * (36 + 144 + 16));
    if (hdp) {
      EXPECT_LT(batchStats[0].keptBlocks, batchStats[0].validBlocks);
      EXPECT_EQ(batchStats[0].quantized, 2 * tokens * 8);
    }
  }
}

TEST(BertEncoder, RefusesBadSequences) {
  BertEncoder encoder(tinyWeights());
  DenseBackend dense;
  auto error = [&](std::vector<std::vector<int>> batch) {
    auto r = encoder.encode(batch, dense);
    return r ? std::string("no error") : llvm::toString(r.takeError());
  };
  EXPECT_EQ(error({}), "cannot run the encoder on an empty batch");
  EXPECT_EQ(error({{2, 3}, std::vector<int>(13, 5)}),
            "sequence 1 has 13 tokens; expected 1 to max_position_embeddings "
            "(12)");
  EXPECT_EQ(error({{2, 30, 3}}),
            "token 1 of sequence 0 has id 30; expected 0 to 29");
}

/// A vocabulary for the MLM tests: the specials, then "w0".."w24".
BertTokenizer tinyTokenizer() {
  std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
  for (int i = 0; i < 25; ++i)
    vocab += "w" + std::to_string(i) + "\n";
  auto tok = BertTokenizer::parse(vocab, "vocab.txt");
  EXPECT_TRUE(static_cast<bool>(tok));
  return std::move(*tok);
}

/// "w0 w1 ... w(n-1)" cycling through the 25 words.
std::string words(int n, int offset = 0) {
  std::string text;
  for (int i = 0; i < n; ++i)
    text += (i ? " w" : "w") + std::to_string((i + offset) % 25);
  return text;
}

TEST(MlmEval, SequencesFollowTheRule) {
  BertTokenizer tok = tinyTokenizer();
  // 23 tokens with 12 positions: chunks of 10, 10 and 3; then 2 tokens.
  std::vector<MlmSequence> seqs =
      makeMlmSequences(tok, {words(23), words(2, 5)}, 12);
  ASSERT_EQ(seqs.size(), 4u);
  EXPECT_EQ(seqs[0].tokens,
            (std::vector<int>{2, 5, 6, 4, 8, 9, 10, 11, 12, 13, 4, 3}));
  EXPECT_EQ(seqs[0].positions, (std::vector<int64_t>{3, 10}));
  EXPECT_EQ(seqs[0].targets, (std::vector<int>{7, 14}));
  EXPECT_EQ(seqs[1].tokens,
            (std::vector<int>{2, 15, 16, 4, 18, 19, 20, 21, 22, 23, 4, 3}));
  EXPECT_EQ(seqs[1].targets, (std::vector<int>{17, 24}));
  // [CLS] w20 w21 [MASK] [SEP]: position 3 is the last chunk token.
  EXPECT_EQ(seqs[2].tokens, (std::vector<int>{2, 25, 26, 4, 3}));
  EXPECT_EQ(seqs[2].targets, (std::vector<int>{27}));
  // [CLS] w5 w6 [SEP]: position 3 is the final [SEP], never masked.
  EXPECT_EQ(seqs[3].tokens, (std::vector<int>{2, 10, 11, 3}));
  EXPECT_TRUE(seqs[3].positions.empty());
  EXPECT_FALSE(isMlmMasked(10, 11));
  EXPECT_TRUE(isMlmMasked(10, 12));
  EXPECT_TRUE(isMlmMasked(17, 128));
}

TEST(MlmEval, ResultsDoNotDependOnTheBatchSize) {
  BertEncoder encoder(tinyWeights());
  BertTokenizer tok = tinyTokenizer();
  std::vector<MlmSequence> seqs = makeMlmSequences(
      tok, {words(23), words(7, 3), words(40, 11), words(4, 2), words(15, 9)},
      12);
  ASSERT_EQ(seqs.size(), 11u);
  ref::AttentionConfig pruned;
  pruned.rho = 0.2;
  pruned.shift = 1;
  std::vector<EvalResult> first;
  for (int64_t batch : {1, 2, 3, 7, 16}) {
    ReferenceBackend reference({pruned});
    auto results = evaluateMlm(encoder, seqs, {&reference}, {"hdp"}, batch);
    ASSERT_TRUE(static_cast<bool>(results));
    ASSERT_EQ(results->size(), 2u);
    const Quality &q = (*results)[1].quality;
    EXPECT_EQ((*results)[0].quality.predictions, 18);
    EXPECT_EQ((*results)[0].quality.klSum, 0.0);
    EXPECT_GT(q.klSum, 0.0); // pruning changed something
    if (first.empty()) {
      first = std::move(*results);
      continue;
    }
    for (size_t r = 0; r < 2; ++r) {
      const Quality &a = first[r].quality, &b = (*results)[r].quality;
      EXPECT_EQ(a.predictions, b.predictions) << batch;
      EXPECT_EQ(a.nllSum, b.nllSum) << batch;
      EXPECT_EQ(a.top1Correct, b.top1Correct) << batch;
      EXPECT_EQ(a.klSum, b.klSum) << batch;
      EXPECT_EQ(a.agreeWithDense, b.agreeWithDense) << batch;
      expectSameStats(first[r].layers, (*results)[r].layers);
    }
  }
}

TEST(MlmEval, CalibrationSeesEveryPairOfEachSequence) {
  BertEncoder encoder(tinyWeights());
  BertTokenizer tok = tinyTokenizer();
  std::vector<MlmSequence> seqs =
      makeMlmSequences(tok, {words(23), words(7, 3)}, 12);
  ref::AttentionConfig cfg;
  for (int64_t batch : {1, 4}) {
    auto cal = calibrateEncoderShifts(encoder, seqs, cfg, batch);
    ASSERT_TRUE(static_cast<bool>(cal)) << llvm::toString(cal.takeError());
    EXPECT_EQ(cal->documents, 4);
    EXPECT_EQ(cal->tokens, 12 + 12 + 5 + 9);
    ASSERT_EQ(cal->layers.size(), 2u);
    for (const LayerCalibration &l : cal->layers) {
      EXPECT_GT(l.maxAbs, 0.0);
      EXPECT_GE(l.candidates.size(), 1u);
    }
  }
  auto a = calibrateEncoderShifts(encoder, seqs, cfg, 1);
  auto b = calibrateEncoderShifts(encoder, seqs, cfg, 3);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->shifts(), b->shifts());
  EXPECT_EQ(a->layers[1].scoreRmse, b->layers[1].scoreRmse);
}

TEST(BertEncoder, CpuBackendMasksMatchTheReference) {
  // One masked attention call with padding in a batch of 2: blocks and
  // heads bit for bit, outputs within the tolerance, same statistics.
  const int64_t B = 2, H = 2, T = 11, D = 4;
  ref::Tensor<float> q({B, H, T, D}), k({B, H, T, D}), v({B, H, T, D});
  uint32_t state = 7;
  for (ref::Tensor<float> *t : {&q, &k, &v})
    for (float &x : t->data) {
      state = state * 1664525u + 1013904223u;
      x = 6.0f * (static_cast<float>(state >> 8) / 16777216.0f - 0.5f);
    }
  ref::Tensor<float> mask = paddingMask({11, 7}, T);
  ref::AttentionConfig cfg;
  cfg.rho = 0.2;
  cfg.tauH = 0.8;
  ReferenceBackend reference({cfg});
  CpuBackend cpu({cfg});
  LayerStats refStats, cpuStats;
  auto expected = reference.attendMasked(0, q, k, v, mask, &refStats);
  auto actual = cpu.attendMasked(0, q, k, v, mask, &cpuStats);
  ASSERT_TRUE(static_cast<bool>(expected));
  ASSERT_TRUE(static_cast<bool>(actual)) << llvm::toString(actual.takeError());
  ASSERT_EQ(actual->shape, expected->shape);
  for (int64_t i = 0; i < actual->size(); ++i)
    EXPECT_NEAR(actual->data[i], expected->data[i], 1e-5) << i;
  EXPECT_EQ(cpuStats.keptBlocks, refStats.keptBlocks);
  EXPECT_EQ(cpuStats.validBlocks, refStats.validBlocks);
  EXPECT_EQ(cpuStats.prunedHeads, refStats.prunedHeads);
  EXPECT_EQ(cpuStats.keptElements, refStats.keptElements);
  EXPECT_NEAR(cpuStats.massLost, refStats.massLost, 1e-9);
  EXPECT_LT(refStats.keptBlocks, refStats.validBlocks);
  // Padded rows of the second item output 0.
  for (int64_t h = 0; h < H; ++h)
    for (int64_t d = 0; d < D; ++d)
      EXPECT_EQ(actual->at(1, h, 9, d), 0.0f);
}

TEST(BertCheckpoint, TiedDecoderLegacyNamesAndErrors) {
  const BertConfig c = tinyConfig();
  std::vector<NamedTensor> tensors = bertTensors(tinyWeights());
  auto read = [&](const std::vector<NamedTensor> &ts) {
    std::string bytes = serializeSafetensors(ts, "BF16");
    auto file = SafetensorsFile::parse(bytes, "m.safetensors");
    EXPECT_TRUE(static_cast<bool>(file));
    return readBertWeights(*file, c);
  };
  // Without the decoder weight, the word embedding is the decoder.
  std::vector<NamedTensor> tied;
  for (const NamedTensor &t : tensors)
    if (t.name != "cls.predictions.decoder.weight")
      tied.push_back(t);
  auto tiedCkpt = read(tied);
  ASSERT_TRUE(static_cast<bool>(tiedCkpt));
  EXPECT_EQ(tiedCkpt->decoder, tiedCkpt->wordEmbeddings);
  // gamma/beta stand for weight/bias.
  std::vector<NamedTensor> legacy = tensors;
  for (NamedTensor &t : legacy) {
    llvm::StringRef n(t.name);
    if (n.ends_with("LayerNorm.weight"))
      t.name = n.drop_back(6).str() + "gamma";
    else if (n.ends_with("LayerNorm.bias"))
      t.name = n.drop_back(4).str() + "beta";
  }
  auto legacyCkpt = read(legacy);
  ASSERT_TRUE(static_cast<bool>(legacyCkpt));
  auto modern = read(tensors);
  ASSERT_TRUE(static_cast<bool>(modern));
  EXPECT_EQ(legacyCkpt->layers[1].outputNormBias,
            modern->layers[1].outputNormBias);
  // A missing tensor and a wrong shape name the tensor.
  std::vector<NamedTensor> missing;
  for (const NamedTensor &t : tensors)
    if (t.name != "bert.encoder.layer.1.attention.self.key.bias")
      missing.push_back(t);
  auto noKey = read(missing);
  ASSERT_FALSE(static_cast<bool>(noKey));
  EXPECT_EQ(llvm::toString(noKey.takeError()),
            "m.safetensors: missing tensor "
            "'bert.encoder.layer.1.attention.self.key.bias' (expected shape "
            "[8])");
  std::vector<NamedTensor> reshaped = tensors;
  reshaped[0].shape = {reshaped[0].shape[1], reshaped[0].shape[0]};
  auto badShape = read(reshaped);
  ASSERT_FALSE(static_cast<bool>(badShape));
  EXPECT_EQ(llvm::toString(badShape.takeError()),
            "m.safetensors: tensor 'bert.embeddings.word_embeddings.weight' "
            "has shape [8, 30], expected [30, 8]");
}

TEST(BertCheckpoint, VocabularyMustFitTheConfig) {
  BertTokenizer tok = tinyTokenizer();
  BertConfig c = tinyConfig();
  EXPECT_EQ(checkVocabulary(tok, c), "");
  c.vocabSize = 31;
  EXPECT_EQ(checkVocabulary(tok, c), "the vocabulary has 30 pieces, but the "
                                     "model's vocab_size is 31");
  c.vocabSize = 30;
  c.padTokenId = 1;
  EXPECT_EQ(checkVocabulary(tok, c),
            "[PAD] is piece 0, but the model's pad_token_id is 1");
}

} // namespace
