//===- TransformerTest.cpp - The dense forward pass -----------------------===//
//
// The dense model reproduces the model's documented temperature-0 text and
// the independently measured NLL and top-1 accuracy of the small sample; its
// attention agrees with the reference's dense attention; the cached decoder
// agrees with recomputing the prefix; bad inputs are refused.
//
//===----------------------------------------------------------------------===//

#include "TestModel.h"

#include <cmath>

using namespace hdp::model;
using namespace hdp::model::test;
namespace ref = hdp::ref;

namespace {

/// Karpathy's doc/stories260K.md: `run stories260K.bin -z tok512.bin -t 0.0`
/// (256 steps from BOS).
constexpr const char *kDocumentedGreedyText =
    "Once upon a time, there was a little girl named Lily. She loved to play "
    "outside in the park. One day, she saw a big, red ball. She wanted to "
    "play with it, but it was too high.\n"
    "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't "
    "know what to do. She said, \"I want to play with your ball, but I can't "
    "find it.\"\n"
    "Lily was sad and didn't know what to do. She said, \"I'm sorry, Lily. I "
    "didn't know what to do.\"\n"
    "Lily didn't want to help her mom, so she said, \"I'm sorry, mom. I "
    "didn't know what to do.\" Her mom said, \"Don't worry, Lily. We can help "
    "you.";

/// Dense attention computed by hdp::ref::denseAttention: the same function
/// as DenseBackend with a different summation order, and not a
/// DenseBackend, so generation with it recomputes the prefix.
class RefDenseBackend : public AttentionBackend {
public:
  std::string name() const override { return "ref-dense"; }
  llvm::Expected<ref::Tensor<float>>
  attend(unsigned, const ref::Tensor<float> &q, const ref::Tensor<float> &k,
         const ref::Tensor<float> &v, LayerStats *) override {
    ref::Tensor<float> mask = causalMask(q.dim(2));
    return ref::denseAttention(q, k, v, &mask,
                               1.0f / std::sqrt(static_cast<float>(q.dim(3))));
  }
};

TEST(Transformer, GreedyTextFromBosMatchesDocumentation) {
  const Bundled &b = Bundled::get();
  DenseBackend dense;
  auto ids = b.model->generateGreedy({Tokenizer::kBos}, 256, dense);
  ASSERT_TRUE(static_cast<bool>(ids)) << llvm::toString(ids.takeError());
  EXPECT_EQ(ids->size(), 256u);
  std::vector<int> all = {Tokenizer::kBos};
  all.insert(all.end(), ids->begin(), ids->end());
  EXPECT_EQ(b.tokenizer->decode(all), kDocumentedGreedyText);
}

TEST(Transformer, DenseQualityOnSmallSample) {
  // Independently measured: 1,804 predicted tokens, mean NLL 1.266 nats,
  // top-1 65.1% (models/tinystories-260K/SOURCE.txt).
  const Bundled &b = Bundled::get();
  auto docs = b.documents(kSmallSample);
  ASSERT_EQ(docs.size(), 5u);
  auto results = evaluate(*b.model, docs, {}, {});
  ASSERT_TRUE(static_cast<bool>(results))
      << llvm::toString(results.takeError());
  const Quality &q = (*results)[0].quality;
  EXPECT_EQ(q.predictions, 1804);
  EXPECT_NEAR(q.meanNll(), 1.266, 0.01);
  EXPECT_NEAR(q.top1(), 0.651, 0.005);
  EXPECT_NEAR(q.perplexity(), std::exp(q.meanNll()), 1e-12);
  EXPECT_EQ(q.meanKl(), 0.0);
  EXPECT_EQ(q.agreement(), 1.0);
}

TEST(Transformer, DenseBackendAgreesWithReferenceDenseAttention) {
  const Bundled &b = Bundled::get();
  std::vector<int> tokens = b.documents(kSmallSample)[2];
  DenseBackend dense;
  RefDenseBackend refDense;
  // Compare each layer's attention on the same (dense-model) inputs.
  int64_t layers = 0;
  ForwardOptions options;
  options.lastOnly = true;
  options.observeQK = [&](unsigned layer, const ref::Tensor<float> &q,
                          const ref::Tensor<float> &k) {
    ref::Tensor<float> v = k; // any values will do
    auto a = dense.attend(layer, q, k, v, nullptr);
    auto r = refDense.attend(layer, q, k, v, nullptr);
    ASSERT_TRUE(a && r);
    float maxErr = 0;
    for (int64_t i = 0; i < a->size(); ++i)
      maxErr = std::max(maxErr, std::fabs(a->data[i] - r->data[i]));
    EXPECT_LT(maxErr, 1e-4) << "layer " << layer;
    ++layers;
  };
  ASSERT_TRUE(static_cast<bool>(b.model->forward(tokens, dense, options)));
  EXPECT_EQ(layers, 5);
}

TEST(Transformer, CachedDecodingMatchesPrefixRecomputation) {
  const Bundled &b = Bundled::get();
  std::vector<int> prompt =
      b.tokenizer->encode("Tom and his dog", /*bos=*/true, /*eos=*/false);
  DenseBackend dense;
  RefDenseBackend refDense;
  auto cached = b.model->generateGreedy(prompt, 40, dense);
  auto recomputed = b.model->generateGreedy(prompt, 40, refDense);
  ASSERT_TRUE(cached && recomputed);
  EXPECT_EQ(*cached, *recomputed);
  EXPECT_EQ(cached->size(), 40u);

  // The last row of a prefill equals one cached decoding step, bit for bit.
  std::vector<int> seq = prompt;
  seq.insert(seq.end(), cached->begin(), cached->begin() + 10);
  ForwardOptions last;
  last.lastOnly = true;
  auto logits = b.model->forward(seq, dense, last);
  ASSERT_TRUE(static_cast<bool>(logits));
  EXPECT_EQ(argmax(logits->data(), 512), (*cached)[10]);
}

TEST(Transformer, ForwardShapesAndErrors) {
  const Bundled &b = Bundled::get();
  DenseBackend dense;
  auto logits = b.model->forward({1, 403, 407}, dense);
  ASSERT_TRUE(static_cast<bool>(logits));
  EXPECT_EQ(logits->size(), 3u * 512u);
  ForwardOptions last;
  last.lastOnly = true;
  auto lastLogits = b.model->forward({1, 403, 407}, dense, last);
  ASSERT_TRUE(static_cast<bool>(lastLogits));
  ASSERT_EQ(lastLogits->size(), 512u);
  for (int i = 0; i < 512; ++i)
    ASSERT_EQ((*lastLogits)[i], (*logits)[2 * 512 + i]);

  auto empty = b.model->forward({}, dense);
  ASSERT_FALSE(static_cast<bool>(empty));
  EXPECT_EQ(llvm::toString(empty.takeError()),
            "cannot run the model on an empty sequence");
  auto badId = b.model->forward({1, 512}, dense);
  ASSERT_FALSE(static_cast<bool>(badId));
  EXPECT_EQ(llvm::toString(badId.takeError()),
            "token 1 has id 512; expected 0 to 511");
  auto tooLong = b.model->forward(std::vector<int>(513, 5), dense);
  ASSERT_FALSE(static_cast<bool>(tooLong));
  EXPECT_EQ(llvm::toString(tooLong.takeError()),
            "a sequence of 513 tokens is longer than the model's context "
            "(seq_len 512)");
}

TEST(Transformer, LayerStatsOfDenseAttention) {
  const Bundled &b = Bundled::get();
  DenseBackend dense;
  std::vector<LayerStats> stats;
  ForwardOptions options;
  options.stats = &stats;
  ASSERT_TRUE(static_cast<bool>(
      b.model->forward({1, 403, 407, 261, 378}, dense, options)));
  ASSERT_EQ(stats.size(), 5u);
  // 8 heads of a 5x5 causal matrix: 15 elements each, nothing pruned.
  EXPECT_EQ(stats[0].causalElements, 8 * 15);
  EXPECT_EQ(stats[0].keptElements, 8 * 15);
  EXPECT_EQ(stats[3].heads, 8);
  EXPECT_EQ(stats[3].blockSparsity(), 0.0);
}

} // namespace
