//===- HDPPassPlugin.cpp - hdp passes and pipelines for stock mlir-opt ----===//
//
//   mlir-opt --load-pass-plugin=HDPPassPlugin.so
//
// registers hdp-raise-attention, hdp-decompose, hdp-tile, hdp-lower-to-loops,
// hdp-lower-to-accel and hdp-cpu-pipeline. The code lives in
// libHDPPluginSupport, shared with HDPDialectPlugin.so.
//
//===----------------------------------------------------------------------===//

#include "hdp/InitAllPasses.h"

#include "mlir/Tools/Plugins/PassPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "hdp-passes", HDP_VERSION,
          [] { hdp::registerAllPasses(); }};
}
