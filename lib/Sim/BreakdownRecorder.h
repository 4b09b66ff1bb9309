//===- BreakdownRecorder.h - Stall attribution for the scheduler -*- C++
//-*-===//
//
// Private to HDPSim. The scheduler (Simulator.cpp) reports every command it
// places; the recorder charges the unit's cycles since its previous command
// to the wait that held the command back, and adds the command's work to its
// phase. Kept apart from the scheduler so that the scheduling rules and the
// accounting of their outcome can change independently.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_SIM_BREAKDOWNRECORDER_H
#define HDP_LIB_SIM_BREAKDOWNRECORDER_H

#include "Machine.h"

#include "hdp/Sim/Breakdown.h"

#include <vector>

namespace hdp::sim::detail {

/// A command as placed by the scheduler.
struct Placement {
  uint64_t start;   ///< when it started on its unit
  uint64_t granted; ///< DMA: when its transfer got the channel (else start)
  uint64_t unitEnd; ///< when its unit became free
  uint64_t end;     ///< when its results are available
};

class BreakdownRecorder {
public:
  BreakdownRecorder(const accel::Program &program, Stats &stats);

  /// Starts a command: the bounds on its start, for the scheduler to note.
  WaitBounds &begin() {
    waits = {};
    return waits;
  }
  /// Charges the cycles between the unit's previous command and `p.unitEnd`:
  /// the stall before `p.start` to the cause the noted bounds name (a
  /// barrier first, then the latest of the others), the channel wait, the
  /// activity.
  void record(const accel::Command &cmd, const Effect &effect,
              const Placement &p);
  /// The idle time of every unit, once the run's total is known.
  void finish();

private:
  Stats &stats;
  bool denseEngine;
  WaitBounds waits; ///< of the command being placed
  std::vector<std::array<uint64_t, accel::kNumUnits>> lastEnd; ///< per core
  /// Per core: the last barrier release seen, and when the core reached
  /// that barrier (its units drained).
  std::vector<uint64_t> release, arrival;
};

} // namespace hdp::sim::detail

#endif // HDP_LIB_SIM_BREAKDOWNRECORDER_H
