//===- Program.cpp - A command stream and its validity
//---------------------===//
//
// The structs of a program and the checks every stream must pass, whoever
// made it (the builder, the .hdpc reader, the dialect). Problems are located
// by their byte offset in the encoded program (see Program.h).
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/Program.h"
#include "hdp/Semantics/FixedPoint.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace llvm;

namespace hdp::accel {

namespace {

constexpr uint64_t kTauCap = fixed::kTauHQ16Cap;

std::string hex(uint64_t v, unsigned digits) {
  return "0x" + utohexstr(v, /*LowerCase=*/true, digits);
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

std::optional<ProgramProblem> headerProblem(unsigned offset,
                                            const Twine &message) {
  return ProgramProblem{true, 0, offset, message.str()};
}

std::optional<ProgramProblem> checkHeader(const Program &p) {
  const AccelSignature &a = p.accel;
  if (a.name.empty() || a.name.size() > 31)
    return headerProblem(kOffName, "accelerator name must have 1 to 31 "
                                   "characters");
  for (char c : a.name)
    if (!(isAlnum(c) || c == '-' || c == '_' || c == '.'))
      return headerProblem(kOffName,
                           "accelerator name may only hold letters, digits, "
                           "'-', '_' and '.'");
  if (a.cores < 1 || a.cores > 255)
    return headerProblem(kOffCores, "cores must be in [1, 255] (got " +
                                        Twine(a.cores) + ")");
  if (a.peArraysPerCore < 1 || a.peArraysPerCore > 65535)
    return headerProblem(kOffArrays, "PE arrays per core must be in [1, "
                                     "65535] (got " +
                                         Twine(a.peArraysPerCore) + ")");
  if (a.tileRows < 1 || a.tileRows > 255)
    return headerProblem(kOffTileRows, "tile rows must be in [1, 255]");
  if (a.tileK < 1 || a.tileK > 255)
    return headerProblem(kOffTileK, "tile depth must be in [1, 255]");
  if (a.tileCols < 1 || a.tileCols > 255)
    return headerProblem(kOffTileCols, "tile columns must be in [1, 255]");
  for (unsigned i = 0; i < kNumBuffers; ++i)
    if (a.bufferBytes[i] < 2)
      return headerProblem(kOffBuffers + 4 * i,
                           bufferBytesName(static_cast<Buffer>(i)) +
                               " must be at least 2 "
                               "bytes (two slots)");

  const AttentionParams &t = p.attention;
  if (t.intBits < 1)
    return headerProblem(kOffIntBits, "int_bits must be >= 1 (got " +
                                          Twine(int(t.intBits)) + ")");
  if (t.intBits + t.fracBits > 16)
    return headerProblem(kOffFracBits, "int_bits + frac_bits must be <= 16 "
                                       "(got " +
                                           Twine(int(t.intBits)) + " + " +
                                           Twine(int(t.fracBits)) + ")");
  if (t.shift < -16 || t.shift > 16)
    return headerProblem(kOffShift, "shift must be in [-16, 16] (got " +
                                        Twine(int(t.shift)) + ")");
  if (static_cast<unsigned>(t.policy) > 2)
    return headerProblem(kOffPolicy, "policy must be 0 (hdp), 1 (topk) or 2 "
                                     "(dense)");
  if (static_cast<unsigned>(t.softmax) > 1)
    return headerProblem(kOffSoftmax, "softmax must be 0 (exact) or 1 (poly)");
  if (static_cast<unsigned>(t.importance) > 1)
    return headerProblem(kOffImportance,
                         "importance must be 0 (abs) or 1 (signed)");
  constexpr int64_t kMaxBlock = AttentionConfig::kMaxBlockDim;
  if (t.blockRows < 1 || t.blockRows > kMaxBlock)
    return headerProblem(kOffBlockRows,
                         "block rows must be in [1, " + Twine(kMaxBlock) + "]");
  if (t.blockCols < 1 || t.blockCols > kMaxBlock)
    return headerProblem(kOffBlockCols, "block columns must be in [1, " +
                                            Twine(kMaxBlock) + "]");
  if (t.topk < 1 || t.topk > AttentionConfig::kMaxTopK)
    return headerProblem(kOffTopk, "topk must be in [1, " +
                                       Twine(AttentionConfig::kMaxTopK) + "]");
  if (t.rhoQ16 < -65536 || t.rhoQ16 > 65536)
    return headerProblem(kOffRho, "rho_q16 must be in [-65536, 65536] (got " +
                                      Twine(t.rhoQ16) + ")");
  float scale = t.scale();
  if (!(std::isnormal(scale) && scale > 0))
    return headerProblem(kOffScale, "scale must be a normal f32 > 0 (got " +
                                        hex(t.scaleBits, 8) + ")");
  if (t.tauHQ16 > kTauCap)
    return headerProblem(kOffTau, "tau_h_q16 must be at most 2^62");

  const AttentionShape &s = p.shape;
  const uint32_t dims[6] = {s.B, s.H, s.N, s.M, s.D, s.Dv};
  const char *names[6] = {"B", "H", "N", "M", "D", "Dv"};
  for (unsigned i = 0; i < 6; ++i)
    if (dims[i] < 1)
      return headerProblem(kOffShape + 4 * i,
                           Twine("shape ") + names[i] + " must be >= 1");
  if (s.B > 65535 || s.H > 65535)
    return headerProblem(s.B > 65535 ? kOffShape : kOffShape + 4,
                         "B and H must be at most 65535 (commands hold them "
                         "in 16 bits)");
  if (static_cast<unsigned>(s.maskForm) > 2)
    return headerProblem(kOffMaskForm, "mask form must be 0 (additive), 1 "
                                       "(bits) or 2 (lengths)");
  if (s.maskForm != MaskForm::Additive && !s.hasMask)
    return headerProblem(kOffMaskForm, Twine("mask form '") +
                                           maskFormName(s.maskForm) +
                                           "' but the program has no mask");
  return std::nullopt;
}

std::optional<ProgramProblem> commandProblem(size_t index, unsigned offset,
                                             const Twine &message) {
  return ProgramProblem{false, index, offset, message.str()};
}

/// Checks that [start, start+count) lies in [0, limit) and is non-empty.
bool inRange(uint32_t start, uint32_t count, uint32_t limit) {
  return count >= 1 && uint64_t(start) + count <= limit;
}

std::optional<ProgramProblem> checkCommand(const Program &p, size_t index) {
  const Command &c = p.commands[index];
  const AttentionShape &s = p.shape;
  const AttentionParams &t = p.attention;
  auto fail = [&](unsigned offset, const Twine &message) {
    return commandProblem(index, offset, message);
  };
  if (!isKnownOpcode(static_cast<uint8_t>(c.opcode)))
    return fail(0, "unknown opcode " + hex(static_cast<uint8_t>(c.opcode), 2) +
                       "; expected one of dma.load (0x01), dma.store (0x02), "
                       "pe.int (0x10), pe.frac (0x11), pe.pv (0x12), se.acc "
                       "(0x20), se.end_r (0x21), se.end_h (0x22), sfu.softmax "
                       "(0x30), barrier (0x40)");
  StringRef op = opcodeName(c.opcode);
  if (c.core >= p.accel.cores)
    return fail(1, op + ": core " + Twine(int(c.core)) +
                       " does not exist; the accelerator has " +
                       Twine(p.accel.cores) + " cores");
  if (c.flags & ~kAllFlags)
    return fail(2, op + ": unknown flag bits " + hex(c.flags & ~kAllFlags, 4));
  if (uint16_t bad = c.flags & ~allowedFlags(c.opcode))
    return fail(2, op + ": flag '" + flagsText(bad) + "' is not allowed; " +
                       (allowedFlags(c.opcode)
                            ? "expected a subset of '" +
                                  flagsText(allowedFlags(c.opcode)) + "'"
                            : std::string("it takes no flags")));
  if (c.has(FlagFromInt) && c.has(FlagDense))
    return fail(2, op + ": flags 'from_int' and 'dense' exclude each other "
                        "(the dense engine computes no S_int)");
  if (c.has(FlagMasked) && !s.hasMask)
    return fail(2, op + ": flag 'masked' but the program has no mask input");

  // Tensor.
  bool isDma = c.opcode == Opcode::DmaLoad || c.opcode == Opcode::DmaStore;
  if (!isDma && c.tensor != Tensor::None)
    return fail(4, op + ": tensor field must be 0 (only DMA commands name a "
                        "tensor)");
  if (c.opcode == Opcode::DmaLoad) {
    switch (c.tensor) {
    case Tensor::QInt:
    case Tensor::QFrac:
    case Tensor::KInt:
    case Tensor::KFrac:
    case Tensor::V:
    case Tensor::BlockMask:
      break;
    case Tensor::Mask:
      if (!s.hasMask)
        return fail(4, "dma.load: tensor 'mask' but the program has no mask "
                       "input");
      break;
    default:
      return fail(4, "dma.load: tensor " +
                         Twine(static_cast<unsigned>(c.tensor)) +
                         " cannot be loaded; expected q_int (1), q_frac (2), "
                         "k_int (3), k_frac (4), v (5), mask (6) or "
                         "block_mask (7)");
    }
    if (c.has(FlagFum) && c.tensor != Tensor::KInt &&
        c.tensor != Tensor::KFrac && c.tensor != Tensor::V)
      return fail(2, "dma.load: flag 'fum' applies to k_int, k_frac and v "
                     "only");
    if (c.has(FlagTopUp) && c.tensor != Tensor::KInt &&
        c.tensor != Tensor::KFrac && c.tensor != Tensor::V)
      return fail(2, "dma.load: flag 'topup' applies to k_int, k_frac and v "
                     "only");
  }
  if (c.opcode == Opcode::DmaStore && c.tensor != Tensor::BlockMask &&
      c.tensor != Tensor::Out && c.tensor != Tensor::HeadTable)
    return fail(4, "dma.store: tensor " +
                       Twine(static_cast<unsigned>(c.tensor)) +
                       " cannot be stored; expected block_mask (7), out (8) "
                       "or head_table (9)");

  // Slots: used ones in range, unused ones zero.
  bool used[5] = {false, false, false, false, false};
  for (const Operand &o : operandsOf(c)) {
    used[o.slotIndex] = true;
    if (c.slots[o.slotIndex] >= kSlotsPerBuffer)
      return fail(5 + o.slotIndex, op + ": " + o.key + " slot " +
                                       Twine(int(c.slots[o.slotIndex])) +
                                       " does not exist; each "
                                       "buffer has " +
                                       Twine(kSlotsPerBuffer) + " slots");
  }
  for (unsigned i = 0; i < 5; ++i)
    if (!used[i] && c.slots[i] != 0)
      return fail(5 + i, op + ": slot byte " + Twine(i) +
                             " is unused by this command and must be 0");

  if (c.opcode != Opcode::Barrier && c.aux != 0)
    return fail(14, op + ": aux field must be 0 (only barriers have an id)");

  // Tile fields.
  auto zeroTile = [&](bool allowBatch) -> std::optional<ProgramProblem> {
    if (!allowBatch && c.batch != 0)
      return fail(10, op + ": batch must be 0");
    if (c.head != 0)
      return fail(12, op + ": head must be 0");
    if (c.row0 != 0 || c.rows != 0)
      return fail(16, op + ": rows must be 0+0");
    if (c.col0 != 0 || c.cols != 0)
      return fail(24, op + ": cols must be 0+0");
    return std::nullopt;
  };
  if (c.opcode == Opcode::Barrier)
    return zeroTile(false);
  if (c.batch >= s.B)
    return fail(10, op + ": batch " + Twine(c.batch) +
                        " is out of range; the program has B=" + Twine(s.B));
  if (c.opcode == Opcode::SeEndH)
    return zeroTile(true);
  if (c.opcode == Opcode::DmaStore && c.tensor == Tensor::HeadTable)
    return zeroTile(true);
  if (c.head >= s.H)
    return fail(12, op + ": head " + Twine(c.head) +
                        " is out of range; the program has H=" + Twine(s.H));

  auto rowsIn = [&](uint32_t limit, StringRef what) {
    return inRange(c.row0, c.rows, limit)
               ? std::optional<ProgramProblem>()
               : fail(16, op + ": rows " + Twine(c.row0) + "+" + Twine(c.rows) +
                              " must be a non-empty range "
                              "inside [0, " +
                              Twine(limit) + ") (" + what + ")");
  };
  auto colsIn = [&](uint32_t limit, StringRef what) {
    return inRange(c.col0, c.cols, limit)
               ? std::optional<ProgramProblem>()
               : fail(24, op + ": cols " + Twine(c.col0) + "+" + Twine(c.cols) +
                              " must be a non-empty range "
                              "inside [0, " +
                              Twine(limit) + ") (" + what + ")");
  };
  auto noRows = [&]() {
    return c.row0 == 0 && c.rows == 0
               ? std::optional<ProgramProblem>()
               : fail(16, op + ": rows must be 0+0 here");
  };
  auto noCols = [&]() {
    return c.col0 == 0 && c.cols == 0
               ? std::optional<ProgramProblem>()
               : fail(24, op + ": cols must be 0+0 (the command covers every "
                               "column)");
  };
  // Block-row aligned: starts on a block boundary, ends on one or at N.
  auto blockAligned = [&]() {
    uint64_t end = uint64_t(c.row0) + c.rows;
    if (c.row0 % t.blockRows == 0 && (end % t.blockRows == 0 || end == s.N))
      return std::optional<ProgramProblem>();
    return fail(
        16, op + ": rows " + Twine(c.row0) + "+" + Twine(c.rows) +
                " must cover whole block rows (bm=" + Twine(t.blockRows) + ")");
  };

  std::optional<ProgramProblem> problem;
  switch (c.opcode) {
  case Opcode::DmaLoad:
    switch (c.tensor) {
    case Tensor::QInt:
    case Tensor::QFrac:
      if ((problem = rowsIn(s.N, "query rows")) || (problem = noCols()))
        return problem;
      break;
    case Tensor::KInt:
    case Tensor::KFrac:
    case Tensor::V:
      if ((problem = colsIn(s.M, "keys")))
        return problem;
      if (c.has(FlagFum)) {
        if ((problem = rowsIn(s.N, "the query rows the fetch serves")))
          return problem;
      } else if ((problem = noRows())) {
        return problem;
      }
      break;
    case Tensor::Mask:
      if ((problem = rowsIn(s.N, "query rows")) ||
          (problem = colsIn(s.M, "keys")))
        return problem;
      break;
    default: // BlockMask
      if ((problem = rowsIn(s.N, "query rows")) || (problem = blockAligned()) ||
          (problem = noCols()))
        return problem;
      break;
    }
    break;
  case Opcode::DmaStore:
    if ((problem = rowsIn(s.N, "query rows")) || (problem = noCols()))
      return problem;
    if (c.tensor == Tensor::BlockMask && (problem = blockAligned()))
      return problem;
    break;
  case Opcode::PeInt:
  case Opcode::PeFrac:
  case Opcode::PePv:
    if ((problem = rowsIn(s.N, "query rows")) ||
        (problem = colsIn(s.M, "keys")))
      return problem;
    // The dense engine tracks which blocks the mask leaves alive per block
    // row of its strip.
    if (c.has(FlagDense) && (problem = blockAligned()))
      return problem;
    break;
  case Opcode::SeAcc:
    if ((problem = rowsIn(s.N, "query rows")) || (problem = blockAligned()) ||
        (problem = colsIn(s.M, "keys")))
      return problem;
    break;
  case Opcode::SeEndR:
    if ((problem = rowsIn(s.N, "query rows")) || (problem = blockAligned()) ||
        (problem = noCols()))
      return problem;
    break;
  case Opcode::Softmax:
    if ((problem = rowsIn(s.N, "query rows")))
      return problem;
    // Whole rows (cols 0+0), or one key tile of an online softmax.
    if (c.cols == 0) {
      if (c.col0 != 0)
        return fail(24, op + ": cols " + Twine(c.col0) +
                            "+0: a key tile must be non-empty (0+0 means "
                            "whole rows)");
      if (c.has(FlagFirst) || c.has(FlagLast))
        return fail(2, op + ": first and last mark key tiles; a whole-row "
                            "softmax (cols 0+0) cannot carry them");
    } else if ((problem = colsIn(s.M, "keys"))) {
      return problem;
    }
    break;
  case Opcode::SeEndH:
  case Opcode::Barrier:
    break;
  }
  return std::nullopt;
}

/// Every core must pass the same barriers in the same order, or the cores
/// would wait for each other forever.
std::optional<ProgramProblem> checkBarriers(const Program &p) {
  std::vector<std::vector<size_t>> barriers(p.accel.cores);
  for (size_t i = 0; i < p.commands.size(); ++i)
    if (p.commands[i].opcode == Opcode::Barrier)
      barriers[p.commands[i].core].push_back(i);
  for (uint32_t core = 1; core < p.accel.cores; ++core) {
    const auto &mine = barriers[core], &first = barriers[0];
    for (size_t k = 0; k < std::min(mine.size(), first.size()); ++k)
      if (p.commands[mine[k]].aux != p.commands[first[k]].aux)
        return commandProblem(
            mine[k], 14,
            "barrier " + Twine(p.commands[mine[k]].aux) + " is core " +
                Twine(core) + "'s barrier #" + Twine(k) + ", but core 0's is " +
                Twine(p.commands[first[k]].aux) +
                "; every core must reach the same barriers in the same order");
    if (mine.size() != first.size()) {
      size_t at =
          mine.size() > first.size() ? mine[first.size()] : first[mine.size()];
      return commandProblem(at, 0,
                            "core " + Twine(core) + " reaches " +
                                Twine(mine.size()) +
                                " barriers but core 0 "
                                "reaches " +
                                Twine(first.size()) +
                                "; every core must reach the same barriers");
    }
  }
  return std::nullopt;
}

} // namespace

//===----------------------------------------------------------------------===//
// Structs
//===----------------------------------------------------------------------===//

std::string bufferBytesName(Buffer buffer) {
  return (bufferName(buffer) + "_buffer").str();
}

AccelSignature AccelSignature::of(const AccelConfig &config) {
  AccelSignature s;
  s.name = config.name;
  s.hash = config.hash();
  s.cores = config.cores;
  s.peArraysPerCore = config.peArraysPerCore;
  s.tileRows = config.tileRows;
  s.tileK = config.tileK;
  s.tileCols = config.tileCols;
  const uint64_t bytes[kNumBuffers] = {
      config.qBufferBytes,         config.kBufferBytes,
      config.vBufferBytes,         config.maskBufferBytes,
      config.scoreBufferBytes,     config.thetaBufferBytes,
      config.blockMaskBufferBytes, config.outBufferBytes};
  for (unsigned i = 0; i < kNumBuffers; ++i)
    s.bufferBytes[i] = static_cast<uint32_t>(bytes[i]);
  return s;
}

bool AccelSignature::operator==(const AccelSignature &o) const {
  return name == o.name && hash == o.hash && cores == o.cores &&
         peArraysPerCore == o.peArraysPerCore && tileRows == o.tileRows &&
         tileK == o.tileK && tileCols == o.tileCols &&
         bufferBytes == o.bufferBytes;
}

AttentionParams AttentionParams::from(const ref::AttentionConfig &config,
                                      int64_t headDim) {
  AttentionParams p;
  p.intBits = static_cast<uint8_t>(config.intBits);
  p.fracBits = static_cast<uint8_t>(config.fracBits);
  p.shift = static_cast<int8_t>(config.shift);
  p.policy = config.policy;
  p.softmax = config.softmax;
  p.approx = config.approx;
  p.blockRows = static_cast<uint16_t>(config.blockRows);
  p.blockCols = static_cast<uint16_t>(config.blockCols);
  p.topk = static_cast<uint32_t>(std::min<int64_t>(config.topk, UINT32_MAX));
  p.importance = config.importance;
  // The integers every implementation derives, so decisions agree bit for
  // bit.
  p.rhoQ16 = fixed::rhoToQ16(config.rho);
  p.tauHQ16 = fixed::tauHToQ16(config.tauH);
  float scale = config.effectiveScale(headDim);
  std::memcpy(&p.scaleBits, &scale, sizeof(scale));
  return p;
}

float AttentionParams::scale() const {
  float s;
  std::memcpy(&s, &scaleBits, sizeof(s));
  return s;
}

ref::AttentionConfig AttentionParams::toReference() const {
  ref::AttentionConfig c;
  c.intBits = intBits;
  c.fracBits = fracBits;
  c.shift = shift;
  c.blockRows = blockRows;
  c.blockCols = blockCols;
  c.rho = rhoQ16 / 65536.0;
  c.tauH = static_cast<double>(tauHQ16) / 65536.0;
  c.policy = policy;
  c.importance = importance;
  c.topk = topk;
  c.approx = approx;
  c.softmax = softmax;
  c.scale = static_cast<double>(scale());
  return c;
}

bool AttentionParams::operator==(const AttentionParams &o) const {
  return intBits == o.intBits && fracBits == o.fracBits && shift == o.shift &&
         policy == o.policy && importance == o.importance &&
         softmax == o.softmax && approx == o.approx &&
         blockRows == o.blockRows && blockCols == o.blockCols &&
         topk == o.topk && rhoQ16 == o.rhoQ16 && tauHQ16 == o.tauHQ16 &&
         scaleBits == o.scaleBits;
}

bool AttentionShape::operator==(const AttentionShape &o) const {
  return B == o.B && H == o.H && N == o.N && M == o.M && D == o.D &&
         Dv == o.Dv && hasMask == o.hasMask && maskForm == o.maskForm;
}

const char *maskFormName(MaskForm form) {
  switch (form) {
  case MaskForm::Additive:
    return "additive";
  case MaskForm::Bits:
    return "bits";
  case MaskForm::Lengths:
    return "lengths";
  }
  return "?";
}

std::optional<MaskForm> parseMaskForm(const std::string &name) {
  for (MaskForm f : {MaskForm::Additive, MaskForm::Bits, MaskForm::Lengths})
    if (name == maskFormName(f))
      return f;
  return std::nullopt;
}

uint64_t maskTileBytes(MaskForm form, uint64_t rows, uint64_t keys) {
  // Saturating: an absurd tile reads as "does not fit", never wraps.
  using u128 = unsigned __int128;
  u128 bytes = 0;
  switch (form) {
  case MaskForm::Additive:
    bytes = u128(rows) * keys * 4;
    break;
  case MaskForm::Bits:
    bytes = u128(rows) * ((keys + 7) / 8);
    break;
  case MaskForm::Lengths:
    bytes = u128(rows) * 4;
    break;
  }
  return bytes > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(bytes);
}

uint64_t maskLoadBytes(MaskForm form, uint64_t distinctRows, uint64_t col0,
                       uint64_t cols, bool keysBroadcast) {
  switch (form) {
  case MaskForm::Additive:
    return distinctRows * (keysBroadcast ? 1 : cols) * 4;
  case MaskForm::Bits:
    return distinctRows *
           (keysBroadcast ? 1 : (col0 + cols + 7) / 8 - col0 / 8);
  case MaskForm::Lengths:
    return distinctRows * 4;
  }
  return 0;
}

bool Program::operator==(const Program &o) const {
  return accel == o.accel && attention == o.attention && shape == o.shape &&
         commands == o.commands;
}

std::optional<ProgramProblem> checkProgram(const Program &program) {
  if (auto problem = checkHeader(program))
    return problem;
  for (size_t i = 0; i < program.commands.size(); ++i)
    if (auto problem = checkCommand(program, i))
      return problem;
  return checkBarriers(program);
}

} // namespace hdp::accel
