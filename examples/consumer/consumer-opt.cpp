//===- consumer-opt.cpp - an out-of-tree tool that embeds hdp -------------===//
//
// The smallest useful embedding: an mlir-opt-like driver that knows only hdp
// (and the upstream dialects hdp's pipeline needs), built against an
// installed hdp with find_package(HDP). See docs/embedding.md.
//
//===----------------------------------------------------------------------===//

#include "hdp/InitAllDialects.h"
#include "hdp/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  hdp::registerAllPasses();

  mlir::DialectRegistry registry;
  hdp::registerAllDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "consumer-opt: an out-of-tree driver embedding hdp\n",
      registry));
}
