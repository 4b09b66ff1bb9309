//===- Commands.h - Command set of the HDP co-processor ---------*- C++ -*-===//
//
// The HDP co-processor runs a stream of fixed-layout 32-byte commands. Each
// command belongs to one core and one unit of that core (DMA in, DMA out, PE
// arrays, sparsity engine, softmax unit), names the SRAM buffer slots it reads
// and writes, and the tile of the attention it works on: batch item, head,
// query rows [row0, row0+rows) and key columns [col0, col0+cols).
//
// The stream is data-independent: every command is always present, and the
// data-dependent skipping of HDP is expressed by predicates evaluated at run
// time (FlagHeadPred: skip when the head was pruned by SE_END_H; FlagFum:
// Fetch-Upon-Mask, fetch only the key rows of kept blocks).
//
// Binary layout of a command (little endian), see docs/accelerator.md:
//
//   0  u8  opcode         1  u8  core          2  u16 flags
//   4  u8  tensor (DMA)   5  u8  slots[5]      10 u16 batch
//   12 u16 head           14 u16 aux (barrier id)
//   16 u32 row0           20 u32 rows          24 u32 col0   28 u32 cols
//
// Synchronisation: within a core, every buffer slot has a scoreboard (a
// command waits until the slots it reads were written and the slots it
// writes were read), so double buffering needs no explicit sync commands:
// the builder alternates the two slots of each buffer and loads of the next
// tile overlap compute on the current one. Across cores, Barrier waits for
// every core (used before END_H, which needs θ_H of all heads).
//
// The meaning of slots[] per opcode is fixed by operandsOf(), the one place
// that says which buffers a command touches; the builder, the validator, the
// simulator's scoreboard and the text format all use it.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ACCEL_COMMANDS_H
#define HDP_ACCEL_COMMANDS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace hdp::accel {

/// Operation codes. Values are part of the .hdpc format: never renumber.
enum class Opcode : uint8_t {
  DmaLoad = 0x01,  ///< DRAM tensor -> SRAM buffer slot
  DmaStore = 0x02, ///< SRAM buffer slot (or the head table) -> DRAM tensor
  PeInt = 0x10,    ///< S_int = Int(Q)·Int(K)ᵀ for a tile of the score matrix
  PeFrac = 0x11,   ///< scores of kept blocks: Int·Int + Frac·Int + Int·Frac
                   ///< [+ Frac·Frac], rescale, softmax scale, additive mask
  PePv = 0x12,     ///< out (+)= P·V over kept blocks
  SeAcc = 0x20,    ///< θ += |S_int| per block (non-removed elements)
  SeEndR = 0x21,   ///< END_R: thresholds and block masks of block rows
  SeEndH = 0x22,   ///< END_H: head decisions of one batch item
  Softmax = 0x30,  ///< row softmax of kept scores (exact or polynomial)
  Barrier = 0x40,  ///< every core waits until every core reaches it
};

/// The units of a core. A command waits for its unit to be free.
enum class Unit : uint8_t { DmaIn, DmaOut, Pe, Se, Sfu, Sync };
constexpr unsigned kNumUnits = 6;

/// SRAM buffers of a core. Each has kSlotsPerBuffer equal slots.
enum class Buffer : uint8_t {
  Q,         ///< integer and fraction planes of a strip of Q rows
  K,         ///< integer and fraction planes of a range of K rows (keys)
  V,         ///< a range of V rows (keys), f32
  Mask,      ///< additive mask tile [rows x cols], f32
  Score,     ///< S_int, then scores, then probabilities of a strip [rows x M]
  Theta,     ///< θ of the block rows of a strip
  BlockMask, ///< block-mask bits of a range of block rows
  Out,       ///< output rows [rows x Dv], f32
};
constexpr unsigned kNumBuffers = 8;
constexpr unsigned kSlotsPerBuffer = 2;

/// DRAM tensors a DMA command moves. Values are part of the .hdpc format.
enum class Tensor : uint8_t {
  None = 0,
  QInt = 1,      ///< Int(Q) plane [B,H,N,D], I bits per element
  QFrac = 2,     ///< Frac(Q) plane, F bits per element
  KInt = 3,      ///< Int(K) plane [B,H,M,D]
  KFrac = 4,     ///< Frac(K) plane
  V = 5,         ///< V [B,H,M,Dv], f32
  Mask = 6,      ///< additive mask, broadcast to [B,H,N,M], f32
  BlockMask = 7, ///< block mask [B,H,ceil(N/bm),ceil(M/bn)], 1 bit per block
  Out = 8,       ///< output [B,H,N,Dv], f32
  HeadTable = 9, ///< θ_H (i64) and head mask (1 bit) of one batch item
};

/// Command flags. Unknown bits are refused by the reader.
enum Flag : uint16_t {
  FlagFum = 1 << 0,      ///< DMA load: fetch only block columns that have a
                         ///< kept block in the query rows (Fetch-Upon-Mask)
  FlagHeadPred = 1 << 1, ///< skip when head (batch, head) is pruned
  FlagFirst = 1 << 2,    ///< SE_ACC: start θ at 0; PE_PV: start out at 0
  FlagMasked = 1 << 3,   ///< SE_ACC / PE_FRAC: read the additive mask slot
  FlagDense = 1 << 4,    ///< PE_FRAC / PE_PV of the dense engine: every key,
                         ///< no block-mask operand
};
constexpr uint16_t kAllFlags =
    FlagFum | FlagHeadPred | FlagFirst | FlagMasked | FlagDense;

/// One command, in memory. See the file comment for the byte layout.
struct Command {
  Opcode opcode = Opcode::Barrier;
  uint8_t core = 0;
  uint16_t flags = 0;
  Tensor tensor = Tensor::None;
  uint8_t slots[5] = {0, 0, 0, 0, 0};
  uint16_t batch = 0;
  uint16_t head = 0;
  uint16_t aux = 0;
  uint32_t row0 = 0, rows = 0;
  uint32_t col0 = 0, cols = 0;

  bool has(Flag f) const { return (flags & f) != 0; }
  bool operator==(const Command &o) const;
  bool operator!=(const Command &o) const { return !(*this == o); }
};
constexpr unsigned kCommandBytes = 32;

/// How a command touches a buffer slot.
struct Operand {
  Buffer buffer;
  unsigned slotIndex; ///< index into Command::slots
  bool write;
  const char *key; ///< name in the text format ("q", "k", "score", ...)
};

/// The buffers a command reads and writes (the fixed operand signature of
/// its opcode; for DMA it depends on the tensor, and FlagFum adds the
/// block-mask slot it consults). Empty for unknown opcodes or tensors.
llvm::SmallVector<Operand, 5> operandsOf(const Command &cmd);

/// The unit that executes an opcode.
Unit unitOf(Opcode op);
/// Whether `op` is one of the opcodes above.
bool isKnownOpcode(uint8_t op);
/// Flags an opcode may carry.
uint16_t allowedFlags(Opcode op);
/// Whether the command uses the (batch, head, rows, cols) tile fields.
bool usesTile(Opcode op);

/// Text names: "dma.load", "pe.int", ...; units "dma_in", "pe", ...
llvm::StringRef opcodeName(Opcode op);
std::optional<Opcode> opcodeFromName(llvm::StringRef name);
llvm::StringRef unitName(Unit unit);
llvm::StringRef bufferName(Buffer buffer);
llvm::StringRef tensorName(Tensor tensor);
std::optional<Tensor> tensorFromName(llvm::StringRef name);
/// "fum|head" style text of a flag set ("" for none).
std::string flagsText(uint16_t flags);
/// The buffer a DMA command fills (load) or drains (store); std::nullopt for
/// the head table (which lives in the SE, not in a slot).
std::optional<Buffer> dmaBuffer(Tensor tensor);

/// Encodes/decodes the 32 bytes of a command (no validation on decode).
void encodeCommand(const Command &cmd, uint8_t *out);
Command decodeCommand(const uint8_t *in);

} // namespace hdp::accel

#endif // HDP_ACCEL_COMMANDS_H
