//===- ProgramText.h - The text form of a command stream --------*- C++ -*-===//
//
// A program's one text form is the hdp_accel dialect: a module holding one
// hdp_accel.program, exactly what `hdp-translate --hdpc-to-hdp` prints and
// `--hdp-to-hdpc` reads. The op carries every header field and every
// command field, so .hdpc -> text -> .hdpc is byte-identical.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_ACCEL_IR_PROGRAMTEXT_H
#define HDP_DIALECT_ACCEL_IR_PROGRAMTEXT_H

#include "hdp/ISA/Program.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace hdp::accel_ir {

/// The module text of `program` (which must be valid, as every program the
/// .hdpc reader returns is).
llvm::Expected<std::string> printProgramText(const accel::Program &program);
/// The same, in an existing context (which gets the hdp_accel dialect
/// loaded), for callers that print many programs.
llvm::Expected<std::string> printProgramText(const accel::Program &program,
                                             mlir::MLIRContext &ctx);

/// Parses the module text of one hdp_accel.program and checks it. Errors
/// are "<fileName>:<line>:<column>: <what>", at the op that is wrong.
llvm::Expected<accel::Program> parseProgramText(llvm::StringRef text,
                                                llvm::StringRef fileName);
/// The same, in an existing context (which gets the hdp_accel dialect
/// loaded), for callers that parse many programs.
llvm::Expected<accel::Program> parseProgramText(llvm::StringRef text,
                                                llvm::StringRef fileName,
                                                mlir::MLIRContext &ctx);

} // namespace hdp::accel_ir

#endif // HDP_DIALECT_ACCEL_IR_PROGRAMTEXT_H
