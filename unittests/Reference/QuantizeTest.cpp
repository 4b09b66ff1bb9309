//===- QuantizeTest.cpp - split-quantize and integer scores ---------------===//
//
// Stage 1 and stage 2a of docs/semantics.md on values whose fixed-point form is worked
// out by hand in the comments (default format I=4, F=4: raw in [-128, 127],
// one unit = 1/16).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace hdp::ref;
using namespace hdp::ref::test;

namespace {

struct HiLo {
  int32_t hi, lo;
  bool operator==(const HiLo &o) const { return hi == o.hi && lo == o.lo; }
};
std::ostream &operator<<(std::ostream &os, const HiLo &v) {
  return os << "(hi=" << v.hi << ", lo=" << v.lo << ")";
}

/// Split-quantizes each of `xs` and returns the (hi, lo) pairs.
std::vector<HiLo> split(const std::vector<float> &xs, int64_t intBits = 4,
                        int64_t fracBits = 4, int64_t shift = 0) {
  AttentionConfig cfg;
  cfg.intBits = intBits;
  cfg.fracBits = fracBits;
  cfg.shift = shift;
  SplitResult s =
      splitQuantize(make<float>({static_cast<int64_t>(xs.size())}, xs), cfg);
  std::vector<HiLo> out;
  for (size_t n = 0; n < xs.size(); ++n)
    out.push_back({s.hi.data[n], s.lo.data[n]});
  return out;
}

TEST(SplitQuantize, PositiveAndNegativeValues) {
  // 1.5·16 = 24 = 1·16 + 8;  -0.3·16 = -4.8 -> -5 = -1·16 + 11;
  // -1.25·16 = -20 = -2·16 + 12;  -0.0625·16 = -1 = -1·16 + 15.
  std::vector<HiLo> expected = {{1, 8}, {-1, 11}, {-2, 12}, {-1, 15}, {0, 0}};
  EXPECT_EQ(split({1.5f, -0.3f, -1.25f, -0.0625f, 0.0f}), expected);
}

TEST(SplitQuantize, RoundsHalfToEven) {
  // x·16 = 0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5
  //   -> 0, 2, 2, 4, 0, -2, -2   (half-away-from-zero would give 1, 3, -1, -3)
  // -2 = -1·16 + 14.
  std::vector<HiLo> expected = {{0, 0}, {0, 2},   {0, 2},  {0, 4},
                                {0, 0}, {-1, 14}, {-1, 14}};
  EXPECT_EQ(split({0.03125f, 0.09375f, 0.15625f, 0.21875f, -0.03125f, -0.09375f,
                   -0.15625f}),
            expected);
}

TEST(SplitQuantize, ClampsToIntegerRange) {
  const float fmax = std::numeric_limits<float>::max();
  // 7.9375·16 = 127 (in range: 7·16 + 15); 8·16 = 128 -> 127; 1e6 -> 127;
  // +inf -> 127; FLT_MAX·16 overflows f32 to inf -> 127.
  // -8·16 = -128 (in range: -8·16 + 0); -8.0625·16 = -129 -> -128;
  // -inf -> -128; -FLT_MAX -> -128.
  std::vector<HiLo> expected = {{7, 15}, {7, 15}, {7, 15}, {7, 15}, {7, 15},
                                {-8, 0}, {-8, 0}, {-8, 0}, {-8, 0}};
  EXPECT_EQ(
      split({7.9375f, 8.0f, 1e6f, kInf, fmax, -8.0f, -8.0625f, -kInf, -fmax}),
      expected);
}

TEST(SplitQuantize, NaNQuantizesToZero) {
  std::vector<HiLo> expected = {{0, 0}, {0, 0}};
  EXPECT_EQ(split({std::numeric_limits<float>::quiet_NaN(),
                   -std::numeric_limits<float>::quiet_NaN()}),
            expected);
}

TEST(SplitQuantize, PositiveShift) {
  // shift = 2: scale by 2^(4+2) = 64.
  // 0.5·64 = 32 = 2·16 + 0;  0.0234375·64 = 1.5 -> 2;  0.0390625·64 = 2.5 -> 2;
  // 1.984375·64 = 127 = 7·16 + 15;  2·64 = 128 -> 127;  -0.5·64 = -32 = -2·16.
  std::vector<HiLo> expected = {{2, 0},  {0, 2},  {0, 2},
                                {7, 15}, {7, 15}, {-2, 0}};
  EXPECT_EQ(
      split({0.5f, 0.0234375f, 0.0390625f, 1.984375f, 2.0f, -0.5f}, 4, 4, 2),
      expected);
}

TEST(SplitQuantize, NegativeShift) {
  // shift = -3: scale by 2^(4-3) = 2.
  // 10·2 = 20 = 1·16 + 4;  1.25·2 = 2.5 -> 2;  -64·2 = -128 = -8·16;
  // 100·2 = 200 -> 127;  -0.75·2 = -1.5 -> -2 = -1·16 + 14.
  std::vector<HiLo> expected = {{1, 4}, {0, 2}, {-8, 0}, {7, 15}, {-1, 14}};
  EXPECT_EQ(split({10.0f, 1.25f, -64.0f, 100.0f, -0.75f}, 4, 4, -3), expected);
}

TEST(SplitQuantize, WidestFractionFormat) {
  // I=1, F=15: raw in [-32768, 32767], hi in {-1, 0}.
  // 0.5·32768 = 16384;  -1·32768 = -32768 = -1·32768 + 0;
  // 1·32768 = 32768 -> 32767;  -0.5·32768 = -16384 = -1·32768 + 16384.
  std::vector<HiLo> expected = {{0, 16384}, {-1, 0}, {0, 32767}, {-1, 16384}};
  EXPECT_EQ(split({0.5f, -1.0f, 1.0f, -0.5f}, 1, 15), expected);
}

TEST(SplitQuantize, NoFractionBits) {
  // I=8, F=0: raw = hi, lo = 0. 2.5 -> 2, -3.5 -> -4, 200 -> 127, -200 -> -128.
  std::vector<HiLo> expected = {{2, 0}, {-4, 0}, {127, 0}, {-128, 0}};
  EXPECT_EQ(split({2.5f, -3.5f, 200.0f, -200.0f}, 8, 0), expected);
}

TEST(SplitQuantize, KeepsShapeAndFractionRange) {
  AttentionConfig cfg;
  Tensor<float> x = make<float>({2, 3, 1, 2}, pseudoRandom(12, 7, -9.0f, 9.0f));
  SplitResult s = splitQuantize(x, cfg);
  EXPECT_EQ(s.hi.shape, x.shape);
  EXPECT_EQ(s.lo.shape, x.shape);
  for (int64_t n = 0; n < x.size(); ++n) {
    EXPECT_GE(s.lo.data[n], 0);
    EXPECT_LT(s.lo.data[n], 16);
    // raw = clamp(round(16x)); std::lround is half-away, but ties have
    // probability ~0 for these inputs.
    long expectRaw = std::lround(x.data[n] * 16.0f);
    expectRaw = std::min(127L, std::max(-128L, expectRaw));
    EXPECT_EQ(rawOf(s, n, 4), expectRaw) << "x = " << x.data[n];
  }
}

TEST(IntegerScores, ExactSums) {
  // Q hi rows (1,2), (3,-4); K hi rows (5,6), (-7,8), (0,1):
  //   (1,2)·(5,6) = 17, (1,2)·(-7,8) = 9, (1,2)·(0,1) = 2,
  //   (3,-4)·(5,6) = -9, (3,-4)·(-7,8) = -53, (3,-4)·(0,1) = -4.
  Tensor<int32_t> q = make<int32_t>({1, 1, 2, 2}, {1, 2, 3, -4});
  Tensor<int32_t> k = make<int32_t>({1, 1, 3, 2}, {5, 6, -7, 8, 0, 1});
  Tensor<int64_t> s = integerScores(q, k);
  EXPECT_EQ(s.shape, (std::vector<int64_t>{1, 1, 2, 3}));
  EXPECT_EQ(s.data, (std::vector<int64_t>{17, 9, 2, -9, -53, -4}));
}

TEST(IntegerScores, BatchesAndHeadsAreIndependentAndSumsExceed32Bits) {
  // [B=2,H=1,N=1,D=4]. Batch 1 uses the extreme hi of I=16,F=0 (-32768):
  // 4·(-32768)² = 2^32, which does not fit in int32.
  Tensor<int32_t> q =
      make<int32_t>({2, 1, 1, 4}, {1, 1, 1, 1, -32768, -32768, -32768, -32768});
  Tensor<int32_t> k =
      make<int32_t>({2, 1, 1, 4}, {1, 2, 3, 4, -32768, -32768, -32768, -32768});
  Tensor<int64_t> s = integerScores(q, k);
  EXPECT_EQ(s.data, (std::vector<int64_t>{10, int64_t(1) << 32}));
}

} // namespace
