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
#include "hdp/Tooling/Diagnostics.h"
#include "hdp/Tooling/OutputFiles.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  hdp::tooling::InitTool init(argc, argv, "hdp-opt");
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
  // checked first (stdin can be read only once) and an output file written
  // all or nothing, as by every hdp tool. Standard output streams as in
  // mlir-opt: with --split-input-file, chunks that passed still print when
  // another one fails.
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFile, &error);
  if (!input) { // the message names the file
    llvm::errs() << "hdp-opt: error: " << error << "\n";
    return 1;
  }
  if (llvm::Error e = hdp::checkIrNesting(input->getBuffer(), inputFile))
    return hdp::tooling::fail(std::move(e));
  if (outputFile == "-")
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(llvm::outs(), std::move(input), registry, config));
  hdp::tooling::OutputFiles files;
  llvm::Expected<size_t> output = files.add(outputFile);
  if (!output)
    return hdp::tooling::fail(output.takeError());
  if (mlir::failed(mlir::MlirOptMain(files.stream(*output), std::move(input),
                                     registry, config)))
    return 1;
  if (llvm::Error e = files.commit())
    return hdp::tooling::fail(std::move(e));
  return 0;
}
