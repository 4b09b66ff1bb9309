//===- SafetensorsTest.cpp - Reading .safetensors files -------------------===//
//
// Round trips in F32, F16 and BF16; the half and bfloat16 conversions on
// hand-checked values; and one clear error for every way a file can be
// malformed: short file, header length past the end, bad JSON, bad entries,
// unknown dtype, offsets that overrun, overlap, leave gaps or a tail, and
// tensors of the wrong shape, dtype or with non-finite values.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Safetensors.h"
#include "hdp/Support/Float16.h"

#include "llvm/Support/Endian.h"
#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace hdp;
using namespace hdp::model;

namespace {

/// A file with this JSON header and `data` bytes after it.
std::string fileWith(const std::string &header, const std::string &data) {
  char length[8];
  llvm::support::endian::write64le(length, header.size());
  return std::string(length, 8) + header + data;
}

std::string parseError(const std::string &bytes) {
  auto file = SafetensorsFile::parse(bytes, "m.safetensors");
  if (file) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(file.takeError());
}

std::string readError(const std::string &bytes, const std::string &tensor,
                      std::vector<int64_t> shape) {
  auto file = SafetensorsFile::parse(bytes, "m.safetensors");
  if (!file) {
    ADD_FAILURE() << llvm::toString(file.takeError());
    return "";
  }
  auto values = file->readFloats(tensor, shape);
  if (values) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(values.takeError());
}

TEST(Safetensors, RoundTripsEveryFloatType) {
  // Values exact in all three types.
  std::vector<NamedTensor> tensors = {
      {"b", {2, 3}, {1.0f, -2.5f, 0.0f, 0.375f, -0.0f, 1024.0f}},
      {"a", {2}, {-1.0f, 8.0f}},
      {"scalar", {}, {3.0f}}};
  for (const char *dtype : {"F32", "F16", "BF16"}) {
    std::string bytes = serializeSafetensors(tensors, dtype);
    auto file = SafetensorsFile::parse(bytes, "m.safetensors");
    ASSERT_TRUE(static_cast<bool>(file)) << llvm::toString(file.takeError());
    EXPECT_EQ(file->tensors().size(), 3u);
    EXPECT_EQ(file->find("b")->dtype, dtype);
    for (const NamedTensor &t : tensors) {
      auto values = file->readFloats(t.name, t.shape);
      ASSERT_TRUE(static_cast<bool>(values))
          << llvm::toString(values.takeError());
      EXPECT_EQ(*values, t.values) << dtype << " " << t.name;
    }
  }
}

TEST(Safetensors, HalfAndBfloat16Conversions) {
  EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfToFloat(0xC000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);              // largest normal
  EXPECT_EQ(halfToFloat(0x0400), std::ldexp(1.0f, -14)); // smallest normal
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
  EXPECT_EQ(halfToFloat(0x03FF), 1023 * std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  EXPECT_EQ(halfToFloat(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(halfToFloat(0x7E00)));
  EXPECT_EQ(bfloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(bfloat16ToFloat(0xC040), -3.0f);

  // Round to nearest, ties to even: 1 + 2^-11 lies half-way between 1 and
  // 1 + 2^-10 (odd mantissa 1), so it rounds down to 1; 1 + 3·2^-11 lies
  // half-way between 1 + 2^-10 and 1 + 2^-9 and rounds up to the even 2^-9.
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(floatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00); // rounds past 65504
  EXPECT_EQ(floatToHalf(3 * std::ldexp(1.0f, -25)), 0x0002); // 1.5 -> 2 units
  EXPECT_EQ(floatToBfloat16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);
  EXPECT_EQ(floatToBfloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3F82);
}

TEST(Safetensors, RejectsBrokenFramesAndHeaders) {
  EXPECT_EQ(parseError("abc"),
            "m.safetensors: truncated: a safetensors file starts with an "
            "8-byte header length, but the file has 3 bytes");
  std::string valid = serializeSafetensors({{"x", {2}, {1.0f, 2.0f}}});
  EXPECT_EQ(parseError(valid.substr(0, 20)),
            "m.safetensors: the header length " +
                std::to_string(valid.size() - 8 - 8) +
                " exceeds the rest of the file (12 bytes): truncated, or not "
                "a safetensors file");
  // The position is just past the end of the text.
  EXPECT_EQ(parseError(fileWith("{\"x\": ", "")),
            "m.safetensors (header): invalid JSON at line 1, column 7: "
            "syntax error while parsing value - unexpected end of input; "
            "expected '[', '{', or a literal");
  EXPECT_EQ(parseError(fileWith("[1, 2]", "")),
            "m.safetensors: the header must be a JSON object, got an array");
  // Deep nesting is refused before any document is built.
  EXPECT_EQ(parseError(fileWith(std::string(100000, '['), "")),
            "m.safetensors (header): invalid JSON at line 1, column 17: "
            "arrays and objects nested deeper than 16 levels");
  EXPECT_EQ(parseError(fileWith(R"({"x": 3})", "")),
            "m.safetensors: tensor 'x': expected an object with dtype, shape "
            "and data_offsets, got the integer 3");
  EXPECT_EQ(
      parseError(fileWith(R"({"x": {"dtype": "F32", "shape": [1]}})", "")),
      "m.safetensors: tensor 'x': missing \"data_offsets\"");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"x": {"dtype": "F12", "shape": [1], "data_offsets": [0, 4]}})",
          "abcd")),
      "m.safetensors: tensor 'x': unknown dtype 'F12' (safetensors "
      "defines BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, "
      "I32, U32, F32, I64, U64, F64)");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})",
          "abcd")),
      "m.safetensors: tensor 'x': every dimension of shape must be an "
      "integer in [0, 1099511627776], got the integer -1");
  EXPECT_EQ(parseError(fileWith(
                R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})",
                "abcd")),
            "m.safetensors: tensor 'x': data_offsets must be two non-negative "
            "integers [begin, end], got [0]");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"__metadata__": 1, "x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
          "abcd")),
      "m.safetensors: __metadata__ must be an object, got the integer 1");
}

TEST(Safetensors, RejectsOffsetsThatDoNotTileTheData) {
  // Past the end (a truncated file), and sizes that disagree with the shape.
  EXPECT_EQ(
      parseError(fileWith(
          R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
          "abcd")),
      "m.safetensors: tensor 'x': data_offsets [0, 8] end past the data "
      "section (4 bytes): truncated file or a wrong header");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"x": {"dtype": "F16", "shape": [3], "data_offsets": [0, 4]}})",
          "abcd")),
      "m.safetensors: tensor 'x': shape [3] of F16 needs 6 bytes, but "
      "data_offsets [0, 4] span 4");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})",
          "abcd")),
      "m.safetensors: tensor 'x': data_offsets [4, 0] run backwards");
  // Overlap, gap, tail.
  EXPECT_EQ(
      parseError(fileWith(
          R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
          R"( "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
          "abcdefgh")),
      "m.safetensors: tensor 'b': data_offsets [4, 8] overlap the "
      "previous tensor, which ends at 8");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
          R"( "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}})",
          "abcdefghijkl")),
      "m.safetensors: tensor 'b': data_offsets [8, 12] leave a gap after "
      "the previous tensor, which ends at 4");
  EXPECT_EQ(
      parseError(fileWith(
          R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
          "abcdefgh")),
      "m.safetensors: the tensors cover 4 bytes of data, but the file "
      "has 8 after the header (trailing data)");
  // A huge shape saturates instead of overflowing.
  EXPECT_EQ(
      parseError(fileWith(
          R"({"a": {"dtype": "F64", "shape": [1099511627776, 1099511627776, 0], "data_offsets": [0, 0]},)"
          R"( "b": {"dtype": "F64", "shape": [1099511627776, 1099511627776], "data_offsets": [0, 8]}})",
          "abcdefgh")),
      "m.safetensors: tensor 'b': shape [1099511627776, 1099511627776] "
      "of F64 needs more bytes than the file has");
}

TEST(Safetensors, RefusesDeepNestingAndDuplicateNames) {
  // Found by SafetensorsFuzzer: data_offsets nested 150000 levels deep
  // overflowed the stack in the printer of the error message.
  std::string deep = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":)" +
                     std::string(150000, '[') + std::string(150000, ']') + "}}";
  // Level 17 is the 15th '[' of data_offsets (column = its offset + 1).
  EXPECT_EQ(parseError(fileWith(deep, std::string(4, '\0'))),
            "m.safetensors (header): invalid JSON at line 1, column " +
                std::to_string(deep.find('[', 40) + 15) +
                ": arrays and objects nested deeper than 16 levels");
  // Two tensors of one name: the first would have been dropped silently.
  EXPECT_EQ(parseError(fileWith(
                R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                std::string(8, '\0'))),
            "m.safetensors (header): duplicate key 'a'");
}

TEST(Safetensors, ReadingChecksNameShapeDtypeAndValues) {
  std::string bytes =
      serializeSafetensors({{"w", {2, 2}, {1.0f, 2.0f, 3.0f, 4.0f}}});
  EXPECT_EQ(readError(bytes, "v", {2}),
            "m.safetensors: missing tensor 'v' (expected shape [2])");
  EXPECT_EQ(readError(bytes, "w", {4}),
            "m.safetensors: tensor 'w' has shape [2, 2], expected [4]");
  std::string ints = fileWith(
      R"({"i": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}})",
      std::string(8, '\0'));
  EXPECT_EQ(readError(ints, "i", {1}),
            "m.safetensors: tensor 'i' has dtype I64, expected F32, F16 or "
            "BF16");
  std::string nan = serializeSafetensors(
      {{"n", {3}, {0.0f, 1.0f, std::numeric_limits<float>::quiet_NaN()}}},
      "F16");
  EXPECT_EQ(readError(nan, "n", {3}),
            "m.safetensors: tensor 'n' has a non-finite value at index 2");
}

} // namespace
