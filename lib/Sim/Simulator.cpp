//===- Simulator.cpp - Timing model and scheduling of commands ------------===//
//
// An interval model, not a cycle-stepped one: each command gets a start and
// an end cycle, computed once.
//
//   start = max(the unit's free time,
//               end of the last write of every slot region it reads (RAW),
//               end of the last access of every slot region it writes
//               (WAR/WAW; not for a write after a write on the same unit,
//               which the in-order unit already orders),
//               the core's barrier release, and END_H for predicated
//               commands)
//   end   = start + cycles (compute), or, for DMA, the transfer's slot on
//           the shared DRAM channel + bytes/bandwidth + latency.
//
// Cores advance together: the scheduler always processes the core whose
// next command can start earliest, so the DRAM channel sees requests in
// (nearly) time order; the channel keeps a calendar of busy intervals and
// puts each transfer in the first gap that fits (first come, first served
// by ready time). A barrier releases when every core has drained into it.
//
// The scoreboard keeps, per slot (per column of score and θ slots), only the
// latest end of the reads and of the writes of each unit: that is all the
// rule above needs, and it keeps the cost of a command independent of how
// many commands came before it.
//
//===----------------------------------------------------------------------===//

#include "BreakdownRecorder.h"
#include "Machine.h"

#include "hdp/ISA/Program.h"
#include "hdp/ISA/StreamBuilder.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

using namespace llvm;
using namespace hdp::accel;

namespace hdp::sim {

namespace {

using Cycle = uint64_t;

Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// "%g" text of a number, for messages.
std::string shortReal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

/// A rectangle of a slot, in slot-relative rows and absolute columns.
struct Region {
  uint64_t r0, r1, c0, c1;
};
constexpr uint64_t kAll = UINT64_MAX;

/// The latest end of the reads and of the writes of a slot region, per unit:
/// all a later access needs to know, since it waits for the latest
/// conflicting one (the scoreboard keeps maxima, not lists, so its cost per
/// command does not grow with the commands before it).
struct AccessEnds {
  std::array<Cycle, kNumUnits> read{}, write{};

  /// When an access (`write`, on `unit`) may start as far as these go: a
  /// read waits for writes; a write waits for reads and for writes of other
  /// units (the in-order unit already orders its own).
  /// `why` (optional) gets each bound with its cause.
  Cycle bound(bool write, Unit unit, WaitBounds *why = nullptr) const {
    Cycle t = 0;
    for (unsigned u = 0; u < kNumUnits; ++u) {
      if (write)
        t = std::max(t, read[u]);
      if (!write || u != static_cast<unsigned>(unit))
        t = std::max(t, this->write[u]);
      if (why && write)
        why->note(WaitBounds::causeOf(write, u, false), read[u]);
      if (why && (!write || u != static_cast<unsigned>(unit)))
        why->note(WaitBounds::causeOf(write, u, true), this->write[u]);
    }
    return t;
  }
  void record(bool write, Unit unit, Cycle end) {
    Cycle &e = (write ? this->write : read)[static_cast<unsigned>(unit)];
    e = std::max(e, end);
  }
};

/// The scoreboard of one slot. Score and θ slots are tracked per column
/// (key column, block column), as one array per unit and kind of access,
/// allocated when a unit first touches the slot (a slot sees 2-3 units);
/// every other slot is tracked as a whole.
class SlotBoard {
public:
  void trackColumns(uint64_t columns) { width = columns; }

  Cycle bound(bool write, Unit unit, uint64_t first, uint64_t last,
              WaitBounds *why = nullptr) const {
    if (!width)
      return whole.bound(write, unit, why);
    Cycle t = 0;
    for (unsigned u = 0; u < kNumUnits; ++u) {
      if (write)
        t = std::max(t, rangeMax(reads[u], first, last));
      if (!write || u != static_cast<unsigned>(unit))
        t = std::max(t, rangeMax(writes[u], first, last));
      if (why && write)
        why->note(WaitBounds::causeOf(write, u, false),
                  rangeMax(reads[u], first, last));
      if (why && (!write || u != static_cast<unsigned>(unit)))
        why->note(WaitBounds::causeOf(write, u, true),
                  rangeMax(writes[u], first, last));
    }
    return t;
  }
  void record(bool write, Unit unit, uint64_t first, uint64_t last, Cycle end) {
    if (!width) {
      whole.record(write, unit, end);
      return;
    }
    std::vector<Cycle> &ends =
        (write ? writes : reads)[static_cast<unsigned>(unit)];
    if (ends.empty())
      ends.assign(width, 0);
    for (uint64_t j = first; j < last; ++j)
      ends[j] = std::max(ends[j], end);
  }

private:
  static Cycle rangeMax(const std::vector<Cycle> &ends, uint64_t first,
                        uint64_t last) {
    Cycle t = 0;
    if (!ends.empty())
      for (uint64_t j = first; j < last; ++j)
        t = std::max(t, ends[j]);
    return t;
  }
  uint64_t width = 0;
  AccessEnds whole;
  std::array<std::vector<Cycle>, kNumUnits> reads, writes;
};

/// The region of a slot a command touches: score and θ slots are written
/// column range by column range (so the SE can drain one chunk while the PE
/// fills the next); every other slot is touched as a whole.
Region regionOf(const Command &c, Buffer buffer, const AttentionShape &shape,
                const AttentionParams &params, uint32_t scoreWindowLo) {
  if (buffer == Buffer::Score) {
    // Slot-relative columns: a slot stores the key columns from the first
    // it holds (scoreWindowLo), so successive key tiles share storage.
    if (c.opcode == Opcode::Softmax && c.cols == 0)
      return {0, c.rows, 0, shape.M - scoreWindowLo};
    return {0, c.rows, c.col0 - scoreWindowLo,
            uint64_t(c.col0) + c.cols - scoreWindowLo};
  }
  if (buffer == Buffer::Theta) {
    if (c.opcode == Opcode::SeEndR)
      return {0, kAll, 0, kAll};
    uint64_t bn = params.blockCols;
    return {0, kAll, c.col0 / bn, (uint64_t(c.col0) + c.cols + bn - 1) / bn};
  }
  return {0, kAll, 0, kAll};
}

/// The DRAM channel: a calendar of busy intervals [start, end).
class DramChannel {
public:
  /// Reserves `duration` cycles at or after `ready`; returns the start.
  Cycle reserve(Cycle ready, Cycle duration) {
    Cycle t = ready;
    auto it = busy.upper_bound(t);
    if (it != busy.begin()) {
      auto prev = std::prev(it);
      t = std::max(t, prev->second);
    }
    while (it != busy.end() && it->first < t + duration) {
      t = std::max(t, it->second);
      ++it;
    }
    insert(t, t + duration);
    busyCycles += duration;
    return t;
  }
  /// Drops intervals that end before `frontier`: no future request can be
  /// ready earlier than that.
  void forget(Cycle frontier) {
    while (!busy.empty() && busy.begin()->second <= frontier)
      busy.erase(busy.begin());
  }
  Cycle busyCycles = 0;

private:
  void insert(Cycle start, Cycle end) {
    auto next = busy.lower_bound(start);
    // Merge with a neighbour that touches, to keep the calendar short.
    if (next != busy.begin()) {
      auto prev = std::prev(next);
      if (prev->second == start) {
        start = prev->first;
        busy.erase(prev);
      }
    }
    next = busy.lower_bound(start);
    if (next != busy.end() && next->first == end) {
      end = next->second;
      busy.erase(next);
    }
    busy[start] = end;
  }
  std::map<Cycle, Cycle> busy;
};

struct CoreTiming {
  std::vector<uint32_t> commands; ///< indices into the program, in order
  size_t next = 0;
  std::array<Cycle, kNumUnits> unitFree{};
  Cycle floor = 0; ///< barrier release
  bool atBarrier = false;
  /// readyTime() of the next command, valid until this core changes.
  std::optional<Cycle> cachedReady;
  Cycle barrierArrival = 0;
  std::vector<Cycle> headReady; ///< END_H end per batch item
  /// Scoreboard per buffer and slot.
  std::array<std::array<SlotBoard, kSlotsPerBuffer>, kNumBuffers> slots;

  Cycle drained() const {
    return *std::max_element(unitFree.begin(), unitFree.end());
  }
};

class Scheduler {
public:
  Scheduler(const Program &program, const AccelConfig &config,
            const Inputs &inputs, const SimOptions &options)
      : program(program), config(config), options(options),
        machine(program, config, inputs), cores(program.accel.cores),
        breakdown(program, result.stats) {
    for (size_t i = 0; i < program.commands.size(); ++i)
      cores[program.commands[i].core].commands.push_back(
          static_cast<uint32_t>(i));
    const uint64_t blockCols = program.shape.blockColsOf(program.attention);
    for (CoreTiming &core : cores) {
      core.headReady.assign(program.shape.B, 0);
      for (unsigned slot = 0; slot < kSlotsPerBuffer; ++slot) {
        core.slots[static_cast<unsigned>(Buffer::Score)][slot].trackColumns(
            program.shape.M);
        core.slots[static_cast<unsigned>(Buffer::Theta)][slot].trackColumns(
            blockCols);
      }
    }
    blockMaskStored.assign(uint64_t(program.shape.B) * program.shape.H, 0);
    result.stats.cores.resize(program.accel.cores);
  }

  Expected<SimResult> run();

private:
  /// The columns of a score or θ slot that `c` touches (an empty range when
  /// its region is empty).
  std::pair<uint64_t, uint64_t> columnsOf(const Command &c, Buffer buffer,
                                          uint32_t scoreWindowLo) const {
    Region r =
        regionOf(c, buffer, program.shape, program.attention, scoreWindowLo);
    uint64_t limit = buffer == Buffer::Score
                         ? program.shape.M
                         : program.shape.blockColsOf(program.attention);
    if (r.r0 >= r.r1)
      return {0, 0};
    return {std::min(r.c0, limit), std::min(r.c1, limit)};
  }
  /// Earliest start of `c` on `core` from units and dependencies (not DRAM).
  /// `scoreWindowLo`: the first key column of the score slot `c` touches
  /// (detail::Effect::scoreWindowLo).
  Cycle readyTime(const CoreTiming &core, const Command &c, bool skipped,
                  uint32_t scoreWindowLo) const;
  Error process(CoreTiming &core);
  void releaseBarrier();
  /// The bound on every cycle count (SimOptions::maxCycles, at most 2^50).
  Cycle maxCycles() const {
    return std::min(options.maxCycles, SimOptions::kMaxCycles);
  }
  Error tooLong(size_t index) const {
    double seconds = double(maxCycles()) / (config.clockMhz * 1e6);
    return describe(index,
                    fail("the simulated run would take more than " +
                         Twine(maxCycles()) + " cycles (" + shortReal(seconds) +
                         " s at " + shortReal(config.clockMhz) +
                         " MHz); the accelerator configuration is too slow for "
                         "this attention"));
  }
  Error describe(size_t index, Error e) const {
    return fail("command #" + Twine(index) + " (" +
                formatCommand(program.commands[index]) +
                "): " + toString(std::move(e)));
  }

  const Program &program;
  const AccelConfig &config;
  const SimOptions &options;
  detail::Machine machine;
  std::vector<CoreTiming> cores;
  DramChannel dram;
  std::vector<Cycle> blockMaskStored; ///< last block-mask store per (b,h)
  SimResult result;
  detail::BreakdownRecorder breakdown;
  /// While set, readyTime() also notes each bound with its cause there.
  WaitBounds *waitsOut = nullptr;
  size_t done = 0;
};

Cycle Scheduler::readyTime(const CoreTiming &core, const Command &c,
                           bool skipped, uint32_t scoreWindowLo) const {
  Unit unit = unitOf(c.opcode);
  Cycle t = std::max(core.floor, core.unitFree[static_cast<unsigned>(unit)]);
  WaitBounds *why = waitsOut;
  if (why)
    why->note(WaitCause::Barrier, core.floor);
  if (c.has(FlagHeadPred) ||
      (c.opcode == Opcode::DmaStore && c.tensor == Tensor::HeadTable)) {
    t = std::max(t, core.headReady[c.batch]);
    if (why)
      why->note(WaitCause::Dependency, core.headReady[c.batch]);
  }
  if (skipped)
    return t;
  for (const Operand &o : operandsOf(c)) {
    const SlotBoard &board =
        core.slots[static_cast<unsigned>(o.buffer)][c.slots[o.slotIndex]];
    auto [first, last] = columnsOf(c, o.buffer, scoreWindowLo);
    t = std::max(t, board.bound(o.write, unit, first, last));
    if (why)
      board.bound(o.write, unit, first, last, why);
  }
  if (c.opcode == Opcode::DmaLoad && c.tensor == Tensor::BlockMask) {
    t = std::max(t,
                 blockMaskStored[uint64_t(c.batch) * program.shape.H + c.head]);
    if (why)
      why->note(WaitCause::Dependency,
                blockMaskStored[uint64_t(c.batch) * program.shape.H + c.head]);
  }
  return t;
}

Error Scheduler::process(CoreTiming &core) {
  const uint32_t index = core.commands[core.next];
  const Command &c = program.commands[index];
  Stats &stats = result.stats;

  if (c.opcode == Opcode::Barrier) {
    core.atBarrier = true;
    core.barrierArrival = std::max(core.drained(), core.floor);
    return Error::success();
  }

  // Predicated commands need the head decision in time as well as in data.
  detail::Effect effect;
  waitsOut = &breakdown.begin(); // readyTime() notes what holds c back
  if (Error e = machine.execute(c, effect))
    return describe(index, std::move(e));

  const Unit unit = unitOf(c.opcode);
  const unsigned u = static_cast<unsigned>(unit);
  Cycle start = readyTime(core, c, effect.skipped, effect.scoreWindowLo);
  Cycle unitEnd, end;
  waitsOut = nullptr;
  Cycle granted = start; // DMA: when its transfer got the channel
  if (effect.skipped) {
    unitEnd = end = start + 1; // decoding and dropping the command
  } else if (unit == Unit::DmaIn || unit == Unit::DmaOut) {
    if (effect.dramBytes == 0) {
      unitEnd = end = start + 1;
    } else {
      // Checked before the conversion: a double beyond the range of Cycle
      // would make it undefined.
      double cycles =
          std::ceil(double(effect.dramBytes) / config.dramBytesPerCycle);
      if (!(cycles <= double(maxCycles())))
        return tooLong(index);
      Cycle duration = static_cast<Cycle>(cycles);
      granted = dram.reserve(start, duration);
      unitEnd = granted + duration;
      end = unitEnd + config.dramLatencyCycles;
      if (options.collectTrace)
        result.trace.push_back(
            {index, c.core, std::nullopt, granted, unitEnd, false});
    }
  } else {
    if (effect.unitCycles > maxCycles())
      return tooLong(index);
    unitEnd = end = start + std::max<Cycle>(effect.unitCycles, 1);
  }
  if (end > maxCycles())
    return tooLong(index);
  core.unitFree[u] = unitEnd;

  // Record the accesses for later commands' dependencies.
  if (!effect.skipped) {
    for (const Operand &o : operandsOf(c)) {
      SlotBoard &board =
          core.slots[static_cast<unsigned>(o.buffer)][c.slots[o.slotIndex]];
      auto [first, last] = columnsOf(c, o.buffer, effect.scoreWindowLo);
      board.record(o.write, unit, first, last, end);
    }
    if (c.opcode == Opcode::SeEndH)
      core.headReady[c.batch] = end;
    if (c.opcode == Opcode::DmaStore && c.tensor == Tensor::BlockMask) {
      Cycle &stored =
          blockMaskStored[uint64_t(c.batch) * program.shape.H + c.head];
      stored = std::max(stored, end);
    }
  }

  breakdown.record(c, effect, {start, granted, unitEnd, end});
  UnitStats &us = stats.cores[c.core][u];
  us.busyCycles += unitEnd - start;
  us.commands += 1;
  stats.totalCycles = std::max(stats.totalCycles, end);
  stats.commands += 1;
  stats.commandsByOpcode[static_cast<uint8_t>(c.opcode)] += 1;
  if (effect.skipped)
    stats.commandsSkipped += 1;
  if (c.opcode == Opcode::DmaLoad)
    stats.dramBytesRead += effect.dramBytes;
  else if (c.opcode == Opcode::DmaStore)
    stats.dramBytesWritten += effect.dramBytes;
  stats.dramBytesByTensor[static_cast<uint8_t>(c.tensor)] += effect.dramBytes;
  stats.dramBytesSavedFum += effect.savedFum;
  stats.dramBytesSavedHeadPruning += effect.savedHead;
  stats.sramBytesRead += effect.sramRead;
  stats.sramBytesWritten += effect.sramWrite;
  stats.intMacs += effect.intMacs;
  stats.pvMacs += effect.pvMacs;
  stats.seOps += effect.seOps;
  stats.softmaxElements += effect.softmaxElements;
  if (options.collectTrace)
    result.trace.push_back(
        {index, c.core, unit, start, unitEnd, effect.skipped});
  ++core.next;
  return Error::success();
}

void Scheduler::releaseBarrier() {
  Cycle release = 0;
  for (CoreTiming &core : cores)
    release = std::max(release, core.barrierArrival);
  for (CoreTiming &core : cores) {
    uint32_t index = core.commands[core.next];
    if (options.collectTrace)
      result.trace.push_back({index, program.commands[index].core, Unit::Sync,
                              core.barrierArrival, release, false});
    core.floor = release;
    core.cachedReady.reset();
    for (Cycle &f : core.unitFree)
      f = std::max(f, release);
    core.atBarrier = false;
    ++core.next;
    result.stats.commands += 1;
    result.stats.commandsByOpcode[static_cast<uint8_t>(Opcode::Barrier)] += 1;
    result.stats
        .cores[program.commands[index].core][static_cast<unsigned>(Unit::Sync)]
        .commands += 1;
  }
  result.stats.totalCycles = std::max(result.stats.totalCycles, release);
}

Expected<SimResult> Scheduler::run() {
  const size_t total = program.commands.size();
  size_t sinceProgress = 0;
  while (true) {
    // The core whose next command can start first.
    CoreTiming *best = nullptr;
    Cycle bestTime = UINT64_MAX;
    bool anyLeft = false, allAtBarrier = true;
    for (CoreTiming &core : cores) {
      if (core.next >= core.commands.size())
        continue;
      anyLeft = true;
      if (core.atBarrier)
        continue;
      allAtBarrier = false;
      const Command &c = program.commands[core.commands[core.next]];
      // Only this core's own state moves its next command, except for a
      // block-mask load waiting on another core's store: recompute that.
      if (!core.cachedReady ||
          (c.opcode == Opcode::DmaLoad && c.tensor == Tensor::BlockMask))
        core.cachedReady =
            c.opcode == Opcode::Barrier
                ? core.drained()
                : readyTime(core, c, false, machine.scoreWindowLo(c));
      Cycle t = *core.cachedReady;
      if (t < bestTime) {
        bestTime = t;
        best = &core;
      }
    }
    if (!anyLeft)
      break;
    if (allAtBarrier) {
      // Every core with commands left waits at a barrier; checkProgram
      // guarantees the cores without commands left passed all of theirs,
      // so this only happens when every core is here.
      for (CoreTiming &core : cores)
        if (!core.atBarrier)
          return fail("internal error: barrier reached by only some cores");
      releaseBarrier();
      done += cores.size();
      continue;
    }
    best->cachedReady.reset();
    if (Error e = process(*best))
      return std::move(e);
    ++done;
    if (++sinceProgress >= 256) {
      sinceProgress = 0;
      Cycle frontier = UINT64_MAX;
      for (const CoreTiming &core : cores)
        if (core.next < core.commands.size())
          frontier = std::min(
              {frontier,
               std::max(core.floor,
                        core.unitFree[static_cast<unsigned>(Unit::DmaIn)]),
               std::max(core.floor,
                        core.unitFree[static_cast<unsigned>(Unit::DmaOut)])});
      if (frontier != UINT64_MAX)
        dram.forget(frontier);
      if (options.progress)
        options.progress(done, total);
    }
  }
  if (options.progress)
    options.progress(total, total);

  Stats &stats = result.stats;
  for (const CoreTiming &core : cores)
    stats.totalCycles = std::max(stats.totalCycles, core.drained());
  stats.dramBusyCycles = dram.busyCycles;
  breakdown.finish();
  result.outputs = machine.outputs();
  const Outputs &o = result.outputs;
  stats.blocksTotal = o.blockMask.data.size();
  // The dense engine keeps every valid block without storing a block mask.
  stats.blocksValid = machine.blocksValid() + machine.blocksDenseLive();
  stats.blocksKept =
      std::count(o.blockMask.data.begin(), o.blockMask.data.end(), 1) +
      machine.blocksDenseLive();
  stats.headsTotal = o.headMask.data.size();
  stats.headsPruned = o.headTableComplete ? std::count(o.headMask.data.begin(),
                                                       o.headMask.data.end(), 0)
                                          : 0;
  std::sort(result.trace.begin(), result.trace.end(),
            [](const TraceEvent &a, const TraceEvent &b) {
              return a.start < b.start;
            });
  return std::move(result);
}

} // namespace

Error checkCompatible(const Program &program, StringRef programName,
                      const AccelConfig &config, StringRef configName) {
  AccelSignature mine = AccelSignature::of(config);
  const AccelSignature &theirs = program.accel;
  if (mine == theirs)
    return Error::success();
  std::string differs;
  auto note = [&](StringRef key, uint64_t a, uint64_t b) {
    if (a != b && differs.empty())
      differs = (key + ": " + Twine(a) + " in the program, " + Twine(b) +
                 " in the configuration")
                    .str();
  };
  note("cores", theirs.cores, mine.cores);
  note("pe.arrays_per_core", theirs.peArraysPerCore, mine.peArraysPerCore);
  note("pe.tile_rows", theirs.tileRows, mine.tileRows);
  note("pe.tile_k", theirs.tileK, mine.tileK);
  note("pe.tile_cols", theirs.tileCols, mine.tileCols);
  const char *keys[kNumBuffers] = {
      "sram.q_buffer_bytes",         "sram.k_buffer_bytes",
      "sram.v_buffer_bytes",         "sram.mask_buffer_bytes",
      "sram.score_buffer_bytes",     "sram.theta_buffer_bytes",
      "sram.blockmask_buffer_bytes", "sram.out_buffer_bytes"};
  for (unsigned i = 0; i < kNumBuffers; ++i)
    note(keys[i], theirs.bufferBytes[i], mine.bufferBytes[i]);
  if (differs.empty())
    differs = theirs.name != mine.name
                  ? "the names differ"
                  : "timing or energy parameters differ (configuration hash "
                    "0x" +
                        utohexstr(theirs.hash, /*LowerCase=*/true) +
                        " in the program, 0x" +
                        utohexstr(mine.hash, /*LowerCase=*/true) + " here)";
  return fail(programName + ": compiled for accelerator '" + theirs.name +
              "', but " + configName + " describes '" + mine.name + "' (" +
              differs +
              "); recompile the program for this "
              "configuration");
}

Error checkInputs(const Program &program, const Inputs &inputs,
                  unsigned &which) {
  const AttentionShape &s = program.shape;
  auto shapeText = [](const std::vector<int64_t> &shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
      text += (i ? "," : "") + std::to_string(shape[i]);
    return text + "]";
  };
  auto expect = [&](unsigned index, const char *name,
                    const ref::Tensor<float> &t, std::vector<int64_t> expected,
                    const char *what) -> Error {
    if (t.shape == expected)
      return Error::success();
    which = index;
    return fail(Twine(name) + " has shape " + shapeText(t.shape) +
                "; the program was compiled for " + what);
  };
  std::string q = "[B=" + std::to_string(s.B) + ",H=" + std::to_string(s.H) +
                  ",N=" + std::to_string(s.N) + ",D=" + std::to_string(s.D) +
                  "]";
  std::string k = "[B=" + std::to_string(s.B) + ",H=" + std::to_string(s.H) +
                  ",M=" + std::to_string(s.M) + ",D=" + std::to_string(s.D) +
                  "]";
  std::string v = "[B=" + std::to_string(s.B) + ",H=" + std::to_string(s.H) +
                  ",M=" + std::to_string(s.M) + ",Dv=" + std::to_string(s.Dv) +
                  "]";
  if (Error e = expect(0, "Q", inputs.q, {s.B, s.H, s.N, s.D}, q.c_str()))
    return e;
  if (Error e = expect(1, "K", inputs.k, {s.B, s.H, s.M, s.D}, k.c_str()))
    return e;
  if (Error e = expect(2, "V", inputs.v, {s.B, s.H, s.M, s.Dv}, v.c_str()))
    return e;
  which = 3;
  if (s.hasMask && !inputs.mask)
    return fail("the program was compiled with a mask; expected a 4th input "
                "(the additive mask)");
  if (!s.hasMask && inputs.mask)
    return fail("the program was compiled without a mask; expected 3 inputs "
                "(Q, K, V), got a mask as well");
  if (inputs.mask) {
    std::string why =
        ref::checkMaskBroadcast(inputs.mask->shape, s.B, s.H, s.N, s.M);
    if (!why.empty())
      return fail(why);
    if (s.maskForm != MaskForm::Additive)
      if (Expected<EncodedMask> encoded = encodeMask(*inputs.mask, s.maskForm);
          !encoded)
        return encoded.takeError();
  }
  return Error::success();
}

Expected<SimResult> simulate(const Program &program, const AccelConfig &config,
                             const Inputs &inputs, const SimOptions &options) {
  if (Error e =
          checkCompatible(program, "the program", config, "the configuration"))
    return std::move(e);
  unsigned which = 0;
  if (Error e = checkInputs(program, inputs, which))
    return std::move(e);
  // The block mask lives in simulated DRAM at one byte per block (and is an
  // output): refuse sizes that cannot be held rather than abort on them.
  const AttentionShape &shape = program.shape;
  double blocks = double(shape.B) * shape.H *
                  shape.blockRowsOf(program.attention) *
                  shape.blockColsOf(program.attention);
  if (blocks > double(uint64_t(1) << 32))
    return fail("the block mask would have " + shortReal(blocks) +
                " blocks; at most 2^32 can be simulated");
  if (std::optional<ProgramProblem> problem = checkProgram(program))
    return fail("invalid program: " + problem->message);
  // Every slot a command names must hold what it needs.
  for (size_t i = 0; i < program.commands.size(); ++i) {
    const Command &c = program.commands[i];
    for (const Operand &o : operandsOf(c)) {
      uint64_t rows = c.rows, keys = c.cols;
      switch (o.buffer) {
      case Buffer::K:
      case Buffer::V:
        rows = 0;
        break;
      case Buffer::Mask:
      case Buffer::Score: // the command's key tile (cols 0: whole rows)
        break;
      default:
        keys = 0;
        break;
      }
      // Only the buffer a command writes must hold its tile; readers are
      // checked against the slot's contents when they run.
      if (!o.write)
        continue;
      uint64_t needed =
          slotBytesNeeded(o.buffer, rows, keys, program.shape,
                          program.attention, precisionBytes(config.vPrecision));
      // Int(K) or Int(Q) alone (phase A) needs only its plane; the
      // fraction plane joins it in phase B.
      if (c.opcode == Opcode::DmaLoad && c.tensor == Tensor::KInt)
        needed = packedBytes(keys * program.shape.D, program.attention.intBits);
      if (c.opcode == Opcode::DmaLoad && c.tensor == Tensor::QInt)
        needed = packedBytes(rows * program.shape.D, program.attention.intBits);
      uint64_t capacity = slotCapacity(program.accel, o.buffer);
      if (needed > capacity)
        return fail("command #" + Twine(i) + " (" + formatCommand(c) +
                    "): needs " + Twine(needed) + " bytes in a " +
                    bufferName(o.buffer) + " slot, which holds " +
                    Twine(capacity));
    }
  }
  Scheduler scheduler(program, config, inputs, options);
  return scheduler.run();
}

Energy computeEnergy(const Stats &stats, const AccelConfig &config) {
  Energy e;
  e.peInt = double(stats.intMacs) * config.energyIntMacPj;
  e.pePv = double(stats.pvMacs) * config.energyPvMacPj;
  e.se = double(stats.seOps) * config.energySeOpPj;
  e.softmax = double(stats.softmaxElements) * config.energySoftmaxPj;
  e.sram = double(stats.sramBytesRead + stats.sramBytesWritten) *
           config.energySramBytePj;
  e.dram = double(stats.dramBytesRead + stats.dramBytesWritten) *
           config.energyDramBytePj;
  double seconds = double(stats.totalCycles) / (config.clockMhz * 1e6);
  e.leakage = config.staticPowerMw * 1e-3 * seconds * 1e12;
  return e;
}

} // namespace hdp::sim
