//===- hdp-opt.cpp - mlir-opt with the hdp dialect and passes -------------===//
//
// Behaves like mlir-opt: every upstream dialect, pass and extension, plus
// hdp's, registered through the same public API embedding compilers use
// (hdp/InitAllDialects.h, hdp/InitAllPasses.h). Unlike mlir-opt, it refuses
// text nested deeper than the parser's stack can take (docs/limits.md)
// before parsing it.
//
//===----------------------------------------------------------------------===//

#include "hdp/InitAllDialects.h"
#include "hdp/InitAllPasses.h"
#include "hdp/Support/TextNesting.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerAllPasses();
  hdp::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  hdp::registerAllDialects(registry);

  auto [inputFile, outputFile] = mlir::registerAndParseCLIOptions(
      argc, argv, "hdp optimizer driver: MLIR plus the hdp dialect\n",
      registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFile, outputFile, registry));

  // What MlirOptMain does with the file names, with the input's depth
  // checked in between (stdin can be read only once).
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "hdp-opt: error: " << error << "\n";
    return 1;
  }
  if (llvm::Error e = hdp::checkIrNesting(input->getBuffer(), inputFile)) {
    llvm::errs() << "hdp-opt: error: " << llvm::toString(std::move(e)) << "\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "hdp-opt: error: " << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
