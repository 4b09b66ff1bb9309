//===- ScheduleGoldenTest.cpp - The schedule of fixed cases does not move -===//
//
// The scheduler may be made faster, never different: for a set of small
// cases (edge and server, several ρ/τ_H, causal and padding masks, N and M
// not multiples of the block, streamed K/V, row groups, pruned heads) every
// statistic and a hash of the whole timeline (start and end of every command
// on its unit and of every DRAM transfer) must equal the values recorded in
// kGolden below.
//
// kGolden was produced by the simulator as it was before its scoreboard was
// made linear-time (commit d81fe86), and regenerated when the stream builder
// started overlapping a core's units and strips (the scores of the next key
// tile before the P·V of this one: only cycles moved, and the bytes of the
// one case whose plan changed, edge-512), and when θ accumulators became
// 16-bit where they fit and the prepass got strips of its own (SRAM bytes
// moved everywhere; edge-512's prepass strips grew), and when S_int moved
// as 16 bits and pe.frac wrote only the scores it computed (SRAM bytes
// only), and when attentions without head pruning got phases A and B
// fused strip by strip (the τ_H = 0 cases with whole score rows) and units
// with resident K and V two strips, and when se.acc read S_int in the
// 16 bits pe.int wrote it in (SRAM bytes read only), by running
//   HDP_SIM_PRINT_GOLDEN=1 build/bin/HDPSimTests \
//     --gtest_filter='SimScheduleGolden.*'
// which prints the table instead of checking it. A deliberate change of the
// timing model regenerates it the same way (and says so in its commit).
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

#include <cstdio>
#include <cstdlib>

using namespace hdp;
using namespace hdp::simtest;

namespace {

/// Inputs from a fixed integer hash (no std:: distributions, whose output
/// the C++ standard leaves to the library): structure shared by Q and K so
/// that blocks differ in importance, plus noise.
sim::Inputs hashedInputs(const accel::AttentionShape &s, uint64_t seed) {
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  auto uniform = [&]() { // splitmix64 -> [-1, 1)
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return float(z >> 40) / float(1 << 23) - 1.0f;
  };
  sim::Inputs in;
  in.q = ref::Tensor<float>({s.B, s.H, s.N, s.D});
  in.k = ref::Tensor<float>({s.B, s.H, s.M, s.D});
  in.v = ref::Tensor<float>({s.B, s.H, s.M, s.Dv});
  for (uint32_t b = 0; b < s.B; ++b)
    for (uint32_t h = 0; h < s.H; ++h) {
      float temp = 0.5f + 0.5f * float(h % 4);
      for (uint32_t i = 0; i < s.N; ++i)
        for (uint32_t d = 0; d < s.D; ++d)
          in.q.at(b, h, i, d) =
              temp * (float((i * (d + 3)) % 7) / 3.5f - 1.0f + uniform());
      for (uint32_t j = 0; j < s.M; ++j)
        for (uint32_t d = 0; d < s.D; ++d)
          in.k.at(b, h, j, d) =
              float((j * (d + 3)) % 7) / 3.5f - 1.0f + uniform();
      for (uint32_t j = 0; j < s.M; ++j)
        for (uint32_t d = 0; d < s.Dv; ++d)
          in.v.at(b, h, j, d) = uniform();
    }
  return in;
}

enum class MaskKind { None, Causal, Padding };

struct GoldenCase {
  const char *name;
  const char *accel; ///< hdp-edge, hdp-server, tiny (streamed), odd (3 cores)
  uint32_t B, H, N, M, D, Dv;
  MaskKind mask;
  ref::Policy policy;
  double rho, tauH;
  uint32_t bm, bn;
  bool approx;
};

const GoldenCase kCases[] = {
    {"edge-hdp", "hdp-edge", 1, 4, 70, 90, 24, 16, MaskKind::Padding,
     ref::Policy::Hdp, 0.2, 0.0, 2, 2, true},
    {"edge-causal", "hdp-edge", 1, 3, 64, 64, 32, 32, MaskKind::Causal,
     ref::Policy::Hdp, -0.3, 0.0, 4, 4, true},
    {"edge-heads", "hdp-edge", 2, 6, 48, 40, 16, 8, MaskKind::None,
     ref::Policy::Hdp, 0.5, 1.0, 2, 3, false},
    {"edge-keepall", "hdp-edge", 1, 2, 100, 100, 64, 64, MaskKind::None,
     ref::Policy::Hdp, -1.0, 0.0, 8, 8, false},
    {"server-hdp", "hdp-server", 1, 12, 130, 130, 64, 64, MaskKind::Padding,
     ref::Policy::Hdp, 0.4, 0.5, 4, 4, true},
    {"server-topk", "hdp-server", 2, 3, 33, 47, 16, 16, MaskKind::Causal,
     ref::Policy::TopK, 0.0, 0.9, 2, 2, true},
    {"tiny-streamed", "tiny", 1, 3, 45, 37, 8, 8, MaskKind::Padding,
     ref::Policy::Hdp, 0.1, 0.8, 3, 2, true},
    {"edge-512", "hdp-edge", 1, 2, 512, 512, 64, 64, MaskKind::Padding,
     ref::Policy::Hdp, 0.3, 0.0, 8, 8, true},
    {"server-500-causal", "hdp-server", 1, 3, 500, 500, 64, 64,
     MaskKind::Causal, ref::Policy::Hdp, 0.1, 0.6, 8, 8, true},
    {"odd-rowgroups", "odd", 1, 2, 50, 60, 12, 10, MaskKind::Causal,
     ref::Policy::Hdp, 0.0, 0.0, 2, 4, false},
};

accel::AccelConfig accelFor(const GoldenCase &gc,
                            const accel::AttentionShape &s,
                            const accel::AttentionParams &p) {
  std::string name = gc.accel;
  if (name == "hdp-edge" || name == "hdp-server")
    return loadConfig(name + ".json");
  accel::AccelConfig c = loadConfig("hdp-edge.json");
  c.name = name;
  if (name == "odd") {
    c.cores = 3;
    c.peArraysPerCore = 1;
    c.tileRows = 3;
    c.tileK = 2;
    c.tileCols = 5;
    return c;
  }
  // tiny: strips of 2 block rows, K/V chunks of 3 block columns.
  uint64_t rows = std::min<uint64_t>(2 * p.blockRows, s.N);
  uint64_t keys = std::min<uint64_t>(3 * p.blockCols, s.M);
  auto both = [](uint64_t slot) { return 2 * std::max<uint64_t>(slot, 1); };
  using accel::Buffer;
  c.qBufferBytes = both(accel::slotBytesNeeded(Buffer::Q, rows, 0, s, p));
  c.scoreBufferBytes =
      both(accel::slotBytesNeeded(Buffer::Score, rows, 0, s, p));
  c.maskBufferBytes =
      both(accel::slotBytesNeeded(Buffer::Mask, rows, s.M, s, p));
  c.thetaBufferBytes =
      both(accel::slotBytesNeeded(Buffer::Theta, rows, 0, s, p));
  c.blockMaskBufferBytes =
      both(accel::slotBytesNeeded(Buffer::BlockMask, rows, 0, s, p));
  c.outBufferBytes = both(accel::slotBytesNeeded(Buffer::Out, rows, 0, s, p));
  c.kBufferBytes = both(accel::slotBytesNeeded(Buffer::K, 0, keys, s, p));
  c.vBufferBytes = both(accel::slotBytesNeeded(Buffer::V, 0, keys, s, p));
  return c;
}

/// Everything the schedule determines, as one comparable record.
struct Fingerprint {
  uint64_t totalCycles, dramBusyCycles, dramRead, dramWritten, savedFum,
      savedHead, sramRead, sramWritten, intMacs, pvMacs, seOps, softmaxElements,
      commands, skipped, unitHash, traceHash;
};

uint64_t fnv(uint64_t h, uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    h ^= (value >> (8 * i)) & 0xff;
    h *= 0x100000001b3ull;
  }
  return h;
}

Fingerprint fingerprintOf(const sim::SimResult &r) {
  const sim::Stats &s = r.stats;
  uint64_t units = 0xcbf29ce484222325ull;
  for (const auto &core : s.cores)
    for (const sim::UnitStats &u : core)
      units = fnv(fnv(units, u.busyCycles), u.commands);
  // The trace sorted by everything it holds (its own order breaks ties of
  // equal start times arbitrarily).
  std::vector<sim::TraceEvent> events = r.trace;
  auto key = [](const sim::TraceEvent &e) {
    return std::make_tuple(e.command, e.unit ? int(*e.unit) : -1, e.start,
                           e.end, e.core, e.skipped);
  };
  std::sort(events.begin(), events.end(),
            [&](const sim::TraceEvent &a, const sim::TraceEvent &b) {
              return key(a) < key(b);
            });
  uint64_t trace = 0xcbf29ce484222325ull;
  for (const sim::TraceEvent &e : events) {
    trace = fnv(trace, e.command);
    trace = fnv(trace, e.unit ? uint64_t(*e.unit) : 255);
    trace = fnv(trace, e.start);
    trace = fnv(trace, e.end);
    trace = fnv(trace, e.skipped);
  }
  return {s.totalCycles,
          s.dramBusyCycles,
          s.dramBytesRead,
          s.dramBytesWritten,
          s.dramBytesSavedFum,
          s.dramBytesSavedHeadPruning,
          s.sramBytesRead,
          s.sramBytesWritten,
          s.intMacs,
          s.pvMacs,
          s.seOps,
          s.softmaxElements,
          s.commands,
          s.commandsSkipped,
          units,
          trace};
}

// clang-format off
const std::pair<const char *, Fingerprint> kGolden[] = {
    {"edge-hdp", {4795u, 3040u, 29632u, 19008u, 26752u, 0u, 650696u, 259712u, 1064448u, 123904u, 37832u, 5712u, 165u, 0u, 0xcb50cb3f507d22e6ull, 0xb4d98ed4d314aa2bull}},
    {"edge-causal", {7541u, 6688u, 81984u, 25024u, 22464u, 0u, 458608u, 169432u, 698368u, 140800u, 13848u, 4382u, 126u, 0u, 0xf3b15d316b5659d9ull, 0x77e117cfd329c5a7ull}},
    {"edge-heads", {4640u, 1868u, 21312u, 8576u, 1536u, 30016u, 222632u, 105858u, 655360u, 31872u, 31200u, 2454u, 210u, 70u, 0x98a8ebddd7c6eae6ull, 0x8180f6a505668b12ull}},
    {"edge-keepall", {22598u, 12036u, 140800u, 51776u, 0u, 0u, 2362998u, 393398u, 5324800u, 1280000u, 20692u, 20000u, 157u, 0u, 0x12884995578715cfull, 0x8371cc22f5344c9bull}},
    {"server-hdp", {16430u, 3873u, 559360u, 402560u, 719360u, 0u, 9030364u, 3371048u, 23175168u, 2910208u, 229320u, 44936u, 465u, 0u, 0xe37f15810ff8f680ull, 0xf15c44cf2ba44f13ull}},
    {"server-topk", {2698u, 376u, 77952u, 8960u, 6656u, 25600u, 162662u, 114862u, 242688u, 22016u, 14394u, 785u, 174u, 22u, 0xe29fee6ef5690cfcull, 0x9048a00e8053857aull}},
    {"tiny-streamed", {5729u, 2764u, 39680u, 4544u, 17920u, 21440u, 112650u, 89418u, 172032u, 18304u, 6729u, 1110u, 1593u, 328u, 0xad4bd96da02a577bull, 0x41b1b6066ff5d154ull}},
    {"edge-512", {86088u, 50308u, 541696u, 263232u, 2293760u, 0u, 15362304u, 7234048u, 43544576u, 3330048u, 540688u, 52032u, 645u, 0u, 0x19fb473f1d2dd578ull, 0xff3a04ff7f088483ull}},
    {"server-500-causal", {48377u, 28840u, 6990336u, 385600u, 1267200u, 0u, 28079647u, 10035650u, 75085824u, 8900608u, 773910u, 138988u, 249u, 0u, 0x82d33ea701d1fcf2ull, 0xb6f3a4d3f7f7b36full}},
    {"odd-rowgroups", {7192u, 2260u, 31744u, 4416u, 3136u, 0u, 164330u, 66104u, 188460u, 24480u, 7512u, 1985u, 85u, 0u, 0xf0121e6c5f4498a6ull, 0x99815b9f995e2bc5ull}},
};
// clang-format on

sim::SimResult runCase(const GoldenCase &gc) {
  auto shape = accel::AttentionShape::fromDims(
      gc.B, gc.H, gc.N, gc.M, gc.D, gc.Dv, gc.mask != MaskKind::None);
  ref::AttentionConfig config;
  config.policy = gc.policy;
  config.rho = gc.rho;
  config.tauH = gc.tauH;
  config.topk = 3;
  config.blockRows = gc.bm;
  config.blockCols = gc.bn;
  config.approx = gc.approx;
  sim::Inputs in = hashedInputs(shape, gc.N * 31 + gc.M);
  if (gc.mask == MaskKind::Causal) {
    ref::Tensor<float> m({shape.N, shape.M}, 0.0f);
    for (uint32_t i = 0; i < shape.N; ++i)
      for (uint32_t j = 0; j < shape.M; ++j)
        if (int64_t(j) > int64_t(i) + int64_t(shape.M) - int64_t(shape.N))
          m.at(i, j) = -std::numeric_limits<float>::infinity();
    in.mask = m;
  } else if (gc.mask == MaskKind::Padding) {
    ref::Tensor<float> m({shape.B, 1, 1, shape.M}, 0.0f);
    for (uint32_t b = 0; b < shape.B; ++b)
      for (uint32_t j = shape.M - shape.M / (3 + b); j < shape.M; ++j)
        m.data[b * shape.M + j] = -10000.0f;
    in.mask = m;
  }
  accel::AccelConfig accel =
      accelFor(gc, shape, accel::AttentionParams::from(config, shape.D));
  llvm::Expected<accel::Program> program =
      accel::buildProgram(shape, config, accel);
  EXPECT_TRUE(bool(program))
      << (program ? "" : llvm::toString(program.takeError()));
  if (!program)
    return {};
  sim::SimOptions options;
  options.collectTrace = true;
  llvm::Expected<sim::SimResult> r =
      sim::simulate(*program, accel, in, options);
  EXPECT_TRUE(bool(r)) << (r ? "" : llvm::toString(r.takeError()));
  if (!r)
    return {};
  return std::move(*r);
}

TEST(SimScheduleGolden, StatsAndTimelineEqualTheRecordedOnes) {
  const bool print = std::getenv("HDP_SIM_PRINT_GOLDEN") != nullptr;
  for (const GoldenCase &gc : kCases) {
    sim::SimResult r = runCase(gc);
    ASSERT_FALSE(HasFailure()) << gc.name;
    Fingerprint f = fingerprintOf(r);
    if (print) {
      std::printf(
          "    {\"%s\", {%lluu, %lluu, %lluu, %lluu, %lluu, %lluu, "
          "%lluu, %lluu, %lluu, %lluu, %lluu, %lluu, %lluu, %lluu, "
          "0x%llxull, 0x%llxull}},\n",
          gc.name, (unsigned long long)f.totalCycles,
          (unsigned long long)f.dramBusyCycles, (unsigned long long)f.dramRead,
          (unsigned long long)f.dramWritten, (unsigned long long)f.savedFum,
          (unsigned long long)f.savedHead, (unsigned long long)f.sramRead,
          (unsigned long long)f.sramWritten, (unsigned long long)f.intMacs,
          (unsigned long long)f.pvMacs, (unsigned long long)f.seOps,
          (unsigned long long)f.softmaxElements, (unsigned long long)f.commands,
          (unsigned long long)f.skipped, (unsigned long long)f.unitHash,
          (unsigned long long)f.traceHash);
      continue;
    }
    const Fingerprint *expected = nullptr;
    for (const auto &[name, golden] : kGolden)
      if (std::string(name) == gc.name)
        expected = &golden;
    ASSERT_NE(expected, nullptr) << "no golden record for " << gc.name;
    EXPECT_EQ(f.totalCycles, expected->totalCycles) << gc.name;
    EXPECT_EQ(f.dramBusyCycles, expected->dramBusyCycles) << gc.name;
    EXPECT_EQ(f.dramRead, expected->dramRead) << gc.name;
    EXPECT_EQ(f.dramWritten, expected->dramWritten) << gc.name;
    EXPECT_EQ(f.savedFum, expected->savedFum) << gc.name;
    EXPECT_EQ(f.savedHead, expected->savedHead) << gc.name;
    EXPECT_EQ(f.sramRead, expected->sramRead) << gc.name;
    EXPECT_EQ(f.sramWritten, expected->sramWritten) << gc.name;
    EXPECT_EQ(f.intMacs, expected->intMacs) << gc.name;
    EXPECT_EQ(f.pvMacs, expected->pvMacs) << gc.name;
    EXPECT_EQ(f.seOps, expected->seOps) << gc.name;
    EXPECT_EQ(f.softmaxElements, expected->softmaxElements) << gc.name;
    EXPECT_EQ(f.commands, expected->commands) << gc.name;
    EXPECT_EQ(f.skipped, expected->skipped) << gc.name;
    EXPECT_EQ(f.unitHash, expected->unitHash) << gc.name << ": unit busy";
    EXPECT_EQ(f.traceHash, expected->traceHash) << gc.name << ": timeline";
  }
}

/// The scheduling rule of docs/accelerator.md ("Timing model"), evaluated
/// naively on the timeline: every command of a core, in program order, must
/// start exactly when its unit is free, the core's barrier released, its head
/// decision (for predicated commands) and every earlier conflicting access to
/// its slots (a plain list, no summary) allow. Block-mask loads also wait for
/// other cores' stores, so for them only the lower bound is checked.
void expectTimelineFollowsTheRule(const accel::Program &program,
                                  const accel::AccelConfig &accel,
                                  const sim::SimResult &r,
                                  const std::string &what) {
  using accel::Buffer;
  using accel::Opcode;
  struct Interval {
    uint64_t start = 0, end = 0;
    bool skipped = false, dram = false, seen = false;
  };
  std::vector<Interval> events(program.commands.size());
  for (const sim::TraceEvent &e : r.trace) {
    Interval &iv = events[e.command];
    if (!e.unit) {
      iv.dram = true;
      continue;
    }
    iv = {e.start, e.end, e.skipped, iv.dram, true};
  }
  // Columns of a score slot (keys) or θ slot (block columns) a command
  // touches; every other slot is touched whole.
  const uint64_t M = program.shape.M, bn = program.attention.blockCols;
  const uint64_t MB = (M + bn - 1) / bn;
  auto columns = [&](const accel::Command &c,
                     Buffer b) -> std::pair<uint64_t, uint64_t> {
    if (b == Buffer::Score)
      return c.opcode == Opcode::Softmax
                 ? std::make_pair(uint64_t(0), M)
                 : std::make_pair(uint64_t(c.col0), uint64_t(c.col0) + c.cols);
    if (b == Buffer::Theta)
      return c.opcode == Opcode::SeEndR
                 ? std::make_pair(uint64_t(0), MB)
                 : std::make_pair(c.col0 / bn, (c.col0 + c.cols + bn - 1) / bn);
    return {0, 1};
  };
  struct Access {
    Buffer buffer;
    uint8_t slot;
    uint64_t c0, c1;
    bool write;
    accel::Unit unit;
    uint64_t end;
  };
  for (uint32_t core = 0; core < program.accel.cores; ++core) {
    std::array<uint64_t, accel::kNumUnits> unitFree{};
    uint64_t floor = 0;
    std::vector<uint64_t> headReady(program.shape.B, 0);
    std::vector<Access> past;
    for (size_t i = 0; i < program.commands.size(); ++i) {
      const accel::Command &c = program.commands[i];
      if (c.core != core)
        continue;
      if (c.opcode == Opcode::Barrier) {
        uint64_t release = 0;
        for (const sim::TraceEvent &e : r.trace)
          if (e.command == i && e.unit == accel::Unit::Sync)
            release = e.end;
        floor = release;
        for (uint64_t &f : unitFree)
          f = std::max(f, release);
        continue;
      }
      const Interval &iv = events[i];
      ASSERT_TRUE(iv.seen) << what << ": command #" << i << " not traced";
      const accel::Unit unit = accel::unitOf(c.opcode);
      uint64_t expected = std::max(floor, unitFree[unsigned(unit)]);
      if (c.has(accel::FlagHeadPred) || (c.opcode == Opcode::DmaStore &&
                                         c.tensor == accel::Tensor::HeadTable))
        expected = std::max(expected, headReady[c.batch]);
      auto operands = accel::operandsOf(c);
      if (!iv.skipped)
        for (const accel::Operand &o : operands) {
          auto [c0, c1] = columns(c, o.buffer);
          for (const Access &a : past)
            if (a.buffer == o.buffer && a.slot == c.slots[o.slotIndex] &&
                a.c0 < c1 && c0 < a.c1 && (o.write || a.write) &&
                !(o.write && a.write && a.unit == unit))
              expected = std::max(expected, a.end);
        }
      if (c.opcode == Opcode::DmaLoad && c.tensor == accel::Tensor::BlockMask)
        EXPECT_GE(iv.start, expected) << what << ": command #" << i;
      else
        EXPECT_EQ(iv.start, expected) << what << ": command #" << i;
      unitFree[unsigned(unit)] = iv.end;
      uint64_t end = iv.end + (iv.dram ? accel.dramLatencyCycles : 0);
      if (iv.skipped)
        continue;
      for (const accel::Operand &o : operands) {
        auto [c0, c1] = columns(c, o.buffer);
        past.push_back(
            {o.buffer, c.slots[o.slotIndex], c0, c1, o.write, unit, end});
      }
      if (c.opcode == Opcode::SeEndH)
        headReady[c.batch] = end;
    }
  }
}

TEST(SimScheduleGolden, TimelineFollowsTheSchedulingRule) {
  for (const GoldenCase &gc : kCases) {
    SCOPED_TRACE(gc.name);
    auto shape = accel::AttentionShape::fromDims(
        gc.B, gc.H, gc.N, gc.M, gc.D, gc.Dv, gc.mask != MaskKind::None);
    ref::AttentionConfig config;
    config.policy = gc.policy;
    config.rho = gc.rho;
    config.tauH = gc.tauH;
    config.topk = 3;
    config.blockRows = gc.bm;
    config.blockCols = gc.bn;
    config.approx = gc.approx;
    accel::AccelConfig accel =
        accelFor(gc, shape, accel::AttentionParams::from(config, shape.D));
    llvm::Expected<accel::Program> program =
        accel::buildProgram(shape, config, accel);
    ASSERT_TRUE(bool(program));
    sim::SimResult r = runCase(gc);
    ASSERT_FALSE(HasFailure());
    expectTimelineFollowsTheRule(*program, accel, r, gc.name);
    if (HasFailure())
      return; // one case's diagnostics are enough
  }
}

} // namespace
