//===- Program.h - A command stream of the HDP co-processor -----*- C++ -*-===//
//
// A program is what the co-processor runs: the accelerator it was compiled
// for, the attention configuration in the hardware's integer form, the
// attention shape and the command stream. checkProgram() is the one
// definition of a valid program; the stream builder, the .hdpc reader
// (hdp/Target/Hdpc) and the hdp_accel dialect all use it. Problems are
// located by byte offset in the encoded form, whose header layout is given
// here (the command layout is in Commands.h).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ISA_PROGRAM_H
#define HDP_ISA_PROGRAM_H

#include "hdp/ISA/AccelConfig.h"
#include "hdp/ISA/Commands.h"
#include "hdp/Reference/Reference.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hdp::accel {

/// 4: the mask form byte; 3: sfu.softmax may cover a key tile (cols, first,
/// last: the online softmax); 2: the importance byte.
constexpr uint16_t kHdpcVersion = 4;
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

/// The name of AccelSignature::bufferBytes[buffer] in messages and text
/// ("q_buffer", "blockmask_buffer", ...).
std::string bufferBytesName(Buffer buffer);

/// The attention configuration in the exact integer/bit form the hardware
/// uses: ρ and τ_H as Q16 integers (docs/semantics.md step 3), the scale as
/// f32.
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

/// How a program's attention mask is held in DRAM and SRAM. The input is
/// always an additive mask (docs/semantics.md); the host stores it in the
/// program's form, which must be able to hold it.
enum class MaskForm : uint8_t {
  /// f32 values added to the scores (any additive mask).
  Additive = 0,
  /// One bit per element, set when the element is removed: masks whose
  /// values are 0 or removed (<= -10000), such as boolean masks.
  Bits = 1,
  /// Per query row, the number of leading keys kept (u32), the rest
  /// removed: padding masks, causal masks.
  Lengths = 2,
};
/// "additive", "bits", "lengths".
const char *maskFormName(MaskForm form);
std::optional<MaskForm> parseMaskForm(const std::string &name);

/// SRAM bytes a mask tile of `rows` query rows × `keys` keys takes in
/// `form` (a slot, a DMA fill, a PE or SE read).
uint64_t maskTileBytes(MaskForm form, uint64_t rows, uint64_t keys);
/// DRAM bytes (before burst rounding) a mask load of keys
/// [col0, col0 + cols) moves for `distinctRows` rows (1 when the mask is
/// broadcast over query rows); `keysBroadcast` when it is broadcast over
/// keys. Rows of the bit form start on a byte.
uint64_t maskLoadBytes(MaskForm form, uint64_t distinctRows, uint64_t col0,
                       uint64_t cols, bool keysBroadcast);

/// The shape of the attention a program computes.
struct AttentionShape {
  uint32_t B = 1, H = 1, N = 1, M = 1, D = 1, Dv = 1;
  bool hasMask = false;
  /// The mask's form when hasMask (Additive otherwise).
  MaskForm maskForm = MaskForm::Additive;

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

/// Byte offset of command `index` in a .hdpc file.
inline size_t commandOffset(size_t index) {
  return kHeaderBytes + index * kCommandBytes;
}

/// Byte offsets of the header fields of an encoded program (.hdpc, from
/// version 1 on).
enum : unsigned {
  kOffMagic = 0,        // 4 bytes "HDPC"
  kOffVersion = 4,      // u16
  kOffHeaderSize = 6,   // u16, = kHeaderBytes
  kOffCommandSize = 8,  // u16, = kCommandBytes
  kOffReserved0 = 10,   // u16, 0
  kOffCount = 12,       // u32 command count
  kOffChecksum = 16,    // u32 CRC-32 of the file without these 4 bytes
  kOffReserved1 = 20,   // u32, 0
  kOffName = 24,        // 32 bytes, NUL padded
  kOffHash = 56,        // u64 FNV-1a of the accelerator configuration
  kOffCores = 64,       // u16
  kOffArrays = 66,      // u16
  kOffTileRows = 68,    // u8
  kOffTileK = 69,       // u8
  kOffTileCols = 70,    // u8
  kOffReserved2 = 71,   // u8, 0
  kOffBuffers = 72,     // 8 x u32, in Buffer order
  kOffIntBits = 104,    // u8
  kOffFracBits = 105,   // u8
  kOffShift = 106,      // i8
  kOffPolicy = 107,     // u8: 0 hdp, 1 topk, 2 dense
  kOffSoftmax = 108,    // u8: 0 exact, 1 poly
  kOffApprox = 109,     // u8: 0/1
  kOffImportance = 110, // u8: 0 abs, 1 signed (version 2; 0 in version 1)
  kOffReserved3 = 111,  // u8, 0
  kOffBlockRows = 112,  // u16
  kOffBlockCols = 114,  // u16
  kOffTopk = 116,       // u32
  kOffRho = 120,        // i32 Q16
  kOffScale = 124,      // f32 bits
  kOffTau = 128,        // u64 Q16
  kOffShape = 136,      // 6 x u32: B, H, N, M, D, Dv
  kOffHasMask = 160,    // u8
  kOffMaskForm = 161,   // u8: MaskForm (version 4; 0 before)
  kOffReserved4 = 162,  // 6 bytes, 0
};
static_assert(kOffReserved4 + 6 == kHeaderBytes, "header layout");

} // namespace hdp::accel

#endif // HDP_ISA_PROGRAM_H
