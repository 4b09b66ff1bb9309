//===- ProgramTextTest.cpp - Tests of the text form of a program ----------===//
//
// The text form is the hdp_accel dialect: .hdpc -> text -> .hdpc is
// byte-identical, the text shows every header field, and every error names
// the line (and column) of what is wrong.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/ProgramText.h"
#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Target/Hdpc/Hdpc.h"

#include "gtest/gtest.h"

#include <cstring>
#include <memory>

using namespace hdp::accel;
using hdp::accel_ir::parseProgramText;
using hdp::accel_ir::printProgramText;
using namespace llvm;

namespace {

Program sampleProgram(bool mask, uint32_t B,
                      hdp::Importance importance = hdp::Importance::Abs) {
  Expected<AccelConfig> accel =
      loadAccelConfig(std::string(HDP_SOURCE_DIR) + "/configs/hdp-edge.json");
  EXPECT_TRUE(bool(accel)) << toString(accel.takeError());
  AttentionShape shape = AttentionShape::fromDims(B, 3, 37, 29, 16, 8, mask);
  hdp::ref::AttentionConfig config;
  config.rho = 0.25;
  config.tauH = 0.5;
  config.blockRows = 3;
  config.blockCols = 2;
  config.approx = false;
  config.softmax = hdp::ref::SoftmaxKind::Poly;
  config.importance = importance;
  Expected<Program> p = buildProgram(shape, config, *accel);
  EXPECT_TRUE(bool(p)) << toString(p.takeError());
  return *p;
}

std::string textOf(const Program &p) {
  Expected<std::string> text = printProgramText(p);
  EXPECT_TRUE(bool(text)) << toString(text.takeError());
  return text ? *text : std::string();
}

std::string errorOfText(const std::string &text) {
  Expected<Program> back = parseProgramText(text, "p.mlir");
  return back ? std::string() : toString(back.takeError());
}

/// `text` with line `line` (1-based) replaced by `with`.
std::string replaceLine(std::string text, unsigned line,
                        const std::string &with) {
  size_t start = 0;
  for (unsigned l = 1; l < line; ++l)
    start = text.find('\n', start) + 1;
  size_t end = text.find('\n', start);
  return text.replace(start, end - start, with);
}

TEST(ProgramText, RoundTripIsByteIdentical) {
  for (bool mask : {false, true})
    for (uint32_t B : {1u, 2u}) {
      Program p = sampleProgram(mask, B);
      std::string bytes = writeProgram(p);
      std::string text = textOf(p);
      Expected<Program> back = parseProgramText(text, "p.mlir");
      ASSERT_TRUE(bool(back)) << toString(back.takeError());
      EXPECT_TRUE(*back == p);
      EXPECT_EQ(writeProgram(*back), bytes);
      EXPECT_EQ(textOf(*back), text);
    }
}

TEST(ProgramText, MaskFormRoundTripsAndIsChecked) {
  Program p = sampleProgram(true, 1);
  p.shape.maskForm = MaskForm::Lengths;
  std::string text = textOf(p);
  EXPECT_NE(text.find("mask = true, mask_form = \"lengths\">"),
            std::string::npos)
      << text;
  Expected<Program> back = parseProgramText(text, "p.mlir");
  ASSERT_TRUE(bool(back)) << toString(back.takeError());
  EXPECT_TRUE(*back == p);
  EXPECT_EQ(writeProgram(*back), writeProgram(p));
  std::string bad = text;
  bad.replace(bad.find("\"lengths\""), 9, "\"ranges\"");
  EXPECT_NE(errorOfText(bad).find("mask_form must be \"additive\", \"bits\" "
                                  "or \"lengths\" (got \"ranges\")"),
            std::string::npos)
      << errorOfText(bad);
  bad = text;
  bad.replace(bad.find("mask = true"), 11, "mask = false");
  EXPECT_NE(errorOfText(bad).find("mask_form \"lengths\" needs mask = true"),
            std::string::npos)
      << errorOfText(bad);
}

TEST(ProgramText, ShowsEveryHeaderField) {
  Program p = sampleProgram(true, 2, hdp::Importance::Signed);
  std::string text = textOf(p);
  const AccelSignature &a = p.accel;
  const AttentionParams &t = p.attention;
  std::string expected =
      "target <name = \"hdp-edge\", hash = " + std::to_string(a.hash) +
      ", cores = 4, pe_arrays = 2, tile_rows = 4, tile_k = 4, tile_cols = 8";
  for (unsigned i = 0; i < kNumBuffers; ++i)
    expected += ", " + bufferBytesName(static_cast<Buffer>(i)) + " = " +
                std::to_string(a.bufferBytes[i]);
  expected += "> attention <int_bits = 4, frac_bits = 4, shift = 0, "
              "block_rows = 3, block_cols = 2, policy = \"hdp\", importance "
              "= \"signed\", topk = 1, approx = false, softmax = \"poly\", "
              "rho_q16 = " +
              std::to_string(t.rhoQ16) +
              ", tau_h_q16 = " + std::to_string(t.tauHQ16) +
              ", scale_bits = " + std::to_string(t.scaleBits) +
              "> shape <b = 2, h = 3, n = 37, m = 29, d = 16, dv = 8, mask = "
              "true> {";
  EXPECT_NE(text.find(expected), std::string::npos) << "expected\n"
                                                    << expected << "\nin\n"
                                                    << text;
  EXPECT_EQ(t.rhoQ16, 16384);
  EXPECT_EQ(t.tauHQ16, 32768u);
}

TEST(ProgramText, ErrorsNameTheLine) {
  Program p = sampleProgram(false, 1);
  std::string text = textOf(p);
  // Line 1 is "module {", line 2 the program, line 3 its first command.
  ASSERT_EQ(text.rfind("module {\n", 0), 0u) << text;
  EXPECT_EQ(errorOfText(replaceLine(text, 3, "    hdp_accel.frob core 0")),
            "p.mlir:3:5: custom op 'hdp_accel.frob' is unknown");
  EXPECT_EQ(errorOfText(
                replaceLine(text, 3, "    hdp_accel.barrier core 0 colour 1")),
            "p.mlir:3:30: custom op 'hdp_accel.barrier' expected 'id'");
  EXPECT_EQ(
      errorOfText(replaceLine(text, 3, "    hdp_accel.barrier core 300 id 0")),
      "p.mlir:3:5: 'hdp_accel.barrier' op attribute 'core' failed to satisfy "
      "constraint: core index (u8)");
  // Semantic errors come from the same checks as the binary reader, at the
  // command they are about.
  EXPECT_EQ(errorOfText(replaceLine(text, 3,
                                    "    hdp_accel.pe_int core 7 batch 0 "
                                    "head 0 rows 0+4 cols 0+4 q 0 k 0 "
                                    "score 0")),
            "p.mlir:3:5: 'hdp_accel.pe_int' op core 7 does not exist; the "
            "accelerator has 4 cores");
  EXPECT_EQ(errorOfText("module {\n}\n"),
            "p.mlir: expected exactly one hdp_accel.program, found 0");
  EXPECT_NE(errorOfText("module {"), "");
}

// Found by ProgramTextFuzzer: MLIR's lexer reads to a terminating NUL, so a
// StringRef that ends inside a token (here an op name) must not be lexed in
// place. Under ASan (scripts/test.sh --sanitize) the old code read past the
// buffer.
TEST(ProgramText, TextWithoutTerminatorIsNotReadPastItsEnd) {
  const std::string prefix = "module {\n  hdp_accel.prog";
  auto exact = std::make_unique<char[]>(prefix.size());
  std::memcpy(exact.get(), prefix.data(), prefix.size());
  Expected<Program> p =
      parseProgramText(StringRef(exact.get(), prefix.size()), "p.mlir");
  ASSERT_FALSE(bool(p));
  EXPECT_NE(toString(p.takeError()), "");
}

} // namespace
