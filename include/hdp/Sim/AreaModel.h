//===- AreaModel.h - Silicon area of an accelerator configuration -*- C++
//-*-===//
//
// A first-order area model, next to the energy model: the datapath of each
// unit (its adders and multipliers) and the SRAM buffers, in mm² at 45 nm,
// the node of the energy figures in the configurations. Each figure it
// uses names its source or says "assumed" (docs/accelerator.md, "Area
// model"). Control, interconnect, DMA engines and the DRAM interface are not
// counted, so the totals are lower bounds for comparing configurations, not
// a floorplan.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SIM_AREAMODEL_H
#define HDP_SIM_AREAMODEL_H

#include "hdp/ISA/AccelConfig.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace hdp::sim {

/// The technology node every figure below is given at.
constexpr const char *kAreaNode = "45 nm";

/// One published (or assumed) area figure.
struct AreaFigure {
  const char *name;   ///< e.g. "8-bit integer multiply"
  double um2;         ///< µm² at kAreaNode
  const char *source; ///< where it comes from, or "assumed: why"
};
/// The figures, in the order docs/accelerator.md lists them.
llvm::ArrayRef<AreaFigure> areaFigures();

/// Area in mm², per unit, summed over the cores.
struct Area {
  double peInt = 0;   ///< integer MACs of the PE arrays
  double pePv = 0;    ///< f32 MACs of the PE arrays (P·V)
  double se = 0;      ///< sparsity engines
  double softmax = 0; ///< softmax units
  double sram = 0;    ///< every buffer of every core
  double total() const { return peInt + pePv + se + softmax + sram; }
};
Area computeArea(const accel::AccelConfig &config);

/// Peak rates of a configuration, per cycle, over all cores.
struct PeakRates {
  double intMacsPerCycle = 0; ///< integer (I- or F-bit) MACs
  double pvMacsPerCycle = 0;  ///< f32 MACs of P·V
  double dramBytesPerCycle = 0;
};
PeakRates peakRates(const accel::AccelConfig &config);

} // namespace hdp::sim

#endif // HDP_SIM_AREAMODEL_H
