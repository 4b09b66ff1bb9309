//===- SoftmaxTest.cpp - exact and polynomial masked softmax --------------===//
//
// Stage 5a of docs/semantics.md: the hardware's polynomial exp and reciprocal against
// hand-evaluated values and against std::exp, and the row softmax over
// finite entries.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace hdp::ref;
using namespace hdp::ref::test;

namespace {

const float kLn2 = 0.693147180559945309f;
const float kLn3 = 1.09861228866810969f;

TEST(PolyExp, HandEvaluatedPoints) {
  // L(p) = 0.3585·(p + 1.353)² + 0.344, exp(x) ≈ L(p)·2^-z.
  // x = 0: z = 0, p = 0, L = 0.3585·1.830609 + 0.344 = 1.00027335.
  EXPECT_NEAR(polyExp(0.0f), 1.00027335f, 1e-6);
  // x = -ln2: z = 1, p = 0 -> 1.00027335 / 2.
  EXPECT_NEAR(polyExp(-kLn2), 0.50013667f, 1e-6);
  // x = -3·ln2: z = 3, p = 0 -> 1.00027335 / 8.
  EXPECT_NEAR(polyExp(-3 * kLn2), 0.12503417f, 1e-6);
  // x = -0.5: z = 0, p = -0.5, 0.3585·0.853² + 0.344 = 0.60484783.
  EXPECT_NEAR(polyExp(-0.5f), 0.60484783f, 1e-6);
  // x = -1: z = floor(1.4427) = 1, p = -0.30685282, (p+1.353)² = 1.0944243,
  // L = 0.73635111, / 2 = 0.36817555.
  EXPECT_NEAR(polyExp(-1.0f), 0.36817555f, 1e-6);
}

TEST(PolyExp, WithinOnePercentOfExp) {
  // I-BERT's polynomial is within ~0.31% of exp on (-ln2, 0]; the 2^-z
  // factor is exact, so the same relative bound holds everywhere.
  for (int i = 0; i <= 8000; ++i) {
    float x = -0.01f * static_cast<float>(i); // [-80, 0]
    float exact = std::exp(x);
    EXPECT_NEAR(polyExp(x) / exact, 1.0f, 0.0035f) << "x = " << x;
  }
}

TEST(PolyExp, UnderflowsToZero) {
  EXPECT_EQ(polyExp(-200.0f), 0.0f);
  EXPECT_EQ(polyExp(-1e30f), 0.0f);
  EXPECT_EQ(polyExp(-kInf), 0.0f);
}

TEST(PolyReciprocal, HandEvaluatedPoints) {
  // σ = m·2^e; y0 = 24/17 - 8/17·m; y1 = y0·(2 - m·y0).
  // m = 1: y0 = 16/17, y1 = 16/17·18/17 = 288/289.
  EXPECT_NEAR(polyReciprocal(1.0f), 288.0f / 289.0f, 1e-6);
  EXPECT_NEAR(polyReciprocal(2.0f), 144.0f / 289.0f, 1e-6);
  // m = 1.5: y0 = 12/17, y1 = 12/17·(2 - 18/17) = 192/289.
  EXPECT_NEAR(polyReciprocal(1.5f), 192.0f / 289.0f, 1e-6);
  EXPECT_NEAR(polyReciprocal(3.0f), 96.0f / 289.0f, 1e-6);
  EXPECT_NEAR(polyReciprocal(0.75f), 384.0f / 289.0f, 1e-6);
}

TEST(PolyReciprocal, RelativeErrorBound) {
  // The seed's relative error is at most 1/17 (at m = 1, 1.5, 2); one Newton
  // step squares it: |σ·y1 - 1| <= 1/289.
  for (int i = 0; i <= 20000; ++i) {
    float sigma = 1.0f + 0.05f * static_cast<float>(i); // [1, 1001]
    EXPECT_LE(std::fabs(sigma * polyReciprocal(sigma) - 1.0f),
              1.0f / 289.0f + 1e-6f)
        << "sigma = " << sigma;
  }
}

TEST(PolyReciprocal, Edges) {
  EXPECT_EQ(polyReciprocal(0.0f), kInf);
  EXPECT_EQ(polyReciprocal(kInf), 0.0f);
  EXPECT_NEAR(polyReciprocal(-2.0f), -144.0f / 289.0f, 1e-6);
  EXPECT_TRUE(std::isnan(polyReciprocal(std::nanf(""))));
}

std::vector<float> softmaxRow(const std::vector<float> &row, SoftmaxKind kind) {
  return maskedSoftmax(make<float>({1, static_cast<int64_t>(row.size())}, row),
                       kind)
      .data;
}

TEST(MaskedSoftmax, ExactSkipsMinusInf) {
  // exp(0) = 1, exp(ln3) = 3 -> 1/4, 3/4; the -inf entry gets 0.
  std::vector<float> p = softmaxRow({0.0f, -kInf, kLn3}, SoftmaxKind::Exact);
  EXPECT_NEAR(p[0], 0.25f, 1e-6);
  EXPECT_EQ(p[1], 0.0f);
  EXPECT_NEAR(p[2], 0.75f, 1e-6);
}

TEST(MaskedSoftmax, SubtractsTheRowMaximum) {
  // exp(1000) overflows f32; after subtracting the max the answer is as
  // above (f32 spacing at 1000 is 6e-5, hence the tolerance).
  std::vector<float> p =
      softmaxRow({1000.0f, 1000.0f + kLn3, -kInf}, SoftmaxKind::Exact);
  EXPECT_NEAR(p[0], 0.25f, 1e-4);
  EXPECT_NEAR(p[1], 0.75f, 1e-4);
  EXPECT_EQ(p[2], 0.0f);
  EXPECT_EQ(softmaxRow({5.0f, 5.0f}, SoftmaxKind::Exact),
            (std::vector<float>{0.5f, 0.5f}));
}

TEST(MaskedSoftmax, RowsWithoutFiniteEntriesAreZero) {
  // [1,2,2,2]: rows (h0,i0), (h0,i1), (h1,i0), (h1,i1); the second and last
  // rows are fully pruned.
  Tensor<float> s = make<float>(
      {1, 2, 2, 2}, {0.0f, 0.0f, -kInf, -kInf, 1.0f, -kInf, -kInf, -kInf});
  for (SoftmaxKind kind : {SoftmaxKind::Exact, SoftmaxKind::Poly}) {
    // Poly is off by the reciprocal's error (<= 1/289 relative).
    const float tol = kind == SoftmaxKind::Exact ? 1e-6f : 0.004f;
    Tensor<float> p = maskedSoftmax(s, kind);
    EXPECT_EQ(p.shape, s.shape);
    EXPECT_NEAR(p.data[0], 0.5f, tol);
    EXPECT_NEAR(p.data[1], 0.5f, tol);
    EXPECT_EQ(p.data[2], 0.0f);
    EXPECT_EQ(p.data[3], 0.0f);
    EXPECT_NEAR(p.data[4], 1.0f, tol); // poly: L(0)·y1(L(0)) ≈ 0.99654
    EXPECT_EQ(p.data[5], 0.0f);
    EXPECT_EQ(p.data[6], 0.0f);
    EXPECT_EQ(p.data[7], 0.0f);
  }
}

TEST(MaskedSoftmax, PolyHandEvaluated) {
  // e = L(0) = 1.00027335, L(0)/2 = 0.50013667; σ = 1.50041008 (m = σ, e=0);
  // y0 = 24/17 - 8/17·σ = 0.70568937; y1 = y0·(2 - σ·y0) = 0.66417825.
  // p = 1.00027335·y1 = 0.66435981, 0.50013667·y1 = 0.33217990.
  std::vector<float> p = softmaxRow({0.0f, -kLn2, -kInf}, SoftmaxKind::Poly);
  EXPECT_NEAR(p[0], 0.66435981f, 1e-6);
  EXPECT_NEAR(p[1], 0.33217990f, 1e-6);
  EXPECT_EQ(p[2], 0.0f);
}

TEST(MaskedSoftmax, PolyWithinOnePercentOfExact) {
  // Relative errors: exp <= 0.31%, reciprocal <= 0.35%.
  Tensor<float> s = make<float>({4, 16}, pseudoRandom(64, 11, -6.0f, 6.0f));
  s.data[5] = -kInf;
  s.data[40] = -kInf;
  Tensor<float> exact = maskedSoftmax(s, SoftmaxKind::Exact);
  Tensor<float> poly = maskedSoftmax(s, SoftmaxKind::Poly);
  for (int64_t n = 0; n < s.size(); ++n) {
    if (exact.data[n] == 0.0f) {
      EXPECT_EQ(poly.data[n], 0.0f);
      continue;
    }
    EXPECT_NEAR(poly.data[n] / exact.data[n], 1.0f, 0.01f) << "n = " << n;
  }
}

} // namespace
