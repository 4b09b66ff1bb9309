//===- hdp-opt.cpp - mlir-opt with the hdp dialect and passes -------------===//
//
// Behaves like mlir-opt: every upstream dialect, pass and extension, plus
// hdp's, registered through the same public API embedding compilers use
// (hdp/InitAllDialects.h, hdp/InitAllPasses.h).
//
//===----------------------------------------------------------------------===//

#include "hdp/InitAllDialects.h"
#include "hdp/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  hdp::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  hdp::registerAllDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "hdp optimizer driver: MLIR plus the hdp dialect\n",
      registry));
}
