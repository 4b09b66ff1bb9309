//===- SramTrafficTest.cpp - SRAM bytes follow the widths of the data -----===//
//
// The energy model charges SRAM per byte, so every buffer access must move
// the data at the width it has in the buffer (docs/accelerator.md, "Timing
// model" and "Statistics"):
//   * the prepass reads Int(Q) and Int(K) tiles in I bits, S_int in the
//     width pe.int wrote it (16 bits where it fits), θ in its accumulator
//     width;
//   * each fraction pass reads its A and B tiles in their planes' widths
//     (I bits for an integer part, F bits for a fraction);
//   * the probabilities the softmax unit stores for P·V are precision.p
//     wide, in the softmax's writes and in the array's reads.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

using namespace hdp;
using namespace hdp::simtest;

namespace {

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

accel::Program build(const accel::AttentionShape &shape,
                     const ref::AttentionConfig &config,
                     const accel::AccelConfig &accel,
                     const accel::BuildOptions &options = {}) {
  llvm::Expected<accel::Program> program =
      accel::buildProgram(shape, config, accel, options);
  EXPECT_TRUE(bool(program))
      << (program ? "" : llvm::toString(program.takeError()));
  return program ? std::move(*program) : accel::Program{};
}

sim::SimResult run(const accel::Program &program,
                   const accel::AccelConfig &accel, const sim::Inputs &in) {
  llvm::Expected<sim::SimResult> result = sim::simulate(program, accel, in);
  EXPECT_TRUE(bool(result))
      << (result ? "" : llvm::toString(result.takeError()));
  return result ? std::move(*result) : sim::SimResult{};
}

const sim::PhaseStats &phase(const sim::SimResult &r, sim::Phase p) {
  return r.stats.phases[static_cast<unsigned>(p)];
}

// The prepass's reads, counted from its commands: pe.int's A and B tiles of
// I-bit integer parts (an A tile per row tile and depth tile, a B tile per
// pair), se.acc's S_int at its 16-bit width, se.end_r's θ accumulators,
// the block masks leaving for DRAM.
TEST(SimSramTraffic, PrepassReadsIntegerPartsSIntAndThetaAtTheirWidths) {
  auto shape = accel::AttentionShape::fromDims(1, 2, 96, 80, 64, 64, false);
  sim::Inputs in = structuredInputs(shape, 3);
  ref::AttentionConfig config;
  config.rho = 0.3;
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig a = loadConfig(name);
    accel::Program program = build(shape, config, a);
    sim::SimResult r = run(program, a, in);
    ASSERT_FALSE(HasFailure()) << name;
    const accel::AttentionParams &p = program.attention;
    const uint64_t sIntBytes = accel::sIntBytes(shape, p);
    const uint64_t thetaBytes = accel::thetaBytes(shape, p);
    // I = 4, D = 64: |S_int| <= 4096 and |θ| <= 16384, 16 bits each, so an
    // S_int read as 32 bits would show.
    ASSERT_EQ(sIntBytes, 2u);
    ASSERT_EQ(thetaBytes, 2u);
    const uint64_t blockCols = ceilDiv(shape.M, p.blockCols);
    uint64_t expected = 0, seAccs = 0;
    for (const accel::Command &c : program.commands) {
      switch (c.opcode) {
      case accel::Opcode::PeInt: {
        uint64_t rowTiles = ceilDiv(c.rows, a.tileRows);
        uint64_t kTiles = ceilDiv(shape.D, a.tileK);
        uint64_t colTiles = ceilDiv(c.cols, a.tileCols);
        expected +=
            rowTiles * kTiles *
            (accel::packedBytes(a.tileRows * a.tileK, p.intBits) +
             colTiles * accel::packedBytes(a.tileK * a.tileCols, p.intBits));
        break;
      }
      case accel::Opcode::SeAcc:
        ++seAccs;
        expected += uint64_t(c.rows) * c.cols * sIntBytes;
        break;
      case accel::Opcode::SeEndR:
        expected += ceilDiv(c.rows, p.blockRows) * blockCols * thetaBytes;
        break;
      case accel::Opcode::DmaStore: // the block mask, one bit a block
        if (c.tensor == accel::Tensor::BlockMask && !c.has(accel::FlagHeadPred))
          expected += accel::packedBytes(
              (ceilDiv(c.row0 + c.rows, p.blockRows) - c.row0 / p.blockRows) *
                  blockCols,
              1);
        break;
      default:
        break;
      }
    }
    ASSERT_GT(seAccs, 0u) << name;
    EXPECT_EQ(phase(r, sim::Phase::Prepass).sramBytesRead, expected) << name;
  }
}

// The dense engine runs the four passes of the full product (Int·Int,
// Frac·Int, Int·Frac, Frac·Frac) over every key. Widening F from 4 to 8
// bits widens the fraction operand of three of them: per depth tile, two A
// tiles and, per pair, two B tiles gain 4 bits an element. Nothing else the
// attention phase reads depends on F.
TEST(SimSramTraffic, FractionPassesReadEachPlaneAtItsWidth) {
  auto shape = accel::AttentionShape::fromDims(1, 2, 64, 64, 64, 64, false);
  sim::Inputs in = structuredInputs(shape, 5);
  accel::AccelConfig a = loadConfig("hdp-edge.json");
  ref::AttentionConfig narrow;
  narrow.policy = ref::Policy::Dense;
  narrow.approx = false;
  ref::AttentionConfig wide = narrow;
  wide.fracBits = 8;
  accel::Program narrowProgram = build(shape, narrow, a);
  accel::Program wideProgram = build(shape, wide, a);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(narrowProgram.commands.size(), wideProgram.commands.size());
  sim::SimResult n = run(narrowProgram, a, in);
  sim::SimResult w = run(wideProgram, a, in);
  ASSERT_FALSE(HasFailure());
  uint64_t aTiles = 0, pairs = 0; // per pass
  for (const accel::Command &c : narrowProgram.commands)
    if (c.opcode == accel::Opcode::PeFrac) {
      uint64_t rowTiles = ceilDiv(c.rows, a.tileRows);
      uint64_t kTiles = ceilDiv(shape.D, a.tileK);
      aTiles += rowTiles * kTiles;
      pairs += rowTiles * kTiles * ceilDiv(c.cols, a.tileCols);
    }
  ASSERT_GT(pairs, 0u);
  const uint64_t aGain = 2 * accel::packedBytes(a.tileRows * a.tileK, 4);
  const uint64_t bGain = 2 * accel::packedBytes(a.tileK * a.tileCols, 4);
  EXPECT_EQ(phase(w, sim::Phase::Attention).sramBytesRead -
                phase(n, sim::Phase::Attention).sramBytesRead,
            aTiles * aGain + pairs * bGain);
}

// Scores are f32; the probabilities that replace them are stored in
// precision.p. The dense engine without a mask computes every score and
// multiplies every probability once: the softmax writes B·H·N·M of them and
// P·V reads as many, 2 bytes each in bf16 and fp16 instead of 4. Nothing
// else moves.
TEST(SimSramTraffic, ProbabilitiesAreStoredInPrecisionP) {
  auto shape = accel::AttentionShape::fromDims(1, 2, 64, 48, 64, 64, false);
  sim::Inputs in = structuredInputs(shape, 7);
  ref::AttentionConfig config;
  config.policy = ref::Policy::Dense;
  config.approx = false;
  const uint64_t probabilities =
      uint64_t(shape.B) * shape.H * shape.N * shape.M;
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig f32 = loadConfig(name);
    accel::Program program = build(shape, config, f32);
    sim::SimResult full = run(program, f32, in);
    ASSERT_FALSE(HasFailure()) << name;
    ASSERT_EQ(full.stats.softmaxElements, probabilities) << name;
    for (accel::Precision p :
         {accel::Precision::BF16, accel::Precision::FP16}) {
      accel::AccelConfig half = f32;
      half.pPrecision = p;
      accel::Program halfProgram = build(shape, config, half);
      ASSERT_EQ(halfProgram.commands.size(), program.commands.size()) << name;
      sim::SimResult r = run(halfProgram, half, in);
      ASSERT_FALSE(HasFailure()) << name;
      EXPECT_EQ(r.stats.totalCycles, full.stats.totalCycles) << name;
      EXPECT_EQ(r.stats.dramBytesRead, full.stats.dramBytesRead) << name;
      EXPECT_EQ(full.stats.sramBytesWritten - r.stats.sramBytesWritten,
                2 * probabilities)
          << name;
      EXPECT_EQ(full.stats.sramBytesRead - r.stats.sramBytesRead,
                2 * probabilities)
          << name;
    }
  }
}

} // namespace
