//===- ReferenceTest.cpp - config, shapes and the documented example ------===//
//
// AttentionConfig::validate, effectiveScale, checkAttentionShapes, and the
// worked example of docs/semantics.md checked number by number.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

using namespace hdp::ref;
using namespace hdp::ref::test;

namespace {

using I64s = std::vector<int64_t>;

//===----------------------------------------------------------------------===//
// AttentionConfig
//===----------------------------------------------------------------------===//

TEST(Config, DefaultsAndBoundariesAreValid) {
  EXPECT_EQ(AttentionConfig().validate(), "");
  std::vector<std::function<void(AttentionConfig &)>> ok = {
      [](AttentionConfig &c) { c.intBits = 16, c.fracBits = 0; },
      [](AttentionConfig &c) { c.intBits = 1, c.fracBits = 15; },
      [](AttentionConfig &c) { c.shift = -16; },
      [](AttentionConfig &c) { c.shift = 16; },
      [](AttentionConfig &c) { c.rho = -1.0; },
      [](AttentionConfig &c) { c.rho = 1.0; },
      [](AttentionConfig &c) { c.tauH = 5.0; },
      [](AttentionConfig &c) { c.blockRows = 1, c.blockCols = 7; },
      [](AttentionConfig &c) { c.policy = Policy::TopK, c.topk = 3; },
      [](AttentionConfig &c) { c.softmax = SoftmaxKind::Poly; },
      [](AttentionConfig &c) { c.scale = 1e-30; },
  };
  for (size_t n = 0; n < ok.size(); ++n) {
    AttentionConfig cfg;
    ok[n](cfg);
    EXPECT_EQ(cfg.validate(), "") << "case " << n;
  }
}

TEST(Config, ValidateNamesTheKey) {
  const double nan = std::nan("");
  struct Case {
    std::function<void(AttentionConfig &)> set;
    const char *key;
  };
  std::vector<Case> cases = {
      {[](AttentionConfig &c) { c.intBits = 0; }, "int_bits"},
      {[](AttentionConfig &c) { c.fracBits = -1; }, "frac_bits"},
      {[](AttentionConfig &c) { c.intBits = 12, c.fracBits = 5; },
       "int_bits + frac_bits"},
      {[](AttentionConfig &c) { c.shift = 17; }, "shift"},
      {[](AttentionConfig &c) { c.shift = -17; }, "shift"},
      {[](AttentionConfig &c) { c.blockRows = 0; }, "block"},
      {[](AttentionConfig &c) { c.blockCols = -2; }, "block"},
      {[](AttentionConfig &c) { c.blockRows = 16385; }, "block"},
      {[](AttentionConfig &c) { c.blockCols = int64_t(1) << 40; }, "block"},
      {[](AttentionConfig &c) { c.rho = 1.5; }, "rho"},
      {[](AttentionConfig &c) { c.rho = -1.0001; }, "rho"},
      {[nan](AttentionConfig &c) { c.rho = nan; }, "rho"},
      {[](AttentionConfig &c) { c.tauH = -0.1; }, "tau_h"},
      {[nan](AttentionConfig &c) { c.tauH = nan; }, "tau_h"},
      {[](AttentionConfig &c) { c.tauH = HUGE_VAL; }, "tau_h"},
      {[](AttentionConfig &c) { c.policy = static_cast<Policy>(7); }, "policy"},
      {[](AttentionConfig &c) { c.topk = 0; }, "topk"},
      {[](AttentionConfig &c) { c.topk = int64_t(1) << 31; }, "topk"},
      {[](AttentionConfig &c) { c.softmax = static_cast<SoftmaxKind>(9); },
       "softmax"},
      {[](AttentionConfig &c) { c.scale = 0.0; }, "scale"},
      {[](AttentionConfig &c) { c.scale = -1.0; }, "scale"},
      {[](AttentionConfig &c) { c.scale = HUGE_VAL; }, "scale"},
      {[nan](AttentionConfig &c) { c.scale = nan; }, "scale"},
      // Finite doubles that are not normal f32s (the scale is an f32).
      {[](AttentionConfig &c) { c.scale = 3.5e38; }, "scale"},
      {[](AttentionConfig &c) { c.scale = 1e-40; }, "scale"},
  };
  for (const Case &c : cases) {
    AttentionConfig cfg;
    c.set(cfg);
    std::string msg = cfg.validate();
    // The message starts with the key, so tools can prefix it with a location.
    EXPECT_EQ(msg.rfind(c.key, 0), 0u)
        << "key " << c.key << ": '" << msg << "'";
  }
}

TEST(Config, ValidateMessageText) {
  AttentionConfig cfg;
  cfg.rho = 2.0;
  EXPECT_EQ(cfg.validate(), "rho must be in [-1, 1] (got 2)");
  cfg = AttentionConfig();
  cfg.intBits = 10;
  cfg.fracBits = 8;
  EXPECT_EQ(cfg.validate(), "int_bits + frac_bits must be <= 16 (got 10 + 8)");
}

TEST(Config, BoundsAreInclusive) {
  AttentionConfig cfg;
  cfg.blockRows = AttentionConfig::kMaxBlockDim;
  cfg.blockCols = AttentionConfig::kMaxBlockDim;
  cfg.topk = AttentionConfig::kMaxTopK;
  cfg.scale = 3.4e38;
  EXPECT_EQ(cfg.validate(), "");
  cfg.scale = 1.2e-38;
  EXPECT_EQ(cfg.validate(), "");
  cfg.blockRows = 20000;
  EXPECT_EQ(cfg.validate(),
            "block dimensions must be in [1, 16384] (got [20000,16384])");
  cfg = AttentionConfig();
  cfg.scale = 2e39;
  EXPECT_EQ(cfg.validate(), "scale must be in [1.17549e-38, 3.40282e+38] "
                            "(finite, normal and > 0 as an f32; got 2e+39)");
}

TEST(Config, EffectiveScale) {
  AttentionConfig cfg;
  EXPECT_EQ(cfg.effectiveScale(4), 0.5f);
  EXPECT_EQ(cfg.effectiveScale(64), 0.125f);
  // 1/sqrt(2) = 0.70710678118... rounded once to f32.
  EXPECT_EQ(cfg.effectiveScale(2), 0.70710677f);
  cfg.scale = 0.1;
  EXPECT_EQ(cfg.effectiveScale(4), 0.1f);
}

//===----------------------------------------------------------------------===//
// checkAttentionShapes
//===----------------------------------------------------------------------===//

TEST(Shapes, AcceptsMatchingShapes) {
  I64s mask = {3, 7};
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 3, 8}, {1, 2, 7, 8}, {1, 2, 7, 5}, nullptr),
      "");
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 3, 8}, {1, 2, 7, 8}, {1, 2, 7, 5}, &mask),
      "");
}

TEST(Shapes, NamesOperandAndExpectedShape) {
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 3, 8}, {1, 2, 7, 4}, {1, 2, 7, 5}, nullptr),
      "K has shape [1,2,7,4]; expected [B=1,H=2,M,D=8]");
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 3, 8}, {2, 2, 7, 8}, {1, 2, 7, 5}, nullptr),
      "K has shape [2,2,7,8]; expected [B=1,H=2,M,D=8]");
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 3, 8}, {1, 2, 7, 8}, {1, 2, 6, 5}, nullptr),
      "V has shape [1,2,6,5]; expected [B=1,H=2,M=7,Dv]");
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 3, 8}, {1, 2, 7, 8}, {1, 2, 7}, nullptr),
      "V has shape [1,2,7]; expected [B=1,H=2,M=7,Dv]");
  EXPECT_EQ(
      checkAttentionShapes({2, 3, 8}, {1, 2, 7, 8}, {1, 2, 7, 5}, nullptr),
      "Q has shape [2,3,8]; expected [B,H,N,D] with every dimension >= 1");
  EXPECT_EQ(
      checkAttentionShapes({1, 2, 0, 8}, {1, 2, 7, 8}, {1, 2, 7, 5}, nullptr)
          .rfind("Q has shape [1,2,0,8]", 0),
      0u);
  I64s mask = {3, 6};
  std::string msg =
      checkAttentionShapes({1, 2, 3, 8}, {1, 2, 7, 8}, {1, 2, 7, 5}, &mask);
  EXPECT_EQ(msg.rfind("mask has shape [3,6]; expected a shape broadcastable "
                      "to [B=1,H=2,N=3,M=7]",
                      0),
            0u)
      << msg;
}

//===----------------------------------------------------------------------===//
// The worked example of docs/semantics.md
//===----------------------------------------------------------------------===//

TEST(WorkedExample, MatchesDocsSemantics) {
  // B=H=1, N=M=4, D=2, block 2x2, I=4, F=4, shift 0, ρ=0, scale 1/sqrt(2).
  AttentionConfig cfg;
  Tensor<float> q = make<float>(
      {1, 1, 4, 2}, {1.5f, -0.3f, 0.5f, 2.0f, -1.25f, 1.0f, 3.0f, 0.0f});
  Tensor<float> k = make<float>(
      {1, 1, 4, 2}, {1.0f, 1.0f, -2.0f, 0.5f, 0.25f, -1.0f, 2.5f, 3.0f});
  SplitResult qs = splitQuantize(q, cfg), ks = splitQuantize(k, cfg);
  // Step 1 (table "split" in the doc).
  std::vector<int64_t> qRaw, kRaw;
  for (int64_t n = 0; n < 8; ++n) {
    qRaw.push_back(rawOf(qs, n, 4));
    kRaw.push_back(rawOf(ks, n, 4));
  }
  EXPECT_EQ(qRaw, (I64s{24, -5, 8, 32, -20, 16, 48, 0}));
  EXPECT_EQ(qs.hi.data, (std::vector<int32_t>{1, -1, 0, 2, -2, 1, 3, 0}));
  EXPECT_EQ(qs.lo.data, (std::vector<int32_t>{8, 11, 8, 0, 12, 0, 0, 0}));
  EXPECT_EQ(kRaw, (I64s{16, 16, -32, 8, 4, -16, 40, 48}));
  EXPECT_EQ(ks.hi.data, (std::vector<int32_t>{1, 1, -2, 0, 0, -1, 2, 3}));
  EXPECT_EQ(ks.lo.data, (std::vector<int32_t>{0, 0, 0, 8, 4, 0, 8, 0}));

  // Step 2: S_int and θ.
  Tensor<int64_t> s = integerScores(qs.hi, ks.hi);
  EXPECT_EQ(s.data,
            (I64s{0, -2, 1, -1, 2, 0, -2, 6, -1, 4, -1, -1, 3, -6, 0, 6}));
  Tensor<int64_t> theta = compactTheta(s, nullptr, cfg);
  EXPECT_EQ(theta.data, (I64s{4, 10, 14, 8}));

  // Step 3: ρ = 0 keeps θ with 2·θ >= S (S = 14 and 22); θ_H = 36.
  Tensor<uint8_t> blocks = blockMask(fromCompact(theta), cfg);
  EXPECT_EQ(blocks.data, (std::vector<uint8_t>{0, 1, 1, 0}));
  HeadResult heads = headsOf(theta, cfg);
  EXPECT_EQ(heads.thetaH.data, (I64s{36}));
  EXPECT_EQ(heads.headMask.data, (std::vector<uint8_t>{1}));

  // Step 4: score (1,3): A = 6·256 + 16·16 = 1792 -> 7 -> 7·0.70710677f.
  Tensor<float> scores =
      approxCombine(qs, ks, s, blocks, heads.headMask, nullptr, cfg);
  EXPECT_EQ(scores.at(0, 0, 1, 3), 7.0f * 0.70710677f);
  EXPECT_NEAR(scores.at(0, 0, 1, 3), 4.9497476f, 1e-6);
  EXPECT_EQ(scores.at(0, 0, 1, 2), -2.0f * 0.70710677f); // A = -512
  EXPECT_EQ(scores.at(0, 0, 1, 0), -kInf);               // pruned block
  // approx = false adds lo_q·lo_k = 8·8 + 0·0 = 64: A = 1856 -> 7.25.
  cfg.approx = false;
  scores = approxCombine(qs, ks, s, blocks, heads.headMask, nullptr, cfg);
  EXPECT_EQ(scores.at(0, 0, 1, 3), 7.25f * 0.70710677f);
}

} // namespace
