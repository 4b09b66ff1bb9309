//===- QualityTest.cpp - hdp attention inside the model -------------------===//
//
// With pruning off and wide fixed point, hdp attention gives the dense
// model's numbers; over a coarse ρ sweep sparsity rises and quality falls;
// the JIT-compiled backend prunes exactly as the reference; calibration
// picks shifts that fit the activations. The runs use the first documents
// of the small sample to keep the suite fast.
//
//===----------------------------------------------------------------------===//

#include "TestModel.h"

#include "hdp/Model/Calibration.h"
#include "hdp/Model/CpuBackend.h"

using namespace hdp::model;
using namespace hdp::model::test;
namespace ref = hdp::ref;

namespace {

/// The first `n` documents of the small sample, each cut to `length`
/// tokens (hdp's reference costs O(length²) per layer and head).
std::vector<std::vector<int>> firstDocuments(size_t n, size_t length = 512) {
  std::vector<std::vector<int>> docs = Bundled::get().documents(kSmallSample);
  docs.resize(std::min(n, docs.size()));
  for (std::vector<int> &d : docs)
    d.resize(std::min(length, d.size()));
  return docs;
}

/// Evaluates `configs` (one backend each) against dense.
std::vector<EvalResult>
evaluateConfigs(const std::vector<std::vector<int>> &docs,
                const std::vector<ref::AttentionConfig> &configs) {
  std::vector<std::unique_ptr<ReferenceBackend>> owned;
  std::vector<AttentionBackend *> backends;
  for (const ref::AttentionConfig &c : configs) {
    owned.push_back(std::make_unique<ReferenceBackend>(
        std::vector<ref::AttentionConfig>{c}));
    backends.push_back(owned.back().get());
  }
  auto results = evaluate(*Bundled::get().model, docs, backends, {});
  if (!results) {
    ADD_FAILURE() << llvm::toString(results.takeError());
    return {};
  }
  return *results;
}

TEST(Quality, CountPruningOnCausalBlocks) {
  // T = 5, 2x2 blocks: block rows {0,1}, {2,3}, {4}; six valid blocks with
  // 3, 4, 3, 2, 2, 1 causal elements. Keep the diagonal blocks only.
  ref::AttentionConfig cfg;
  std::vector<uint8_t> blocks = {1, 0, 0, /**/ 0, 1, 0, /**/ 0, 0, 1};
  std::vector<uint8_t> heads = {1};
  LayerStats s;
  countPruning(5, cfg, blocks, heads, 1, s);
  EXPECT_EQ(s.validBlocks, 6);
  EXPECT_EQ(s.keptBlocks, 3);
  EXPECT_EQ(s.causalElements, 15);
  EXPECT_EQ(s.keptElements, 3 + 3 + 1);
  EXPECT_DOUBLE_EQ(s.blockSparsity(), 0.5);
  // A pruned head computes nothing, whatever its block mask says.
  LayerStats pruned;
  countPruning(5, cfg, blocks, {0}, 1, pruned);
  EXPECT_EQ(pruned.keptElements, 0);
  EXPECT_EQ(pruned.prunedHeads, 1);
  EXPECT_DOUBLE_EQ(pruned.elementSparsity(), 1.0);
}

TEST(Quality, MassLostCountsDenseProbabilityOfPrunedBlocks) {
  // q = 0: every row's dense softmax is uniform over j <= i. T = 3, 2x2
  // blocks; block (1,0) is pruned, so row 2 loses 2 of its 3 keys.
  ref::AttentionConfig cfg;
  ref::Tensor<float> q({1, 1, 3, 1}, 0.0f), k({1, 1, 3, 1}, 1.0f);
  std::vector<uint8_t> blocks = {1, 0, /**/ 0, 1};
  LayerStats s;
  countMassLost(q, k, cfg, blocks, {1}, s);
  EXPECT_EQ(s.rows, 3);
  EXPECT_NEAR(s.massLost, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.meanMassLost(), 2.0 / 9.0, 1e-12);
  LayerStats pruned;
  countMassLost(q, k, cfg, blocks, {0}, pruned);
  EXPECT_DOUBLE_EQ(pruned.meanMassLost(), 1.0);
}

TEST(Quality, NoPruningWideBitsMatchesDense) {
  // rho = -1, policy dense, approx = false, 8.8 fixed point with shift 1
  // (|q|, |k| < 64 fit): only rounding at 2^-9 separates hdp from dense.
  ref::AttentionConfig cfg;
  cfg.rho = -1;
  cfg.policy = ref::Policy::Dense;
  cfg.approx = false;
  cfg.intBits = 8;
  cfg.fracBits = 8;
  cfg.shift = 1;
  std::vector<EvalResult> r = evaluateConfigs(firstDocuments(2, 256), {cfg});
  ASSERT_EQ(r.size(), 2u);
  const Quality &dense = r[0].quality, &hdp = r[1].quality;
  EXPECT_EQ(hdp.predictions, dense.predictions);
  EXPECT_NEAR(hdp.meanNll(), dense.meanNll(), 1e-3);
  EXPECT_NEAR(hdp.top1(), dense.top1(), 0.005);
  EXPECT_LT(hdp.meanKl(), 1e-4);
  EXPECT_GT(hdp.agreement(), 0.99);
  LayerStats t = r[1].total();
  EXPECT_EQ(t.clamped, 0);
  EXPECT_EQ(t.keptElements, t.causalElements);
  EXPECT_EQ(t.prunedHeads, 0);
  EXPECT_EQ(t.massLost, 0.0);
}

TEST(Quality, CoarseRhoSweepIsMonotone) {
  // Default 4.4 bits, approx on, the calibrated shift -2 (|q|, |k| < 32).
  std::vector<ref::AttentionConfig> configs;
  for (double rho : {-1.0, -0.5, 0.0, 0.5}) {
    ref::AttentionConfig cfg;
    cfg.rho = rho;
    cfg.shift = -2;
    configs.push_back(cfg);
  }
  std::vector<EvalResult> r = evaluateConfigs(firstDocuments(1, 256), configs);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[1].total().blockSparsity(), 0.0); // rho = -1 keeps everything
  for (size_t i = 2; i < r.size(); ++i) {
    SCOPED_TRACE("rho step " + std::to_string(i - 1));
    const Quality &prev = r[i - 1].quality, &cur = r[i].quality;
    EXPECT_GT(r[i].total().blockSparsity(), r[i - 1].total().blockSparsity());
    EXPECT_GE(cur.meanKl(), prev.meanKl());
    EXPECT_GE(cur.meanNll(), prev.meanNll());
    EXPECT_LE(cur.agreement(), prev.agreement());
  }
  // Even without pruning, quantization costs something.
  EXPECT_GT(r[1].quality.meanKl(), 0.0);
}

TEST(Quality, SignedImportanceKeepsTheDecoder) {
  // Without pruning the ranking does not matter: identical results.
  ref::AttentionConfig all;
  all.rho = -1;
  all.shift = -2;
  ref::AttentionConfig allSigned = all;
  allSigned.importance = hdp::Importance::Signed;
  std::vector<std::vector<int>> docs = firstDocuments(1);
  docs[0].resize(200);
  ReferenceBackend absAll({all}), signedAll({allSigned});
  // At rho = 0 the signed ranking keeps the blocks that carry the softmax
  // weight; sum |S_int| ranks blocks of strongly negative scores high.
  ref::AttentionConfig half = all, halfSigned = allSigned;
  half.rho = 0;
  halfSigned.rho = 0;
  ReferenceBackend absHalf({half}), signedHalf({halfSigned});
  auto r = evaluate(*Bundled::get().model, docs,
                    {&absAll, &signedAll, &absHalf, &signedHalf}, {});
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ((*r)[1].quality.nllSum, (*r)[2].quality.nllSum);
  EXPECT_GT((*r)[4].total().blockSparsity(), 0.3);
  EXPECT_GT((*r)[3].total().blockSparsity(), 0.3);
  // Quantization alone (rho = -1) costs KL0; pruning half the blocks adds
  // little to it with the signed ranking and a lot with sum |S_int|.
  double kl0 = (*r)[1].quality.meanKl();
  double klSigned = (*r)[4].quality.meanKl(), klAbs = (*r)[3].quality.meanKl();
  EXPECT_LT(klSigned - kl0, (klAbs - kl0) / 4)
      << "KL without pruning " << kl0 << ", signed " << klSigned << ", abs "
      << klAbs;
}

TEST(Quality, TopKKeepsKBlocksPerBlockRow) {
  ref::AttentionConfig cfg;
  cfg.policy = ref::Policy::TopK;
  cfg.topk = 2;
  cfg.shift = -2;
  std::vector<std::vector<int>> docs = {{1, 403, 407, 261, 378, 383, 286}};
  std::vector<EvalResult> r = evaluateConfigs(docs, {cfg});
  ASSERT_EQ(r.size(), 2u);
  // 7 tokens, 2x2 blocks: block rows with 1, 2, 3, 4 valid blocks keep
  // 1, 2, 2, 2; 8 heads, 5 layers.
  LayerStats t = r[1].total();
  EXPECT_EQ(t.validBlocks, 5 * 8 * 10);
  EXPECT_EQ(t.keptBlocks, 5 * 8 * 7);
}

TEST(Quality, CpuBackendPrunesExactlyAsReference) {
  ref::AttentionConfig cfg;
  cfg.rho = 0.3;
  cfg.tauH = 0.9;
  cfg.shift = -2;
  std::vector<std::vector<int>> docs = firstDocuments(1);
  docs[0].resize(150); // one compiled shape (bucket of 64 -> 192)
  ReferenceBackend reference({cfg});
  CpuBackend cpu({cfg});
  auto r = evaluate(*Bundled::get().model, docs, {&reference, &cpu},
                    {"reference", "cpu"});
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  const EvalResult &a = (*r)[1], &b = (*r)[2];
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    SCOPED_TRACE("layer " + std::to_string(l));
    EXPECT_EQ(a.layers[l].validBlocks, b.layers[l].validBlocks);
    EXPECT_EQ(a.layers[l].keptBlocks, b.layers[l].keptBlocks);
    EXPECT_EQ(a.layers[l].prunedHeads, b.layers[l].prunedHeads);
    EXPECT_EQ(a.layers[l].clamped, b.layers[l].clamped);
  }
  EXPECT_GT(a.total().prunedHeads, 0); // the head threshold did something
  EXPECT_NEAR(a.quality.meanNll(), b.quality.meanNll(), 1e-3);
  EXPECT_EQ(cpu.cache().compilations(), 1);
}

TEST(Quality, CalibrationFitsTheActivations) {
  ref::AttentionConfig cfg; // 4.4 bits
  cfg.policy = ref::Policy::Dense;
  cfg.approx = false;
  std::vector<std::vector<int>> docs = firstDocuments(1, 256);
  auto cal = calibrateShifts(*Bundled::get().model, docs, cfg);
  ASSERT_TRUE(static_cast<bool>(cal)) << llvm::toString(cal.takeError());
  ASSERT_EQ(cal->layers.size(), 5u);
  for (const LayerCalibration &l : cal->layers) {
    // |q|, |k| reach 20 to 40 here: 4 integer bits need a negative shift.
    EXPECT_GT(l.maxAbs, 8.0);
    EXPECT_LT(l.shift, 0);
    EXPECT_LT(l.clampRate, 0.01);
    bool tried = false;
    for (const ShiftCandidate &c : l.candidates) {
      EXPECT_GE(c.scoreRmse, l.scoreRmse);
      tried |= c.shift == l.shift;
    }
    EXPECT_TRUE(tried);
  }
  // The calibrated model is much closer to dense than shift 0.
  ref::AttentionConfig zero = cfg;
  std::vector<ReferenceBackend> backends = {
      ReferenceBackend(withShifts(cfg, cal->shifts())),
      ReferenceBackend({zero})};
  auto r = evaluate(*Bundled::get().model, docs, {&backends[0], &backends[1]},
                    {"calibrated", "shift 0"});
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_LT((*r)[1].quality.meanKl(), 0.05);
  EXPECT_GT((*r)[2].quality.meanKl(), 5 * (*r)[1].quality.meanKl());
}

TEST(Quality, ParseShifts) {
  auto s = parseShifts("-2,-1, 0,1,2", 5);
  ASSERT_TRUE(static_cast<bool>(s));
  EXPECT_EQ(*s, std::vector<int64_t>({-2, -1, 0, 1, 2}));
  auto one = parseShifts("-3", 5);
  ASSERT_TRUE(static_cast<bool>(one));
  EXPECT_EQ(*one, std::vector<int64_t>(5, -3));
  auto bad = parseShifts("1,x", 5);
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "expected a comma-separated list of integer shifts in [-16, 16], "
            "got 'x'");
  auto count = parseShifts("1,2", 5);
  ASSERT_FALSE(static_cast<bool>(count));
  EXPECT_EQ(llvm::toString(count.takeError()),
            "expected one shift per layer (5), or a single shift; got 2");
  EXPECT_FALSE(static_cast<bool>(parseShifts("17", 5)));
}

} // namespace
