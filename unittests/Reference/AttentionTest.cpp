//===- AttentionTest.cpp - approx-combine, sparse P·V, whole attention ----===//
//
// Stage 4 and 5b of docs/semantics.md on hand-computed cases, and the composed
// attention() against denseAttention() on dequantized inputs.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace hdp::ref;
using namespace hdp::ref::test;

namespace {

using Bytes = std::vector<uint8_t>;

/// Score of a single query/key pair (B=H=N=M=D=1), everything kept.
float oneScore(float q, float k, const AttentionConfig &cfg,
               const Tensor<float> *mask = nullptr) {
  SplitResult qs = splitQuantize(make<float>({1, 1, 1, 1}, {q}), cfg);
  SplitResult ks = splitQuantize(make<float>({1, 1, 1, 1}, {k}), cfg);
  Tensor<int64_t> s = integerScores(qs.hi, ks.hi);
  Tensor<uint8_t> blocks({1, 1, 1, 1}, 1), heads({1, 1}, 1);
  return approxCombine(qs, ks, s, blocks, heads, mask, cfg).data[0];
}

AttentionConfig fixedScale(double scale, int64_t shift, bool approx) {
  AttentionConfig cfg;
  cfg.scale = scale;
  cfg.shift = shift;
  cfg.approx = approx;
  return cfg;
}

TEST(ApproxCombine, DropsOnlyFracFracWithPositiveShift) {
  // shift = 1, F = 4: raw = x·32. q = k = 0.75 -> raw 24 = 1·16 + 8.
  // S_int = 1; cross = lo_q·hi_k + hi_q·lo_k = 8 + 8 = 16;
  // A = 1·256 + 16·16 = 512 -> 512·2^-(8+2) = 0.5.
  // approx = false adds lo_q·lo_k = 64: 576·2^-10 = 0.5625 = 0.75².
  EXPECT_EQ(oneScore(0.75f, 0.75f, fixedScale(1.0, 1, true)), 0.5f);
  EXPECT_EQ(oneScore(0.75f, 0.75f, fixedScale(1.0, 1, false)), 0.5625f);
}

TEST(ApproxCombine, NegativeShift) {
  // shift = -1, F = 4: raw = x·8. q = 3 -> 24 = 1·16 + 8; k = 1 -> 8 = 0·16+8.
  // S_int = 0; cross = 8·0 + 1·8 = 8; A = 8·16 = 128 -> 128·2^-(8-2) = 2.
  // approx = false: + 8·8 = 64 -> 192/64 = 3 = 3·1.
  EXPECT_EQ(oneScore(3.0f, 1.0f, fixedScale(1.0, -1, true)), 2.0f);
  EXPECT_EQ(oneScore(3.0f, 1.0f, fixedScale(1.0, -1, false)), 3.0f);
}

TEST(ApproxCombine, AppliesScaleThenMask) {
  // As DropsOnlyFracFracWithPositiveShift (0.5), then ·0.5, then + mask.
  Tensor<float> mask = make<float>({}, {0.25f});
  EXPECT_EQ(oneScore(0.75f, 0.75f, fixedScale(0.5, 1, true), &mask), 0.5f);
  // -9999 is above the removal threshold: it is added, not removed.
  Tensor<float> almost = make<float>({}, {-9999.0f});
  EXPECT_EQ(oneScore(0.75f, 0.75f, fixedScale(0.5, 1, true), &almost),
            0.25f - 9999.0f);
  Tensor<float> removed = make<float>({}, {-10000.0f});
  EXPECT_EQ(oneScore(0.75f, 0.75f, fixedScale(0.5, 1, true), &removed), -kInf);
}

TEST(ApproxCombine, DefaultScaleIsInverseSqrtD) {
  // D = 4, q = k = (1,1,1,1): A = 4·256 -> 4; scale 1/sqrt(4) = 0.5 -> 2.
  AttentionConfig cfg;
  SplitResult q = splitQuantize(Tensor<float>({1, 1, 1, 4}, 1.0f), cfg);
  Tensor<int64_t> s = integerScores(q.hi, q.hi);
  Tensor<uint8_t> blocks({1, 1, 1, 1}, 1), heads({1, 1}, 1);
  EXPECT_EQ(approxCombine(q, q, s, blocks, heads, nullptr, cfg).data[0], 2.0f);
}

TEST(ApproxCombine, PrunedAndRemovedEntriesAreMinusInf) {
  // N=2, M=4, D=1, block [1,2]; q = (1, 2), k = (1, 1, 1, 1), scale 1.
  // Block mask row 0 keeps columns {0,1}, row 1 keeps {2,3}; the mask removes
  // (0,1). Kept scores: q_i·k_j = 1 (row 0), 2 (row 1).
  AttentionConfig cfg;
  cfg.scale = 1.0;
  cfg.blockRows = 1;
  cfg.blockCols = 2;
  SplitResult q = splitQuantize(make<float>({1, 1, 2, 1}, {1, 2}), cfg);
  SplitResult k = splitQuantize(Tensor<float>({1, 1, 4, 1}, 1.0f), cfg);
  Tensor<int64_t> s = integerScores(q.hi, k.hi);
  Tensor<uint8_t> blocks = make<uint8_t>({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor<uint8_t> heads({1, 1}, 1);
  Tensor<float> mask = make<float>({2, 4}, {0, -kInf, 0, 0, 0, 0, 0, 0});
  Tensor<float> out = approxCombine(q, k, s, blocks, heads, &mask, cfg);
  EXPECT_EQ(out.data,
            (std::vector<float>{1, -kInf, -kInf, -kInf, -kInf, -kInf, 2, 2}));
  // A pruned head has no scores at all.
  Tensor<uint8_t> noHead({1, 1}, 0);
  for (float v : approxCombine(q, k, s, blocks, noHead, &mask, cfg).data)
    EXPECT_EQ(v, -kInf);
}

/// Shared random case for the comparisons against dequantized values.
struct RandomCase {
  AttentionConfig cfg;
  SplitResult q, k;
  Tensor<int64_t> s;
  Tensor<uint8_t> blocks, heads;
};
RandomCase randomCase(bool approx) {
  RandomCase c;
  c.cfg.shift = 1; // raw = x·32, range [-4, 4): some inputs clamp
  c.cfg.scale = 0.3;
  c.cfg.approx = approx;
  c.q = splitQuantize(
      make<float>({1, 2, 5, 7}, pseudoRandom(70, 1, -4.5f, 4.5f)), c.cfg);
  c.k = splitQuantize(
      make<float>({1, 2, 6, 7}, pseudoRandom(84, 2, -4.5f, 4.5f)), c.cfg);
  c.s = integerScores(c.q.hi, c.k.hi);
  c.blocks = Tensor<uint8_t>({1, 2, 3, 3}, 1);
  c.heads = Tensor<uint8_t>({1, 2}, 1);
  return c;
}

TEST(ApproxCombine, ExactModeEqualsDequantizedProduct) {
  // With approx = false, A = Σ_d raw_q·raw_k exactly, so the score is the dot
  // product of the dequantized values (up to the one f32 rounding of ·scale).
  RandomCase c = randomCase(false);
  Tensor<float> dq = dequantize(c.q, c.cfg), dk = dequantize(c.k, c.cfg);
  Tensor<float> out =
      approxCombine(c.q, c.k, c.s, c.blocks, c.heads, nullptr, c.cfg);
  const double scale = static_cast<float>(0.3);
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < 6; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < 7; ++d)
          dot += double(dq.at(0, h, i, d)) * double(dk.at(0, h, j, d));
        double expected = dot * scale;
        EXPECT_NEAR(out.at(0, h, i, j), expected,
                    1e-6 * std::fabs(expected) + 1e-9)
            << "h=" << h << " i=" << i << " j=" << j;
      }
}

TEST(ApproxCombine, ApproxModeDropsExactlyTheFracFracTerm) {
  RandomCase c = randomCase(true);
  Tensor<float> dq = dequantize(c.q, c.cfg), dk = dequantize(c.k, c.cfg);
  Tensor<float> out =
      approxCombine(c.q, c.k, c.s, c.blocks, c.heads, nullptr, c.cfg);
  const double scale = static_cast<float>(0.3);
  double maxDropped = 0;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < 6; ++j) {
        double dot = 0, fracFrac = 0;
        for (int64_t d = 0; d < 7; ++d) {
          dot += double(dq.at(0, h, i, d)) * double(dk.at(0, h, j, d));
          // lo·lo is in units of 2^-(2F+2·shift) = 2^-10.
          fracFrac += std::ldexp(double(c.q.lo.at(0, h, i, d)) *
                                     double(c.k.lo.at(0, h, j, d)),
                                 -10);
        }
        double expected = (dot - fracFrac) * scale;
        maxDropped = std::max(maxDropped, fracFrac * scale);
        EXPECT_NEAR(out.at(0, h, i, j), expected,
                    1e-6 * std::fabs(expected) + 1e-9);
      }
  EXPECT_GT(maxDropped, 0.01); // the dropped term is not trivially zero
}

TEST(SparsePV, SumsOnlyKeptBlocks) {
  // N=2, M=4, Dv=1, block [1,2]; row 0 keeps columns {0,1}, row 1 {2,3}.
  // The probabilities outside kept blocks are deliberately non-zero: they
  // must be ignored. V = (1,2,3,4).
  //   row 0: 0.25·1 + 0.75·2 = 1.75;  row 1: 0.4·3 + 0.6·4 = 3.6
  AttentionConfig cfg;
  cfg.blockRows = 1;
  cfg.blockCols = 2;
  Tensor<float> p = make<float>(
      {1, 1, 2, 4}, {0.25f, 0.75f, 0.3f, 0.7f, 0.1f, 0.2f, 0.4f, 0.6f});
  Tensor<float> v = make<float>({1, 1, 4, 1}, {1, 2, 3, 4});
  Tensor<uint8_t> blocks = make<uint8_t>({1, 1, 2, 2}, {1, 0, 0, 1});
  Tensor<uint8_t> heads({1, 1}, 1);
  Tensor<float> out = sparsePV(p, v, blocks, heads, cfg);
  EXPECT_EQ(out.shape, (std::vector<int64_t>{1, 1, 2, 1}));
  EXPECT_NEAR(out.data[0], 1.75f, 1e-6);
  EXPECT_NEAR(out.data[1], 3.6f, 1e-6);
  // V rows of pruned blocks are never read: NaN/inf there cannot leak.
  Tensor<float> bad = make<float>({1, 1, 4, 1}, {1, 2, std::nanf(""), kInf});
  Tensor<uint8_t> left = make<uint8_t>({1, 1, 2, 2}, {1, 0, 1, 0});
  out = sparsePV(p, bad, left, heads, cfg);
  EXPECT_NEAR(out.data[0], 1.75f, 1e-6);
  EXPECT_NEAR(out.data[1], 0.1f + 0.4f, 1e-6);
  // A pruned head outputs 0.
  Tensor<uint8_t> noHead({1, 1}, 0);
  out = sparsePV(p, v, blocks, noHead, cfg);
  EXPECT_EQ(out.data, (std::vector<float>{0.0f, 0.0f}));
}

/// The hand-computed case of the two Attention tests below: N=2, M=4, D=1,
/// Dv=1, block [1,2], scale 1, integer inputs (lo = 0, so approx is moot).
/// q = (1, 2), k = (1, 2, 0, -1), v = (10, 20, 1000, 1000).
/// S_int row 0 = (1, 2, 0, -1), θ = (3, 1); row 1 = (2, 4, 0, -2), θ = (6, 2).
struct SmallCase {
  Tensor<float> q = make<float>({1, 1, 2, 1}, {1, 2});
  Tensor<float> k = make<float>({1, 1, 4, 1}, {1, 2, 0, -1});
  Tensor<float> v = make<float>({1, 1, 4, 1}, {10, 20, 1000, 1000});
  AttentionConfig cfg;
  SmallCase() {
    cfg.scale = 1.0;
    cfg.blockRows = 1;
    cfg.blockCols = 2;
    cfg.rho = 1.0;
  }
};

TEST(Attention, HandComputedPrunedCase) {
  // ρ = 1 keeps the maximum block of each row: block 0 in both rows.
  //   row 0: softmax(1, 2) = (1, e)/(1+e);   out = (10 + 20e)/(1+e) = 17.310586
  //   row 1: softmax(2, 4) = (1, e²)/(1+e²); out = (10 + 20e²)/(1+e²)
  //   = 18.807971
  SmallCase c;
  AttentionResult r = attention(c.q, c.k, c.v, nullptr, c.cfg);
  EXPECT_EQ(r.blockMask.data, (Bytes{1, 0, 1, 0}));
  EXPECT_EQ(r.headMask.data, (Bytes{1}));
  EXPECT_EQ(r.thetaH.data, (std::vector<int64_t>{12}));
  EXPECT_NEAR(r.out.data[0], 17.310586f, 1e-4);
  EXPECT_NEAR(r.out.data[1], 18.807971f, 1e-4);
}

TEST(Attention, FullyRemovedRowOutputsZero) {
  // Same case, but the mask removes every key of query 1: its block row is
  // invalid (θ = -1, -1), nothing is kept and its output is 0. θ_H = 3 + 1.
  SmallCase c;
  Tensor<float> mask =
      make<float>({2, 4}, {0, 0, 0, 0, -10000.0f, -kInf, kFinfoMin, -1e5f});
  AttentionResult r = attention(c.q, c.k, c.v, &mask, c.cfg);
  EXPECT_EQ(r.blockMask.data, (Bytes{1, 0, 0, 0}));
  EXPECT_EQ(r.thetaH.data, (std::vector<int64_t>{4}));
  EXPECT_NEAR(r.out.data[0], 17.310586f, 1e-4);
  EXPECT_EQ(r.out.data[1], 0.0f);
}

TEST(Attention, PrunedHeadOutputsZero) {
  // H=2: head 1 has q = 0, so θ_H = (12, 0); at τ = 0.5 head 1 (relative
  // importance 0) is pruned and outputs 0; head 0 is as in the hand case.
  SmallCase c;
  c.cfg.tauH = 0.5;
  Tensor<float> q = make<float>({1, 2, 2, 1}, {1, 2, 0, 0});
  Tensor<float> k = make<float>({1, 2, 4, 1}, {1, 2, 0, -1, 1, 2, 0, -1});
  Tensor<float> v =
      make<float>({1, 2, 4, 1}, {10, 20, 1000, 1000, 10, 20, 1000, 1000});
  AttentionResult r = attention(q, k, v, nullptr, c.cfg);
  EXPECT_EQ(r.thetaH.data, (std::vector<int64_t>{12, 0}));
  EXPECT_EQ(r.headMask.data, (Bytes{1, 0}));
  EXPECT_NEAR(r.out.data[0], 17.310586f, 1e-4);
  EXPECT_NEAR(r.out.data[1], 18.807971f, 1e-4);
  EXPECT_EQ(r.out.data[2], 0.0f);
  EXPECT_EQ(r.out.data[3], 0.0f);
  // The block mask is reported on its own, not ANDed with the head mask:
  // head 1 has θ = (0, 0) in both rows, two maxima tied at 0, both kept.
  EXPECT_EQ(r.blockMask.data, (Bytes{1, 0, 1, 0, 1, 1, 1, 1}));
}

TEST(Attention, DenseAttentionHandCase) {
  // No pruning: row 0 = softmax(1, 2, 0, -1)·v. exp: e, e², 1, e^-1 relative
  // to exp(0): weights (2.7182818, 7.3890561, 1, 0.36787944), sum 11.475217,
  // out = (27.182818 + 147.78112 + 1000 + 367.87944)/11.475217 = 134.45004.
  SmallCase c;
  Tensor<float> out = denseAttention(c.q, c.k, c.v, nullptr, 1.0f);
  EXPECT_NEAR(out.data[0], 134.45004f, 1e-3);
}

/// Inputs for the end-to-end comparison: B=2, H=2, N=5, M=7, D=3, Dv=2,
/// block [2,3] (partial edge blocks in both directions).
struct EndToEnd {
  Tensor<float> q = make<float>({2, 2, 5, 3}, pseudoRandom(60, 3, -3, 3));
  Tensor<float> k = make<float>({2, 2, 7, 3}, pseudoRandom(84, 4, -3, 3));
  Tensor<float> v = make<float>({2, 2, 7, 2}, pseudoRandom(56, 5, -1, 1));
  Tensor<float> mask{std::vector<int64_t>{2, 1, 5, 7}, 0.0f};
  AttentionConfig cfg;
  EndToEnd() {
    // Batch 1 pads keys 5 and 6; batch 0 removes every key of query 4; a
    // finite -9999 and a small additive bias stay.
    for (int64_t i = 0; i < 5; ++i) {
      mask.at(1, 0, i, 5) = -10000.0f;
      mask.at(1, 0, i, 6) = kFinfoMin;
      mask.at(0, 0, i, 2) = -0.5f;
    }
    for (int64_t j = 0; j < 7; ++j)
      mask.at(0, 0, 4, j) = -kInf;
    mask.at(1, 0, 0, 0) = -9999.0f;
    cfg.blockRows = 2;
    cfg.blockCols = 3;
    cfg.rho = -1.0;
    cfg.policy = Policy::Dense;
    cfg.approx = false;
  }
  Tensor<float> dense() const {
    return denseAttention(dequantize(splitQuantize(q, cfg), cfg),
                          dequantize(splitQuantize(k, cfg), cfg), v, &mask,
                          cfg.effectiveScale(3));
  }
};

float maxAbsDiff(const Tensor<float> &a, const Tensor<float> &b) {
  EXPECT_EQ(a.shape, b.shape);
  float m = 0;
  for (int64_t n = 0; n < a.size(); ++n)
    m = std::max(m, std::fabs(a.data[n] - b.data[n]));
  return m;
}

TEST(Attention, MatchesDenseOnDequantizedInputsWhenNothingIsPruned) {
  EndToEnd e;
  ASSERT_EQ(
      checkAttentionShapes(e.q.shape, e.k.shape, e.v.shape, &e.mask.shape), "");
  Tensor<float> expected = e.dense();
  for (Policy policy : {Policy::Dense, Policy::Hdp}) {
    e.cfg.policy = policy; // hdp at ρ = -1 keeps every valid block too
    AttentionResult r = attention(e.q, e.k, e.v, &e.mask, e.cfg);
    EXPECT_LE(maxAbsDiff(r.out, expected), 1e-5f);
    // Query 4 of batch 0 has no key: output 0 (both implementations).
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t d = 0; d < 2; ++d) {
        EXPECT_EQ(r.out.at(0, h, 4, d), 0.0f);
        EXPECT_EQ(expected.at(0, h, 4, d), 0.0f);
      }
  }
}

TEST(Attention, ApproxAndPruningMoveTheOutput) {
  // The comparison above is sensitive: dropping Frac·Frac, or pruning at
  // ρ = 1, changes the output far beyond 1e-5.
  EndToEnd e;
  Tensor<float> expected = e.dense();
  e.cfg.approx = true;
  EXPECT_GT(maxAbsDiff(attention(e.q, e.k, e.v, &e.mask, e.cfg).out, expected),
            1e-3f);
  e.cfg.approx = false;
  e.cfg.policy = Policy::Hdp;
  e.cfg.rho = 1.0;
  EXPECT_GT(maxAbsDiff(attention(e.q, e.k, e.v, &e.mask, e.cfg).out, expected),
            1e-3f);
}

TEST(Attention, PolySoftmaxStaysClose) {
  EndToEnd e;
  Tensor<float> exact = attention(e.q, e.k, e.v, &e.mask, e.cfg).out;
  e.cfg.softmax = SoftmaxKind::Poly;
  Tensor<float> poly = attention(e.q, e.k, e.v, &e.mask, e.cfg).out;
  // |V| <= 1 and every probability is within 1% of exact.
  EXPECT_LE(maxAbsDiff(exact, poly), 0.01f);
  EXPECT_GT(maxAbsDiff(exact, poly), 0.0f);
}

} // namespace
