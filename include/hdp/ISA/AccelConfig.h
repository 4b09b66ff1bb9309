//===- AccelConfig.h - HDP co-processor configuration -----------*- C++ -*-===//
//
// The parameters of one HDP co-processor (HDP-Edge, HDP-Server, or an
// architect's own), as loaded from a JSON file such as configs/hdp-edge.json.
// docs/accelerator.md lists every parameter with its unit and its source.
//
// Loading is strict: every key is required, unknown keys are refused, and
// impossible values are refused; each error names the file and the key
// ("configs/x.json: key 'dram.latency_cycles': expected ...").
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ISA_ACCELCONFIG_H
#define HDP_ISA_ACCELCONFIG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace hdp::accel {

/// A number format of the P·V datapath (docs/accelerator.md, "Precision").
enum class Precision : uint8_t { F32, BF16, FP16 };
/// "f32", "bf16", "fp16".
const char *precisionName(Precision p);
/// Bytes of one element in DRAM and SRAM.
inline unsigned precisionBytes(Precision p) {
  return p == Precision::F32 ? 4 : 2;
}
/// `x` rounded to `p` (round to nearest, ties to even; overflow to ±inf),
/// as an f32.
float roundTo(Precision p, float x);

/// Every parameter of the co-processor. Buffer sizes are per core and are
/// split into two equal slots (double buffering).
struct AccelConfig {
  std::string name;        ///< short identifier, at most 31 ASCII characters
  std::string description; ///< free text

  double clockMhz = 0; ///< clock frequency of every unit
  uint32_t cores = 0;  ///< processing cores (each: PE arrays, SE, softmax)

  // PE arrays: output-stationary, A tiles [tileRows x tileK] against B tiles
  // [tileK x tileCols], the A tile held while B tiles stream past.
  uint32_t peArraysPerCore = 0;
  uint32_t tileRows = 0;         ///< rows of an A tile (and of the output tile)
  uint32_t tileK = 0;            ///< reduction depth of one tile pair
  uint32_t tileCols = 0;         ///< columns of a B tile (and output tile)
  uint32_t intPairCycles = 0;    ///< cycles for one integer (I- or F-bit) pair
  uint32_t pvPairCycles = 0;     ///< cycles for one P·V (f32) tile pair
  uint32_t aTileLoadCycles = 0;  ///< cycles to load a new stationary A tile
  uint32_t pePipelineCycles = 0; ///< fill + drain latency per PE command

  // Sparsity engine.
  uint32_t seLanes = 0;           ///< elements (or blocks) per cycle
  uint32_t seThresholdCycles = 0; ///< END_R threshold latency per block row
  uint32_t seHeadCycles = 0;      ///< END_H decision latency per batch item

  // Softmax unit (polynomial exp, reciprocal by seed + Newton step).
  uint32_t softmaxLanes = 0;
  uint32_t softmaxLatencyCycles = 0;    ///< pipeline latency per command
  uint32_t softmaxReciprocalCycles = 0; ///< per row

  // SRAM buffers, bytes per core.
  uint64_t qBufferBytes = 0;
  uint64_t kBufferBytes = 0;
  uint64_t vBufferBytes = 0;
  uint64_t maskBufferBytes = 0;
  uint64_t scoreBufferBytes = 0;
  uint64_t thetaBufferBytes = 0;
  uint64_t blockMaskBufferBytes = 0;
  uint64_t outBufferBytes = 0;

  // DRAM: one channel shared by every core.
  double dramBytesPerCycle = 0;
  uint32_t dramLatencyCycles = 0;
  uint32_t dramBurstBytes = 0; ///< transfers are rounded up to bursts

  // Number formats of the P·V datapath; products are exact and accumulate
  // in f32.
  Precision vPrecision = Precision::F32;   ///< V in DRAM and SRAM
  Precision pPrecision = Precision::F32;   ///< probabilities into the PE
  Precision outPrecision = Precision::F32; ///< the output in DRAM

  // Energy per operation, in picojoules, and static power.
  double energyIntMacPj = 0;   ///< one I/F-bit integer MAC
  double energyPvMacPj = 0;    ///< one f32 MAC of P·V
  double energySeOpPj = 0;     ///< one SE element operation
  double energySoftmaxPj = 0;  ///< one softmax element (exp + sum + scale)
  double energySramBytePj = 0; ///< one SRAM byte read or written
  double energyDramBytePj = 0; ///< one DRAM byte read or written
  double staticPowerMw = 0;    ///< leakage of the whole co-processor

  /// FNV-1a 64 over a canonical encoding of every parameter except the
  /// description: two configurations with the same hash compile and simulate
  /// identically.
  uint64_t hash() const;
  /// Empty when every value is possible, otherwise "key 'x': why".
  std::string validate() const;
};

/// Parses the JSON text of a configuration; `fileName` prefixes errors.
llvm::Expected<AccelConfig> parseAccelConfig(llvm::StringRef jsonText,
                                             llvm::StringRef fileName);
/// Reads and parses a configuration file.
llvm::Expected<AccelConfig> loadAccelConfig(llvm::StringRef path);

/// The configuration as JSON text in the file format (round-trips through
/// parseAccelConfig).
std::string accelConfigToJson(const AccelConfig &config);

} // namespace hdp::accel

#endif // HDP_ISA_ACCELCONFIG_H
