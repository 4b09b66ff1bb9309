//===- hdp-translate.cpp - mlir-translate with the .hdpc translations -----===//
//
// Behaves like mlir-translate (input file, -o, --split-input-file,
// --verify-diagnostics), with two translations:
//
//   --hdp-to-hdpc   a module holding one hdp_accel.program → .hdpc bytes
//   --hdpc-to-hdp   .hdpc bytes → the hdp_accel.program, as MLIR text
//
// .hdpc → text → .hdpc is byte-identical: the program op carries every
// field of the header and of every command. Unlike mlir-translate's own
// driver, -o is written all or nothing (hdp/Tooling/OutputFiles.h): a failed
// or killed translation leaves an existing file as it was.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/IR/ProgramConversion.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Support/TextNesting.h"
#include "hdp/Target/Hdpc/Hdpc.h"
#include "hdp/Tooling/Diagnostics.h"
#include "hdp/Tooling/OutputFiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace hdp;

namespace {

/// Dialects of the modules hdp-lower-to-accel produces (host code around
/// the programs) besides hdp_accel.
void registerInputDialects(DialectRegistry &registry) {
  registry.insert<accel_ir::AccelDialect, HDPDialect, func::FuncDialect,
                  arith::ArithDialect, tensor::TensorDialect,
                  memref::MemRefDialect, bufferization::BufferizationDialect>();
}

LogicalResult writeHdpc(Operation *op, raw_ostream &os) {
  SmallVector<accel_ir::ProgramOp> programs;
  op->walk([&](accel_ir::ProgramOp program) { programs.push_back(program); });
  if (programs.size() != 1)
    return op->emitError() << "--hdp-to-hdpc expects exactly one "
                              "hdp_accel.program, found "
                           << programs.size();
  FailureOr<accel::Program> program = accel_ir::programOf(programs.front());
  if (failed(program))
    return failure();
  // The verifier ran checkProgram already; check again for ops built
  // without verification.
  if (std::optional<accel::ProgramProblem> problem =
          accel::checkProgram(*program))
    return programs.front().emitOpError()
           << "is not a valid command stream: " << problem->message;
  os << accel::writeProgram(*program);
  return success();
}

OwningOpRef<Operation *> readHdpc(llvm::SourceMgr &sourceMgr,
                                  MLIRContext *context) {
  context->loadDialect<accel_ir::AccelDialect>();
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  StringRef fileName = buffer->getBufferIdentifier();
  llvm::Expected<accel::Program> program =
      accel::readProgram(buffer->getBuffer(), fileName);
  // The reader's errors name the file and the byte offset themselves: print
  // them as hdp-sim does, without a source location.
  if (!program) {
    tooling::fail(program.takeError());
    return {};
  }
  Location loc = FileLineColLoc::get(context, fileName, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder builder(context);
  builder.setInsertionPointToEnd(module->getBody());
  if (failed(accel_ir::buildProgramOp(builder, loc, "program", *program)))
    return {};
  return OwningOpRef<Operation *>(module.release());
}

/// The one translation whose input is MLIR text (the other reads .hdpc).
constexpr llvm::StringLiteral kToHdpcDescription =
    "Write the hdp_accel.program as a .hdpc command stream";

/// Runs the translation on one buffer (the input, or one chunk of it).
LogicalResult translate(const Translation &translation,
                        std::unique_ptr<llvm::MemoryBuffer> buffer,
                        raw_ostream &os, bool verifyDiagnostics) {
  MLIRContext context;
  context.printOpOnDiagnostic(!verifyDiagnostics);
  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (!verifyDiagnostics) {
    SourceMgrDiagnosticHandler handler(*sourceMgr, &context);
    return translation(sourceMgr, os, &context);
  }
  SourceMgrDiagnosticVerifierHandler handler(*sourceMgr, &context);
  (void)translation(sourceMgr, os, &context);
  return handler.verify();
}

} // namespace

int main(int argc, char **argv) {
  tooling::InitTool init(argc, argv, "hdp-translate");
  TranslateFromMLIRRegistration toHdpc("hdp-to-hdpc", kToHdpcDescription,
                                       writeHdpc, registerInputDialects);
  TranslateToMLIRRegistration fromHdpc(
      "hdpc-to-hdp", "Read a .hdpc command stream as an hdp_accel.program",
      readHdpc, [](DialectRegistry &registry) {
        registry.insert<accel_ir::AccelDialect>();
      });
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerTranslationCLOptions();
  static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                              llvm::cl::desc("<input file>"),
                                              llvm::cl::init("-"));
  static llvm::cl::opt<std::string> outputFile(
      "o", llvm::cl::desc("Output file"), llvm::cl::value_desc("filename"),
      llvm::cl::init("-"));
  static llvm::cl::opt<bool> splitInputFile(
      "split-input-file",
      llvm::cl::desc("Translate each chunk between '// -----' lines on its "
                     "own"));
  static llvm::cl::opt<bool> verifyDiagnostics(
      "verify-diagnostics",
      llvm::cl::desc("Check the diagnostics against expected-* lines"));
  static llvm::cl::opt<const Translation *, false, TranslationParser>
      translation("", llvm::cl::desc("Translation to perform"),
                  llvm::cl::Required);
  llvm::cl::ParseCommandLineOptions(argc, argv,
                                    "hdp translation driver: .hdpc command "
                                    "streams\n");

  tooling::OutputFiles files;
  llvm::Expected<size_t> output = files.add(outputFile);
  if (!output)
    return tooling::fail(output.takeError());
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(inputFile, &error);
  if (!input)
    return tooling::fail(inputFile, error);
  if (translation->getDescription() == kToHdpcDescription)
    if (llvm::Error e = checkIrNesting(input->getBuffer(), inputFile))
      return tooling::fail(std::move(e));
  auto process = [&](std::unique_ptr<llvm::MemoryBuffer> buffer,
                     raw_ostream &os) {
    return translate(*translation, std::move(buffer), os, verifyDiagnostics);
  };
  raw_ostream &os = files.stream(*output);
  LogicalResult result =
      splitInputFile ? splitAndProcessBuffer(std::move(input), process, os)
                     : process(std::move(input), os);
  if (failed(result))
    return 1;
  if (llvm::Error e = files.commit())
    return tooling::fail(std::move(e));
  return 0;
}
