//===- Breakdown.h - Where the cycles of a simulated run went ---*- C++ -*-===//
//
// The simulator's per-unit and per-phase accounting: for every unit of every
// core, how many cycles it was active, how many it stalled and on what
// (DRAM, another unit's result, a slot another unit still holds, a barrier),
// and how many it was idle; for every phase of the dataflow (the integer
// pre-pass, the head decision, the attention proper), the work, traffic and
// unit time it accounts for. docs/accelerator.md ("Where the cycles go")
// defines each quantity.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SIM_BREAKDOWN_H
#define HDP_SIM_BREAKDOWN_H

#include "hdp/ISA/Commands.h"

#include "llvm/ADT/StringRef.h"

#include <array>
#include <cstdint>

namespace hdp::sim {

/// What a command waited for before it could start, once its unit was free.
enum class WaitCause : uint8_t {
  DramChannel, ///< a DMA transfer waiting for the shared DRAM channel
  DramData,    ///< data a DMA load is still bringing (transfer + latency)
  Dependency,  ///< a result of another unit (or the head decision)
  Unit,        ///< a slot another unit has not finished with (back-pressure)
  Barrier,     ///< the other cores, at a barrier
};
constexpr unsigned kNumWaitCauses = 5;
llvm::StringRef waitCauseName(WaitCause cause);

/// Where the cycles of one unit (of one core, or summed over cores) went.
/// For one unit of one core, active + stalls + idle = the run's cycles.
struct UnitTime {
  uint64_t active = 0; ///< executing; a DMA: its transfer on the channel
  std::array<uint64_t, kNumWaitCauses> stall{}; ///< by WaitCause
  uint64_t idle = 0;                            ///< no command left to run

  uint64_t &stallOn(WaitCause cause) {
    return stall[static_cast<unsigned>(cause)];
  }
  uint64_t stallOn(WaitCause cause) const {
    return stall[static_cast<unsigned>(cause)];
  }
  uint64_t stalled() const;
  uint64_t total() const { return active + stalled() + idle; }
  UnitTime &operator+=(const UnitTime &other);
};

/// The phases of the dataflow (docs/accelerator.md, "Dataflow").
enum class Phase : uint8_t {
  Prepass,      ///< phase A: integer product, θ, END_R, block masks
  HeadDecision, ///< barriers, END_H, the head table
  Attention,    ///< phase B (or the dense engine): scores, softmax, P·V
};
constexpr unsigned kNumPhases = 3;
llvm::StringRef phaseName(Phase phase);
/// The phase `cmd` belongs to; every command of a dense-engine program is
/// in the attention phase.
Phase phaseOf(const accel::Command &cmd, bool denseEngine);

/// What the commands of one phase did. Counters sum to the run's totals
/// over the phases.
struct PhaseStats {
  uint64_t commands = 0;
  /// The first start and last end of its commands (phases may overlap in
  /// time when there are several batch items); firstStart > lastEnd when
  /// the phase has no command.
  uint64_t firstStart = UINT64_MAX, lastEnd = 0;
  /// Unit time of its commands, summed over cores (the idle time before a
  /// barrier counts in the phase of the command that waited for it).
  std::array<UnitTime, accel::kNumUnits> units{};
  uint64_t dramBytesRead = 0, dramBytesWritten = 0;
  uint64_t dramTransferCycles = 0; ///< cycles its transfers held the channel
  uint64_t sramBytesRead = 0, sramBytesWritten = 0;
  uint64_t intMacs = 0, pvMacs = 0, seOps = 0, softmaxElements = 0;

  uint64_t span() const {
    return lastEnd > firstStart ? lastEnd - firstStart : 0;
  }
};

/// The latest cycle, per cause, before which a command cannot start (the
/// scheduler fills it while it computes the command's ready time).
struct WaitBounds {
  std::array<uint64_t, kNumWaitCauses> bound{};
  void note(WaitCause cause, uint64_t cycle) {
    uint64_t &b = bound[static_cast<unsigned>(cause)];
    if (cycle > b)
      b = cycle;
  }
  /// The cause of waiting on an earlier access of a slot by unit `other`:
  /// waiting for what `other` writes (RAW, and WAW, which in-place updates
  /// such as the softmax are) waits for DRAM data when `other` is DMA-in
  /// and for a dependency otherwise; overwriting what `other` still reads
  /// (WAR) waits for that unit to let the slot go.
  static WaitCause causeOf(bool accessIsWrite, unsigned other,
                           bool otherWrote) {
    (void)accessIsWrite;
    if (!otherWrote)
      return WaitCause::Unit;
    return other == static_cast<unsigned>(accel::Unit::DmaIn)
               ? WaitCause::DramData
               : WaitCause::Dependency;
  }
};

} // namespace hdp::sim

#endif // HDP_SIM_BREAKDOWN_H
