//===- Hdpc.cpp - The .hdpc command stream file format --------------------===//
//
// Binary reader and writer. The byte layout of the header is given once, by
// the kOff* constants of hdp/ISA/Program.h; docs/accelerator.md mirrors it.
//
//===----------------------------------------------------------------------===//

#include "hdp/Target/Hdpc/Hdpc.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace llvm::support::endian;

namespace hdp::accel {

namespace {

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

} // namespace

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
  b[kOffMaskForm] = static_cast<uint8_t>(p.shape.maskForm);
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
                           {kOffReserved4, 6}})
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
  if (version < 4 && b[kOffMaskForm] != 0)
    return fail(kOffMaskForm, "reserved header byte must be 0 in a version " +
                                  Twine(version) + " stream, found " +
                                  hex(b[kOffMaskForm], 2));
  if (b[kOffMaskForm] > 2)
    return fail(kOffMaskForm, "mask form must be 0 (additive), 1 (bits) or 2 "
                              "(lengths), found " +
                                  Twine(int(b[kOffMaskForm])));
  if (b[kOffMaskForm] != 0 && !p.shape.hasMask)
    return fail(kOffMaskForm, "mask form " + Twine(int(b[kOffMaskForm])) +
                                  " but the program has no mask (byte " +
                                  Twine(kOffHasMask) + " is 0)");
  p.shape.maskForm = static_cast<MaskForm>(b[kOffMaskForm]);

  p.commands.reserve(count);
  for (uint32_t i = 0; i < count; ++i)
    p.commands.push_back(decodeCommand(b + commandOffset(i)));

  // Key-tile softmax commands came with version 3.
  for (uint32_t i = 0; i < count && version < 3; ++i) {
    const Command &c = p.commands[i];
    if (c.opcode == Opcode::Softmax &&
        (c.cols != 0 || c.has(FlagFirst) || c.has(FlagLast)))
      return fail(commandOffset(i) + 24,
                  "command #" + Twine(i) +
                      ": sfu.softmax over a key tile (cols, first, last) "
                      "needs version 3; this stream is version " +
                      Twine(version));
  }
  // Top-up loads and pe.frac from S_int came with version 4.
  for (uint32_t i = 0; i < count && version < 4; ++i)
    if (p.commands[i].flags & (FlagTopUp | FlagFromInt))
      return fail(
          commandOffset(i) + 2,
          "command #" + Twine(i) + ": flag '" +
              flagsText(p.commands[i].flags & (FlagTopUp | FlagFromInt)) +
              "' needs version 4; this stream is version " + Twine(version));
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

} // namespace hdp::accel
