//===- hdp-opt.cpp - mlir-opt with the hdp dialect and passes -------------===//
//
// Behaves like mlir-opt: every upstream dialect, pass and extension, plus
// the hdp dialect and passes.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/Transforms/Passes.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.h"
#include "hdp/Dialect/HDP/Transforms/BufferizableOpInterfaceImpl.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/TilingInterfaceImpl.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  hdp::registerHDPPasses();
  hdp::registerHDPAccelPasses();
  hdp::registerPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<hdp::HDPDialect, hdp::accel_ir::AccelDialect>();
  hdp::registerBufferizableOpInterfaceExternalModels(registry);
  hdp::registerTilingInterfaceExternalModels(registry);
  hdp::registerTransformDialectExtension(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "hdp optimizer driver: MLIR plus the hdp dialect\n",
      registry));
}
