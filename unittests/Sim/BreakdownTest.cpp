//===- BreakdownTest.cpp - Per-unit and per-phase accounting --------------===//
//
// The accounting identities (every cycle of every unit is charged exactly
// once; the phases add up to the totals) on both engines and both shipped
// configurations, and that the charges name the right cause: a starved DRAM
// channel shows up as the PE waiting for DRAM data.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

#include "hdp/Sim/Breakdown.h"

using namespace hdp;
using namespace hdp::simtest;
using sim::Phase;
using sim::WaitCause;

namespace {

constexpr accel::Unit kWorkUnits[] = {accel::Unit::DmaIn, accel::Unit::DmaOut,
                                      accel::Unit::Pe, accel::Unit::Se,
                                      accel::Unit::Sfu};

ref::AttentionConfig attention(double rho, double tauH,
                               ref::Policy policy = ref::Policy::Hdp) {
  ref::AttentionConfig c;
  c.policy = policy;
  c.rho = rho;
  c.tauH = tauH;
  return c;
}

/// Checks every identity of Breakdown.h on one run.
void checkIdentities(const sim::SimResult &r, const std::string &what) {
  const sim::Stats &s = r.stats;
  ASSERT_EQ(s.unitTime.size(), s.cores.size()) << what;
  std::array<sim::UnitTime, accel::kNumUnits> summed{};
  for (size_t c = 0; c < s.cores.size(); ++c)
    for (accel::Unit unit : kWorkUnits) {
      unsigned u = static_cast<unsigned>(unit);
      const sim::UnitTime &t = s.unitTime[c][u];
      // active + stalls + idle = the run, for every unit of every core.
      EXPECT_EQ(t.total(), s.totalCycles)
          << what << " core " << c << " " << accel::unitName(unit).str();
      // The unit's busy time is its activity, plus the channel wait of DMA.
      EXPECT_EQ(t.active + t.stallOn(WaitCause::DramChannel),
                s.cores[c][u].busyCycles)
          << what << " core " << c << " " << accel::unitName(unit).str();
      if (unit != accel::Unit::DmaIn && unit != accel::Unit::DmaOut)
        EXPECT_EQ(t.stallOn(WaitCause::DramChannel), 0u) << what;
      summed[u] += t;
    }
  // The phases add up to the totals.
  sim::PhaseStats sum;
  for (const sim::PhaseStats &p : s.phases) {
    sum.commands += p.commands;
    sum.dramBytesRead += p.dramBytesRead;
    sum.dramBytesWritten += p.dramBytesWritten;
    sum.dramTransferCycles += p.dramTransferCycles;
    sum.sramBytesRead += p.sramBytesRead;
    sum.sramBytesWritten += p.sramBytesWritten;
    sum.intMacs += p.intMacs;
    sum.pvMacs += p.pvMacs;
    sum.seOps += p.seOps;
    sum.softmaxElements += p.softmaxElements;
    for (unsigned u = 0; u < accel::kNumUnits; ++u)
      sum.units[u] += p.units[u];
    if (p.commands)
      EXPECT_LE(p.lastEnd, s.totalCycles) << what;
  }
  uint64_t barriers =
      s.commandsByOpcode[static_cast<uint8_t>(accel::Opcode::Barrier)];
  EXPECT_EQ(sum.commands, s.commands - barriers) << what;
  EXPECT_EQ(sum.dramBytesRead, s.dramBytesRead) << what;
  EXPECT_EQ(sum.dramBytesWritten, s.dramBytesWritten) << what;
  EXPECT_EQ(sum.dramTransferCycles, s.dramBusyCycles) << what;
  // The per-tensor bytes add up to the channel's too.
  uint64_t byTensor = 0;
  for (uint64_t bytes : s.dramBytesByTensor)
    byTensor += bytes;
  EXPECT_EQ(byTensor, s.dramBytesRead + s.dramBytesWritten) << what;
  EXPECT_EQ(sum.sramBytesRead, s.sramBytesRead) << what;
  EXPECT_EQ(sum.sramBytesWritten, s.sramBytesWritten) << what;
  EXPECT_EQ(sum.intMacs, s.intMacs) << what;
  EXPECT_EQ(sum.pvMacs, s.pvMacs) << what;
  EXPECT_EQ(sum.seOps, s.seOps) << what;
  EXPECT_EQ(sum.softmaxElements, s.softmaxElements) << what;
  for (accel::Unit unit : kWorkUnits) {
    unsigned u = static_cast<unsigned>(unit);
    EXPECT_EQ(sum.units[u].active, summed[u].active) << what;
    EXPECT_EQ(sum.units[u].stall, summed[u].stall) << what;
    EXPECT_LE(sum.units[u].idle, summed[u].idle) << what;
  }
}

const sim::PhaseStats &phase(const sim::SimResult &r, Phase p) {
  return r.stats.phases[static_cast<unsigned>(p)];
}

TEST(SimBreakdown, IdentitiesHoldOnBothEnginesAndConfigs) {
  auto shape = accel::AttentionShape::fromDims(2, 3, 64, 96, 16, 8, false);
  sim::Inputs in = structuredInputs(shape, 3);
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig accel = loadConfig(name);
    for (auto [label, config] :
         {std::make_pair("hdp", attention(0.3, 0.0)),
          std::make_pair("hdp+heads", attention(0.0, 0.9)),
          std::make_pair("dense", attention(0.0, 0.0, ref::Policy::Dense))}) {
      sim::SimResult r = compileAndRun(shape, config, accel, in);
      ASSERT_FALSE(HasFailure());
      checkIdentities(r, std::string(name) + " " + label);
    }
  }
}

TEST(SimBreakdown, IdentitiesHoldWhenKAndVAreStreamed) {
  // Buffers too small for K and V: both are streamed strip by strip, with
  // many DMA transfers competing for the channel.
  auto shape = accel::AttentionShape::fromDims(1, 4, 128, 128, 32, 32, false);
  sim::Inputs in = structuredInputs(shape, 5);
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  accel.kBufferBytes = 2 * 32 * 32;
  accel.vBufferBytes = 2 * 32 * 32 * 4;
  sim::SimResult r = compileAndRun(shape, attention(0.2, 0.0), accel, in);
  ASSERT_FALSE(HasFailure());
  checkIdentities(r, "streamed");
  uint64_t channel = 0;
  for (const auto &core : r.stats.unitTime)
    channel += core[static_cast<unsigned>(accel::Unit::DmaIn)].stallOn(
        WaitCause::DramChannel);
  // Four cores share one channel: some transfers must wait for it.
  EXPECT_GT(channel, 0u);
}

TEST(SimBreakdown, PhasesHoldTheirOwnWork) {
  auto shape = accel::AttentionShape::fromDims(1, 4, 64, 64, 16, 16, false);
  sim::Inputs in = structuredInputs(shape, 7);
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  accel::BuildOptions apart;
  apart.fusePhases = false;
  sim::SimResult hdp =
      compileAndRun(shape, attention(0.3, 0.0), accel, in, apart);
  sim::SimResult fused = compileAndRun(shape, attention(0.3, 0.0), accel, in);
  sim::SimResult dense =
      compileAndRun(shape, attention(0.0, 0.0, ref::Policy::Dense), accel, in);
  ASSERT_FALSE(HasFailure());
  // HDP: the pre-pass runs integer MACs and the SE, no P·V and no softmax;
  // the attention phase runs every P·V MAC; the head decision moves nothing
  // but the head table.
  EXPECT_GT(phase(hdp, Phase::Prepass).intMacs, 0u);
  EXPECT_GT(phase(hdp, Phase::Prepass).seOps, 0u);
  EXPECT_EQ(phase(hdp, Phase::Prepass).pvMacs, 0u);
  EXPECT_EQ(phase(hdp, Phase::Prepass).softmaxElements, 0u);
  EXPECT_EQ(phase(hdp, Phase::Attention).pvMacs, hdp.stats.pvMacs);
  EXPECT_GT(phase(hdp, Phase::HeadDecision).commands, 0u);
  EXPECT_EQ(phase(hdp, Phase::HeadDecision).dramBytesRead, 0u);
  // With one batch item phase A ends before phase B starts (a barrier
  // waits for every unit; only the DRAM latency of the last block-mask
  // store may overlap).
  EXPECT_LT(phase(hdp, Phase::Prepass).firstStart,
            phase(hdp, Phase::Attention).firstStart);
  EXPECT_LE(phase(hdp, Phase::Prepass).lastEnd,
            phase(hdp, Phase::Attention).firstStart + accel.dramLatencyCycles);
  // Fused, strip by strip, the phases interleave and still hold their own
  // work; the head decision comes last.
  EXPECT_GT(phase(fused, Phase::Prepass).lastEnd,
            phase(fused, Phase::Attention).firstStart);
  EXPECT_EQ(phase(fused, Phase::Prepass).pvMacs, 0u);
  EXPECT_EQ(phase(fused, Phase::Attention).pvMacs, fused.stats.pvMacs);
  EXPECT_GT(phase(fused, Phase::HeadDecision).firstStart,
            phase(fused, Phase::Prepass).lastEnd);
  checkIdentities(fused, "fused");
  // The dense engine has only the attention phase.
  EXPECT_EQ(phase(dense, Phase::Prepass).commands, 0u);
  EXPECT_EQ(phase(dense, Phase::HeadDecision).commands, 0u);
  EXPECT_EQ(phase(dense, Phase::Attention).commands, dense.stats.commands);
  EXPECT_EQ(phase(dense, Phase::Attention).span(), dense.stats.totalCycles);
}

TEST(SimBreakdown, AStarvedChannelIsChargedToDram) {
  auto shape = accel::AttentionShape::fromDims(1, 4, 128, 128, 32, 32, false);
  sim::Inputs in = structuredInputs(shape, 9);
  accel::AccelConfig slow = loadConfig("hdp-server.json");
  accel::AccelConfig fast = slow;
  slow.dramBytesPerCycle = 0.25;
  fast.dramBytesPerCycle = 4096;
  fast.dramLatencyCycles = 0;
  ref::AttentionConfig config = attention(0.0, 0.0, ref::Policy::Dense);
  sim::SimResult slowRun = compileAndRun(shape, config, slow, in);
  sim::SimResult fastRun = compileAndRun(shape, config, fast, in);
  ASSERT_FALSE(HasFailure());
  checkIdentities(slowRun, "slow");
  checkIdentities(fastRun, "fast");
  auto peTime = [](const sim::SimResult &r) {
    sim::UnitTime t;
    for (const auto &core : r.stats.unitTime)
      t += core[static_cast<unsigned>(accel::Unit::Pe)];
    return t;
  };
  sim::UnitTime slowPe = peTime(slowRun), fastPe = peTime(fastRun);
  // Starved, the PE spends most of the run waiting for DRAM data, and more
  // than on anything else; with a near-free channel it barely waits for it.
  EXPECT_GT(slowPe.stallOn(WaitCause::DramData), slowPe.active);
  for (WaitCause other :
       {WaitCause::Dependency, WaitCause::Unit, WaitCause::Barrier})
    EXPECT_GT(slowPe.stallOn(WaitCause::DramData), slowPe.stallOn(other));
  EXPECT_LT(fastPe.stallOn(WaitCause::DramData),
            slowPe.stallOn(WaitCause::DramData) / 100);
  // The PE does the same work either way.
  EXPECT_EQ(slowPe.active, fastPe.active);
}

} // namespace
