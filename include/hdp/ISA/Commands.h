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
// The meaning of slots[] per opcode is fixed by the HDP_OPERAND lines of
// Commands.def; operandsOf() reads them for the validator, the simulator's
// scoreboard and the text forms, and the builder names slots by slot::.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ISA_COMMANDS_H
#define HDP_ISA_COMMANDS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace hdp::accel {

// The commands, units, buffers, tensors and flags are listed once, in
// Commands.def; the enums and tables below are expanded from it.

/// Operation codes. Values are part of the .hdpc format: never renumber.
enum class Opcode : uint8_t {
#define HDP_COMMAND(Name, Code, Text, Unit, AllowedFlags, Handler) Name = Code,
#include "hdp/ISA/Commands.def"
};

/// The units of a core. A command waits for its unit to be free.
enum class Unit : uint8_t {
#define HDP_UNIT(Name, Text) Name,
#include "hdp/ISA/Commands.def"
};
constexpr unsigned kNumUnits = 0
#define HDP_UNIT(Name, Text) +1
#include "hdp/ISA/Commands.def"
    ;

/// SRAM buffers of a core. Each has kSlotsPerBuffer equal slots.
enum class Buffer : uint8_t {
#define HDP_BUFFER(Name, Text) Name,
#include "hdp/ISA/Commands.def"
};
constexpr unsigned kNumBuffers = 0
#define HDP_BUFFER(Name, Text) +1
#include "hdp/ISA/Commands.def"
    ;
constexpr unsigned kSlotsPerBuffer = 2;

/// DRAM tensors a DMA command moves. Values are part of the .hdpc format.
enum class Tensor : uint8_t {
  None = 0,
#define HDP_TENSOR(Name, Code, Text, Buffer, Loadable, Storable) Name = Code,
#include "hdp/ISA/Commands.def"
};

/// Command flags. Unknown bits are refused by the reader.
enum Flag : uint16_t {
#define HDP_FLAG(Name, Bit, Text) Name = Bit,
#include "hdp/ISA/Commands.def"
};
constexpr uint16_t kAllFlags = 0
#define HDP_FLAG(Name, Bit, Text) | Name
#include "hdp/ISA/Commands.def"
    ;

/// The slot byte of each operand of each command, by operand name:
/// `slot::PeInt::score` is the index into Command::slots of pe.int's score
/// buffer.
namespace slot {
#define HDP_OPERAND(Command, Slot, Name, Buffer, Access, When)                 \
  namespace Command {                                                          \
  constexpr unsigned Name = Slot;                                              \
  }
#include "hdp/ISA/Commands.def"
} // namespace slot

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
  const char *key; ///< name in messages and text ("q", "k", "score", ...)
};

/// The buffers a command reads and writes (the fixed operand signature of
/// its opcode; for DMA it depends on the tensor, and FlagFum adds the
/// block-mask slot it consults). Empty for unknown opcodes or tensors.
llvm::SmallVector<Operand, 5> operandsOf(const Command &cmd);

/// The name of the operand that slot byte `slotIndex` of `op` holds when
/// its flags let it exist; nullptr for a byte the opcode never uses.
const char *slotName(Opcode op, unsigned slotIndex);
/// The flags whose presence makes that operand exist (0: always there, or
/// there unless a flag is set).
uint16_t slotRequiredFlags(Opcode op, unsigned slotIndex);

/// The unit that executes an opcode.
Unit unitOf(Opcode op);
/// Whether `op` is one of the opcodes above.
bool isKnownOpcode(uint8_t op);
/// Flags an opcode may carry.
uint16_t allowedFlags(Opcode op);
/// Whether the command uses the (batch, head, rows, cols) tile fields.
bool usesTile(Opcode op);
/// Whether dma.load / dma.store may move `tensor`.
bool isLoadable(Tensor tensor);
bool isStorable(Tensor tensor);

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

/// One line of text that shows every field of a command ("pe.int core=0
/// b=0 h=1 rows=0+4 cols=0+8 q=0 k=1 score=0"), for messages and traces.
std::string formatCommand(const Command &cmd);

/// Encodes/decodes the 32 bytes of a command (no validation on decode).
void encodeCommand(const Command &cmd, uint8_t *out);
Command decodeCommand(const uint8_t *in);

} // namespace hdp::accel

#endif // HDP_ISA_COMMANDS_H
