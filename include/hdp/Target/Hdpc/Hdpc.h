//===- Hdpc.h - The .hdpc command stream file format ------------*- C++ -*-===//
//
// A .hdpc file is a 168-byte header followed by N 32-byte commands, all
// little endian (docs/accelerator.md has the byte-by-byte layout):
//
//   magic "HDPC", version, header size, command size, command count,
//   CRC-32 over the whole file except the checksum field itself,
//   the accelerator it was compiled for (name, FNV-1a hash of the complete
//   configuration, cores, PE arrays, tile shape, buffer sizes),
//   the attention configuration (bits, shift, block, policy, top-k, approx,
//   softmax, ρ and τ_H as Q16 integers, the f32 scale),
//   the attention shape (B, H, N, M, D, Dv, whether a mask is used).
//
// The reader is strict: a wrong magic, version, size, checksum, an unknown
// opcode or an impossible field is an error that names the file, the byte
// offset and what was expected. The text form of a program is the hdp_accel
// dialect (hdp/Dialect/Accel/IR/ProgramText.h), which carries every field, so
// .hdpc -> text -> .hdpc is byte-identical.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_TARGET_HDPC_HDPC_H
#define HDP_TARGET_HDPC_HDPC_H

#include "hdp/ISA/Program.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace hdp::accel {

/// The bytes of the .hdpc file of `program` (which should be valid).
std::string writeProgram(const Program &program);
/// Parses .hdpc bytes strictly; `fileName` prefixes every error, followed by
/// "byte <offset>:" and what was expected.
llvm::Expected<Program> readProgram(llvm::StringRef bytes,
                                    llvm::StringRef fileName);
llvm::Expected<Program> readProgramFile(llvm::StringRef path);
/// Writes the file atomically (a temporary renamed into place).
llvm::Error writeProgramFile(llvm::StringRef path, const Program &program);

} // namespace hdp::accel

#endif // HDP_TARGET_HDPC_HDPC_H
