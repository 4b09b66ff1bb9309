//===- Simulator.h - Functional and timing simulator of HDP -----*- C++ -*-===//
//
// Runs a command stream (.hdpc) on a model of the HDP co-processor:
//
//   * functionally, each command executes on simulated SRAM buffer slots and
//     simulated DRAM, with the integer stages exact (block masks, head masks
//     and θ_H agree bit for bit with hdp::ref) and the floating stages in the
//     reference's order of operations;
//   * in time, each command occupies its unit for a number of cycles derived
//     from the data it actually processes (kept blocks, fetched bytes); it
//     starts when its unit is free and the buffer slots it reads were
//     written (a scoreboard), so DMA overlaps compute through the alternating
//     slots; DMA transfers share one DRAM channel (bandwidth, latency, burst
//     granularity); barriers synchronise the cores.
//
// docs/accelerator.md describes the timing model and the statistics.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SIM_SIMULATOR_H
#define HDP_SIM_SIMULATOR_H

#include "hdp/ISA/AccelConfig.h"
#include "hdp/ISA/Commands.h"
#include "hdp/ISA/Program.h"
#include "hdp/Reference/Reference.h"
#include "hdp/Sim/Breakdown.h"

#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hdp::sim {

/// The operands of the attention, as the host hands them over.
struct Inputs {
  ref::Tensor<float> q, k, v;
  std::optional<ref::Tensor<float>> mask;
};

/// The results, read back from simulated DRAM.
struct Outputs {
  ref::Tensor<float> out;         ///< [B,H,N,Dv]
  ref::Tensor<uint8_t> blockMask; ///< [B,H,NB,MB]
  ref::Tensor<uint8_t> headMask;  ///< [B,H]
  ref::Tensor<int64_t> thetaH;    ///< [B,H]
  /// Whether the program stored every block row of the block mask, and the
  /// head table of every batch item (a hand-written stream may not).
  bool blockMaskComplete = false;
  bool headTableComplete = false;
};

/// Busy time of one unit of one core.
struct UnitStats {
  uint64_t busyCycles = 0;
  uint64_t commands = 0;
};

/// Everything the simulator counts.
struct Stats {
  uint64_t totalCycles = 0;
  std::vector<std::array<UnitStats, accel::kNumUnits>> cores;

  uint64_t dramBusyCycles = 0;
  uint64_t dramBytesRead = 0;
  uint64_t dramBytesWritten = 0;
  uint64_t dramBytesSavedFum = 0;         ///< Fetch-Upon-Mask
  uint64_t dramBytesSavedHeadPruning = 0; ///< loads/stores of pruned heads
  /// Bytes on the channel (read or written) per tensor, indexed by its code.
  std::array<uint64_t, 16> dramBytesByTensor{};
  uint64_t sramBytesRead = 0;
  uint64_t sramBytesWritten = 0;

  uint64_t intMacs = 0; ///< I/F-bit integer MACs (padded tiles)
  uint64_t pvMacs = 0;  ///< f32 MACs of P·V (padded tiles)
  uint64_t seOps = 0;   ///< SE element operations
  uint64_t softmaxElements = 0;

  uint64_t commands = 0;
  uint64_t commandsSkipped = 0; ///< predicated off (pruned head)
  std::array<uint64_t, 256> commandsByOpcode{};

  uint64_t blocksTotal = 0;
  uint64_t blocksValid = 0; ///< with at least one non-removed element
  uint64_t blocksKept = 0;
  uint64_t headsTotal = 0;
  uint64_t headsPruned = 0;

  /// Where each unit's cycles went, per core, and what each phase of the
  /// dataflow did (hdp/Sim/Breakdown.h).
  std::vector<std::array<UnitTime, accel::kNumUnits>> unitTime;
  std::array<PhaseStats, kNumPhases> phases{};
};

/// Energy in picojoules, per component.
struct Energy {
  double peInt = 0, pePv = 0, se = 0, softmax = 0, sram = 0, dram = 0,
         leakage = 0;
  double total() const {
    return peInt + pePv + se + softmax + sram + dram + leakage;
  }
};
Energy computeEnergy(const Stats &stats, const accel::AccelConfig &config);

/// One interval of the timeline: a command on a unit, or a DRAM transfer
/// (unit = std::nullopt).
struct TraceEvent {
  uint32_t command;
  uint8_t core;
  std::optional<accel::Unit> unit;
  uint64_t start, end; ///< cycles
  bool skipped;
};

struct SimOptions {
  /// The longest run simulated (docs/limits.md): a command that would end
  /// later is an error. At most 2^50, so that cycle sums cannot overflow.
  static constexpr uint64_t kMaxCycles = uint64_t(1) << 50;
  uint64_t maxCycles = kMaxCycles;
  bool collectTrace = false;
  /// Called now and then with (commands done, commands total).
  std::function<void(size_t, size_t)> progress;
};

struct SimResult {
  Outputs outputs;
  Stats stats;
  std::vector<TraceEvent> trace;
};

/// Fails (naming both) unless `program` was compiled for `config`.
llvm::Error checkCompatible(const accel::Program &program,
                            llvm::StringRef programName,
                            const accel::AccelConfig &config,
                            llvm::StringRef configName);

/// Fails unless the inputs have the shapes the program was compiled for.
/// Messages name the operand ("Q", "K", "V", "mask") and the expected shape;
/// `which` receives the index of the offending operand.
llvm::Error checkInputs(const accel::Program &program, const Inputs &inputs,
                        unsigned &which);

/// Runs `program`. The program must be valid (readProgram/parseProgramText/
/// buildProgram check that), compatible with `config`, and the inputs must
/// fit it. Errors name the command ("command #12 (pe.frac core=0 ...)").
llvm::Expected<SimResult> simulate(const accel::Program &program,
                                   const accel::AccelConfig &config,
                                   const Inputs &inputs,
                                   const SimOptions &options = {});

/// The statistics as JSON (docs/accelerator.md lists the fields).
std::string statsToJson(const SimResult &result, const accel::Program &program,
                        const accel::AccelConfig &config);
/// The statistics for a reader: totals, where each unit's cycles went, the
/// phases with their roofline, area and energy.
std::string statsToText(const SimResult &result, const accel::Program &program,
                        const accel::AccelConfig &config);
/// The timeline as Chrome trace-event JSON (one process per core with one
/// thread per unit, plus a DRAM process), openable in Perfetto.
std::string traceToJson(const SimResult &result, const accel::Program &program,
                        const accel::AccelConfig &config);

} // namespace hdp::sim

#endif // HDP_SIM_SIMULATOR_H
