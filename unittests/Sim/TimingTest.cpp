//===- TimingTest.cpp - Properties the timing model must have -------------===//
//
// The timing model is not checked against exact cycle counts (those are the
// model's to change) but against the properties any sensible model of this
// hardware has:
//   * more pruning -> fewer cycles and fewer DRAM bytes;
//   * the dense engine does no more than HDP with pruning off (no pre-pass);
//   * policy dense saves no fetches;
//   * the server configuration is faster than the edge one on the same work;
//   * dense cycles grow about linearly with the heads and quadratically with
//     the sequence length;
//   * no unit is busy for longer than the whole run; DMA overlaps compute.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

using namespace hdp;
using namespace hdp::simtest;

namespace {

ref::AttentionConfig denseConfig() {
  ref::AttentionConfig c;
  c.policy = ref::Policy::Dense;
  return c;
}

ref::AttentionConfig hdpConfig(double rho, double tauH = 0.0) {
  ref::AttentionConfig c;
  c.rho = rho;
  c.tauH = tauH;
  return c;
}

/// The HDP engine with every valid block kept ("pruning off").
accel::BuildOptions hdpEngine() {
  accel::BuildOptions options;
  options.engine = accel::Engine::Hdp;
  return options;
}

double timeUs(const sim::SimResult &r, const accel::AccelConfig &a) {
  return double(r.stats.totalCycles) / a.clockMhz;
}

TEST(SimTiming, MorePruningMeansFewerCyclesAndBytes) {
  auto shape = accel::AttentionShape::fromDims(1, 4, 256, 256, 64, 64, false);
  sim::Inputs in = structuredInputs(shape, 1);
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig accel = loadConfig(name);
    sim::SimResult dense = compileAndRun(shape, denseConfig(), accel, in);
    sim::SimResult off =
        compileAndRun(shape, denseConfig(), accel, in, hdpEngine());
    sim::SimResult keepAll = compileAndRun(shape, hdpConfig(-1.0), accel, in);
    sim::SimResult mean = compileAndRun(shape, hdpConfig(0.0), accel, in);
    sim::SimResult strict = compileAndRun(shape, hdpConfig(0.6), accel, in);
    ASSERT_FALSE(HasFailure());
    // ρ = -1 keeps every valid block: the same work as HDP with pruning off.
    EXPECT_EQ(keepAll.stats.blocksKept, off.stats.blocksKept);
    EXPECT_EQ(keepAll.stats.totalCycles, off.stats.totalCycles) << name;
    // The dense engine keeps the same blocks without the integer pre-pass
    // and the sparsity engine: less of everything (the same integer MACs
    // when the HDP engine keeps each strip's S_int for its fraction passes,
    // fused).
    EXPECT_EQ(dense.stats.blocksKept, off.stats.blocksKept);
    EXPECT_EQ(dense.stats.seOps, 0u);
    EXPECT_LT(dense.stats.totalCycles, off.stats.totalCycles) << name;
    EXPECT_LE(dense.stats.intMacs, off.stats.intMacs);
    EXPECT_EQ(dense.stats.pvMacs, off.stats.pvMacs);
    EXPECT_LE(dense.stats.dramBytesRead, off.stats.dramBytesRead) << name;
    EXPECT_LT(sim::computeEnergy(dense.stats, accel).total(),
              sim::computeEnergy(off.stats, accel).total());
    // Within the HDP engine, more pruning does less work.
    EXPECT_GT(mean.stats.blocksValid - mean.stats.blocksKept, 0u);
    EXPECT_LT(strict.stats.blocksKept, mean.stats.blocksKept);
    EXPECT_LT(mean.stats.totalCycles, off.stats.totalCycles) << name;
    EXPECT_LT(strict.stats.totalCycles, mean.stats.totalCycles) << name;
    EXPECT_LE(mean.stats.dramBytesRead, off.stats.dramBytesRead) << name;
    EXPECT_LE(strict.stats.dramBytesRead, mean.stats.dramBytesRead) << name;
    EXPECT_LT(mean.stats.intMacs, off.stats.intMacs);
    EXPECT_LT(mean.stats.pvMacs, off.stats.pvMacs);
    EXPECT_LT(sim::computeEnergy(mean.stats, accel).total(),
              sim::computeEnergy(off.stats, accel).total());
    // Strict pruning beats the dense engine too.
    EXPECT_LT(strict.stats.totalCycles, dense.stats.totalCycles) << name;
    EXPECT_LT(sim::computeEnergy(strict.stats, accel).total(),
              sim::computeEnergy(dense.stats, accel).total());

    // Head pruning on top: fewer cycles and strictly fewer DRAM bytes than
    // the same dataflow without it (head pruning keeps phases A and B
    // apart).
    accel::BuildOptions apart;
    apart.fusePhases = false;
    sim::SimResult meanApart =
        compileAndRun(shape, hdpConfig(0.0), accel, in, apart);
    sim::SimResult heads = compileAndRun(shape, hdpConfig(0.0, 1.0), accel, in);
    ASSERT_GT(heads.stats.headsPruned, 0u);
    EXPECT_LT(heads.stats.totalCycles, meanApart.stats.totalCycles) << name;
    EXPECT_LT(heads.stats.dramBytesRead, meanApart.stats.dramBytesRead) << name;
    EXPECT_GT(heads.stats.dramBytesSavedHeadPruning, 0u);
  }
}

TEST(SimTiming, FetchUponMaskSavesBytesWhenStreaming) {
  // On the edge configuration N = M = 512 does not fit: K and V stream per
  // strip, and Fetch-Upon-Mask skips the pruned block columns.
  auto shape = accel::AttentionShape::fromDims(1, 4, 512, 512, 64, 64, false);
  sim::Inputs in = structuredInputs(shape, 2);
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  sim::SimResult off =
      compileAndRun(shape, denseConfig(), accel, in, hdpEngine());
  sim::SimResult pruned = compileAndRun(shape, hdpConfig(0.3), accel, in);
  EXPECT_EQ(off.stats.dramBytesSavedFum, 0u);
  EXPECT_GT(pruned.stats.dramBytesSavedFum, 0u);
  EXPECT_LT(pruned.stats.dramBytesRead, off.stats.dramBytesRead);
  // Saved plus read is what a dense fetch of the same commands reads.
  EXPECT_EQ(pruned.stats.dramBytesRead + pruned.stats.dramBytesSavedFum,
            off.stats.dramBytesRead);
}

TEST(SimTiming, DenseSavesNoFetches) {
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig accel = loadConfig(name);
    for (uint32_t n : {64u, 300u}) {
      auto shape = accel::AttentionShape::fromDims(2, 3, n, n, 32, 32, false);
      sim::SimResult r = compileAndRun(shape, denseConfig(), accel,
                                       structuredInputs(shape, n));
      EXPECT_EQ(r.stats.dramBytesSavedFum, 0u) << name << " N=" << n;
      EXPECT_EQ(r.stats.dramBytesSavedHeadPruning, 0u);
      EXPECT_EQ(r.stats.blocksKept, r.stats.blocksValid);
      EXPECT_GT(r.stats.blocksValid, 0u);
    }
  }
}

TEST(SimTiming, ServerIsFasterThanEdge) {
  for (uint32_t n : {128u, 512u}) {
    auto shape = accel::AttentionShape::fromDims(1, 12, n, n, 64, 64, false);
    sim::Inputs in = structuredInputs(shape, 4);
    for (const ref::AttentionConfig &config : {denseConfig(), hdpConfig(0.0)}) {
      accel::AccelConfig edge = loadConfig("hdp-edge.json");
      accel::AccelConfig server = loadConfig("hdp-server.json");
      sim::SimResult e = compileAndRun(shape, config, edge, in);
      sim::SimResult s = compileAndRun(shape, config, server, in);
      EXPECT_LT(s.stats.totalCycles, e.stats.totalCycles) << "N=" << n;
      EXPECT_LT(timeUs(s, server), timeUs(e, edge)) << "N=" << n;
      // Same work, same answer.
      EXPECT_EQ(s.outputs.blockMask.data, e.outputs.blockMask.data);
    }
  }
}

TEST(SimTiming, DenseCyclesLinearInHeads) {
  // Head counts that are multiples of the core count, so every core gets the
  // same share at each size, and at least two units per core: a core's
  // units overlap (the next unit's scores while this one's softmax runs),
  // so the first unit of a core costs more than the ones after it.
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig accel = loadConfig(name);
    uint64_t previous = 0;
    for (uint32_t h : {32u, 64u, 128u}) {
      auto shape =
          accel::AttentionShape::fromDims(1, h, 128, 128, 64, 64, false);
      sim::SimResult r = compileAndRun(shape, denseConfig(), accel,
                                       structuredInputs(shape, 9));
      if (previous) {
        double ratio = double(r.stats.totalCycles) / double(previous);
        EXPECT_GT(ratio, 1.7) << name << " H=" << h;
        EXPECT_LT(ratio, 2.3) << name << " H=" << h;
      }
      previous = r.stats.totalCycles;
    }
  }
}

TEST(SimTiming, DenseCyclesQuadraticInSequenceLength) {
  // Doubling N = M multiplies the work by 4; per-strip latencies and the
  // linear terms (loading Q, storing the output) make small sizes grow a
  // little slower. The sizes stay where K and V of a head fit on chip or
  // stream in few strips: beyond that (edge, N >= 512) K/V are re-fetched
  // once per strip and the traffic grows faster than N^2
  // (docs/accelerator.md, "Dataflow").
  struct Series {
    const char *config;
    std::vector<uint32_t> sizes;
  };
  const Series series[] = {{"hdp-server.json", {128, 256, 512}},
                           {"hdp-edge.json", {64, 128, 256}}};
  for (const Series &s : series) {
    accel::AccelConfig accel = loadConfig(s.config);
    uint64_t previous = 0;
    for (uint32_t n : s.sizes) {
      auto shape = accel::AttentionShape::fromDims(1, 16, n, n, 64, 64, false);
      sim::SimResult r = compileAndRun(shape, denseConfig(), accel,
                                       structuredInputs(shape, 10));
      if (previous) {
        double ratio = double(r.stats.totalCycles) / double(previous);
        EXPECT_GT(ratio, 2.8) << s.config << " N=" << n;
        EXPECT_LT(ratio, 4.6) << s.config << " N=" << n;
      }
      previous = r.stats.totalCycles;
    }
  }
}

TEST(SimTiming, PruningIsNotSlowerThanDenseWhereKAndVStream) {
  // At N = M = 2048 HDP-Edge streams K and V strip by strip: HDP's strips
  // must be as tall as the dense engine's, so that pruning saves cycles
  // and bytes rather than paying for more re-reads.
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  auto shape = accel::AttentionShape::fromDims(1, 2, 2048, 2048, 64, 64, false);
  sim::Inputs in = structuredInputs(shape, 4);
  sim::SimResult dense = compileAndRun(shape, denseConfig(), accel, in);
  sim::SimResult hdp = compileAndRun(shape, hdpConfig(0.25), accel, in);
  EXPECT_LT(hdp.stats.blocksKept, hdp.stats.blocksValid / 2);
  EXPECT_LT(hdp.stats.totalCycles, dense.stats.totalCycles);
  EXPECT_LE(hdp.stats.dramBytesRead, dense.stats.dramBytesRead);
}

TEST(SimTiming, BusyNeverExceedsTotalAndDmaOverlapsCompute) {
  auto shape = accel::AttentionShape::fromDims(2, 6, 200, 160, 32, 48, true);
  sim::Inputs in = structuredInputs(shape, 12);
  ref::Tensor<float> mask({shape.N, shape.M}, 0.0f);
  for (uint32_t i = 0; i < shape.N; ++i)
    for (uint32_t j = 0; j < shape.M; ++j)
      if (j > i)
        mask.at(i, j) = -std::numeric_limits<float>::infinity();
  in.mask = mask;
  for (const char *name : {"hdp-edge.json", "hdp-server.json"}) {
    accel::AccelConfig accel = loadConfig(name);
    for (const ref::AttentionConfig &config :
         {denseConfig(), hdpConfig(0.2, 0.7)}) {
      sim::SimResult r = compileAndRun(shape, config, accel, in);
      const sim::Stats &s = r.stats;
      ASSERT_GT(s.totalCycles, 0u);
      bool overlapped = false;
      for (const auto &core : s.cores) {
        uint64_t sum = 0;
        for (unsigned u = 0; u < accel::kNumUnits; ++u) {
          EXPECT_LE(core[u].busyCycles, s.totalCycles) << name;
          if (static_cast<accel::Unit>(u) != accel::Unit::Sync)
            sum += core[u].busyCycles;
        }
        overlapped |= sum > s.totalCycles;
      }
      EXPECT_LE(s.dramBusyCycles, s.totalCycles);
      // Units work in parallel: on some core the busy times add up to more
      // than the run.
      EXPECT_TRUE(overlapped) << name;
    }
  }
}

TEST(SimTiming, TraceIntervalsAreOrderedPerUnit) {
  auto shape = accel::AttentionShape::fromDims(1, 4, 64, 64, 32, 32, false);
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  llvm::Expected<accel::Program> program =
      accel::buildProgram(shape, hdpConfig(0.0), accel);
  ASSERT_TRUE(bool(program));
  sim::SimOptions options;
  options.collectTrace = true;
  llvm::Expected<sim::SimResult> r =
      sim::simulate(*program, accel, structuredInputs(shape, 3), options);
  ASSERT_TRUE(bool(r));
  // Events on one unit of one core never overlap; DRAM transfers never
  // overlap; every event ends by the total.
  std::map<std::pair<int, int>, uint64_t> lastEnd;
  for (const sim::TraceEvent &ev : r->trace) {
    int unit = ev.unit ? int(*ev.unit) : -1;
    int core = ev.unit ? ev.core : -1;
    uint64_t &end = lastEnd[{core, unit}];
    EXPECT_GE(ev.start, end);
    EXPECT_GE(ev.end, ev.start);
    EXPECT_LE(ev.end, r->stats.totalCycles);
    end = ev.end;
  }
  EXPECT_GT(lastEnd.size(), 4u);
}

} // namespace
