//===- hdp-translate.cpp - mlir-translate with the .hdpc translations -----===//
//
// Behaves like mlir-translate, with two translations:
//
//   --hdp-to-hdpc   a module holding one hdp_accel.program → .hdpc bytes
//   --hdpc-to-hdp   .hdpc bytes → the hdp_accel.program, as MLIR text
//
// .hdpc → text → .hdpc is byte-identical: the program op carries every
// field of the header and of every command.
//
//===----------------------------------------------------------------------===//

#include "hdp/Accel/Hdpc.h"
#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/IR/ProgramConversion.h"
#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
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
    llvm::errs() << "hdp-translate: error: "
                 << llvm::toString(program.takeError()) << "\n";
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

} // namespace

int main(int argc, char **argv) {
  TranslateFromMLIRRegistration toHdpc(
      "hdp-to-hdpc", "Write the hdp_accel.program as a .hdpc command stream",
      writeHdpc, registerInputDialects);
  TranslateToMLIRRegistration fromHdpc(
      "hdpc-to-hdp", "Read a .hdpc command stream as an hdp_accel.program",
      readHdpc, [](DialectRegistry &registry) {
        registry.insert<accel_ir::AccelDialect>();
      });
  return failed(mlirTranslateMain(argc, argv,
                                  "hdp translation driver: .hdpc command "
                                  "streams\n"));
}
