//===- Breakdown.cpp - Where the cycles of a simulated run went -----------===//
//
// Phases and wait causes (include/hdp/Sim/Breakdown.h), and the recorder
// that the scheduler feeds (BreakdownRecorder.h).
//
//===----------------------------------------------------------------------===//

#include "BreakdownRecorder.h"

#include "hdp/ISA/StreamBuilder.h"

#include <algorithm>

using namespace hdp::accel;

namespace hdp::sim {

llvm::StringRef waitCauseName(WaitCause cause) {
  switch (cause) {
  case WaitCause::DramChannel:
    return "dram_channel";
  case WaitCause::DramData:
    return "dram_data";
  case WaitCause::Dependency:
    return "dependency";
  case WaitCause::Unit:
    return "unit";
  case WaitCause::Barrier:
    return "barrier";
  }
  return "?";
}

uint64_t UnitTime::stalled() const {
  uint64_t sum = 0;
  for (uint64_t s : stall)
    sum += s;
  return sum;
}

UnitTime &UnitTime::operator+=(const UnitTime &other) {
  active += other.active;
  for (unsigned i = 0; i < kNumWaitCauses; ++i)
    stall[i] += other.stall[i];
  idle += other.idle;
  return *this;
}

llvm::StringRef phaseName(Phase phase) {
  switch (phase) {
  case Phase::Prepass:
    return "prepass";
  case Phase::HeadDecision:
    return "head_decision";
  case Phase::Attention:
    return "attention";
  }
  return "?";
}

Phase phaseOf(const Command &cmd, bool denseEngine) {
  if (denseEngine)
    return Phase::Attention;
  switch (cmd.opcode) {
  case Opcode::Barrier:
  case Opcode::SeEndH:
    return Phase::HeadDecision;
  case Opcode::PeInt:
  case Opcode::SeAcc:
  case Opcode::SeEndR:
    return Phase::Prepass;
  case Opcode::PeFrac:
  case Opcode::PePv:
  case Opcode::Softmax:
    return Phase::Attention;
  case Opcode::DmaStore:
    if (cmd.tensor == Tensor::HeadTable)
      return Phase::HeadDecision;
    if (cmd.tensor == Tensor::BlockMask && !cmd.has(FlagHeadPred))
      return Phase::Prepass;
    return Phase::Attention;
  case Opcode::DmaLoad:
    // Phase B predicates everything on its head; phase A's loads (Int(Q),
    // Int(K), the mask rows) are not predicated. Without a head decision
    // before phase B (τ_H = 0), the fraction planes and V are phase B's.
    return cmd.has(FlagHeadPred) || cmd.tensor == Tensor::QFrac ||
                   cmd.tensor == Tensor::KFrac || cmd.tensor == Tensor::V
               ? Phase::Attention
               : Phase::Prepass;
  }
  return Phase::Attention;
}

namespace detail {

BreakdownRecorder::BreakdownRecorder(const Program &program, Stats &stats)
    : stats(stats), denseEngine(isDenseEngineProgram(program)),
      lastEnd(program.accel.cores), release(program.accel.cores, 0),
      arrival(program.accel.cores, 0) {
  stats.unitTime.assign(program.accel.cores, {});
  stats.phases = {};
}

void BreakdownRecorder::record(const Command &cmd, const Effect &effect,
                               const Placement &p) {
  const unsigned u = static_cast<unsigned>(unitOf(cmd.opcode));
  PhaseStats &phase =
      stats.phases[static_cast<unsigned>(phaseOf(cmd, denseEngine))];
  UnitTime &time = stats.unitTime[cmd.core][u];
  UnitTime &phaseTime = phase.units[u];
  auto charge = [&](WaitCause cause, uint64_t cycles) {
    time.stallOn(cause) += cycles;
    phaseTime.stallOn(cause) += cycles;
  };

  uint64_t &last = lastEnd[cmd.core][u];
  uint64_t t = std::min(last, p.start);
  // A barrier holds the unit back first: until the core reaches it the unit
  // has nothing it may run (idle), then it waits for the other cores. What
  // remains after the release is charged to the bound satisfied last (ties:
  // DRAM data, then a dependency, then a busy unit).
  uint64_t barrier = waits.bound[static_cast<unsigned>(WaitCause::Barrier)];
  if (barrier > release[cmd.core]) {
    // The first command after a release: every unit of the core drained
    // into the barrier before it.
    release[cmd.core] = barrier;
    arrival[cmd.core] =
        *std::max_element(lastEnd[cmd.core].begin(), lastEnd[cmd.core].end());
  }
  if (barrier > t) {
    uint64_t reached =
        std::clamp(arrival[cmd.core], t, std::min(barrier, p.start));
    time.idle += reached - t;
    phaseTime.idle += reached - t;
    uint64_t released = std::min(barrier, p.start);
    charge(WaitCause::Barrier, released - reached);
    t = released;
  }
  if (p.start > t) {
    WaitCause cause = WaitCause::DramData;
    for (WaitCause c : {WaitCause::Dependency, WaitCause::Unit})
      if (waits.bound[static_cast<unsigned>(c)] >
          waits.bound[static_cast<unsigned>(cause)])
        cause = c;
    charge(cause, p.start - t);
  }
  if (p.granted > p.start)
    charge(WaitCause::DramChannel, p.granted - p.start);
  uint64_t active = p.unitEnd - std::max(p.granted, p.start);
  time.active += active;
  phaseTime.active += active;
  last = std::max(last, p.unitEnd);

  phase.commands += 1;
  phase.firstStart = std::min(phase.firstStart, p.start);
  phase.lastEnd = std::max(phase.lastEnd, p.end);
  if (cmd.opcode == Opcode::DmaLoad)
    phase.dramBytesRead += effect.dramBytes;
  else if (cmd.opcode == Opcode::DmaStore)
    phase.dramBytesWritten += effect.dramBytes;
  if (effect.dramBytes && !effect.skipped)
    phase.dramTransferCycles += active;
  phase.sramBytesRead += effect.sramRead;
  phase.sramBytesWritten += effect.sramWrite;
  phase.intMacs += effect.intMacs;
  phase.pvMacs += effect.pvMacs;
  phase.seOps += effect.seOps;
  phase.softmaxElements += effect.softmaxElements;
}

void BreakdownRecorder::finish() {
  for (size_t c = 0; c < stats.unitTime.size(); ++c)
    for (unsigned u = 0; u < kNumUnits; ++u) {
      UnitTime &time = stats.unitTime[c][u];
      uint64_t used = time.active + time.stalled() + time.idle;
      time.idle += stats.totalCycles > used ? stats.totalCycles - used : 0;
    }
}

} // namespace detail
} // namespace hdp::sim
