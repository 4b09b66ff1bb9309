//===- Commands.cpp - Command set of the HDP co-processor -----------------===//

#include "hdp/Accel/Commands.h"

#include "llvm/Support/Endian.h"

#include <cstring>

using namespace llvm;

namespace hdp::accel {

bool Command::operator==(const Command &o) const {
  return opcode == o.opcode && core == o.core && flags == o.flags &&
         tensor == o.tensor &&
         std::memcmp(slots, o.slots, sizeof(slots)) == 0 && batch == o.batch &&
         head == o.head && aux == o.aux && row0 == o.row0 && rows == o.rows &&
         col0 == o.col0 && cols == o.cols;
}

bool isKnownOpcode(uint8_t op) {
  switch (static_cast<Opcode>(op)) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
  case Opcode::PeInt:
  case Opcode::PeFrac:
  case Opcode::PePv:
  case Opcode::SeAcc:
  case Opcode::SeEndR:
  case Opcode::SeEndH:
  case Opcode::Softmax:
  case Opcode::Barrier:
    return true;
  }
  return false;
}

Unit unitOf(Opcode op) {
  switch (op) {
  case Opcode::DmaLoad:
    return Unit::DmaIn;
  case Opcode::DmaStore:
    return Unit::DmaOut;
  case Opcode::PeInt:
  case Opcode::PeFrac:
  case Opcode::PePv:
    return Unit::Pe;
  case Opcode::SeAcc:
  case Opcode::SeEndR:
  case Opcode::SeEndH:
    return Unit::Se;
  case Opcode::Softmax:
    return Unit::Sfu;
  case Opcode::Barrier:
    return Unit::Sync;
  }
  return Unit::Sync;
}

uint16_t allowedFlags(Opcode op) {
  switch (op) {
  case Opcode::DmaLoad:
    return FlagFum | FlagHeadPred;
  case Opcode::DmaStore:
    return FlagHeadPred;
  case Opcode::SeAcc:
    return FlagFirst | FlagMasked | FlagHeadPred;
  case Opcode::PeFrac:
    return FlagMasked | FlagHeadPred | FlagDense;
  case Opcode::PePv:
    return FlagFirst | FlagHeadPred | FlagDense;
  case Opcode::PeInt:
  case Opcode::SeEndR:
  case Opcode::Softmax:
    return FlagHeadPred;
  case Opcode::SeEndH:
  case Opcode::Barrier:
    return 0;
  }
  return 0;
}

bool usesTile(Opcode op) {
  return op != Opcode::Barrier && op != Opcode::SeEndH;
}

std::optional<Buffer> dmaBuffer(Tensor tensor) {
  switch (tensor) {
  case Tensor::QInt:
  case Tensor::QFrac:
    return Buffer::Q;
  case Tensor::KInt:
  case Tensor::KFrac:
    return Buffer::K;
  case Tensor::V:
    return Buffer::V;
  case Tensor::Mask:
    return Buffer::Mask;
  case Tensor::BlockMask:
    return Buffer::BlockMask;
  case Tensor::Out:
    return Buffer::Out;
  case Tensor::None:
  case Tensor::HeadTable:
    return std::nullopt;
  }
  return std::nullopt;
}

SmallVector<Operand, 5> operandsOf(const Command &cmd) {
  SmallVector<Operand, 5> ops;
  auto add = [&](Buffer b, unsigned slot, bool write, const char *key) {
    ops.push_back({b, slot, write, key});
  };
  switch (cmd.opcode) {
  case Opcode::DmaLoad: {
    std::optional<Buffer> b = dmaBuffer(cmd.tensor);
    if (!b || cmd.tensor == Tensor::Out)
      return {};
    add(*b, 0, true, bufferName(*b).data());
    if (cmd.has(FlagFum))
      add(Buffer::BlockMask, 1, false, "fum");
    return ops;
  }
  case Opcode::DmaStore:
    if (cmd.tensor == Tensor::BlockMask)
      add(Buffer::BlockMask, 0, false, "blockmask");
    else if (cmd.tensor == Tensor::Out)
      add(Buffer::Out, 0, false, "out");
    return ops;
  case Opcode::PeInt:
    add(Buffer::Q, 0, false, "q");
    add(Buffer::K, 1, false, "k");
    add(Buffer::Score, 2, true, "score");
    return ops;
  case Opcode::PeFrac:
    add(Buffer::Q, 0, false, "q");
    add(Buffer::K, 1, false, "k");
    add(Buffer::Score, 2, true, "score");
    if (!cmd.has(FlagDense))
      add(Buffer::BlockMask, 3, false, "blockmask");
    if (cmd.has(FlagMasked))
      add(Buffer::Mask, 4, false, "mask");
    return ops;
  case Opcode::PePv:
    add(Buffer::Score, 0, false, "score");
    add(Buffer::V, 1, false, "v");
    add(Buffer::Out, 2, true, "out");
    if (!cmd.has(FlagDense))
      add(Buffer::BlockMask, 3, false, "blockmask");
    return ops;
  case Opcode::SeAcc:
    add(Buffer::Score, 0, false, "score");
    add(Buffer::Theta, 1, true, "theta");
    if (cmd.has(FlagMasked))
      add(Buffer::Mask, 2, false, "mask");
    return ops;
  case Opcode::SeEndR:
    add(Buffer::Theta, 0, false, "theta");
    add(Buffer::BlockMask, 1, true, "blockmask");
    return ops;
  case Opcode::Softmax:
    // Reads scores and writes probabilities in place.
    add(Buffer::Score, 0, true, "score");
    return ops;
  case Opcode::SeEndH:
  case Opcode::Barrier:
    return ops;
  }
  return ops;
}

StringRef opcodeName(Opcode op) {
  switch (op) {
  case Opcode::DmaLoad:
    return "dma.load";
  case Opcode::DmaStore:
    return "dma.store";
  case Opcode::PeInt:
    return "pe.int";
  case Opcode::PeFrac:
    return "pe.frac";
  case Opcode::PePv:
    return "pe.pv";
  case Opcode::SeAcc:
    return "se.acc";
  case Opcode::SeEndR:
    return "se.end_r";
  case Opcode::SeEndH:
    return "se.end_h";
  case Opcode::Softmax:
    return "sfu.softmax";
  case Opcode::Barrier:
    return "barrier";
  }
  return "<unknown>";
}

std::optional<Opcode> opcodeFromName(StringRef name) {
  for (uint8_t v :
       {0x01, 0x02, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x30, 0x40}) {
    Opcode op = static_cast<Opcode>(v);
    if (opcodeName(op) == name)
      return op;
  }
  return std::nullopt;
}

StringRef unitName(Unit unit) {
  switch (unit) {
  case Unit::DmaIn:
    return "dma_in";
  case Unit::DmaOut:
    return "dma_out";
  case Unit::Pe:
    return "pe";
  case Unit::Se:
    return "se";
  case Unit::Sfu:
    return "softmax";
  case Unit::Sync:
    return "sync";
  }
  return "<unknown>";
}

StringRef bufferName(Buffer buffer) {
  switch (buffer) {
  case Buffer::Q:
    return "q";
  case Buffer::K:
    return "k";
  case Buffer::V:
    return "v";
  case Buffer::Mask:
    return "mask";
  case Buffer::Score:
    return "score";
  case Buffer::Theta:
    return "theta";
  case Buffer::BlockMask:
    return "blockmask";
  case Buffer::Out:
    return "out";
  }
  return "<unknown>";
}

StringRef tensorName(Tensor tensor) {
  switch (tensor) {
  case Tensor::None:
    return "none";
  case Tensor::QInt:
    return "q_int";
  case Tensor::QFrac:
    return "q_frac";
  case Tensor::KInt:
    return "k_int";
  case Tensor::KFrac:
    return "k_frac";
  case Tensor::V:
    return "v";
  case Tensor::Mask:
    return "mask";
  case Tensor::BlockMask:
    return "block_mask";
  case Tensor::Out:
    return "out";
  case Tensor::HeadTable:
    return "head_table";
  }
  return "<unknown>";
}

std::optional<Tensor> tensorFromName(StringRef name) {
  for (uint8_t v = 1; v <= 9; ++v)
    if (tensorName(static_cast<Tensor>(v)) == name)
      return static_cast<Tensor>(v);
  return std::nullopt;
}

std::string flagsText(uint16_t flags) {
  static const std::pair<Flag, const char *> names[] = {{FlagFum, "fum"},
                                                        {FlagHeadPred, "head"},
                                                        {FlagFirst, "first"},
                                                        {FlagMasked, "masked"},
                                                        {FlagDense, "dense"}};
  std::string text;
  for (auto [flag, name] : names)
    if (flags & flag) {
      if (!text.empty())
        text += '|';
      text += name;
    }
  return text;
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
