//===- RobustnessTest.cpp - The simulator refuses what does not fit -------===//
//
// Streams edited by hand (as through --assemble) that read data a slot does
// not hold, use a head decision before it exists, or overflow a slot; a
// program run on another accelerator; inputs of the wrong shape. Each is one
// error that says which command or operand and what was expected.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"
#include "hdp/Dialect/Accel/IR/ProgramText.h"
#include "hdp/Target/Hdpc/Hdpc.h"

#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"

#include <cmath>
#include <limits>
#include <random>

using namespace hdp;
using namespace hdp::simtest;
using namespace llvm;

namespace {

struct Fixture {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  accel::AttentionShape shape =
      accel::AttentionShape::fromDims(1, 2, 8, 12, 4, 4, false);
  sim::Inputs inputs = structuredInputs(shape, 1);
  accel::Program program;

  /// Phases apart by default: the tests below edit that stream.
  explicit Fixture(bool fused = false) {
    accel::BuildOptions options;
    options.fusePhases = fused;
    Expected<accel::Program> p =
        accel::buildProgram(shape, ref::AttentionConfig(), accel, options);
    EXPECT_TRUE(bool(p));
    program = *p;
  }
  size_t find(accel::Opcode op, size_t from = 0) const {
    for (size_t i = from; i < program.commands.size(); ++i)
      if (program.commands[i].opcode == op)
        return i;
    ADD_FAILURE() << "no such command";
    return 0;
  }
  std::string run() const {
    Expected<sim::SimResult> r = sim::simulate(program, accel, inputs);
    return r ? std::string() : toString(r.takeError());
  }
};

bool contains(const std::string &s, StringRef part) {
  return StringRef(s).contains(part);
}

TEST(SimRobustness, TheBuiltProgramRuns) {
  Fixture f;
  EXPECT_EQ(f.run(), "");
}

TEST(SimRobustness, ReadingTheWrongSlot) {
  Fixture f;
  size_t i = f.find(accel::Opcode::PeInt);
  f.program.commands[i].slots[0] = 1; // q slot 1 holds nothing yet
  std::string e = f.run();
  EXPECT_TRUE(contains(e, "command #" + std::to_string(i) + " (pe.int core=0 "))
      << e;
  EXPECT_TRUE(contains(e, "reads q slot 1, which holds nothing; expected "
                          "Int(Q) rows 0+8 of (b=0, h=0)"))
      << e;
}

TEST(SimRobustness, HeadPredicateBeforeEndH) {
  Fixture f;
  auto &cmds = f.program.commands;
  // Drop every se.end_h (keeping the barriers).
  cmds.erase(std::remove_if(cmds.begin(), cmds.end(),
                            [](const accel::Command &c) {
                              return c.opcode == accel::Opcode::SeEndH;
                            }),
             cmds.end());
  // Whichever core gets there first: the head-table store or a command
  // predicated on a head.
  std::string e = f.run();
  EXPECT_TRUE(contains(e, "before se.end_h decided its heads") ||
              contains(e, "but se.end_h has not decided the heads of batch "
                          "item 0 yet"))
      << e;
}

TEST(SimRobustness, MissingThetaAccumulation) {
  Fixture f;
  size_t i = f.find(accel::Opcode::SeAcc);
  f.program.commands[i].cols = 5; // θ then covers 5 of the 12 keys
  std::string e = f.run();
  EXPECT_TRUE(contains(e, "se.end_r")) << e;
  EXPECT_TRUE(contains(e, "θ covers only 5 of the M=12 keys (missing se.acc)"))
      << e;
}

TEST(SimRobustness, FetchUponMaskWithoutTheWholeMask) {
  Fixture f; // phases apart: phase B loads the block mask
  // Load only half of the block mask that the fetches are predicated on.
  for (accel::Command &c : f.program.commands)
    if (c.opcode == accel::Opcode::DmaLoad &&
        c.tensor == accel::Tensor::BlockMask) {
      c.rows = 4;
      break;
    }
  std::string e = f.run();
  EXPECT_TRUE(contains(e, "(dma.load core=0 tensor=k_int")) << e;
  EXPECT_TRUE(contains(e, "reads blockmask slot 1, which holds rows 0+4 of "
                          "(b=0, h=0); expected rows 0+8 of (b=0, h=0)"))
      << e;
}

TEST(SimRobustness, SlotOverflowIsRefusedUpFront) {
  Fixture f;
  auto big = accel::AttentionShape::fromDims(1, 1, 512, 512, 64, 64, false);
  Expected<accel::Program> p =
      accel::buildProgram(big, ref::AttentionConfig(), f.accel);
  ASSERT_TRUE(bool(p));
  for (accel::Command &c : p->commands)
    if (c.opcode == accel::Opcode::DmaLoad && c.tensor == accel::Tensor::QInt) {
      c.rows = 512; // a whole head of Int(Q) into an 8 KiB slot
      break;
    }
  Expected<sim::SimResult> r =
      sim::simulate(*p, f.accel, structuredInputs(big, 1));
  ASSERT_FALSE(bool(r));
  std::string e = toString(r.takeError());
  EXPECT_TRUE(contains(e, "needs 16384 bytes in a q slot, which holds 8192"))
      << e;
}

TEST(SimRobustness, ProgramForAnotherAccelerator) {
  Fixture f;
  accel::AccelConfig server = loadConfig("hdp-server.json");
  Error e = sim::checkCompatible(f.program, "p.hdpc", server, "server.json");
  ASSERT_TRUE(bool(e));
  EXPECT_EQ(toString(std::move(e)),
            "p.hdpc: compiled for accelerator 'hdp-edge', but server.json "
            "describes 'hdp-server' (cores: 4 in the program, 16 in the "
            "configuration); recompile the program for this configuration");
  accel::AccelConfig faster = f.accel;
  faster.dramBytesPerCycle *= 2;
  Error timing = sim::checkCompatible(f.program, "p.hdpc", faster, "f.json");
  ASSERT_TRUE(bool(timing));
  EXPECT_TRUE(contains(toString(std::move(timing)),
                       "timing or energy parameters differ"));
  EXPECT_FALSE(bool(sim::simulate(f.program, server, f.inputs)));
}

// The slowest co-processor the configuration ranges allow (docs/limits.md):
// every cycle count at its maximum, 1 MHz, 0.01 DRAM bytes per cycle and the
// largest energies. A run is long but its counts and energies stay finite
// and exact (before, a tiny bytes_per_cycle overflowed the float->integer
// conversion of a DMA's duration).
TEST(SimRobustness, SlowestAcceleratorStaysFinite) {
  Fixture f;
  accel::AccelConfig slow = f.accel;
  slow.clockMhz = 1;
  slow.dramBytesPerCycle = 0.01;
  slow.dramLatencyCycles = 1000000;
  slow.intPairCycles = slow.pvPairCycles = 1000000;
  slow.aTileLoadCycles = slow.pePipelineCycles = 1000000;
  slow.seThresholdCycles = slow.seHeadCycles = 1000000;
  slow.softmaxLatencyCycles = slow.softmaxReciprocalCycles = 1000000;
  slow.energyIntMacPj = slow.energyPvMacPj = slow.energySeOpPj = 1e6;
  slow.energySoftmaxPj = slow.energySramBytePj = slow.energyDramBytePj = 1e6;
  slow.staticPowerMw = 1e6;
  ASSERT_EQ(slow.validate(), "");
  Expected<accel::Program> p =
      accel::buildProgram(f.shape, ref::AttentionConfig(), slow);
  ASSERT_TRUE(bool(p)) << toString(p.takeError());
  Expected<sim::SimResult> r = sim::simulate(*p, slow, f.inputs);
  ASSERT_TRUE(bool(r)) << toString(r.takeError());
  EXPECT_GT(r->stats.totalCycles, uint64_t(1000000));
  EXPECT_LE(r->stats.totalCycles, sim::SimOptions::kMaxCycles);
  sim::Energy e = sim::computeEnergy(r->stats, slow);
  EXPECT_TRUE(std::isfinite(e.total())) << e.total();
  EXPECT_GT(e.leakage, 0.0);

  // The same run against a lower bound on its length: one error naming the
  // first command that ends too late, not a wrapped or undefined count.
  sim::SimOptions options;
  options.maxCycles = r->stats.totalCycles / 2;
  Expected<sim::SimResult> capped = sim::simulate(*p, slow, f.inputs, options);
  ASSERT_FALSE(bool(capped));
  std::string message = toString(capped.takeError());
  EXPECT_TRUE(contains(message, "the simulated run would take more than " +
                                    std::to_string(options.maxCycles) +
                                    " cycles ("))
      << message;
  EXPECT_TRUE(contains(message, " s at 1 MHz); the accelerator configuration "
                                "is too slow for this attention"))
      << message;
  EXPECT_EQ(message.rfind("command #", 0), 0u) << message;
}

TEST(SimRobustness, InputsThatDoNotFit) {
  Fixture f;
  unsigned which = 9;
  sim::Inputs bad = f.inputs;
  bad.k = ref::Tensor<float>({1, 2, 13, 4});
  Error e = sim::checkInputs(f.program, bad, which);
  ASSERT_TRUE(bool(e));
  EXPECT_EQ(which, 1u);
  EXPECT_EQ(toString(std::move(e)),
            "K has shape [1,2,13,4]; the program was compiled for "
            "[B=1,H=2,M=12,D=4]");
  sim::Inputs masked = f.inputs;
  masked.mask = ref::Tensor<float>({12}, 0.0f);
  Error m = sim::checkInputs(f.program, masked, which);
  ASSERT_TRUE(bool(m));
  EXPECT_EQ(which, 3u);
  EXPECT_TRUE(contains(toString(std::move(m)),
                       "compiled without a mask; expected 3 inputs"));
}

TEST(SimRobustness, BadMaskBroadcast) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = accel::AttentionShape::fromDims(1, 2, 8, 12, 4, 4, true);
  Expected<accel::Program> p =
      accel::buildProgram(shape, ref::AttentionConfig(), accel);
  ASSERT_TRUE(bool(p));
  sim::Inputs in = structuredInputs(shape, 1);
  in.mask = ref::Tensor<float>({8, 5}, 0.0f);
  unsigned which = 0;
  Error e = sim::checkInputs(*p, in, which);
  ASSERT_TRUE(bool(e));
  EXPECT_EQ(which, 3u);
  EXPECT_TRUE(contains(toString(std::move(e)), "mask has shape [8,5]"));
}

} // namespace

namespace {

/// Random damage behind a valid checksum: the reader either refuses the file
/// or accepts a program that the simulator runs or refuses, never crashing.
TEST(SimRobustness, RandomCorruptionNeverCrashes) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = accel::AttentionShape::fromDims(2, 2, 9, 7, 4, 3, true);
  ref::AttentionConfig config;
  config.tauH = 0.8;
  Expected<accel::Program> built = accel::buildProgram(shape, config, accel);
  ASSERT_TRUE(bool(built));
  sim::Inputs inputs = structuredInputs(shape, 2);
  inputs.mask = ref::Tensor<float>({shape.N, shape.M}, 0.0f);
  inputs.mask->data[5] = -std::numeric_limits<float>::infinity();
  const std::string clean = accel::writeProgram(*built);

  std::mt19937 rng(1234);
  size_t accepted = 0, ran = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = clean;
    int edits = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int e = 0; e < edits; ++e) {
      size_t at = std::uniform_int_distribution<size_t>(accel::kHeaderBytes,
                                                        bytes.size() - 1)(rng);
      // Small values are the interesting ones (slots, cores, flags).
      bytes[at] = static_cast<char>(
          std::uniform_int_distribution<int>(0, trial % 2 ? 3 : 255)(rng));
    }
    ArrayRef<uint8_t> all(reinterpret_cast<const uint8_t *>(bytes.data()),
                          bytes.size());
    uint32_t crc =
        llvm::crc32(llvm::crc32(all.take_front(16)), all.drop_front(20));
    llvm::support::endian::write32le(bytes.data() + 16, crc);
    Expected<accel::Program> p = accel::readProgram(bytes, "fuzz.hdpc");
    if (!p) {
      EXPECT_TRUE(
          StringRef(toString(p.takeError())).starts_with("fuzz.hdpc: byte "));
      continue;
    }
    ++accepted;
    Expected<sim::SimResult> r = sim::simulate(*p, accel, inputs);
    if (r)
      ++ran;
    else
      EXPECT_TRUE(StringRef(toString(r.takeError())).starts_with("command #"));
  }
  // Some damage must get through the reader (else the test tests nothing).
  EXPECT_GT(accepted, 50u);
  EXPECT_GT(ran, 0u);
}

} // namespace

namespace {

TEST(SimRobustness, DenseEngineOnlyForDenseWithoutHeadPruning) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = accel::AttentionShape::fromDims(1, 2, 8, 12, 4, 4, false);
  accel::BuildOptions options;
  options.engine = accel::Engine::Dense;
  ref::AttentionConfig config; // policy = hdp
  Expected<accel::Program> p =
      accel::buildProgram(shape, config, accel, options);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(toString(p.takeError()),
            "the dense engine computes no block or head masks: it needs "
            "policy = dense and tau_h = 0 (got policy = hdp, tau_h = "
            "0.000000)");
  config.policy = ref::Policy::Dense;
  config.tauH = 0.5; // head pruning needs theta_H: the HDP engine
  p = accel::buildProgram(shape, config, accel, options);
  ASSERT_FALSE(bool(p));
  EXPECT_TRUE(contains(toString(p.takeError()), "tau_h = 0.500000)"));
  options.engine = accel::Engine::Auto;
  p = accel::buildProgram(shape, config, accel, options);
  ASSERT_TRUE(bool(p));
  EXPECT_FALSE(accel::isDenseEngineProgram(*p));
  config.tauH = 0;
  p = accel::buildProgram(shape, config, accel, options);
  ASSERT_TRUE(bool(p));
  EXPECT_TRUE(accel::isDenseEngineProgram(*p));
  for (const accel::Command &c : p->commands) {
    EXPECT_NE(unsigned(accel::unitOf(c.opcode)), unsigned(accel::Unit::Se));
    EXPECT_FALSE(c.has(accel::FlagFum) || c.has(accel::FlagHeadPred));
  }
}

TEST(SimRobustness, DenseProgramsRoundTrip) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = accel::AttentionShape::fromDims(1, 2, 10, 12, 4, 4, true);
  ref::AttentionConfig config;
  config.policy = ref::Policy::Dense;
  Expected<accel::Program> p = accel::buildProgram(shape, config, accel);
  ASSERT_TRUE(bool(p));
  std::string bytes = accel::writeProgram(*p);
  Expected<accel::Program> read = accel::readProgram(bytes, "dense.hdpc");
  ASSERT_TRUE(bool(read)) << toString(read.takeError());
  EXPECT_TRUE(*read == *p);
  Expected<std::string> text = hdp::accel_ir::printProgramText(*p);
  ASSERT_TRUE(bool(text)) << toString(text.takeError());
  EXPECT_TRUE(contains(*text, " mask 0 dense\n")) << *text;
  Expected<accel::Program> back =
      hdp::accel_ir::parseProgramText(*text, "dense.mlir");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_EQ(accel::writeProgram(*back), bytes);
}

TEST(SimRobustness, DenseCommandsCoverWholeBlockRows) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = accel::AttentionShape::fromDims(1, 1, 8, 12, 4, 4, false);
  ref::AttentionConfig config;
  config.policy = ref::Policy::Dense;
  Expected<accel::Program> p = accel::buildProgram(shape, config, accel);
  ASSERT_TRUE(bool(p));
  size_t i = 0;
  while (p->commands[i].opcode != accel::Opcode::PeFrac)
    ++i;
  accel::Program bad = *p;
  bad.commands[i].rows = 3; // half a block row of the 2x2 blocks
  std::optional<accel::ProgramProblem> problem = accel::checkProgram(bad);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->commandIndex, i);
  EXPECT_TRUE(contains(problem->message, "must cover whole block rows"))
      << problem->message;
  // A dense command has no block-mask operand: its slot byte must be 0.
  bad = *p;
  bad.commands[i].slots[3] = 1;
  problem = accel::checkProgram(bad);
  ASSERT_TRUE(problem.has_value());
  EXPECT_TRUE(contains(problem->message, "slot byte 3 is unused"))
      << problem->message;
  // Without the flag the same command reads a block mask nobody computed.
  bad = *p;
  bad.commands[i].flags &= ~accel::FlagDense;
  Expected<sim::SimResult> r =
      sim::simulate(bad, accel, structuredInputs(shape, 1));
  ASSERT_FALSE(bool(r));
  EXPECT_TRUE(contains(toString(r.takeError()),
                       "reads blockmask slot 0, which holds nothing"));
}

TEST(SimRobustness, FractionPassesNeedTheirSInt) {
  Fixture f(/*fused=*/true); // pe.frac from S_int
  size_t frac = f.find(accel::Opcode::PeFrac);
  accel::Command &c = f.program.commands[frac];
  ASSERT_TRUE(c.has(accel::FlagFromInt));
  c.slots[accel::slot::PeFrac::score] ^= 1; // the other score slot
  std::string e = f.run();
  EXPECT_TRUE(contains(e, "(pe.frac core=0")) << e;
  EXPECT_TRUE(contains(e, "reads score slot")) << e;
}

} // namespace
