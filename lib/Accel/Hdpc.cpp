//===- Hdpc.cpp - The .hdpc command stream file format --------------------===//
//
// Binary reader/writer and the text form. The byte layout of the header is
// given once, by the kOff* constants below; docs/accelerator.md mirrors it.
//
//===----------------------------------------------------------------------===//

#include "hdp/Accel/Hdpc.h"
#include "hdp/Semantics/FixedPoint.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <map>

using namespace llvm;
using namespace llvm::support::endian;

namespace hdp::accel {

namespace {

// Header byte offsets (version 1).
enum : unsigned {
  kOffMagic = 0,       // 4 bytes "HDPC"
  kOffVersion = 4,     // u16
  kOffHeaderSize = 6,  // u16, = kHeaderBytes
  kOffCommandSize = 8, // u16, = kCommandBytes
  kOffReserved0 = 10,  // u16, 0
  kOffCount = 12,      // u32 command count
  kOffChecksum = 16,   // u32 CRC-32 of the file without these 4 bytes
  kOffReserved1 = 20,  // u32, 0
  kOffName = 24,       // 32 bytes, NUL padded
  kOffHash = 56,       // u64 FNV-1a of the accelerator configuration
  kOffCores = 64,      // u16
  kOffArrays = 66,     // u16
  kOffTileRows = 68,   // u8
  kOffTileK = 69,      // u8
  kOffTileCols = 70,   // u8
  kOffReserved2 = 71,  // u8, 0
  kOffBuffers = 72,    // 8 x u32, in Buffer order
  kOffIntBits = 104,   // u8
  kOffFracBits = 105,  // u8
  kOffShift = 106,     // i8
  kOffPolicy = 107,    // u8: 0 hdp, 1 topk, 2 dense
  kOffSoftmax = 108,   // u8: 0 exact, 1 poly
  kOffApprox = 109,    // u8: 0/1
  kOffImportance = 110, // u8: 0 abs, 1 signed (version 2; 0 in version 1)
  kOffReserved3 = 111, // u8, 0
  kOffBlockRows = 112, // u16
  kOffBlockCols = 114, // u16
  kOffTopk = 116,      // u32
  kOffRho = 120,       // i32 Q16
  kOffScale = 124,     // f32 bits
  kOffTau = 128,       // u64 Q16
  kOffShape = 136,     // 6 x u32: B, H, N, M, D, Dv
  kOffHasMask = 160,   // u8
  kOffReserved4 = 161, // 7 bytes, 0
};
static_assert(kOffReserved4 + 7 == kHeaderBytes, "header layout");

constexpr uint64_t kTauCap = fixed::kTauHQ16Cap;

const char *const kBufferKeys[kNumBuffers] = {
    "q_buffer",     "k_buffer",     "v_buffer",         "mask_buffer",
    "score_buffer", "theta_buffer", "blockmask_buffer", "out_buffer"};

Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

std::string hex(uint64_t v, unsigned digits) {
  return "0x" + utohexstr(v, /*LowerCase=*/true, digits);
}

/// Checksum of the whole file except the checksum field.
uint32_t fileChecksum(StringRef bytes) {
  ArrayRef<uint8_t> all(reinterpret_cast<const uint8_t *>(bytes.data()),
                        bytes.size());
  uint32_t crc = crc32(all.take_front(kOffChecksum));
  return crc32(crc, all.drop_front(kOffChecksum + 4));
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
      return headerProblem(kOffBuffers + 4 * i, Twine(kBufferKeys[i]) +
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
                                       Twine(AttentionConfig::kMaxTopK) +
                                       "]");
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
    if ((problem = rowsIn(s.N, "query rows")) || (problem = noCols()))
      return problem;
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
         Dv == o.Dv && hasMask == o.hasMask;
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

//===----------------------------------------------------------------------===//
// Binary form
//===----------------------------------------------------------------------===//

std::string writeProgram(const Program &p) {
  std::string bytes(kHeaderBytes + p.commands.size() * kCommandBytes, '\0');
  auto *b = reinterpret_cast<uint8_t *>(bytes.data());
  std::memcpy(b + kOffMagic, "HDPC", 4);
  write16le(b + kOffVersion, kHdpcVersion);
  write16le(b + kOffHeaderSize, kHeaderBytes);
  write16le(b + kOffCommandSize, kCommandBytes);
  write32le(b + kOffCount, static_cast<uint32_t>(p.commands.size()));
  std::memcpy(b + kOffName, p.accel.name.data(),
              std::min<size_t>(p.accel.name.size(), 31));
  write64le(b + kOffHash, p.accel.hash);
  write16le(b + kOffCores, static_cast<uint16_t>(p.accel.cores));
  write16le(b + kOffArrays, static_cast<uint16_t>(p.accel.peArraysPerCore));
  b[kOffTileRows] = static_cast<uint8_t>(p.accel.tileRows);
  b[kOffTileK] = static_cast<uint8_t>(p.accel.tileK);
  b[kOffTileCols] = static_cast<uint8_t>(p.accel.tileCols);
  for (unsigned i = 0; i < kNumBuffers; ++i)
    write32le(b + kOffBuffers + 4 * i, p.accel.bufferBytes[i]);
  const AttentionParams &t = p.attention;
  b[kOffIntBits] = t.intBits;
  b[kOffFracBits] = t.fracBits;
  b[kOffShift] = static_cast<uint8_t>(t.shift);
  b[kOffPolicy] = static_cast<uint8_t>(t.policy);
  b[kOffSoftmax] = static_cast<uint8_t>(t.softmax);
  b[kOffApprox] = t.approx ? 1 : 0;
  b[kOffImportance] = static_cast<uint8_t>(t.importance);
  write16le(b + kOffBlockRows, t.blockRows);
  write16le(b + kOffBlockCols, t.blockCols);
  write32le(b + kOffTopk, t.topk);
  write32le(b + kOffRho, static_cast<uint32_t>(t.rhoQ16));
  write32le(b + kOffScale, t.scaleBits);
  write64le(b + kOffTau, t.tauHQ16);
  const uint32_t dims[6] = {p.shape.B, p.shape.H, p.shape.N,
                            p.shape.M, p.shape.D, p.shape.Dv};
  for (unsigned i = 0; i < 6; ++i)
    write32le(b + kOffShape + 4 * i, dims[i]);
  b[kOffHasMask] = p.shape.hasMask ? 1 : 0;
  for (size_t i = 0; i < p.commands.size(); ++i)
    encodeCommand(p.commands[i], b + commandOffset(i));
  write32le(b + kOffChecksum, fileChecksum(bytes));
  return bytes;
}

Expected<Program> readProgram(StringRef bytes, StringRef fileName) {
  auto fail = [&](size_t offset, const Twine &message) {
    return makeError(fileName + ": byte " + Twine(offset) + ": " + message);
  };
  const auto *b = reinterpret_cast<const uint8_t *>(bytes.data());
  const size_t size = bytes.size();

  // Magic first: a file that is not .hdpc at all should say so, whatever
  // its length.
  if (size < 4 || std::memcmp(b, "HDPC", 4) != 0) {
    std::string found;
    for (size_t i = 0; i < std::min<size_t>(size, 4); ++i)
      found += isPrint(b[i]) ? std::string(1, char(b[i]))
                             : "\\x" + utohexstr(b[i], true, 2);
    return fail(0,
                "expected the magic \"HDPC\" of an hdp command stream, "
                "found \"" +
                    found + "\"" +
                    (size < 4 ? " (the file has only " + Twine(size) + " bytes)"
                              : Twine("")));
  }
  if (size < kOffHeaderSize) // version is readable once 6 bytes exist
    return fail(size, "file ends inside the header; expected " +
                          Twine(kHeaderBytes) + " header bytes, the file has " +
                          Twine(size));
  // Version 1 streams are version 2 streams without the importance byte
  // (reserved, 0, which reads as abs): they still read.
  uint16_t version = read16le(b + kOffVersion);
  if (version < kHdpcOldestVersion || version > kHdpcVersion)
    return fail(kOffVersion, "unsupported version " + Twine(version) +
                                 "; this reader understands versions " +
                                 Twine(kHdpcOldestVersion) + " to " +
                                 Twine(kHdpcVersion));
  if (size < kHeaderBytes)
    return fail(size, "file ends inside the header; expected " +
                          Twine(kHeaderBytes) + " header bytes, the file has " +
                          Twine(size));
  if (read16le(b + kOffHeaderSize) != kHeaderBytes)
    return fail(kOffHeaderSize, "header size field is " +
                                    Twine(read16le(b + kOffHeaderSize)) +
                                    "; expected " + Twine(kHeaderBytes));
  if (read16le(b + kOffCommandSize) != kCommandBytes)
    return fail(kOffCommandSize, "command size field is " +
                                     Twine(read16le(b + kOffCommandSize)) +
                                     "; expected " + Twine(kCommandBytes));
  uint32_t count = read32le(b + kOffCount);
  uint64_t expectedSize = kHeaderBytes + uint64_t(count) * kCommandBytes;
  if (size < expectedSize) {
    size_t index = (size - kHeaderBytes) / kCommandBytes;
    return fail(size, "file ends inside command #" + Twine(index) +
                          "; the header announces " + Twine(count) +
                          " commands, so " + Twine(expectedSize) +
                          " bytes were expected, the file has " + Twine(size) +
                          " (truncated?)");
  }
  if (size > expectedSize)
    return fail(expectedSize, "unexpected " + Twine(size - expectedSize) +
                                  " bytes after the last of the " +
                                  Twine(count) +
                                  " commands announced by the "
                                  "header");
  uint32_t stored = read32le(b + kOffChecksum);
  uint32_t actual = fileChecksum(bytes);
  if (stored != actual)
    return fail(kOffChecksum, "checksum mismatch: the header says " +
                                  hex(stored, 8) + " but the contents give " +
                                  hex(actual, 8) + " (the file is corrupted)");

  // Reserved bytes must be zero so that a future version can use them.
  auto reservedZero = [&](unsigned offset, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      if (b[offset + i] != 0)
        return std::optional<unsigned>(offset + i);
    return std::optional<unsigned>();
  };
  for (auto [offset, n] : {std::pair<unsigned, unsigned>{kOffReserved0, 2},
                           {kOffReserved1, 4},
                           {kOffReserved2, 1},
                           {kOffReserved3, 1},
                           {kOffReserved4, 7}})
    if (auto at = reservedZero(offset, n))
      return fail(*at,
                  "reserved header byte must be 0, found " + hex(b[*at], 2));

  Program p;
  // Name: up to 31 characters, then NUL padding.
  size_t nameLength = 0;
  while (nameLength < 32 && b[kOffName + nameLength] != 0)
    ++nameLength;
  if (nameLength == 32)
    return fail(kOffName, "accelerator name is not NUL-terminated within 32 "
                          "bytes");
  for (size_t i = nameLength; i < 32; ++i)
    if (b[kOffName + i] != 0)
      return fail(kOffName + i, "accelerator name must be padded with NUL "
                                "bytes");
  p.accel.name.assign(reinterpret_cast<const char *>(b + kOffName), nameLength);
  p.accel.hash = read64le(b + kOffHash);
  p.accel.cores = read16le(b + kOffCores);
  p.accel.peArraysPerCore = read16le(b + kOffArrays);
  p.accel.tileRows = b[kOffTileRows];
  p.accel.tileK = b[kOffTileK];
  p.accel.tileCols = b[kOffTileCols];
  for (unsigned i = 0; i < kNumBuffers; ++i)
    p.accel.bufferBytes[i] = read32le(b + kOffBuffers + 4 * i);
  AttentionParams &t = p.attention;
  t.intBits = b[kOffIntBits];
  t.fracBits = b[kOffFracBits];
  t.shift = static_cast<int8_t>(b[kOffShift]);
  if (b[kOffPolicy] > 2)
    return fail(kOffPolicy, "policy must be 0 (hdp), 1 (topk) or 2 (dense), "
                            "found " +
                                Twine(int(b[kOffPolicy])));
  t.policy = static_cast<ref::Policy>(b[kOffPolicy]);
  if (b[kOffSoftmax] > 1)
    return fail(kOffSoftmax, "softmax must be 0 (exact) or 1 (poly), found " +
                                 Twine(int(b[kOffSoftmax])));
  t.softmax = static_cast<ref::SoftmaxKind>(b[kOffSoftmax]);
  if (b[kOffApprox] > 1)
    return fail(kOffApprox,
                "approx must be 0 or 1, found " + Twine(int(b[kOffApprox])));
  if (b[kOffImportance] > (version >= 2 ? 1 : 0))
    return fail(kOffImportance,
                version >= 2 ? "importance must be 0 (abs) or 1 (signed), "
                               "found " +
                                   Twine(int(b[kOffImportance]))
                             : "reserved header byte must be 0 in a version "
                               "1 stream, found " +
                                   hex(b[kOffImportance], 2));
  t.importance = static_cast<Importance>(b[kOffImportance]);
  t.approx = b[kOffApprox] == 1;
  t.blockRows = read16le(b + kOffBlockRows);
  t.blockCols = read16le(b + kOffBlockCols);
  t.topk = read32le(b + kOffTopk);
  t.rhoQ16 = static_cast<int32_t>(read32le(b + kOffRho));
  t.scaleBits = read32le(b + kOffScale);
  t.tauHQ16 = read64le(b + kOffTau);
  p.shape.B = read32le(b + kOffShape);
  p.shape.H = read32le(b + kOffShape + 4);
  p.shape.N = read32le(b + kOffShape + 8);
  p.shape.M = read32le(b + kOffShape + 12);
  p.shape.D = read32le(b + kOffShape + 16);
  p.shape.Dv = read32le(b + kOffShape + 20);
  if (b[kOffHasMask] > 1)
    return fail(kOffHasMask,
                "has-mask must be 0 or 1, found " + Twine(int(b[kOffHasMask])));
  p.shape.hasMask = b[kOffHasMask] == 1;

  p.commands.reserve(count);
  for (uint32_t i = 0; i < count; ++i)
    p.commands.push_back(decodeCommand(b + commandOffset(i)));

  if (std::optional<ProgramProblem> problem = checkProgram(p)) {
    if (problem->inHeader)
      return fail(problem->offset, problem->message);
    return fail(commandOffset(problem->commandIndex) + problem->offset,
                "command #" + Twine(problem->commandIndex) + ": " +
                    problem->message);
  }
  return p;
}

Expected<Program> readProgramFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot read the command stream: " +
                     buffer.getError().message());
  return readProgram((*buffer)->getBuffer(), path);
}

Error writeProgramFile(StringRef path, const Program &program) {
  std::string bytes = writeProgram(program);
  Error e = writeToOutput(path, [&](raw_ostream &os) {
    os << bytes;
    return Error::success();
  });
  if (e)
    return makeError(path + ": cannot write: " + toString(std::move(e)));
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Text form
//===----------------------------------------------------------------------===//

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

std::string disassemble(const Program &p) {
  std::string s;
  raw_string_ostream os(s);
  const AccelSignature &a = p.accel;
  const AttentionParams &t = p.attention;
  os << "# hdp co-processor command stream (.hdpc version " << kHdpcVersion
     << "); hdp-sim --assemble turns this text back into the same bytes.\n";
  os << "hdpc version=" << kHdpcVersion << "\n";
  os << "accel name=" << a.name << " hash=" << hex(a.hash, 16)
     << " cores=" << a.cores << " pe_arrays=" << a.peArraysPerCore
     << " tile=" << a.tileRows << "x" << a.tileK << "x" << a.tileCols;
  for (unsigned i = 0; i < kNumBuffers; ++i)
    os << " " << kBufferKeys[i] << "=" << a.bufferBytes[i];
  os << "\n";
  os << "attention int_bits=" << unsigned(t.intBits)
     << " frac_bits=" << unsigned(t.fracBits) << " shift=" << int(t.shift)
     << " block=" << t.blockRows << "x" << t.blockCols
     << " policy=" << ref::policyName(t.policy)
     << " importance=" << importanceName(t.importance) << " topk=" << t.topk
     << " approx=" << (t.approx ? "true" : "false")
     << " softmax=" << (t.softmax == ref::SoftmaxKind::Exact ? "exact" : "poly")
     << " rho_q16=" << t.rhoQ16 << " tau_h_q16=" << t.tauHQ16
     << " scale=" << hex(t.scaleBits, 8)
     << "  # rho=" << format("%g", t.rhoQ16 / 65536.0)
     << " tau_h=" << format("%g", double(t.tauHQ16) / 65536.0)
     << " scale=" << format("%.9g", double(t.scale())) << "\n";
  os << "shape B=" << p.shape.B << " H=" << p.shape.H << " N=" << p.shape.N
     << " M=" << p.shape.M << " D=" << p.shape.D << " Dv=" << p.shape.Dv
     << " mask=" << (p.shape.hasMask ? "true" : "false") << "\n";
  os << "commands count=" << p.commands.size() << "\n";
  for (size_t i = 0; i < p.commands.size(); ++i)
    os << formatCommand(p.commands[i]) << "  # " << i << "\n";
  return s;
}

namespace {

/// Parser of the text form: one directive or command per line.
class TextParser {
public:
  TextParser(StringRef text, StringRef fileName)
      : text(text), fileName(fileName) {}

  Expected<Program> parse();

private:
  using Fields = std::map<std::string, std::string, std::less<>>;

  Error error(unsigned line, const Twine &message) {
    return makeError(fileName + ":" + Twine(line) + ": " + message);
  }
  /// Splits a line into its first word and key=value fields.
  Error splitLine(unsigned line, StringRef content, StringRef &word,
                  Fields &fields);
  /// Takes a required field out of `fields`.
  Expected<std::string> take(unsigned line, Fields &fields, StringRef key,
                             StringRef context);
  /// Parses an unsigned integer (decimal or 0x hex) that fits `maxValue`.
  Expected<uint64_t> number(unsigned line, StringRef key, StringRef value,
                            uint64_t maxValue);
  Expected<uint64_t> takeNumber(unsigned line, Fields &fields, StringRef key,
                                StringRef context, uint64_t maxValue);
  Expected<bool> takeBool(unsigned line, Fields &fields, StringRef key,
                          StringRef context);
  /// Parses "start+count".
  Error takeRange(unsigned line, Fields &fields, StringRef key,
                  StringRef context, uint32_t &start, uint32_t &count);
  Error noExtraFields(unsigned line, const Fields &fields, StringRef context);
  Expected<Command> parseCommand(unsigned line, StringRef word, Fields &fields);

  StringRef text;
  StringRef fileName;
};

Error TextParser::splitLine(unsigned line, StringRef content, StringRef &word,
                            Fields &fields) {
  SmallVector<StringRef, 16> clean;
  SplitString(content, clean);
  word = clean.front();
  for (StringRef tok : ArrayRef<StringRef>(clean).drop_front()) {
    auto [key, value] = tok.split('=');
    if (!tok.contains('=') || key.empty())
      return error(line, "expected key=value, found '" + tok + "'");
    if (!fields.emplace(key.str(), value.str()).second)
      return error(line, "key '" + key + "' given twice");
  }
  return Error::success();
}

Expected<std::string> TextParser::take(unsigned line, Fields &fields,
                                       StringRef key, StringRef context) {
  auto it = fields.find(key);
  if (it == fields.end())
    return error(line, context + ": missing key '" + key + "'");
  std::string value = it->second;
  fields.erase(it);
  return value;
}

Expected<uint64_t> TextParser::number(unsigned line, StringRef key,
                                      StringRef value, uint64_t maxValue) {
  uint64_t v;
  if (value.getAsInteger(0, v))
    return error(line, "key '" + key +
                           "': expected an unsigned integer, "
                           "found '" +
                           value + "'");
  if (v > maxValue)
    return error(line, "key '" + key + "': " + Twine(v) +
                           " does not fit (at most " + Twine(maxValue) + ")");
  return v;
}

Expected<uint64_t> TextParser::takeNumber(unsigned line, Fields &fields,
                                          StringRef key, StringRef context,
                                          uint64_t maxValue) {
  Expected<std::string> value = take(line, fields, key, context);
  if (!value)
    return value.takeError();
  return number(line, key, *value, maxValue);
}

Expected<bool> TextParser::takeBool(unsigned line, Fields &fields,
                                    StringRef key, StringRef context) {
  Expected<std::string> value = take(line, fields, key, context);
  if (!value)
    return value.takeError();
  if (*value == "true")
    return true;
  if (*value == "false")
    return false;
  return error(line, "key '" + key + "': expected true or false, found '" +
                         *value + "'");
}

Error TextParser::takeRange(unsigned line, Fields &fields, StringRef key,
                            StringRef context, uint32_t &start,
                            uint32_t &count) {
  Expected<std::string> value = take(line, fields, key, context);
  if (!value)
    return value.takeError();
  auto [a, b] = StringRef(*value).split('+');
  if (!StringRef(*value).contains('+'))
    return error(line, "key '" + key + "': expected start+count, found '" +
                           *value + "'");
  Expected<uint64_t> s = number(line, key, a, UINT32_MAX);
  if (!s)
    return s.takeError();
  Expected<uint64_t> n = number(line, key, b, UINT32_MAX);
  if (!n)
    return n.takeError();
  start = static_cast<uint32_t>(*s);
  count = static_cast<uint32_t>(*n);
  return Error::success();
}

Error TextParser::noExtraFields(unsigned line, const Fields &fields,
                                StringRef context) {
  if (fields.empty())
    return Error::success();
  return error(line, context + ": unknown key '" + fields.begin()->first + "'");
}

Expected<Command> TextParser::parseCommand(unsigned line, StringRef word,
                                           Fields &fields) {
  std::optional<Opcode> op = opcodeFromName(word);
  if (!op)
    return error(line, "unknown command '" + word +
                           "'; expected dma.load, dma.store, pe.int, pe.frac, "
                           "pe.pv, se.acc, se.end_r, se.end_h, sfu.softmax or "
                           "barrier");
  Command c;
  c.opcode = *op;
  Expected<uint64_t> core = takeNumber(line, fields, "core", word, 255);
  if (!core)
    return core.takeError();
  c.core = static_cast<uint8_t>(*core);
  if (c.opcode == Opcode::Barrier) {
    Expected<uint64_t> id = takeNumber(line, fields, "id", word, 65535);
    if (!id)
      return id.takeError();
    c.aux = static_cast<uint16_t>(*id);
  } else if (c.opcode == Opcode::SeEndH) {
    Expected<uint64_t> bb = takeNumber(line, fields, "b", word, 65535);
    if (!bb)
      return bb.takeError();
    c.batch = static_cast<uint16_t>(*bb);
  } else {
    if (c.opcode == Opcode::DmaLoad || c.opcode == Opcode::DmaStore) {
      Expected<std::string> tensor = take(line, fields, "tensor", word);
      if (!tensor)
        return tensor.takeError();
      std::optional<Tensor> t = tensorFromName(*tensor);
      if (!t)
        return error(line, "key 'tensor': unknown tensor '" + *tensor +
                               "'; expected q_int, q_frac, k_int, k_frac, v, "
                               "mask, block_mask, out or head_table");
      c.tensor = *t;
    }
    Expected<uint64_t> bb = takeNumber(line, fields, "b", word, 65535);
    if (!bb)
      return bb.takeError();
    c.batch = static_cast<uint16_t>(*bb);
    if (!(c.opcode == Opcode::DmaStore && c.tensor == Tensor::HeadTable)) {
      Expected<uint64_t> h = takeNumber(line, fields, "h", word, 65535);
      if (!h)
        return h.takeError();
      c.head = static_cast<uint16_t>(*h);
      if (Error e = takeRange(line, fields, "rows", word, c.row0, c.rows))
        return std::move(e);
      if (Error e = takeRange(line, fields, "cols", word, c.col0, c.cols))
        return std::move(e);
    }
  }
  // Flags before operands: 'fum' adds an operand.
  if (fields.count("flags")) {
    std::string text = fields["flags"];
    fields.erase("flags");
    SmallVector<StringRef, 4> names;
    StringRef(text).split(names, '|');
    for (StringRef name : names) {
      uint16_t bit = name == "fum"      ? FlagFum
                     : name == "head"   ? FlagHeadPred
                     : name == "first"  ? FlagFirst
                     : name == "masked" ? FlagMasked
                     : name == "dense"  ? FlagDense
                                        : 0;
      if (!bit)
        return error(line, "key 'flags': unknown flag '" + name +
                               "'; expected fum, head, first, masked or "
                               "dense");
      c.flags |= bit;
    }
  }
  for (const Operand &o : operandsOf(c)) {
    Expected<uint64_t> slot = takeNumber(line, fields, o.key, word, 255);
    if (!slot)
      return slot.takeError();
    c.slots[o.slotIndex] = static_cast<uint8_t>(*slot);
  }
  if (Error e = noExtraFields(line, fields, word))
    return std::move(e);
  return c;
}

Expected<Program> TextParser::parse() {
  Program p;
  SmallVector<StringRef, 0> lines;
  text.split(lines, '\n');
  const char *directives[] = {"hdpc", "accel", "attention", "shape",
                              "commands"};
  unsigned nextDirective = 0;
  unsigned directiveLine[5] = {0, 0, 0, 0, 0};
  std::vector<unsigned> commandLines;
  uint64_t announced = 0;
  for (unsigned index = 0; index < lines.size(); ++index) {
    unsigned line = index + 1;
    StringRef content = lines[index];
    content = content.split('#').first.trim();
    content = content.rtrim("\r");
    if (content.empty())
      continue;
    StringRef word;
    Fields fields;
    if (Error e = splitLine(line, content, word, fields))
      return std::move(e);

    if (nextDirective < 5) {
      if (word != directives[nextDirective])
        return error(line, "expected the '" + Twine(directives[nextDirective]) +
                               "' line, found '" + word + "'");
      directiveLine[nextDirective] = line;
      switch (nextDirective++) {
      case 0: {
        Expected<uint64_t> v =
            takeNumber(line, fields, "version", word, UINT16_MAX);
        if (!v)
          return v.takeError();
        if (*v < kHdpcOldestVersion || *v > kHdpcVersion)
          return error(line, "unsupported version " + Twine(*v) +
                                 "; this assembler reads versions " +
                                 Twine(kHdpcOldestVersion) + " to " +
                                 Twine(kHdpcVersion));
        break;
      }
      case 1: {
        AccelSignature &a = p.accel;
        Expected<std::string> name = take(line, fields, "name", word);
        if (!name)
          return name.takeError();
        a.name = *name;
        Expected<uint64_t> h =
            takeNumber(line, fields, "hash", word, UINT64_MAX);
        if (!h)
          return h.takeError();
        a.hash = *h;
        Expected<uint64_t> cores =
            takeNumber(line, fields, "cores", word, 65535);
        if (!cores)
          return cores.takeError();
        a.cores = static_cast<uint32_t>(*cores);
        Expected<uint64_t> arrays =
            takeNumber(line, fields, "pe_arrays", word, 65535);
        if (!arrays)
          return arrays.takeError();
        a.peArraysPerCore = static_cast<uint32_t>(*arrays);
        Expected<std::string> tile = take(line, fields, "tile", word);
        if (!tile)
          return tile.takeError();
        SmallVector<StringRef, 3> parts;
        StringRef(*tile).split(parts, 'x');
        uint32_t dims[3];
        if (parts.size() != 3)
          return error(line,
                       "key 'tile': expected RxKxC, found '" + *tile + "'");
        for (unsigned i = 0; i < 3; ++i) {
          Expected<uint64_t> d = number(line, "tile", parts[i], 255);
          if (!d)
            return d.takeError();
          dims[i] = static_cast<uint32_t>(*d);
        }
        a.tileRows = dims[0];
        a.tileK = dims[1];
        a.tileCols = dims[2];
        for (unsigned i = 0; i < kNumBuffers; ++i) {
          Expected<uint64_t> bytes =
              takeNumber(line, fields, kBufferKeys[i], word, UINT32_MAX);
          if (!bytes)
            return bytes.takeError();
          a.bufferBytes[i] = static_cast<uint32_t>(*bytes);
        }
        break;
      }
      case 2: {
        AttentionParams &t = p.attention;
        Expected<uint64_t> ib = takeNumber(line, fields, "int_bits", word, 255);
        if (!ib)
          return ib.takeError();
        t.intBits = static_cast<uint8_t>(*ib);
        Expected<uint64_t> fb =
            takeNumber(line, fields, "frac_bits", word, 255);
        if (!fb)
          return fb.takeError();
        t.fracBits = static_cast<uint8_t>(*fb);
        Expected<std::string> shift = take(line, fields, "shift", word);
        if (!shift)
          return shift.takeError();
        int64_t sv;
        if (StringRef(*shift).getAsInteger(10, sv) || sv < -128 || sv > 127)
          return error(line, "key 'shift': expected an integer in [-128, "
                             "127], found '" +
                                 *shift + "'");
        t.shift = static_cast<int8_t>(sv);
        Expected<std::string> block = take(line, fields, "block", word);
        if (!block)
          return block.takeError();
        auto [br, bc] = StringRef(*block).split('x');
        Expected<uint64_t> brv = number(line, "block", br, 65535);
        if (!brv)
          return brv.takeError();
        Expected<uint64_t> bcv = number(line, "block", bc, 65535);
        if (!bcv)
          return bcv.takeError();
        t.blockRows = static_cast<uint16_t>(*brv);
        t.blockCols = static_cast<uint16_t>(*bcv);
        Expected<std::string> policy = take(line, fields, "policy", word);
        if (!policy)
          return policy.takeError();
        if (*policy == "hdp")
          t.policy = ref::Policy::Hdp;
        else if (*policy == "topk")
          t.policy = ref::Policy::TopK;
        else if (*policy == "dense")
          t.policy = ref::Policy::Dense;
        else
          return error(line, "key 'policy': expected hdp, topk or dense, "
                             "found '" +
                                 *policy + "'");
        // Optional: text written before signed importance existed has none.
        t.importance = Importance::Abs;
        if (fields.count("importance")) {
          Expected<std::string> imp = take(line, fields, "importance", word);
          if (!imp)
            return imp.takeError();
          if (*imp == "signed")
            t.importance = Importance::Signed;
          else if (*imp != "abs")
            return error(line, "key 'importance': expected abs or signed, "
                               "found '" +
                                   *imp + "'");
        }
        Expected<uint64_t> topk =
            takeNumber(line, fields, "topk", word, UINT32_MAX);
        if (!topk)
          return topk.takeError();
        t.topk = static_cast<uint32_t>(*topk);
        Expected<bool> approx = takeBool(line, fields, "approx", word);
        if (!approx)
          return approx.takeError();
        t.approx = *approx;
        Expected<std::string> softmax = take(line, fields, "softmax", word);
        if (!softmax)
          return softmax.takeError();
        if (*softmax == "exact")
          t.softmax = ref::SoftmaxKind::Exact;
        else if (*softmax == "poly")
          t.softmax = ref::SoftmaxKind::Poly;
        else
          return error(line, "key 'softmax': expected exact or poly, found '" +
                                 *softmax + "'");
        Expected<std::string> rho = take(line, fields, "rho_q16", word);
        if (!rho)
          return rho.takeError();
        int64_t rv;
        if (StringRef(*rho).getAsInteger(10, rv) || rv < INT32_MIN ||
            rv > INT32_MAX)
          return error(line, "key 'rho_q16': expected a 32-bit integer, "
                             "found '" +
                                 *rho + "'");
        t.rhoQ16 = static_cast<int32_t>(rv);
        Expected<uint64_t> tau =
            takeNumber(line, fields, "tau_h_q16", word, UINT64_MAX);
        if (!tau)
          return tau.takeError();
        t.tauHQ16 = *tau;
        Expected<uint64_t> scale =
            takeNumber(line, fields, "scale", word, UINT32_MAX);
        if (!scale)
          return scale.takeError();
        t.scaleBits = static_cast<uint32_t>(*scale);
        break;
      }
      case 3: {
        uint32_t *dims[6] = {&p.shape.B, &p.shape.H, &p.shape.N,
                             &p.shape.M, &p.shape.D, &p.shape.Dv};
        const char *names[6] = {"B", "H", "N", "M", "D", "Dv"};
        for (unsigned i = 0; i < 6; ++i) {
          Expected<uint64_t> d =
              takeNumber(line, fields, names[i], word, UINT32_MAX);
          if (!d)
            return d.takeError();
          *dims[i] = static_cast<uint32_t>(*d);
        }
        Expected<bool> mask = takeBool(line, fields, "mask", word);
        if (!mask)
          return mask.takeError();
        p.shape.hasMask = *mask;
        break;
      }
      case 4: {
        Expected<uint64_t> count =
            takeNumber(line, fields, "count", word, UINT32_MAX);
        if (!count)
          return count.takeError();
        announced = *count;
        break;
      }
      }
      if (Error e = noExtraFields(line, fields, word))
        return std::move(e);
      continue;
    }

    Expected<Command> cmd = parseCommand(line, word, fields);
    if (!cmd)
      return cmd.takeError();
    p.commands.push_back(*cmd);
    commandLines.push_back(line);
  }
  if (nextDirective < 5)
    return error(lines.size(), "the text ends before the '" +
                                   Twine(directives[nextDirective]) + "' line");
  if (p.commands.size() != announced)
    return error(directiveLine[4], "'commands count=" + Twine(announced) +
                                       "' but " + Twine(p.commands.size()) +
                                       " commands follow");

  if (std::optional<ProgramProblem> problem = checkProgram(p)) {
    if (!problem->inHeader)
      return error(commandLines[problem->commandIndex],
                   "command #" + Twine(problem->commandIndex) + ": " +
                       problem->message);
    unsigned line = problem->offset < kOffName      ? directiveLine[0]
                    : problem->offset < kOffIntBits ? directiveLine[1]
                    : problem->offset < kOffShape   ? directiveLine[2]
                                                    : directiveLine[3];
    return error(line, problem->message);
  }
  return p;
}

} // namespace

Expected<Program> assemble(StringRef text, StringRef fileName) {
  return TextParser(text, fileName).parse();
}

} // namespace hdp::accel
