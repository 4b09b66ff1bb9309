//===- AreaModel.cpp - Silicon area of an accelerator configuration -------===//
//
// Each unit is counted as the operators the timing model gives it:
//   * a PE array multiplies tile_rows x tile_k by tile_k x tile_cols every
//     int_pair_cycles: that many I-bit multipliers, an adder tree per output
//     and a 32-bit accumulator per output; its f32 P·V rate (one pair per
//     pv_pair_cycles) needs tile_rows*tile_k*tile_cols / pv_pair_cycles f32
//     multiply-adds;
//   * the SE has se.lanes 32-bit adders and comparators, and one 32-bit
//     multiplier for the Q16 threshold;
//   * the softmax unit has softmax.lanes pipelines of the polynomial exp
//     (3 f32 multiplies, 3 f32 adds: the operations its energy is derived
//     from) plus one reciprocal (1 multiply, 1 add);
//   * SRAM: every buffer byte of every core.
//
//===----------------------------------------------------------------------===//

#include "hdp/Sim/AreaModel.h"

#include <cmath>

namespace hdp::sim {

namespace {

// Indices into kFigures.
enum Figure : unsigned {
  kMul8,
  kAdd8,
  kAdd16,
  kAdd32,
  kMul32,
  kFpMul32,
  kFpAdd32,
  kSramBit,
  kSramEfficiency,
};

// Horowitz, "Computing's energy problem (and what we can do about it)",
// ISSCC 2014, gives energy and area of each operator at 45 nm; the energy
// keys of configs/*.json use the same table.
constexpr const char *kHorowitz =
    "Horowitz, ISSCC 2014 (45 nm): table of operator energy and area";
const AreaFigure kFigures[] = {
    {"8-bit integer multiply", 282, kHorowitz},
    {"8-bit integer add", 36, kHorowitz},
    {"16-bit integer add", 67, kHorowitz},
    {"32-bit integer add", 137, kHorowitz},
    {"32-bit integer multiply", 3495, kHorowitz},
    {"f32 multiply", 7700, kHorowitz},
    {"f32 add", 4184, kHorowitz},
    {"6T SRAM bit cell", 0.346,
     "Mistry et al., IEDM 2007: Intel 45 nm high-k/metal-gate logic "
     "technology, 0.346 um2 SRAM cell"},
    {"SRAM array efficiency (cells / macro area), percent", 50,
     "assumed: typical of compiled SRAM macros of 16-512 KB (decoders, sense "
     "amplifiers, redundancy take the rest)"},
};

double mm2(double um2) { return um2 * 1e-6; }

double figure(Figure f) { return kFigures[f].um2; }

/// An I-bit multiplier, scaled from the 8-bit one by (I/8)², as the energy
/// of energy.int_mac_pj is.
double intMultiplier(double bits) {
  return figure(kMul8) * (bits / 8.0) * (bits / 8.0);
}

} // namespace

llvm::ArrayRef<AreaFigure> areaFigures() { return kFigures; }

PeakRates peakRates(const accel::AccelConfig &c) {
  double macsPerPair = double(c.tileRows) * c.tileK * c.tileCols;
  double arrays = double(c.cores) * c.peArraysPerCore;
  PeakRates r;
  r.intMacsPerCycle = arrays * macsPerPair / c.intPairCycles;
  r.pvMacsPerCycle = arrays * macsPerPair / c.pvPairCycles;
  r.dramBytesPerCycle = c.dramBytesPerCycle;
  return r;
}

Area computeArea(const accel::AccelConfig &c) {
  Area a;
  const double cores = c.cores;
  const double arrays = cores * c.peArraysPerCore;
  const double outputs = double(c.tileRows) * c.tileCols;
  // The integer datapath works on the 4-bit parts of the paper's 8-bit
  // fixed point (int_bits = frac_bits = 4).
  constexpr double kPartBits = 4;
  // Per output of a tile pair: tile_k multipliers, a tree of tile_k - 1
  // 16-bit adds, a 32-bit accumulator.
  double perOutput = c.tileK * intMultiplier(kPartBits) +
                     (c.tileK > 1 ? c.tileK - 1 : 0) * figure(kAdd16) +
                     figure(kAdd32);
  a.peInt = mm2(arrays * outputs * perOutput);
  double fpMacsPerArray =
      double(c.tileRows) * c.tileK * c.tileCols / c.pvPairCycles;
  a.pePv = mm2(arrays * fpMacsPerArray * (figure(kFpMul32) + figure(kFpAdd32)));
  a.se = mm2(cores * (c.seLanes * 2 * figure(kAdd32) + figure(kMul32)));
  a.softmax =
      mm2(cores * (c.softmaxLanes * 3 * (figure(kFpMul32) + figure(kFpAdd32)) +
                   figure(kFpMul32) + figure(kFpAdd32)));
  double bytesPerCore = double(c.qBufferBytes) + c.kBufferBytes +
                        c.vBufferBytes + c.maskBufferBytes +
                        c.scoreBufferBytes + c.thetaBufferBytes +
                        c.blockMaskBufferBytes + c.outBufferBytes;
  a.sram = mm2(cores * bytesPerCore * 8 * figure(kSramBit) /
               (figure(kSramEfficiency) / 100.0));
  return a;
}

} // namespace hdp::sim
