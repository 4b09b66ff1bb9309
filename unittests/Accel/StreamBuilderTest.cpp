//===- StreamBuilderTest.cpp - Tests of the tiling and the stream builder -===//
//
// Tiles fit the buffers; a buffer too small for even one block row is an
// error naming its configuration key; the dataflow (resident or streamed
// K/V, row groups, barriers, predicates) is what StreamBuilder.h promises.
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/StreamBuilder.h"

#include "gtest/gtest.h"

#include <map>
#include <set>

using namespace hdp::accel;
using namespace llvm;

namespace {

/// A shipped configuration with f32 V (the sizes below are for 4-byte V).
AccelConfig loadConfig(StringRef name) {
  Expected<AccelConfig> c =
      loadAccelConfig(std::string(HDP_SOURCE_DIR) + "/configs/" + name.str());
  EXPECT_TRUE(bool(c));
  c->vPrecision = c->pPrecision = c->outPrecision = Precision::F32;
  return *c;
}

TEST(StreamBuilder, PlansFitTheBuffers) {
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    AccelConfig accel = loadConfig(name);
    AccelSignature sig = AccelSignature::of(accel);
    for (uint32_t n : {1u, 7u, 64u, 512u, 2048u}) {
      auto shape = AttentionShape::fromDims(1, 12, n, n, 64, 64, true);
      hdp::ref::AttentionConfig config;
      AttentionParams params = AttentionParams::from(config, 64);
      Expected<TilePlan> plan = planTiles(shape, params, accel);
      ASSERT_TRUE(bool(plan)) << toString(plan.takeError());
      EXPECT_TRUE(plan->stripRows % params.blockRows == 0 ||
                  plan->stripRows == n);
      EXPECT_TRUE(plan->prepassStripRows % params.blockRows == 0 ||
                  plan->prepassStripRows == n);
      auto fits = [&](Buffer b, uint64_t rows) {
        uint64_t keys =
            b == Buffer::Score || b == Buffer::Mask ? plan->scoreCols : n;
        EXPECT_LE(slotBytesNeeded(b, rows, keys, shape, params),
                  slotCapacity(sig, b))
            << name << " N=" << n << " " << bufferName(b).str() << " " << rows
            << " rows";
      };
      // Phase B strips; the prepass's hold θ and Int(Q) instead of the
      // output and both Q planes.
      for (Buffer b : {Buffer::Q, Buffer::Score, Buffer::BlockMask, Buffer::Out,
                       Buffer::Mask})
        fits(b, plan->stripRows);
      for (Buffer b :
           {Buffer::Score, Buffer::Theta, Buffer::BlockMask, Buffer::Mask})
        fits(b, plan->prepassStripRows);
      EXPECT_LE(
          packedBytes(uint64_t(plan->prepassStripRows) * 64, params.intBits),
          slotCapacity(sig, Buffer::Q));
      EXPECT_LE(slotBytesNeeded(Buffer::K, 0, plan->kChunk, shape, params),
                slotCapacity(sig, Buffer::K));
      EXPECT_LE(slotBytesNeeded(Buffer::V, 0, plan->vChunk, shape, params),
                slotCapacity(sig, Buffer::V));
    }
  }
}

/// HDP's extra buffers (θ, block-mask bits) must not shorten its phase-B
/// strips below the dense engine's: K and V would be re-read for more
/// strips, and HDP would move more bytes than the baseline it is compared
/// with (at N = 2048 on HDP-Edge, θ once held its strips to 16 rows).
TEST(StreamBuilder, AttentionStripsAreTheDenseEngines) {
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    AccelConfig accel = loadConfig(name);
    for (uint32_t n : {512u, 1024u, 2048u, 4096u})
      for (bool mask : {false, true}) {
        auto shape = AttentionShape::fromDims(1, 12, n, n, 64, 64, mask);
        hdp::ref::AttentionConfig config;
        config.policy = hdp::ref::Policy::Dense;
        AttentionParams params = AttentionParams::from(config, 64);
        BuildOptions dense, hdp;
        dense.engine = Engine::Dense;
        hdp.engine = Engine::Hdp;
        Expected<TilePlan> d = planTiles(shape, params, accel, dense);
        Expected<TilePlan> h = planTiles(shape, params, accel, hdp);
        ASSERT_TRUE(d && h);
        EXPECT_EQ(h->stripRows, d->stripRows) << name << " N=" << n;
        EXPECT_EQ(h->scoreCols, d->scoreCols) << name << " N=" << n;
        EXPECT_GT(h->prepassStripRows, 0u);
      }
  }
}

TEST(StreamBuilder, TooSmallBufferNamesItsKey) {
  AccelConfig accel = loadConfig("hdp-edge.json");
  accel.scoreBufferBytes = 1024; // slot of 512 bytes < 2 rows x 512 x 4
  auto shape = AttentionShape::fromDims(1, 2, 512, 512, 64, 64, false);
  hdp::ref::AttentionConfig config;
  Expected<Program> p = buildProgram(shape, config, accel);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(toString(p.takeError()),
            "sram.score_buffer_bytes: too small for this attention: one block "
            "row (2 query rows, M=512 keys) needs 4096 bytes in one score "
            "slot, but a slot holds 512 bytes (half of 1024)");

  accel = loadConfig("hdp-edge.json");
  accel.vBufferBytes = 64; // one block column of V: 2 x 64 x 4 = 512 bytes
  Expected<Program> v = buildProgram(shape, config, accel);
  ASSERT_FALSE(bool(v));
  EXPECT_EQ(toString(v.takeError()),
            "sram.v_buffer_bytes: too small for this attention: one block "
            "column (2 keys) needs 512 bytes in one v slot, but a slot holds "
            "32 bytes (half of 64)");
}

TEST(StreamBuilder, StripRowsOption) {
  AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = AttentionShape::fromDims(1, 2, 64, 64, 16, 16, false);
  hdp::ref::AttentionConfig config;
  BuildOptions options;
  options.stripRows = 5;
  Expected<Program> bad = buildProgram(shape, config, accel, options);
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(toString(bad.takeError()),
            "strip rows 5 must be a multiple of the block height bm=2");
  options.stripRows = 8;
  Expected<Program> good = buildProgram(shape, config, accel, options);
  ASSERT_TRUE(bool(good)) << toString(good.takeError());
  for (const Command &c : good->commands)
    if (c.opcode == Opcode::PeInt)
      EXPECT_EQ(c.rows, 8u);
}

/// Structural facts of built programs: valid, one barrier per batch item
/// on every core, phase B predicated, FUM on every K/V fetch of phase B,
/// every score tile covered exactly once per phase.
TEST(StreamBuilder, DataflowInvariants) {
  struct Case {
    const char *config;
    AttentionShape shape;
  };
  const Case cases[] = {
      {"hdp-edge.json", AttentionShape::fromDims(2, 3, 70, 600, 32, 16, true)},
      {"hdp-edge.json",
       AttentionShape::fromDims(1, 12, 512, 512, 64, 64, false)},
      {"hdp-server.json",
       AttentionShape::fromDims(1, 12, 512, 512, 64, 64, true)},
      {"hdp-server.json", AttentionShape::fromDims(3, 1, 9, 5, 4, 4, false)},
  };
  unsigned fusedCases = 0;
  for (const Case &c : cases)
    for (bool fuse : {false, true}) {
      AccelConfig accel = loadConfig(c.config);
      hdp::ref::AttentionConfig config;
      config.blockRows = 3;
      BuildOptions options;
      options.fusePhases = fuse;
      Expected<TilePlan> plan = planTiles(
          c.shape, AttentionParams::from(config, c.shape.D), accel, options);
      ASSERT_TRUE(bool(plan)) << toString(plan.takeError());
      // Fused (τ_H = 0, whole rows, K in a slot): nothing waits for the head
      // decision, which comes last; the fraction planes and V use FUM.
      const bool fused = plan->fused;
      if (!fuse)
        EXPECT_FALSE(fused);
      fusedCases += fused;
      Expected<Program> p = buildProgram(c.shape, config, accel, options);
      ASSERT_TRUE(bool(p)) << toString(p.takeError());
      EXPECT_FALSE(checkProgram(*p).has_value());
      std::map<uint32_t, std::vector<uint16_t>> barriers;
      std::map<std::tuple<int, int, int, uint32_t>, uint64_t> intCover,
          fracCover;
      std::set<uint32_t> endH;
      for (const Command &cmd : p->commands) {
        bool phaseB =
            cmd.opcode == Opcode::PeFrac || cmd.opcode == Opcode::PePv ||
            cmd.opcode == Opcode::Softmax ||
            (cmd.opcode == Opcode::DmaStore && cmd.tensor == Tensor::Out);
        if (phaseB)
          EXPECT_EQ(cmd.has(FlagHeadPred), !fused) << formatCommand(cmd);
        if (cmd.opcode == Opcode::DmaLoad &&
            (fused ? cmd.tensor == Tensor::KFrac || cmd.tensor == Tensor::V
                   : cmd.has(FlagHeadPred) && (cmd.tensor == Tensor::KInt ||
                                               cmd.tensor == Tensor::KFrac ||
                                               cmd.tensor == Tensor::V)))
          EXPECT_TRUE(cmd.has(FlagFum)) << formatCommand(cmd);
        if (cmd.opcode == Opcode::PeFrac)
          EXPECT_EQ(cmd.has(FlagFromInt), fused) << formatCommand(cmd);
        // Fused: after the first barrier only the head decisions.
        if (fused && !barriers.empty())
          EXPECT_TRUE(cmd.opcode == Opcode::Barrier ||
                      cmd.opcode == Opcode::SeEndH ||
                      (cmd.opcode == Opcode::DmaStore &&
                       cmd.tensor == Tensor::HeadTable))
              << formatCommand(cmd);
        if (cmd.opcode == Opcode::Barrier)
          barriers[cmd.core].push_back(cmd.aux);
        if (cmd.opcode == Opcode::SeEndH) {
          EXPECT_EQ(barriers[cmd.core].size(), size_t(cmd.batch) + 1);
          endH.insert(cmd.batch);
        }
        if (cmd.opcode == Opcode::PeInt)
          for (uint32_t i = cmd.row0; i < cmd.row0 + cmd.rows; ++i)
            intCover[{cmd.batch, cmd.head, 0, i}] += cmd.cols;
        if (cmd.opcode == Opcode::PeFrac)
          for (uint32_t i = cmd.row0; i < cmd.row0 + cmd.rows; ++i)
            fracCover[{cmd.batch, cmd.head, 0, i}] += cmd.cols;
      }
      EXPECT_EQ(barriers.size(), size_t(accel.cores));
      for (auto &[core, ids] : barriers)
        EXPECT_EQ(ids.size(), size_t(c.shape.B));
      EXPECT_EQ(endH.size(), size_t(c.shape.B));
      // Every (b, h, row) sees every key exactly once in each phase.
      EXPECT_EQ(intCover.size(), size_t(c.shape.B) * c.shape.H * c.shape.N);
      for (auto &[key, cols] : intCover)
        EXPECT_EQ(cols, c.shape.M);
      EXPECT_EQ(fracCover, intCover);
    }
  EXPECT_GE(fusedCases, 2u);
}

TEST(StreamBuilder, ResidentOrStreamedByBufferSize) {
  AccelConfig accel = loadConfig("hdp-server.json");
  auto shape = AttentionShape::fromDims(1, 12, 512, 512, 64, 64, false);
  hdp::ref::AttentionConfig config;
  AttentionParams params = AttentionParams::from(config, 64);
  // Fused (τ_H = 0): K and V resident, topped up strip by strip; no unit
  // mask.
  Expected<TilePlan> fused = planTiles(shape, params, accel);
  ASSERT_TRUE(bool(fused));
  EXPECT_TRUE(fused->fused && fused->kResident && fused->vResident);
  EXPECT_FALSE(fused->unitMask);
  // Phases apart (as with τ_H > 0).
  BuildOptions apart;
  apart.fusePhases = false;
  Expected<TilePlan> resident = planTiles(shape, params, accel, apart);
  ASSERT_TRUE(bool(resident));
  EXPECT_TRUE(resident->kResident && resident->vResident);
  EXPECT_TRUE(resident->unitMask);
  EXPECT_EQ(resident->kChunk, 512u);
  // 16 cores, 12 heads: 4 row groups per head keep every core busy.
  EXPECT_EQ(resident->rowGroups, 4u);
  accel.vBufferBytes = 65536; // 32 KiB slots: 128 keys of V
  Expected<TilePlan> streamed = planTiles(shape, params, accel, apart);
  ASSERT_TRUE(bool(streamed));
  // K still fits: it stays resident while V streams.
  EXPECT_TRUE(streamed->kResident && streamed->kResidentA);
  EXPECT_FALSE(streamed->vResident);
  EXPECT_EQ(streamed->vChunk, 128u);
  accel.blockMaskBufferBytes = 64; // the unit's mask no longer fits a slot
  Expected<TilePlan> strips = planTiles(shape, params, accel, apart);
  ASSERT_TRUE(bool(strips));
  EXPECT_FALSE(strips->unitMask || strips->kResident || strips->vResident);
  EXPECT_TRUE(strips->kResidentA);
}

TEST(StreamBuilder, RejectsBadInputs) {
  AccelConfig accel = loadConfig("hdp-edge.json");
  hdp::ref::AttentionConfig config;
  config.rho = 3;
  Expected<Program> p = buildProgram(
      AttentionShape::fromDims(1, 1, 4, 4, 4, 4, false), config, accel);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(toString(p.takeError()),
            "invalid attention configuration: rho must be in [-1, 1] (got 3)");
  config.rho = 0;
  Expected<Program> q = buildProgram(
      AttentionShape::fromDims(1, 70000, 4, 4, 4, 4, false), config, accel);
  ASSERT_FALSE(bool(q));
  EXPECT_EQ(toString(q.takeError()),
            "shape: B and H must be at most 65535 (got B=1, H=70000)");
}

} // namespace
