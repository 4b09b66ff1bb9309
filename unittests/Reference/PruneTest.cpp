//===- PruneTest.cpp - block importance, block mask and head mask ---------===//
//
// Stages 2b and 3 of docs/semantics.md. Most tests feed crafted S_int or θ tensors so
// that every threshold comparison can be checked by hand; the arithmetic is in
// the comments (Q16: r = round_half_even(ρ·65536)).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <gtest/gtest.h>

using namespace hdp::ref;
using namespace hdp::ref::test;

namespace {

using Bytes = std::vector<uint8_t>;
using I64s = std::vector<int64_t>;

//===----------------------------------------------------------------------===//
// blockImportance
//===----------------------------------------------------------------------===//

// S_int of shape [1,1,3,5]:
//    1  -2   3  -4    5
//   -6   7  -8   9  -10
//   11 -12  13 -14   15
Tensor<int64_t> scores3x5() {
  return make<int64_t>(
      {1, 1, 3, 5}, {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15});
}

TEST(BlockImportance, PartialEdgeBlocks) {
  // 2x2 blocks over 3x5: 2 block rows (rows {0,1}, {2}) and 3 block columns
  // (cols {0,1}, {2,3}, {4}).
  //   θ[0,0] = 1+2+6+7 = 16   θ[0,1] = 3+4+8+9 = 24     θ[0,2] = 5+10 = 15
  //   θ[1,0] = 11+12 = 23     θ[1,1] = 13+14 = 27       θ[1,2] = 15
  AttentionConfig cfg;
  Tensor<int64_t> theta = compactTheta(scores3x5(), nullptr, cfg);
  EXPECT_EQ(theta.shape, (I64s{1, 1, 2, 3}));
  EXPECT_EQ(theta.data, (I64s{16, 24, 15, 23, 27, 15}));
}

TEST(BlockImportance, NonSquareBlocks) {
  // Block [3,2] over 3x5: one block row, columns {0,1}, {2,3}, {4}.
  //   θ = 1+2+6+7+11+12 = 39,  3+4+8+9+13+14 = 51,  5+10+15 = 30
  AttentionConfig cfg;
  cfg.blockRows = 3;
  cfg.blockCols = 2;
  Tensor<int64_t> theta = compactTheta(scores3x5(), nullptr, cfg);
  EXPECT_EQ(theta.shape, (I64s{1, 1, 1, 3}));
  EXPECT_EQ(theta.data, (I64s{39, 51, 30}));
}

TEST(BlockImportance, RemovalThresholdAndInvalidBlocks) {
  // Mask [3,5] (rank 2, broadcast over B and H), zero except:
  //   (0,0) = -10000  removed (BERT)      (1,1) = -inf  removed
  //   (2,4) = finfo.min  removed          (0,4) = -9999 kept (above -10000)
  //   (1,2) = -1  kept
  // θ[0,0] = |-2| + |-6| = 8 (only (0,1) and (1,0) remain)
  // θ[0,2] = 5 + 10 = 15 (-9999 does not remove)
  // θ[1,2] = -1: its only element (2,4) is removed, so the block is invalid.
  AttentionConfig cfg;
  Tensor<float> mask({3, 5}, 0.0f);
  mask.at(0, 0) = -10000.0f;
  mask.at(1, 1) = -kInf;
  mask.at(2, 4) = kFinfoMin;
  mask.at(0, 4) = -9999.0f;
  mask.at(1, 2) = -1.0f;
  Tensor<int64_t> theta = compactTheta(scores3x5(), &mask, cfg);
  EXPECT_EQ(theta.data, (I64s{8, 24, 15, 23, 27, -1}));
}

TEST(BlockImportance, ZeroBlockIsValidRemovedBlockIsNot) {
  // S_int all 0, mask [1,4] removes keys 2 and 3: block 0 is valid with
  // θ = 0, block 1 is invalid (-1). Only block 0 can ever be kept.
  AttentionConfig cfg;
  cfg.policy = Policy::Dense;
  Tensor<int64_t> s({1, 1, 2, 4}, 0);
  Tensor<float> mask = make<float>({1, 4}, {0.0f, 0.0f, -kInf, -kInf});
  Tensor<int64_t> theta = compactTheta(s, &mask, cfg);
  EXPECT_EQ(theta.data, (I64s{0, -1}));
  EXPECT_EQ(blockMask(fromCompact(theta), cfg).data, (Bytes{1, 0}));
  HeadResult heads = headsOf(theta, cfg);
  EXPECT_EQ(heads.thetaH.data, (I64s{0}));
}

TEST(BlockImportance, CausalMaskRank2BroadcastsOverBatchAndHeads) {
  // B=2, H=2, N=M=4, S_int[b,h,i,j] = s = 1 + b + 2h everywhere; causal mask
  // [4,4] removes j > i. Valid elements per 2x2 block:
  //   block (0,0): (0,0),(1,0),(1,1) -> 3s   block (0,1): none -> -1
  //   block (1,0): all four         -> 4s   block (1,1): (2,2),(3,2),(3,3) ->
  //   3s
  AttentionConfig cfg;
  Tensor<int64_t> s({2, 2, 4, 4});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t i = 0; i < 4; ++i)
        for (int64_t j = 0; j < 4; ++j)
          s.at(b, h, i, j) = 1 + b + 2 * h;
  Tensor<float> causal({4, 4}, 0.0f);
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = i + 1; j < 4; ++j)
      causal.at(i, j) = -kInf;
  Tensor<int64_t> theta = compactTheta(s, &causal, cfg);
  EXPECT_EQ(theta.shape, (I64s{2, 2, 2, 2}));
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 2; ++h) {
      int64_t v = 1 + b + 2 * h;
      EXPECT_EQ(theta.at(b, h, 0, 0), 3 * v);
      EXPECT_EQ(theta.at(b, h, 0, 1), -1);
      EXPECT_EQ(theta.at(b, h, 1, 0), 4 * v);
      EXPECT_EQ(theta.at(b, h, 1, 1), 3 * v);
    }
}

TEST(BlockImportance, Rank4PaddingMaskPerBatchItem) {
  // B=2, H=2, N=2, M=3, mask [2,1,1,3]: batch 0 pads nothing, batch 1 removes
  // keys 1 (-10000) and 2 (-inf). S_int[b,h,i,j] = ±(j+1)(h+1), + for i=0.
  //   b0 h0: θ = |1|+|2|+|-1|+|-2| = 6,  |3|+|-3| = 6
  //   b0 h1: 12, 12
  //   b1 h0: only key 0 left: 1+1 = 2;  block of key 2 is invalid: -1
  //   b1 h1: 4, -1
  AttentionConfig cfg;
  Tensor<int64_t> s({2, 2, 2, 3});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
          s.at(b, h, i, j) = (j + 1) * (h + 1) * (i == 0 ? 1 : -1);
  Tensor<float> mask =
      make<float>({2, 1, 1, 3}, {0, 0, 0, 0, -10000.0f, -kInf});
  Tensor<int64_t> theta = compactTheta(s, &mask, cfg);
  EXPECT_EQ(theta.shape, (I64s{2, 2, 1, 2}));
  EXPECT_EQ(theta.data, (I64s{6, 6, 12, 12, 2, -1, 4, -1}));
}

//===----------------------------------------------------------------------===//
// maskAt / checkMaskBroadcast
//===----------------------------------------------------------------------===//

TEST(MaskBroadcast, MaskAtAlignsTrailingDims) {
  EXPECT_EQ(maskAt(nullptr, 1, 2, 3, 4), 0.0f);
  Tensor<float> scalar = make<float>({}, {5.0f});
  EXPECT_EQ(maskAt(&scalar, 1, 1, 1, 2), 5.0f);
  // Rank 1 is indexed by the key j.
  Tensor<float> keys = make<float>({3}, {1.0f, 2.0f, 3.0f});
  EXPECT_EQ(maskAt(&keys, 1, 1, 1, 2), 3.0f);
  EXPECT_EQ(maskAt(&keys, 0, 0, 0, 1), 2.0f);
  // Rank 2 [N,1] is indexed by the query i and broadcast over j.
  Tensor<float> rows = make<float>({2, 1}, {7.0f, 8.0f});
  EXPECT_EQ(maskAt(&rows, 0, 0, 1, 2), 8.0f);
  EXPECT_EQ(maskAt(&rows, 1, 1, 0, 1), 7.0f);
  // Rank 4 [B,1,1,M] = [2,1,1,3] holding 0..5: index b·3 + j.
  Tensor<float> pad = make<float>({2, 1, 1, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(maskAt(&pad, 1, 1, 0, 2), 5.0f);
  EXPECT_EQ(maskAt(&pad, 0, 1, 1, 1), 1.0f);
  EXPECT_EQ(maskAt(&pad, 1, 0, 1, 0), 3.0f);
  // Full rank 4 [1,2,2,2]: index h·4 + i·2 + j.
  Tensor<float> full = make<float>({1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(maskAt(&full, 0, 1, 1, 0), 6.0f);
}

TEST(MaskBroadcast, CheckAcceptsBroadcastableShapes) {
  // Target [B=2,H=4,N=3,M=5].
  for (const I64s &shape :
       {I64s{}, I64s{5}, I64s{1}, I64s{3, 5}, I64s{3, 1}, I64s{1, 5},
        I64s{2, 1, 1, 5}, I64s{2, 4, 3, 5}, I64s{4, 3, 5}, I64s{1, 1, 1, 1}})
    EXPECT_EQ(checkMaskBroadcast(shape, 2, 4, 3, 5), "")
        << "shape of rank " << shape.size();
}

TEST(MaskBroadcast, CheckRejectsWithOperandAndExpectedShape) {
  std::string msg = checkMaskBroadcast({3, 4}, 2, 4, 3, 5);
  EXPECT_NE(msg.find("mask has shape [3,4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[B=2,H=4,N=3,M=5]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("M=5"), std::string::npos) << msg;
  // A mismatch in the batch dim of a rank-4 mask.
  msg = checkMaskBroadcast({3, 1, 1, 5}, 2, 4, 3, 5);
  EXPECT_NE(msg.find("B=2"), std::string::npos) << msg;
  EXPECT_NE(checkMaskBroadcast({1, 2, 4, 3, 5}, 2, 4, 3, 5).find("rank 5"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// blockMask
//===----------------------------------------------------------------------===//

/// Block mask of a single block row with θ values `row`.
Bytes maskRow(const I64s &row, const AttentionConfig &cfg) {
  return blockMask(fromCompact(make<int64_t>(
                       {1, 1, 1, static_cast<int64_t>(row.size())}, row)),
                   cfg)
      .data;
}

AttentionConfig withRho(double rho) {
  AttentionConfig cfg;
  cfg.rho = rho;
  return cfg;
}

TEST(BlockMask, RhoMinusOneKeepsEveryValidBlock) {
  // r = -65536: RHS = 65536·S - 65536·(S - nb·mn) = 65536·nb·mn, and every
  // θ >= mn. Valid θ {0,5,9}: nb=3, mn=0 -> RHS 0; invalid -1 never kept.
  EXPECT_EQ(maskRow({0, 5, -1, 9}, withRho(-1.0)), (Bytes{1, 1, 0, 1}));
  EXPECT_EQ(maskRow({7, 7, 1, 100}, withRho(-1.0)), (Bytes{1, 1, 1, 1}));
}

TEST(BlockMask, RhoOneKeepsOnlyRowMaxima) {
  // r = 65536: RHS = 65536·nb·mx. {3,9,9,1}: both 9s tie at the max and are
  // kept: 65536·4·9 >= 65536·4·9; 3 and 1 are not.
  EXPECT_EQ(maskRow({3, 9, 9, 1}, withRho(1.0)), (Bytes{0, 1, 1, 0}));
  EXPECT_EQ(maskRow({-1, 2, -1}, withRho(1.0)), (Bytes{0, 1, 0}));
}

TEST(BlockMask, RhoZeroKeepsBlocksAtOrAboveMean) {
  // {2,4,6,8}: S=20, nb=4 -> keep 4θ >= 20, i.e. θ >= 5.
  EXPECT_EQ(maskRow({2, 4, 6, 8}, withRho(0.0)), (Bytes{0, 0, 1, 1}));
  // {2,4,6}: mean 4 exactly; 3·4 >= 12 keeps the tie.
  EXPECT_EQ(maskRow({2, 4, 6}, withRho(0.0)), (Bytes{0, 1, 1}));
  // Invalid blocks do not enter the mean: {-1,2,-1,4} -> mean 3.
  EXPECT_EQ(maskRow({-1, 2, -1, 4}, withRho(0.0)), (Bytes{0, 0, 0, 1}));
}

TEST(BlockMask, PositiveRhoBoundaryIsExact) {
  // {0,2,6,8}: nb=4, S=16, mx=8, Θ = 4 + 0.5·(8-4) = 6.
  // ρ = 0.5: r = 32768, RHS = 65536·16 + 32768·(32-16) = 1572864;
  //   θ=6: 65536·4·6 = 1572864 >= RHS -> kept;  θ=2: 524288 -> pruned.
  EXPECT_EQ(maskRow({0, 2, 6, 8}, withRho(0.5)), (Bytes{0, 0, 1, 1}));
  // ρ = 0.5001: r = round(32774.55) = 32775, RHS = 1048576 + 32775·16 =
  //   1572976 > 1572864 -> θ=6 pruned.
  EXPECT_EQ(maskRow({0, 2, 6, 8}, withRho(0.5001)), (Bytes{0, 0, 0, 1}));
}

TEST(BlockMask, NegativeRhoUsesTheMinimum) {
  // {0,2,6,8}: mean 4, mn 0; ρ = -0.5: Θ = 4 - 0.5·(4-0) = 2.
  // r = -32768: RHS = 1048576 - 32768·(16-0) = 524288; θ=2: 65536·4·2 =
  //   524288 >= RHS -> kept;  θ=0 -> pruned.
  EXPECT_EQ(maskRow({0, 2, 6, 8}, withRho(-0.5)), (Bytes{0, 1, 1, 1}));
  // ρ = -0.4999: r = round(-32761.45) = -32761, RHS = 1048576 - 32761·16 =
  //   524400 > 524288 -> θ=2 pruned.
  EXPECT_EQ(maskRow({0, 2, 6, 8}, withRho(-0.4999)), (Bytes{0, 0, 1, 1}));
}

TEST(BlockMask, RhoRoundsHalfToEvenInQ16) {
  // {2,4,6}: nb=3, S=12, mx=6; θ=4 is kept iff 786432 >= 786432 + r·6,
  // i.e. iff r <= 0.
  // ρ = 2^-17: ρ·65536 = 0.5 -> r = 0 (half to even) -> kept.
  EXPECT_EQ(maskRow({2, 4, 6}, withRho(std::ldexp(1.0, -17))),
            (Bytes{0, 1, 1}));
  // ρ = 3·2^-17: 1.5 -> r = 2 -> pruned.  ρ = 2^-16: r = 1 -> pruned.
  EXPECT_EQ(maskRow({2, 4, 6}, withRho(3 * std::ldexp(1.0, -17))),
            (Bytes{0, 0, 1}));
  EXPECT_EQ(maskRow({2, 4, 6}, withRho(std::ldexp(1.0, -16))),
            (Bytes{0, 0, 1}));
}

TEST(BlockMask, RowsAndHeadsAreIndependent) {
  // [1,2,3,2] at ρ=0: each block row keeps its own above-mean blocks; the
  // all-invalid block row keeps nothing.
  //   h0: {1,3} -> keep 3;  {10,2} -> keep 10;  {-1,-1} -> nothing
  //   h1: {5,5} -> both;    {0,1} -> keep 1;    {4,-1} -> keep 4
  Tensor<int64_t> theta =
      make<int64_t>({1, 2, 3, 2}, {1, 3, 10, 2, -1, -1, 5, 5, 0, 1, 4, -1});
  EXPECT_EQ(blockMask(fromCompact(theta), withRho(0.0)).data,
            (Bytes{0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0}));
}

TEST(BlockMask, TopKTiesPreferLowerColumn) {
  AttentionConfig cfg;
  cfg.policy = Policy::TopK;
  cfg.rho = 1.0; // ignored by topk
  cfg.topk = 1;
  EXPECT_EQ(maskRow({5, 7, 7, 3}, cfg), (Bytes{0, 1, 0, 0}));
  cfg.topk = 2;
  EXPECT_EQ(maskRow({5, 7, 7, 3}, cfg), (Bytes{0, 1, 1, 0}));
  EXPECT_EQ(maskRow({4, 4, 4, 4}, cfg), (Bytes{1, 1, 0, 0}));
  EXPECT_EQ(maskRow({1, 4, 0, 4, 4}, cfg), (Bytes{0, 1, 0, 1, 0}));
  cfg.topk = 3;
  EXPECT_EQ(maskRow({5, 7, 7, 3}, cfg), (Bytes{1, 1, 1, 0}));
}

TEST(BlockMask, TopKWithFewerValidBlocksKeepsAllValid) {
  AttentionConfig cfg;
  cfg.policy = Policy::TopK;
  cfg.topk = 3;
  EXPECT_EQ(maskRow({-1, 2, -1, 0}, cfg), (Bytes{0, 1, 0, 1}));
  EXPECT_EQ(maskRow({-1, -1}, cfg), (Bytes{0, 0}));
}

TEST(BlockMask, DenseKeepsEveryValidBlock) {
  AttentionConfig cfg;
  cfg.policy = Policy::Dense;
  cfg.rho = 1.0; // ignored by dense
  EXPECT_EQ(maskRow({-1, 0, 5, -1, 1}, cfg), (Bytes{0, 1, 1, 0, 1}));
}

TEST(BlockMask, ThresholdIsExactBeyond64Bits) {
  // {2^45, 3·2^45, 5·2^45, 7·2^45} at ρ=0: mean 4·2^45 -> keep the last two.
  // 65536·nb·θ = 2^18·7·2^45 = 7·2^63 overflows int64 (wrapping, nothing at
  // all would be kept, not even the maximum).
  const int64_t a = int64_t(1) << 45;
  EXPECT_EQ(maskRow({a, 3 * a, 5 * a, 7 * a}, withRho(0.0)),
            (Bytes{0, 0, 1, 1}));
  // Differences of a few units on top of 2^44: mean 2^44 + 3.
  const int64_t b = int64_t(1) << 44;
  EXPECT_EQ(maskRow({b + 5, b, b + 3, b + 4}, withRho(0.0)),
            (Bytes{1, 0, 1, 1}));
  // ρ = ±1 on 2^50-sized θ: RHS = 65536·3·7·2^50 (~2^69.4).
  const int64_t c = int64_t(1) << 50;
  EXPECT_EQ(maskRow({7 * c, 7 * c, c}, withRho(1.0)), (Bytes{1, 1, 0}));
  EXPECT_EQ(maskRow({7 * c, 7 * c, c}, withRho(-1.0)), (Bytes{1, 1, 1}));
  // ρ = 0.5 on {7c, 7c - 1, c}: S = 15c - 1, mx = 7c, Θ = (15c-1)/3 +
  // 0.5·(7c - (15c-1)/3) = 6c - 1/6: 7c - 1 is kept, c is not.
  EXPECT_EQ(maskRow({7 * c, 7 * c - 1, c}, withRho(0.5)), (Bytes{1, 1, 0}));
}

//===----------------------------------------------------------------------===//
// headMask
//===----------------------------------------------------------------------===//

// θ [1,3,1,2]: head 0 {3,1}, head 1 {2,-1}, head 2 {6,6}.
// θ_H = 4, 2 (the -1 is not summed), 12; Σ = 18.
// Relative importance H·θ_H/Σ: 12/18 = 2/3, 6/18 = 1/3, 36/18 = 2.
Tensor<int64_t> threeHeads() {
  return make<int64_t>({1, 3, 1, 2}, {3, 1, 2, -1, 6, 6});
}

AttentionConfig withTau(double tau) {
  AttentionConfig cfg;
  cfg.tauH = tau;
  return cfg;
}

TEST(HeadMask, ThetaHSumsValidBlocks) {
  HeadResult r = headsOf(threeHeads(), withTau(0.0));
  EXPECT_EQ(r.thetaH.shape, (I64s{1, 3}));
  EXPECT_EQ(r.thetaH.data, (I64s{4, 2, 12}));
  EXPECT_EQ(r.headMask.data, (Bytes{1, 1, 1}));
}

TEST(HeadMask, ThresholdJustBelowAndAboveRelativeImportance) {
  // Head 1 is kept iff 3·65536·2 = 393216 >= t·18, i.e. t <= 21845.33.
  //   τ = 21845/65536 (0.333328): 21845·18 = 393210 -> kept.
  //   τ = 21846/65536 (0.333344): 21846·18 = 393228 -> pruned.
  EXPECT_EQ(headsOf(threeHeads(), withTau(21845.0 / 65536)).headMask.data,
            (Bytes{1, 1, 1}));
  EXPECT_EQ(headsOf(threeHeads(), withTau(21846.0 / 65536)).headMask.data,
            (Bytes{1, 0, 1}));
  // Head 0 is kept iff 3·65536·4 = 786432 >= t·18, i.e. t <= 43690.67.
  EXPECT_EQ(headsOf(threeHeads(), withTau(43690.0 / 65536)).headMask.data,
            (Bytes{1, 0, 1}));
  EXPECT_EQ(headsOf(threeHeads(), withTau(43691.0 / 65536)).headMask.data,
            (Bytes{0, 0, 1}));
  // τ·65536 = 43690.5 rounds half to even to 43690 -> head 0 still kept.
  EXPECT_EQ(headsOf(threeHeads(), withTau(43690.5 / 65536)).headMask.data,
            (Bytes{1, 0, 1}));
  // Head 2: relative importance exactly 2 -> kept at τ=2 (equality), pruned
  // one Q16 step above.
  EXPECT_EQ(headsOf(threeHeads(), withTau(2.0)).headMask.data,
            (Bytes{0, 0, 1}));
  EXPECT_EQ(headsOf(threeHeads(), withTau(2.0 + 1.0 / 65536)).headMask.data,
            (Bytes{0, 0, 0}));
}

TEST(HeadMask, SumsArePerBatchItem) {
  // B=2, H=2, θ_H: batch 0 {3,1}, batch 1 {1,1}. τ = 0.6:
  //   batch 0: head 1 has 2·1/4 = 0.5 < 0.6 -> pruned; head 0 1.5 -> kept.
  //   batch 1: both 2·1/2 = 1 -> kept (a global sum would give 2/6 < 0.6).
  Tensor<int64_t> theta = make<int64_t>({2, 2, 1, 1}, {3, 1, 1, 1});
  EXPECT_EQ(headsOf(theta, withTau(0.6)).headMask.data, (Bytes{1, 0, 1, 1}));
}

TEST(HeadMask, AllZeroImportanceKeepsEveryHead) {
  // θ_H = 0 for both heads (one zero block, one invalid block): H·65536·0 >=
  // t·0 holds for every t.
  Tensor<int64_t> theta = make<int64_t>({1, 2, 1, 1}, {0, -1});
  HeadResult r = headsOf(theta, withTau(1.5));
  EXPECT_EQ(r.thetaH.data, (I64s{0, 0}));
  EXPECT_EQ(r.headMask.data, (Bytes{1, 1}));
}

TEST(HeadMask, ThresholdIsExactBeyond64Bits) {
  // θ_H = {7·2^50, 2^50}, Σ = 2^53, H = 2.
  // τ = 0.25 (t = 16384): head 1: 2·65536·2^50 = 2^67 >= 2^14·2^53 = 2^67.
  // τ = 16385/65536: head 1: 2^67 < 2^67 + 2^53 -> pruned; head 0: 7·2^67 >=
  // 2^67 + 2^53 -> kept (in wrapping int64 both sides are ~0 and 2^53).
  const int64_t c = int64_t(1) << 50;
  Tensor<int64_t> theta = make<int64_t>({1, 2, 1, 1}, {7 * c, c});
  EXPECT_EQ(headsOf(theta, withTau(0.25)).headMask.data, (Bytes{1, 1}));
  EXPECT_EQ(headsOf(theta, withTau(16385.0 / 65536)).headMask.data,
            (Bytes{1, 0}));
}

TEST(HeadMask, HugeTauPrunesEveryNonZeroHead) {
  // t is capped internally; the decision must still be "pruned".
  Tensor<int64_t> theta = make<int64_t>({1, 2, 1, 1}, {5, 5});
  EXPECT_EQ(headsOf(theta, withTau(1e30)).headMask.data, (Bytes{0, 0}));
}

} // namespace
