//===- HDPDialectPlugin.cpp - hdp dialects for stock mlir-opt -------------===//
//
//   mlir-opt --load-dialect-plugin=HDPDialectPlugin.so
//
// makes mlir-opt parse, verify and print hdp and hdp_accel IR, with the
// interface models hdp's passes need. The code lives in libHDPPluginSupport,
// shared with HDPPassPlugin.so so that a process holds one copy of each hdp
// TypeID.
//
//===----------------------------------------------------------------------===//

#include "hdp/InitAllDialects.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "hdp-dialects", HDP_VERSION,
          [](mlir::DialectRegistry *registry) {
            hdp::registerAllDialects(*registry);
          }};
}
