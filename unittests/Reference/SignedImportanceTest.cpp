//===- SignedImportanceTest.cpp - importance = signed, by hand -------------===//
//
// Stages 2b and 3 of docs/semantics.md with θ = Σ S_int, which may be
// negative. Validity is carried apart from θ, so a negative (or zero) θ is an
// ordinary importance. Every expected mask is worked out in the comments.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace hdp::ref;
using namespace hdp::ref::test;

namespace {

using Bytes = std::vector<uint8_t>;
using I64s = std::vector<int64_t>;

AttentionConfig signedCfg(double rho = 0.0) {
  AttentionConfig cfg;
  cfg.importance = Importance::Signed;
  cfg.rho = rho;
  return cfg;
}

/// Block mask of one block row of valid blocks with signed θ `row`.
Bytes signedRow(const I64s &row, const AttentionConfig &cfg) {
  const int64_t n = static_cast<int64_t>(row.size());
  BlockImportance imp{make<int64_t>({1, 1, 1, n}, row),
                      Tensor<uint8_t>({1, 1, 1, n}, 1)};
  return blockMask(imp, cfg).data;
}

TEST(SignedImportance, SumsKeepTheirSign) {
  // S_int [1,1,3,5]:
  //    1  -2   3  -4    5
  //   -6   7  -8   9  -10
  //   11 -12  13 -14   15
  // 2x2 blocks: θ[0,0] = 1-2-6+7 = 0, θ[0,1] = 3-4-8+9 = 0, θ[0,2] = 5-10 =
  // -5, θ[1,0] = 11-12 = -1, θ[1,1] = 13-14 = -1, θ[1,2] = 15.
  Tensor<int64_t> s = make<int64_t>(
      {1, 1, 3, 5}, {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15});
  BlockImportance imp = blockImportance(s, nullptr, signedCfg());
  EXPECT_EQ(imp.theta.data, (I64s{0, 0, -5, -1, -1, 15}));
  EXPECT_EQ(imp.valid.data, (Bytes{1, 1, 1, 1, 1, 1}));
  // Row 0 at ρ=0: mean -5/3; 0 and 0 reach it, -5 does not.
  // Row 1 at ρ=0: mean 13/3; only 15.
  EXPECT_EQ(blockMask(imp, signedCfg()).data, (Bytes{1, 1, 0, 0, 0, 1}));
  // The head importance is Σ|S_int| in both modes: 1+2+...+15 = 120.
  EXPECT_EQ(headImportance(s, nullptr).data, (I64s{120}));
}

TEST(SignedImportance, AllNegativeRow) {
  // {-10, -4, -6}: S = -20, nb = 3, mean -20/3, mx -4, mn -10.
  // ρ=0: keep θ >= -6.67: -4 and -6.
  EXPECT_EQ(signedRow({-10, -4, -6}, signedCfg(0.0)), (Bytes{0, 1, 1}));
  // ρ=0.5: Θ = -20/3 + 0.5·(-4 + 20/3) = -16/3: only -4.
  EXPECT_EQ(signedRow({-10, -4, -6}, signedCfg(0.5)), (Bytes{0, 1, 0}));
  // ρ=-0.5: Θ = -20/3 - 0.5·(-20/3 + 10) = -25/3: -4 and -6.
  EXPECT_EQ(signedRow({-10, -4, -6}, signedCfg(-0.5)), (Bytes{0, 1, 1}));
  // ρ=-1 keeps every valid block, ρ=1 only the maximum.
  EXPECT_EQ(signedRow({-10, -4, -6}, signedCfg(-1.0)), (Bytes{1, 1, 1}));
  EXPECT_EQ(signedRow({-10, -4, -6}, signedCfg(1.0)), (Bytes{0, 1, 0}));
}

TEST(SignedImportance, EveryBlockNegativeButOne) {
  // {-8, -2, 3, -5}: S = -12, nb = 4, mean -3, mx 3, mn -8.
  // ρ=0: θ >= -3: -2 and 3.
  EXPECT_EQ(signedRow({-8, -2, 3, -5}, signedCfg(0.0)), (Bytes{0, 1, 1, 0}));
  // ρ=0.5: Θ = -3 + 0.5·6 = 0: only 3.
  EXPECT_EQ(signedRow({-8, -2, 3, -5}, signedCfg(0.5)), (Bytes{0, 0, 1, 0}));
  // ρ=-0.5 (r = -32768): 65536·S + r·(S - nb·mn) = -786432 - 32768·20 =
  // -1441792; θ=-5: 65536·4·(-5) = -1310720 >= it (kept); θ=-8: -2097152 is
  // not.
  EXPECT_EQ(signedRow({-8, -2, 3, -5}, signedCfg(-0.5)), (Bytes{0, 1, 1, 1}));
  // Ranked by |θ| the same row keeps -8 (and -5) instead: abs and signed
  // disagree exactly on the negative blocks.
  AttentionConfig abs;
  EXPECT_EQ(blockMask(fromCompact(make<int64_t>({1, 1, 1, 4}, {8, 2, 3, 5})),
                      abs)
                .data,
            (Bytes{1, 0, 0, 1}));
}

TEST(SignedImportance, TiesAndTopK) {
  // Ties at the threshold are kept (>=): {-2, -2, -2} at ρ=0.3 keeps all.
  EXPECT_EQ(signedRow({-2, -2, -2}, signedCfg(0.3)), (Bytes{1, 1, 1}));
  // {-6, 0, -6, 0}: mean -3; ρ=0 keeps the zeros only.
  EXPECT_EQ(signedRow({-6, 0, -6, 0}, signedCfg(0.0)), (Bytes{0, 1, 0, 1}));
  // Top-K ranks by signed θ, ties to the lower column.
  AttentionConfig cfg = signedCfg();
  cfg.policy = Policy::TopK;
  cfg.topk = 1;
  EXPECT_EQ(signedRow({-3, -1, -1, -5}, cfg), (Bytes{0, 1, 0, 0}));
  cfg.topk = 2;
  EXPECT_EQ(signedRow({-3, -1, -1, -5}, cfg), (Bytes{0, 1, 1, 0}));
  cfg.topk = 3;
  EXPECT_EQ(signedRow({-3, -1, -1, -5}, cfg), (Bytes{1, 1, 1, 0}));
}

TEST(SignedImportance, InvalidBlocksAreNeverKeptWhateverTheirTheta) {
  // Block 1 is invalid: neither its θ nor its presence changes the others.
  // Valid {-4, -9, -1}: mean -14/3; ρ=0 keeps -4 and -1. Dense keeps the
  // three valid blocks, never the invalid one.
  BlockImportance imp{make<int64_t>({1, 1, 1, 4}, {-4, 100, -9, -1}),
                      make<uint8_t>({1, 1, 1, 4}, {1, 0, 1, 1})};
  EXPECT_EQ(blockMask(imp, signedCfg(0.0)).data, (Bytes{1, 0, 0, 1}));
  AttentionConfig dense = signedCfg();
  dense.policy = Policy::Dense;
  EXPECT_EQ(blockMask(imp, dense).data, (Bytes{1, 0, 1, 1}));
  // A row with no valid block keeps nothing.
  BlockImportance none{make<int64_t>({1, 1, 1, 2}, {0, -3}),
                       make<uint8_t>({1, 1, 1, 2}, {0, 0})};
  EXPECT_EQ(blockMask(none, signedCfg(-1.0)).data, (Bytes{0, 0}));
}

TEST(SignedImportance, PartialBlocksOnTheCausalDiagonal) {
  // N = M = 3, 2x2 blocks, causal mask (j > i removed):
  //   S_int = -3  5  7      removed: (0,1) (0,2) (1,2)
  //            2 -4  9
  //           -1 -6 -2
  // Block (0,0): -3 + 2 - 4 = -5 (|.| 9); block (0,1): (0,2),(1,2) both
  // removed: invalid; block (1,0): -1 - 6 = -7 (|.| 7); block (1,1): -2.
  Tensor<int64_t> s =
      make<int64_t>({1, 1, 3, 3}, {-3, 5, 7, 2, -4, 9, -1, -6, -2});
  Tensor<float> causal({3, 3}, 0.0f);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = i + 1; j < 3; ++j)
      causal.at(i, j) = -kInf;
  BlockImportance imp = blockImportance(s, &causal, signedCfg());
  EXPECT_EQ(imp.theta.data, (I64s{-5, 0, -7, -2}));
  EXPECT_EQ(imp.valid.data, (Bytes{1, 0, 1, 1}));
  // Row 1 {-7, -2}: mean -4.5, keeps -2; ranked by |S_int| {7, 2} it would
  // keep the first block instead.
  EXPECT_EQ(blockMask(imp, signedCfg()).data, (Bytes{1, 0, 0, 1}));
  AttentionConfig abs;
  EXPECT_EQ(blockMask(blockImportance(s, &causal, abs), abs).data,
            (Bytes{1, 0, 1, 0}));
  // θ_H = 9 + 7 + 2 = 18 whatever the ranking.
  EXPECT_EQ(headImportance(s, &causal).data, (I64s{18}));
}

TEST(SignedImportance, ThresholdIsExactBeyond64Bits) {
  // c = 2^50: 65536·nb·θ reaches 2^16·3·7·2^50 ≈ 2^70.4.
  const int64_t c = int64_t(1) << 50;
  // {-c, -c-1, -7c} at ρ=0.5: S = -9c-1, mean -3c-1/3, mx -c,
  // Θ = mean + 0.5·(mx - mean) = -2c - 1/6: -c and -c-1 kept, -7c not.
  EXPECT_EQ(signedRow({-c, -c - 1, -7 * c}, signedCfg(0.5)), (Bytes{1, 1, 0}));
  // ρ=1: only the maximum, -c.
  EXPECT_EQ(signedRow({-c, -c - 1, -7 * c}, signedCfg(1.0)), (Bytes{1, 0, 0}));
  // ρ=-1 keeps all; ρ=-0.5: Θ = mean - 0.5·(mean + 7c) = -5c - 1/6.
  EXPECT_EQ(signedRow({-c, -c - 1, -7 * c}, signedCfg(-1.0)),
            (Bytes{1, 1, 1}));
  EXPECT_EQ(signedRow({-c, -c - 1, -7 * c}, signedCfg(-0.5)),
            (Bytes{1, 1, 0}));
}

TEST(SignedImportance, WholeAttentionRanksBySignedSum) {
  // One head, N = 2, M = 4, D = 1, 2x2 blocks, 4.4 fixed point. q = (1, 1),
  // k = (-3, -3, 1, 1): S_int row = (-3, -3, 1, 1) for both query rows.
  // abs:    θ = (12, 4)  -> keeps block 0 (the keys the head suppresses).
  // signed: θ = (-12, 4) -> keeps block 1.
  Tensor<float> q = make<float>({1, 1, 2, 1}, {1, 1});
  Tensor<float> k = make<float>({1, 1, 4, 1}, {-3, -3, 1, 1});
  Tensor<float> v = make<float>({1, 1, 4, 1}, {10, 20, 30, 40});
  AttentionConfig abs;
  AttentionResult a = attention(q, k, v, nullptr, abs);
  EXPECT_EQ(a.blockMask.data, (Bytes{1, 0}));
  AttentionConfig sig = signedCfg();
  AttentionResult r = attention(q, k, v, nullptr, sig);
  EXPECT_EQ(r.blockMask.data, (Bytes{0, 1}));
  // Equal scores over keys 2 and 3: the output is their mean, 35.
  EXPECT_FLOAT_EQ(r.out.data[0], 35.0f);
  EXPECT_FLOAT_EQ(r.out.data[1], 35.0f);
  // θ_H = 3+3+1+1 per row, two rows: 16 in both modes.
  EXPECT_EQ(a.thetaH.data, (I64s{16}));
  EXPECT_EQ(r.thetaH.data, (I64s{16}));
}

} // namespace
