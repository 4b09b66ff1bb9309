//===- ProgramTextFuzzer.cpp - libFuzzer target for hdp_accel program text ===//
//
// Feeds arbitrary text to hdp::accel_ir::parseProgramText, the reader of a
// command stream's text form (`hdp-sim --assemble`, `hdp-translate
// --hdp-to-hdpc`): the bracket-depth scan, MLIR's parser, the hdp_accel
// dialect's parsers and verifiers (which run checkProgram) and the
// conversion to an accel::Program. It must never crash or recurse without
// bound; it either returns a program or an error.
//
// Every accepted program must be valid (checkProgram finds nothing) and must
// round-trip: its printed text parses back to the same program, whose .hdpc
// bytes equal the first one's. A violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/ProgramText.h"
#include "hdp/ISA/Program.h"
#include "hdp/Target/Hdpc/Hdpc.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

using namespace hdp;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "ProgramTextFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

/// One context for many inputs (a new one per input would dominate the
/// time), renewed now and then to bound the attributes uniqued in it.
mlir::MLIRContext &fuzzContext() {
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 4096 == 0)
    context = std::make_unique<mlir::MLIRContext>(
        mlir::MLIRContext::Threading::DISABLED);
  return *context;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  mlir::MLIRContext &context = fuzzContext();
  llvm::Expected<accel::Program> program =
      accel_ir::parseProgramText(text, "fuzz.mlir", context);
  if (!program) {
    if (llvm::toString(program.takeError()).empty())
      fail("empty error message");
    return 0;
  }
  if (std::optional<accel::ProgramProblem> problem =
          accel::checkProgram(*program))
    fail("parseProgramText accepted an invalid program", problem->message);

  llvm::Expected<std::string> printed =
      accel_ir::printProgramText(*program, context);
  if (!printed)
    fail("an accepted program does not print",
         llvm::toString(printed.takeError()));
  llvm::Expected<accel::Program> back =
      accel_ir::parseProgramText(*printed, "printed.mlir", context);
  if (!back)
    fail("the printed program is rejected",
         llvm::toString(back.takeError()) + "\n" + *printed);
  if (!(*back == *program) ||
      accel::writeProgram(*back) != accel::writeProgram(*program))
    fail("the printed program does not round-trip", *printed);
  return 0;
}
