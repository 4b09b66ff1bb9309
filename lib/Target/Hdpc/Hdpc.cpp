//===- Hdpc.cpp - The .hdpc command stream file format --------------------===//
//
// Binary reader/writer and the text form. The byte layout of the header is
// given once, by the kOff* constants of hdp/ISA/Program.h; docs/accelerator.md
// mirrors it.
//
//===----------------------------------------------------------------------===//

#include "hdp/Target/Hdpc/Hdpc.h"
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

constexpr uint64_t kTauCap = fixed::kTauHQ16Cap;

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
    os << " " << bufferBytesName(static_cast<Buffer>(i)) << "="
       << a.bufferBytes[i];
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
              takeNumber(line, fields, bufferBytesName(static_cast<Buffer>(i)),
                         word, UINT32_MAX);
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
