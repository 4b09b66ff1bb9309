//===- HdpcTest.cpp - Tests of the .hdpc format ---------------------------===//
//
// The binary round trip (byte-identical), and one test per kind of
// corruption: truncation at many offsets, wrong magic, wrong version, wrong
// checksum, unknown opcode, impossible fields, trailing bytes. Every error
// must name the byte offset and what was expected. The text form is tested
// in ProgramTextTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "hdp/Target/Hdpc/Hdpc.h"
#include "hdp/ISA/StreamBuilder.h"

#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"

#include "gtest/gtest.h"

#include <functional>

using namespace hdp::accel;
using namespace llvm;

namespace {

AccelConfig edgeConfig() {
  Expected<AccelConfig> c =
      loadAccelConfig(std::string(HDP_SOURCE_DIR) + "/configs/hdp-edge.json");
  EXPECT_TRUE(bool(c));
  return *c;
}

Program sampleProgram(bool mask = true, uint32_t B = 2) {
  AttentionShape shape = AttentionShape::fromDims(B, 3, 37, 29, 16, 8, mask);
  hdp::ref::AttentionConfig config;
  config.rho = 0.25;
  config.tauH = 0.5;
  config.blockRows = 3;
  config.blockCols = 2;
  config.approx = false;
  config.softmax = hdp::ref::SoftmaxKind::Poly;
  Expected<Program> p = buildProgram(shape, config, edgeConfig());
  EXPECT_TRUE(bool(p)) << toString(p.takeError());
  return *p;
}

std::string errorOf(StringRef bytes) {
  Expected<Program> p = readProgram(bytes, "p.hdpc");
  if (p)
    return "";
  return toString(p.takeError());
}

/// Recomputes the checksum so that a deliberate corruption reaches the
/// checks behind it.
void fixChecksum(std::string &bytes) {
  ArrayRef<uint8_t> all(reinterpret_cast<const uint8_t *>(bytes.data()),
                        bytes.size());
  uint32_t crc = crc32(all.take_front(16));
  crc = crc32(crc, all.drop_front(20));
  support::endian::write32le(bytes.data() + 16, crc);
}

bool startsWith(const std::string &s, StringRef prefix) {
  return StringRef(s).starts_with(prefix);
}

TEST(Hdpc, BinaryRoundTrip) {
  for (bool mask : {false, true}) {
    Program p = sampleProgram(mask);
    std::string bytes = writeProgram(p);
    EXPECT_EQ(bytes.size(), kHeaderBytes + p.commands.size() * kCommandBytes);
    EXPECT_EQ(bytes.substr(0, 4), "HDPC");
    Expected<Program> back = readProgram(bytes, "p.hdpc");
    ASSERT_TRUE(bool(back)) << toString(back.takeError());
    EXPECT_TRUE(*back == p);
    EXPECT_EQ(writeProgram(*back), bytes);
  }
}

TEST(Hdpc, AttentionParamsAreExact) {
  hdp::ref::AttentionConfig config;
  config.rho = -0.3;
  config.tauH = 1e30; // capped like the reference
  AttentionParams p = AttentionParams::from(config, 64);
  EXPECT_EQ(p.rhoQ16, -19661);
  EXPECT_EQ(p.tauHQ16, uint64_t(1) << 62);
  EXPECT_EQ(p.scale(), 0.125f);
  hdp::ref::AttentionConfig back = p.toReference();
  EXPECT_EQ(back.validate(), "");
  EXPECT_TRUE(AttentionParams::from(back, 64) == p);
}

TEST(Hdpc, TruncatedAtEveryKindOfOffset) {
  Program p = sampleProgram();
  std::string bytes = writeProgram(p);
  // Inside the magic, inside the version, inside the header, at the header
  // end, inside and between commands, one byte short of the end.
  for (size_t size : {size_t(0), size_t(2), size_t(5), size_t(6), size_t(100),
                      size_t(kHeaderBytes - 1), size_t(kHeaderBytes),
                      size_t(kHeaderBytes + 7), size_t(kHeaderBytes + 32),
                      size_t(kHeaderBytes + 40), bytes.size() - 1}) {
    std::string e = errorOf(StringRef(bytes).take_front(size));
    ASSERT_FALSE(e.empty()) << size;
    if (size < 4) {
      EXPECT_TRUE(startsWith(e, "p.hdpc: byte 0: expected the magic \"HDPC\""))
          << e;
      continue;
    }
    EXPECT_TRUE(startsWith(e, "p.hdpc: byte " + std::to_string(size) + ": "))
        << e;
    if (size < kHeaderBytes)
      EXPECT_NE(e.find("file ends inside the header; expected 168 header "
                       "bytes"),
                std::string::npos)
          << e;
    else
      EXPECT_NE(e.find("file ends inside command #" +
                       std::to_string((size - kHeaderBytes) / 32) +
                       "; the header announces " +
                       std::to_string(p.commands.size()) + " commands"),
                std::string::npos)
          << e;
  }
}

TEST(Hdpc, WrongMagic) {
  std::string bytes = writeProgram(sampleProgram());
  bytes[0] = 'X';
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 0: expected the magic \"HDPC\" of an "
                            "hdp command stream, found \"XDPC\"");
  bytes[0] = '\x93';
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 0: expected the magic \"HDPC\" of an "
                            "hdp command stream, found \"\\x93DPC\"");
}

TEST(Hdpc, WrongVersion) {
  std::string bytes = writeProgram(sampleProgram());
  support::endian::write16le(bytes.data() + 4, 5);
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 4: unsupported version 5; this "
                            "reader understands versions 1 to 4");
  support::endian::write16le(bytes.data() + 4, 0);
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 4: unsupported version 0; this "
                            "reader understands versions 1 to 4");
}

TEST(Hdpc, KeyTileSoftmaxNeedsVersionThree) {
  Program p = sampleProgram();
  Command *softmax = nullptr;
  for (Command &c : p.commands)
    if (c.opcode == Opcode::Softmax)
      softmax = &c;
  ASSERT_NE(softmax, nullptr);
  softmax->col0 = 0;
  softmax->cols = p.shape.M;
  softmax->flags |= FlagFirst | FlagLast;
  std::string bytes = writeProgram(p);
  Expected<Program> back = readProgram(bytes, "p.hdpc");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_TRUE(*back == p);
  support::endian::write16le(bytes.data() + 4, 2);
  fixChecksum(bytes);
  std::string e = errorOf(bytes);
  EXPECT_NE(e.find("sfu.softmax over a key tile (cols, first, last) needs "
                   "version 3; this stream is version 2"),
            std::string::npos)
      << e;
}

TEST(Hdpc, VersionOneStreamsStillRead) {
  // A version 1 stream is a version 2 stream whose importance byte (110)
  // was reserved and 0: it reads as the abs ranking.
  Program p = sampleProgram();
  std::string bytes = writeProgram(p);
  ASSERT_EQ(bytes[110], 0);
  support::endian::write16le(bytes.data() + 4, 1);
  fixChecksum(bytes);
  Expected<Program> back = readProgram(bytes, "p.hdpc");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_TRUE(*back == p);
  EXPECT_EQ(back->attention.importance, hdp::Importance::Abs);
  // Written again, it is a current-version stream of the same program (what
  // fuzz/HdpcReaderFuzzer checks for older versions).
  std::string rewritten = writeProgram(*back);
  EXPECT_EQ(support::endian::read16le(rewritten.data() + 4), kHdpcVersion);
  EXPECT_EQ(rewritten, writeProgram(p));
  // In version 1 the byte is reserved: a non-zero value is refused.
  bytes[110] = 1;
  fixChecksum(bytes);
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 110: reserved header byte must be 0 "
                            "in a version 1 stream, found 0x01");
}

TEST(Hdpc, SignedImportanceRoundTrips) {
  AttentionShape shape = AttentionShape::fromDims(1, 2, 9, 7, 4, 4, true);
  hdp::ref::AttentionConfig config;
  config.importance = hdp::Importance::Signed;
  config.rho = 0.5;
  Expected<Program> p = buildProgram(shape, config, edgeConfig());
  ASSERT_TRUE(bool(p)) << toString(p.takeError());
  EXPECT_EQ(p->attention.importance, hdp::Importance::Signed);
  std::string bytes = writeProgram(*p);
  EXPECT_EQ(bytes[110], 1);
  Expected<Program> back = readProgram(bytes, "p.hdpc");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_EQ(back->attention.importance, hdp::Importance::Signed);
  EXPECT_EQ(back->attention.toReference().importance, hdp::Importance::Signed);
}

TEST(Hdpc, MaskFormRoundTripsAndIsChecked) {
  for (MaskForm form : {MaskForm::Bits, MaskForm::Lengths}) {
    AttentionShape shape = AttentionShape::fromDims(1, 2, 9, 7, 4, 4, true);
    shape.maskForm = form;
    Expected<Program> p =
        buildProgram(shape, hdp::ref::AttentionConfig(), edgeConfig());
    ASSERT_TRUE(bool(p)) << toString(p.takeError());
    std::string bytes = writeProgram(*p);
    EXPECT_EQ(bytes[kOffMaskForm], static_cast<char>(form));
    Expected<Program> back = readProgram(bytes, "p.hdpc");
    ASSERT_TRUE(bool(back)) << toString(back.takeError());
    EXPECT_EQ(back->shape.maskForm, form);
    EXPECT_TRUE(*back == *p);
  }
  std::string bytes = writeProgram(sampleProgram());
  bytes[kOffMaskForm] = 3;
  fixChecksum(bytes);
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 161: mask form must be 0 "
                            "(additive), 1 (bits) or 2 (lengths), found 3");
  bytes = writeProgram(sampleProgram(/*mask=*/false));
  bytes[kOffMaskForm] = 2;
  fixChecksum(bytes);
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 161: mask form 2 but the program "
                            "has no mask (byte 160 is 0)");
  // Before version 4 the byte is reserved.
  bytes = writeProgram(sampleProgram());
  support::endian::write16le(bytes.data() + 4, 3);
  bytes[kOffMaskForm] = 1;
  fixChecksum(bytes);
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte 161: reserved header byte must be 0 "
                            "in a version 3 stream, found 0x01");
}

TEST(Hdpc, FusedPhaseFlagsNeedVersionFour) {
  // τ_H = 0 with whole rows: pe.frac from S_int, Frac(K) and V topped up.
  AttentionShape shape = AttentionShape::fromDims(1, 2, 9, 7, 4, 4, false);
  Expected<Program> p =
      buildProgram(shape, hdp::ref::AttentionConfig(), edgeConfig());
  ASSERT_TRUE(bool(p)) << toString(p.takeError());
  size_t first = p->commands.size();
  for (size_t i = 0; i < p->commands.size() && first == p->commands.size(); ++i)
    if (p->commands[i].flags & (FlagTopUp | FlagFromInt))
      first = i;
  ASSERT_LT(first, p->commands.size());
  std::string bytes = writeProgram(*p);
  Expected<Program> back = readProgram(bytes, "p.hdpc");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_TRUE(*back == *p);
  support::endian::write16le(bytes.data() + 4, 3);
  fixChecksum(bytes);
  std::string e = errorOf(bytes);
  EXPECT_TRUE(
      startsWith(e, "p.hdpc: byte " + std::to_string(commandOffset(first) + 2) +
                        ": command #" + std::to_string(first) + ": flag '"))
      << e;
  EXPECT_NE(e.find("' needs version 4; this stream is version 3"),
            std::string::npos)
      << e;
}

TEST(Hdpc, WrongChecksum) {
  std::string bytes = writeProgram(sampleProgram());
  bytes[kHeaderBytes + 5 * 32 + 20] ^= 1; // a command's row count
  std::string e = errorOf(bytes);
  EXPECT_TRUE(startsWith(e, "p.hdpc: byte 16: checksum mismatch: the header "
                            "says 0x"))
      << e;
  EXPECT_NE(e.find("(the file is corrupted)"), std::string::npos);
  // A flipped checksum field itself is caught the same way.
  bytes = writeProgram(sampleProgram());
  bytes[17] ^= 0x40;
  EXPECT_TRUE(startsWith(errorOf(bytes), "p.hdpc: byte 16: checksum mismatch"));
}

TEST(Hdpc, TrailingBytes) {
  Program p = sampleProgram();
  std::string bytes = writeProgram(p) + "xy";
  EXPECT_EQ(errorOf(bytes), "p.hdpc: byte " + std::to_string(bytes.size() - 2) +
                                ": unexpected 2 bytes after the last of the " +
                                std::to_string(p.commands.size()) +
                                " commands announced by the header");
}

TEST(Hdpc, BadOpcodeNamesItsOffset) {
  std::string bytes = writeProgram(sampleProgram());
  size_t at = kHeaderBytes + 7 * 32;
  bytes[at] = 0x7f;
  fixChecksum(bytes);
  std::string e = errorOf(bytes);
  EXPECT_TRUE(startsWith(e, "p.hdpc: byte " + std::to_string(at) +
                                ": command #7: unknown opcode 0x7f; expected "
                                "one of dma.load (0x01)"))
      << e;
}

TEST(Hdpc, ImpossibleFieldsNameTheirOffset) {
  const Program p = sampleProgram();
  struct Case {
    size_t offset;
    uint8_t value;
    const char *expected; // after "p.hdpc: byte <offset>: "
  };
  const size_t c0 = kHeaderBytes; // command #0: dma.load k_int or q_int
  const Case cases[] = {
      {c0 + 1, 9,
       "command #0: dma.load: core 9 does not exist; the "
       "accelerator has 4 cores"},
      {c0 + 2, 0x80,
       "command #0: dma.load: flag 'from_int' is not allowed; expected a "
       "subset of 'fum|head|topup'"},
      {c0 + 4, 8,
       "command #0: dma.load: tensor 8 cannot be loaded; expected "
       "q_int (1)"},
      {c0 + 5, 2,
       "command #0: dma.load: k slot 2 does not exist; each "
       "buffer has 2 slots"},
      {c0 + 9, 1,
       "command #0: dma.load: slot byte 4 is unused by this "
       "command and must be 0"},
      {c0 + 10, 7,
       "command #0: dma.load: batch 7 is out of range; the "
       "program has B=2"},
      {c0 + 14, 1,
       "command #0: dma.load: aux field must be 0 (only "
       "barriers have an id)"},
      {10, 1, "reserved header byte must be 0, found 0x01"},
      {107, 3, "policy must be 0 (hdp), 1 (topk) or 2 (dense), found 3"},
      {110, 2, "importance must be 0 (abs) or 1 (signed), found 2"},
      {111, 1, "reserved header byte must be 0, found 0x01"},
      {64, 0, "cores must be in [1, 255] (got 0)"},
      {104, 0, "int_bits must be >= 1 (got 0)"},
      {105, 20, "int_bits + frac_bits must be <= 16 (got 4 + 20)"},
      {160, 2, "has-mask must be 0 or 1, found 2"},
      {33, 'x', "accelerator name must be padded with NUL bytes"},
      {24, '!',
       "accelerator name may only hold letters, digits, '-', '_' "
       "and '.'"},
  };
  for (const Case &c : cases) {
    std::string bytes = writeProgram(p);
    bytes[c.offset] = static_cast<char>(c.value);
    fixChecksum(bytes);
    std::string e = errorOf(bytes);
    std::string prefix = "p.hdpc: byte ";
    EXPECT_TRUE(
        startsWith(e, prefix + std::to_string(c.offset) + ": " + c.expected))
        << "offset " << c.offset << ": " << e;
  }
  // A flag bit no flag uses (the high byte of the flags).
  std::string bytes = writeProgram(p);
  bytes[c0 + 3] = 0x01;
  fixChecksum(bytes);
  EXPECT_TRUE(startsWith(errorOf(bytes),
                         "p.hdpc: byte " + std::to_string(c0 + 2) +
                             ": command #0: dma.load: unknown flag bits "
                             "0x0100"))
      << errorOf(bytes);
}

TEST(Hdpc, AttentionParamsWithinTheConfigLimits) {
  // The header's fields are wider than #hdp.config allows; a program must
  // not hold what a configuration could not (docs/limits.md).
  struct Case {
    std::function<void(AttentionParams &)> set;
    const char *expected;
  } cases[] = {
      {[](AttentionParams &t) { t.blockRows = 16385; },
       "block rows must be in [1, 16384]"},
      {[](AttentionParams &t) { t.blockCols = 65535; },
       "block columns must be in [1, 16384]"},
      {[](AttentionParams &t) { t.topk = 3000000000u; },
       "topk must be in [1, 2147483647]"},
      {[](AttentionParams &t) { t.scaleBits = 0x00000100; }, // subnormal
       "scale must be a normal f32 > 0 (got 0x00000100)"},
      {[](AttentionParams &t) { t.scaleBits = 0x7f800000; }, // +inf
       "scale must be a normal f32 > 0 (got 0x7f800000)"},
  };
  for (const Case &c : cases) {
    Program p = sampleProgram();
    c.set(p.attention);
    std::optional<ProgramProblem> problem = checkProgram(p);
    ASSERT_TRUE(problem.has_value()) << c.expected;
    EXPECT_TRUE(problem->inHeader);
    EXPECT_EQ(problem->message, c.expected);
  }
  Program p = sampleProgram();
  p.attention.blockRows = p.attention.blockCols = 16384;
  EXPECT_FALSE(checkProgram(p).has_value());
}

TEST(Hdpc, RowRangeOutOfShape) {
  Program p = sampleProgram();
  // Find a pe.int and push its rows past N.
  for (size_t i = 0; i < p.commands.size(); ++i) {
    if (p.commands[i].opcode != Opcode::PeInt)
      continue;
    p.commands[i].rows = 1000;
    std::optional<ProgramProblem> problem = checkProgram(p);
    ASSERT_TRUE(problem.has_value());
    EXPECT_FALSE(problem->inHeader);
    EXPECT_EQ(problem->commandIndex, i);
    EXPECT_EQ(problem->offset, 16u);
    EXPECT_NE(problem->message.find("must be a non-empty range inside [0, 37)"),
              std::string::npos)
        << problem->message;
    break;
  }
}

TEST(Hdpc, BarriersMustMatchAcrossCores) {
  Program p = sampleProgram();
  for (Command &c : p.commands)
    if (c.opcode == Opcode::Barrier && c.core == 2) {
      c.aux = 9;
      break;
    }
  std::optional<ProgramProblem> problem = checkProgram(p);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->message.find("every core must reach the same barriers"),
            std::string::npos);
}

} // namespace
