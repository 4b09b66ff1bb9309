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
// offset and what was expected. The text form (disassemble/assemble) carries
// every field, so .hdpc -> text -> .hdpc is byte-identical.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ACCEL_HDPC_H
#define HDP_ACCEL_HDPC_H

#include "hdp/Accel/AccelConfig.h"
#include "hdp/Accel/Commands.h"
#include "hdp/Reference/Reference.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace hdp::accel {

constexpr uint16_t kHdpcVersion = 2;
/// The oldest version the reader accepts (1: before `importance`).
constexpr uint16_t kHdpcOldestVersion = 1;
constexpr unsigned kHeaderBytes = 168;

/// What a program needs to know about the accelerator it was compiled for:
/// the structural parameters the builder used, and a hash of everything.
struct AccelSignature {
  std::string name;
  uint64_t hash = 0;
  uint32_t cores = 0;
  uint32_t peArraysPerCore = 0;
  uint32_t tileRows = 0, tileK = 0, tileCols = 0;
  /// Per-core SRAM bytes, indexed by Buffer.
  std::array<uint32_t, kNumBuffers> bufferBytes{};

  static AccelSignature of(const AccelConfig &config);
  bool operator==(const AccelSignature &o) const;
};

/// The attention configuration in the exact integer/bit form the hardware
/// uses: ρ and τ_H as Q16 integers (docs/semantics.md step 3), the scale as f32.
struct AttentionParams {
  uint8_t intBits = 4;
  uint8_t fracBits = 4;
  int8_t shift = 0;
  ref::Policy policy = ref::Policy::Hdp;
  Importance importance = Importance::Abs;
  ref::SoftmaxKind softmax = ref::SoftmaxKind::Exact;
  bool approx = true;
  uint16_t blockRows = 2, blockCols = 2;
  uint32_t topk = 1;
  int32_t rhoQ16 = 0;     ///< round_half_even(ρ·65536)
  uint64_t tauHQ16 = 0;   ///< round_half_even(τ_H·65536), capped at 2^62
  uint32_t scaleBits = 0; ///< the f32 softmax scale, as bits

  /// The parameters of `config` for head dimension `headDim` (the default
  /// scale depends on it). `config` must be valid.
  static AttentionParams from(const ref::AttentionConfig &config,
                              int64_t headDim);
  float scale() const;
  /// A reference configuration that makes exactly the same decisions.
  ref::AttentionConfig toReference() const;
  bool operator==(const AttentionParams &o) const;
};

/// The shape of the attention a program computes.
struct AttentionShape {
  uint32_t B = 1, H = 1, N = 1, M = 1, D = 1, Dv = 1;
  bool hasMask = false;

  /// The shape of Q [B,H,N,D], K [B,H,M,D] and V [B,H,M,Dv]. The six dims
  /// share one type, so one constructor keeps their order in one place.
  static AttentionShape fromDims(uint32_t B, uint32_t H, uint32_t N, uint32_t M,
                                 uint32_t D, uint32_t Dv, bool hasMask) {
    return {B, H, N, M, D, Dv, hasMask};
  }

  uint32_t blockRowsOf(const AttentionParams &p) const {
    return (N + p.blockRows - 1) / p.blockRows;
  }
  uint32_t blockColsOf(const AttentionParams &p) const {
    return (M + p.blockCols - 1) / p.blockCols;
  }
  bool operator==(const AttentionShape &o) const;
};

/// A whole command stream.
struct Program {
  AccelSignature accel;
  AttentionParams attention;
  AttentionShape shape;
  std::vector<Command> commands;

  bool operator==(const Program &o) const;
};

/// Where a problem of a program was found: in the header (byte offset from
/// the start of the file) or in command `commandIndex` (byte offset within
/// the 32-byte command).
struct ProgramProblem {
  bool inHeader = true;
  size_t commandIndex = 0;
  unsigned offset = 0;
  std::string message;
};

/// Checks every header field and every command against the header (ranges,
/// flags, slots, alignment, matching barriers). std::nullopt when valid.
std::optional<ProgramProblem> checkProgram(const Program &program);

/// The bytes of the .hdpc file of `program` (which should be valid).
std::string writeProgram(const Program &program);
/// Parses .hdpc bytes strictly; `fileName` prefixes every error, followed by
/// "byte <offset>:" and what was expected.
llvm::Expected<Program> readProgram(llvm::StringRef bytes,
                                    llvm::StringRef fileName);
llvm::Expected<Program> readProgramFile(llvm::StringRef path);
/// Writes the file atomically (a temporary renamed into place).
llvm::Error writeProgramFile(llvm::StringRef path, const Program &program);

/// The text form of a program: one header directive per line, then one line
/// per command, `key=value` fields, '#' comments.
std::string disassemble(const Program &program);
/// Parses the text form; errors are "<fileName>:<line>: <what>".
llvm::Expected<Program> assemble(llvm::StringRef text,
                                 llvm::StringRef fileName);

/// One line of text for a command (as in the disassembly).
std::string formatCommand(const Command &cmd);

/// Byte offset of command `index` in a .hdpc file.
inline size_t commandOffset(size_t index) {
  return kHeaderBytes + index * kCommandBytes;
}

} // namespace hdp::accel

#endif // HDP_ACCEL_HDPC_H
