//===- Commands.cpp - Command set of the HDP co-processor -----------------===//
//
// Every table here is expanded from Commands.def.
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/Commands.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace hdp::accel {

namespace {

/// The buffer column of the .def: a buffer, the DMA's tensor's buffer, or
/// none (the head table).
enum class BufferRef : uint8_t {
#define HDP_BUFFER(Name, Text) Name,
#include "hdp/ISA/Commands.def"
  Transferred,
  None,
};

constexpr std::optional<Buffer> bufferOf(BufferRef ref) {
  return ref == BufferRef::Transferred || ref == BufferRef::None
             ? std::nullopt
             : std::optional<Buffer>(static_cast<Buffer>(ref));
}

/// When an operand exists, from the flags of its command.
struct When {
  uint16_t required = 0;  ///< present only if all these flags are set
  uint16_t forbidden = 0; ///< absent if any of these flags is set
};
constexpr When Always{};
constexpr When IfFlag(uint16_t flag) { return {flag, 0}; }
constexpr When UnlessFlag(uint16_t flag) { return {0, flag}; }
constexpr bool Read = false, Write = true;

struct CommandInfo {
  Opcode opcode;
  const char *name;
  Unit unit;
  uint16_t allowedFlags;
};

constexpr CommandInfo kCommands[] = {
#define HDP_COMMAND(Name, Code, Text, Unit_, AllowedFlags, Handler)            \
  {Opcode::Name, Text, Unit::Unit_, AllowedFlags},
#include "hdp/ISA/Commands.def"
};

struct OperandInfo {
  Opcode opcode;
  unsigned slotIndex;
  const char *name;
  BufferRef buffer;
  bool write;
  When when;
};

constexpr OperandInfo kOperands[] = {
#define HDP_OPERAND(Command, Slot, Name, Buffer_, Access, When_)               \
  {Opcode::Command, Slot, #Name, BufferRef::Buffer_, Access, When_},
#include "hdp/ISA/Commands.def"
};

struct TensorInfo {
  Tensor tensor;
  const char *name;
  BufferRef buffer;
  bool loadable, storable;
};

constexpr TensorInfo kTensors[] = {
#define HDP_TENSOR(Name, Code, Text, Buffer_, Loadable, Storable)              \
  {Tensor::Name, Text, BufferRef::Buffer_, Loadable, Storable},
#include "hdp/ISA/Commands.def"
};

constexpr std::pair<Flag, const char *> kFlags[] = {
#define HDP_FLAG(Name, Bit, Text) {Name, Text},
#include "hdp/ISA/Commands.def"
};

constexpr const char *kUnitNames[] = {
#define HDP_UNIT(Name, Text) Text,
#include "hdp/ISA/Commands.def"
};

constexpr const char *kBufferNames[] = {
#define HDP_BUFFER(Name, Text) Text,
#include "hdp/ISA/Commands.def"
};

const CommandInfo *infoOf(Opcode op) {
  for (const CommandInfo &info : kCommands)
    if (info.opcode == op)
      return &info;
  return nullptr;
}

const TensorInfo *infoOf(Tensor tensor) {
  for (const TensorInfo &info : kTensors)
    if (info.tensor == tensor)
      return &info;
  return nullptr;
}

} // namespace

bool Command::operator==(const Command &o) const {
  return opcode == o.opcode && core == o.core && flags == o.flags &&
         tensor == o.tensor &&
         std::memcmp(slots, o.slots, sizeof(slots)) == 0 && batch == o.batch &&
         head == o.head && aux == o.aux && row0 == o.row0 && rows == o.rows &&
         col0 == o.col0 && cols == o.cols;
}

bool isKnownOpcode(uint8_t op) {
  return infoOf(static_cast<Opcode>(op)) != nullptr;
}

Unit unitOf(Opcode op) {
  const CommandInfo *info = infoOf(op);
  return info ? info->unit : Unit::Sync;
}

uint16_t allowedFlags(Opcode op) {
  const CommandInfo *info = infoOf(op);
  return info ? info->allowedFlags : 0;
}

bool usesTile(Opcode op) {
  return op != Opcode::Barrier && op != Opcode::SeEndH;
}

std::optional<Buffer> dmaBuffer(Tensor tensor) {
  const TensorInfo *info = infoOf(tensor);
  return info ? bufferOf(info->buffer) : std::nullopt;
}

bool isLoadable(Tensor tensor) {
  const TensorInfo *info = infoOf(tensor);
  return info && info->loadable;
}

bool isStorable(Tensor tensor) {
  const TensorInfo *info = infoOf(tensor);
  return info && info->storable;
}

SmallVector<Operand, 5> operandsOf(const Command &cmd) {
  SmallVector<Operand, 5> ops;
  for (const OperandInfo &o : kOperands) {
    if (o.opcode != cmd.opcode)
      continue;
    if ((cmd.flags & o.when.required) != o.when.required ||
        (cmd.flags & o.when.forbidden))
      continue;
    if (o.buffer != BufferRef::Transferred) {
      ops.push_back({*bufferOf(o.buffer), o.slotIndex, o.write, o.name});
      continue;
    }
    // A DMA touches a slot of its tensor's buffer; without one (the head
    // table, or a tensor this direction cannot move) it has no operands.
    std::optional<Buffer> b = dmaBuffer(cmd.tensor);
    bool movable = cmd.opcode == Opcode::DmaLoad ? isLoadable(cmd.tensor)
                                                 : isStorable(cmd.tensor);
    if (!b || !movable)
      return {};
    ops.push_back({*b, o.slotIndex, o.write, kBufferNames[unsigned(*b)]});
  }
  return ops;
}

const char *slotName(Opcode op, unsigned slotIndex) {
  for (const OperandInfo &o : kOperands)
    if (o.opcode == op && o.slotIndex == slotIndex)
      return o.name;
  return nullptr;
}

uint16_t slotRequiredFlags(Opcode op, unsigned slotIndex) {
  for (const OperandInfo &o : kOperands)
    if (o.opcode == op && o.slotIndex == slotIndex)
      return o.when.required;
  return 0;
}

StringRef opcodeName(Opcode op) {
  const CommandInfo *info = infoOf(op);
  return info ? info->name : "<unknown>";
}

std::optional<Opcode> opcodeFromName(StringRef name) {
  for (const CommandInfo &info : kCommands)
    if (name == info.name)
      return info.opcode;
  return std::nullopt;
}

StringRef unitName(Unit unit) {
  return unsigned(unit) < kNumUnits ? kUnitNames[unsigned(unit)] : "<unknown>";
}

StringRef bufferName(Buffer buffer) {
  return unsigned(buffer) < kNumBuffers ? kBufferNames[unsigned(buffer)]
                                        : "<unknown>";
}

StringRef tensorName(Tensor tensor) {
  if (tensor == Tensor::None)
    return "none";
  const TensorInfo *info = infoOf(tensor);
  return info ? info->name : "<unknown>";
}

std::optional<Tensor> tensorFromName(StringRef name) {
  for (const TensorInfo &info : kTensors)
    if (name == info.name)
      return info.tensor;
  return std::nullopt;
}

std::string flagsText(uint16_t flags) {
  std::string text;
  for (auto [flag, name] : kFlags)
    if (flags & flag) {
      if (!text.empty())
        text += '|';
      text += name;
    }
  return text;
}

std::string formatCommand(const Command &c) {
  std::string s;
  raw_string_ostream os(s);
  os << opcodeName(c.opcode) << " core=" << unsigned(c.core);
  if (c.opcode == Opcode::Barrier) {
    os << " id=" << c.aux;
    return s;
  }
  if (c.opcode == Opcode::SeEndH) {
    os << " b=" << c.batch;
    return s;
  }
  if (c.opcode == Opcode::DmaLoad || c.opcode == Opcode::DmaStore)
    os << " tensor=" << tensorName(c.tensor);
  if (c.opcode == Opcode::DmaStore && c.tensor == Tensor::HeadTable) {
    os << " b=" << c.batch;
  } else {
    os << " b=" << c.batch << " h=" << c.head << " rows=" << c.row0 << "+"
       << c.rows << " cols=" << c.col0 << "+" << c.cols;
  }
  for (const Operand &o : operandsOf(c))
    os << " " << o.key << "=" << unsigned(c.slots[o.slotIndex]);
  if (c.flags)
    os << " flags=" << flagsText(c.flags);
  return s;
}

void encodeCommand(const Command &cmd, uint8_t *out) {
  using namespace llvm::support::endian;
  out[0] = static_cast<uint8_t>(cmd.opcode);
  out[1] = cmd.core;
  write16le(out + 2, cmd.flags);
  out[4] = static_cast<uint8_t>(cmd.tensor);
  std::memcpy(out + 5, cmd.slots, 5);
  write16le(out + 10, cmd.batch);
  write16le(out + 12, cmd.head);
  write16le(out + 14, cmd.aux);
  write32le(out + 16, cmd.row0);
  write32le(out + 20, cmd.rows);
  write32le(out + 24, cmd.col0);
  write32le(out + 28, cmd.cols);
}

Command decodeCommand(const uint8_t *in) {
  using namespace llvm::support::endian;
  Command cmd;
  cmd.opcode = static_cast<Opcode>(in[0]);
  cmd.core = in[1];
  cmd.flags = read16le(in + 2);
  cmd.tensor = static_cast<Tensor>(in[4]);
  std::memcpy(cmd.slots, in + 5, 5);
  cmd.batch = read16le(in + 10);
  cmd.head = read16le(in + 12);
  cmd.aux = read16le(in + 14);
  cmd.row0 = read32le(in + 16);
  cmd.rows = read32le(in + 20);
  cmd.col0 = read32le(in + 24);
  cmd.cols = read32le(in + 28);
  return cmd;
}

} // namespace hdp::accel
