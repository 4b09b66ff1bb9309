//===- ProgramText.cpp - The text form of a command stream ----------------===//

#include "hdp/Dialect/Accel/IR/ProgramText.h"
#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/IR/ProgramConversion.h"
#include "hdp/Support/TextNesting.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace hdp;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Keeps the first error diagnostic as "<file>:<line>:<col>: <message>".
class FirstError {
public:
  explicit FirstError(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &diag) {
          if (diag.getSeverity() == DiagnosticSeverity::Error &&
              message.empty()) {
            llvm::raw_string_ostream os(message);
            if (auto loc = diag.getLocation()->findInstanceOf<FileLineColLoc>())
              os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
                 << loc.getColumn() << ": ";
            os << diag.str();
          }
          return success();
        }) {}
  llvm::Error take(llvm::StringRef fallback) {
    return makeError(message.empty() ? fallback.str() : message);
  }

private:
  std::string message;
  ScopedDiagnosticHandler handler;
};

} // namespace

llvm::Expected<std::string>
hdp::accel_ir::printProgramText(const accel::Program &program) {
  MLIRContext ctx;
  return printProgramText(program, ctx);
}

llvm::Expected<std::string>
hdp::accel_ir::printProgramText(const accel::Program &program,
                                MLIRContext &ctx) {
  ctx.loadDialect<AccelDialect>();
  FirstError error(ctx);
  Location loc = UnknownLoc::get(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder builder(&ctx);
  builder.setInsertionPointToEnd(module->getBody());
  if (failed(buildProgramOp(builder, loc, "program", program)))
    return error.take("cannot build the hdp_accel.program");
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

llvm::Expected<accel::Program>
hdp::accel_ir::parseProgramText(llvm::StringRef text,
                                llvm::StringRef fileName) {
  MLIRContext ctx;
  return parseProgramText(text, fileName, ctx);
}

llvm::Expected<accel::Program>
hdp::accel_ir::parseProgramText(llvm::StringRef text, llvm::StringRef fileName,
                                MLIRContext &ctx) {
  if (llvm::Error e = checkIrNesting(text, fileName))
    return std::move(e);
  ctx.loadDialect<AccelDialect>();
  FirstError error(ctx);
  llvm::SourceMgr sourceMgr;
  // MLIR's lexer reads up to a terminating NUL, which `text` need not have:
  // parse a terminated copy.
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, fileName), llvm::SMLoc());
  // Parsing verifies: the program op's verifier runs checkProgram.
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &ctx);
  if (!module)
    return error.take((fileName + ": cannot parse").str());
  SmallVector<ProgramOp> programs;
  module->walk([&](ProgramOp op) { programs.push_back(op); });
  if (programs.size() != 1)
    return makeError(fileName +
                     ": expected exactly one hdp_accel.program, "
                     "found " +
                     llvm::Twine(programs.size()));
  FailureOr<accel::Program> program = programOf(programs.front());
  if (failed(program))
    return error.take((fileName + ": not a command stream").str());
  return *program;
}
