//===- NpyTest.cpp - Tests of the .npy reader and writer ------------------===//
//
// Round trips of every dtype, one test per kind of malformed file (each error
// must name the file and say what was expected) and the conversions. The
// all-or-nothing writing of files is tested with hdp/Tooling/OutputFiles.h.
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/Npy.h"

#include "Common/TestFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace hdp::npy;
using namespace hdp::testutil;
using namespace llvm;

namespace {

/// A .npy file assembled by hand: version, raw header text and data bytes.
std::string makeNpy(StringRef header, StringRef data, unsigned major = 1) {
  std::string s = "\x93NUMPY";
  s.push_back(static_cast<char>(major));
  s.push_back(0);
  char len[4];
  if (major == 1) {
    support::endian::write16le(len, header.size());
    s.append(len, 2);
  } else {
    support::endian::write32le(len, header.size());
    s.append(len, 4);
  }
  s += header.str();
  s += data.str();
  return s;
}

std::string f32Header(StringRef shape) {
  return ("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape +
          ", }\n")
      .str();
}

/// Writes the serialised `array` to `path` (plainly: the format is tested
/// here, not the writer).
std::string writeFile(StringRef path, const Array &array) {
  Expected<std::string> bytes = serialize(array);
  if (!bytes)
    return toString(bytes.takeError());
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return ec.message();
  os << *bytes;
  return "";
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

const DType kAll[] = {DType::Bool, DType::I8,  DType::I16, DType::I32,
                      DType::I64,  DType::U8,  DType::U16, DType::U32,
                      DType::U64,  DType::F32, DType::F64, DType::F16,
                      DType::BF16};

TEST(Npy, RoundTripEveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {5}, {2, 3}, {1, 2, 3, 4}, {0, 3}};
  for (DType dtype : kAll) {
    for (const auto &shape : shapes) {
      Array a;
      a.dtype = dtype;
      a.shape = shape;
      a.bytes.resize(numElements(shape) * dtypeSize(dtype));
      for (size_t i = 0; i < a.bytes.size(); ++i)
        a.bytes[i] = dtype == DType::Bool ? i % 2 : (i * 37 + 11) & 0xff;
      Expected<std::string> bytes = serialize(a);
      ASSERT_TRUE(static_cast<bool>(bytes)) << errorOf(std::move(bytes));
      // numpy aligns the data on 64 bytes; so do we.
      EXPECT_EQ((bytes->size() - a.bytes.size()) % 64, 0u);
      Expected<Array> b = parse(*bytes, "rt.npy");
      ASSERT_TRUE(static_cast<bool>(b)) << errorOf(std::move(b));
      EXPECT_EQ(b->dtype, dtype) << dtypeDescr(dtype).str();
      EXPECT_EQ(b->shape, shape) << formatShape(shape);
      EXPECT_EQ(b->bytes, a.bytes);
    }
  }
}

TEST(Npy, RoundTripThroughFiles) {
  TempDir dir;
  std::vector<float> f = {1.5f,  -2.0f,
                          0.0f,  std::numeric_limits<float>::infinity(),
                          -0.0f, 3.25e-7f};
  std::vector<uint8_t> b = {1, 0, 1, 1};
  std::vector<int64_t> i = {0, -1, std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max()};
  Array fa = fromF32({2, 3}, f), ba = fromBool({4}, b), ia = fromI64({2, 2}, i);
  ASSERT_EQ(writeFile(dir.file("f.npy"), fa), "");
  ASSERT_EQ(writeFile(dir.file("b.npy"), ba), "");
  ASSERT_EQ(writeFile(dir.file("i.npy"), ia), "");

  Expected<Array> fr = readFile(dir.file("f.npy"));
  ASSERT_TRUE(static_cast<bool>(fr)) << errorOf(std::move(fr));
  EXPECT_EQ(fr->dtype, DType::F32);
  EXPECT_EQ(fr->shape, (std::vector<int64_t>{2, 3}));
  Expected<std::vector<float>> fv = toF32(*fr, "f.npy");
  ASSERT_TRUE(static_cast<bool>(fv));
  ASSERT_EQ(fv->size(), f.size());
  for (size_t k = 0; k < f.size(); ++k)
    EXPECT_EQ(std::memcmp(&(*fv)[k], &f[k], 4), 0) << k; // bit-exact, incl -0

  Expected<Array> br = readFile(dir.file("b.npy"));
  ASSERT_TRUE(static_cast<bool>(br));
  EXPECT_EQ(br->dtype, DType::Bool);
  EXPECT_EQ(cantFail(toBool(*br, "b.npy")), b);

  Expected<Array> ir = readFile(dir.file("i.npy"));
  ASSERT_TRUE(static_cast<bool>(ir));
  EXPECT_EQ(ir->dtype, DType::I64);
  EXPECT_EQ(cantFail(toI64(*ir, "i.npy")), i);
}

TEST(Npy, ReadsOtherVersionsAndSpellings) {
  std::string data(8, '\0');
  // 2.0 and 3.0 use a 4-byte header length.
  for (unsigned major : {2u, 3u}) {
    Expected<Array> a = parse(makeNpy(f32Header("(2,)"), data, major), "v.npy");
    ASSERT_TRUE(static_cast<bool>(a)) << errorOf(std::move(a));
    EXPECT_EQ(a->shape, (std::vector<int64_t>{2}));
  }
  // Double quotes, key order, no trailing comma, Python 2 longs, '=' order.
  Expected<Array> a =
      parse(makeNpy("{\"shape\": (1L, 2L), \"fortran_order\": False, "
                    "\"descr\": \"=f4\"}   \n",
                    data),
            "q.npy");
  ASSERT_TRUE(static_cast<bool>(a)) << errorOf(std::move(a));
  EXPECT_EQ(a->dtype, DType::F32);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{1, 2}));
  // Scalars.
  Expected<Array> s = parse(makeNpy(f32Header("()"), "abcd"), "s.npy");
  ASSERT_TRUE(static_cast<bool>(s));
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(s->numElements(), 1);
  // Fortran order is harmless when at most one dimension exceeds 1.
  Expected<Array> f = parse(
      makeNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2, 1), }\n",
              data),
      "f.npy");
  EXPECT_TRUE(static_cast<bool>(f)) << errorOf(std::move(f));
}

TEST(Npy, FormatShapeLikePython) {
  EXPECT_EQ(formatShape({}), "()");
  EXPECT_EQ(formatShape({7}), "(7,)");
  EXPECT_EQ(formatShape({1, 2, 3, 4}), "(1, 2, 3, 4)");
}

//===----------------------------------------------------------------------===//
// Malformed files: each error names the file and what was expected.
//===----------------------------------------------------------------------===//

void expectError(StringRef contents, StringRef needle) {
  std::string msg = errorOf(parse(contents, "q.npy"));
  EXPECT_TRUE(StringRef(msg).starts_with("q.npy: ")) << msg;
  EXPECT_NE(msg.find(needle.str()), std::string::npos)
      << "message: " << msg << "\nexpected to contain: " << needle.str();
}

TEST(Npy, RejectsBadMagic) {
  expectError("PK\x03\x04 not numpy at all", "expected the magic string");
  expectError("", "shorter than the magic string");
  expectError("\x93NUM", "shorter than the magic string");
}

TEST(Npy, RejectsBadVersion) {
  std::string s = makeNpy(f32Header("(1,)"), "abcd");
  s[6] = 4;
  expectError(s, "unsupported .npy format version 4.0; expected 1.0, 2.0 or "
                 "3.0");
}

TEST(Npy, RejectsTruncatedPreambleAndHeader) {
  std::string s = makeNpy(f32Header("(1,)"), "abcd");
  expectError(StringRef(s).take_front(7), "missing the format version");
  expectError(StringRef(s).take_front(9), "missing the header length");
  expectError(StringRef(s).take_front(30), "truncated .npy header");
}

TEST(Npy, RejectsMalformedHeaderDict) {
  std::string data(4, '\0');
  expectError(makeNpy("descr: '<f4'\n", data), "expected '{'");
  expectError(makeNpy("{'descr' '<f4'}\n", data), "expected ':' after key");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False}\n", data),
              "missing key 'shape'");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "
                      "'extra': 1}\n",
                      data),
              "unsupported value for 'extra'");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "
                      "'extra': 'x'}\n",
                      data),
              "unexpected key 'extra'");
  expectError(
      makeNpy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
              "'shape': (1,)}\n",
              data),
      "key 'descr' repeated");
  expectError(
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2)}\n",
              data),
      "expected a non-negative integer dimension");
  expectError(
      makeNpy("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}\n", data),
      "unsupported value for 'fortran_order'");
  expectError(
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': '1'}\n", data),
      "'shape' must be a tuple");
  expectError(
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", data),
      "expected ',' or '}'");
  expectError(makeNpy(f32Header("(1,)") + "junk", data),
              "unexpected text after the header dict");
  expectError(makeNpy("{'descr': [('a', '<f4')], 'fortran_order': False, "
                      "'shape': (1,)}\n",
                      data),
              "structured dtypes are not supported");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (99999999999999999999,)}\n",
                      data),
              "too large");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False, "
                      "'shape': (4294967296, 4294967296)}\n",
                      data),
              "too many elements");
}

TEST(Npy, RejectsBigEndianAndUnsupportedDTypes) {
  std::string data(8, '\0');
  expectError(makeNpy("{'descr': '>f4', 'fortran_order': False, "
                      "'shape': (2,)}\n",
                      data),
              "big-endian dtype '>f4' is not supported; expected "
              "little-endian '<f4'");
  for (StringRef d : {"<c8", "<f1", "<V4", "|O", "<U2", "|S8", "<m8"})
    expectError(makeNpy(("{'descr': '" + d +
                         "', 'fortran_order': False, 'shape': (1,)}\n")
                            .str(),
                        data),
                ("unsupported dtype '" + d + "'; expected one of <f4").str());
  expectError(makeNpy("{'descr': '|f4', 'fortran_order': False, "
                      "'shape': (2,)}\n",
                      data),
              "has no byte order");
}

TEST(Npy, RejectsFortranOrder) {
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': True, "
                      "'shape': (2, 3)}\n",
                      std::string(24, '\0')),
              "fortran_order is True; only C-order arrays are supported");
}

TEST(Npy, RejectsWrongDataSize) {
  std::string header = f32Header("(1, 2, 3, 4)");
  expectError(makeNpy(header, std::string(95, '\0')),
              "data is 95 bytes; shape (1, 2, 3, 4) of <f4 needs 96");
  expectError(makeNpy(header, std::string(97, '\0')),
              "data is 97 bytes; shape (1, 2, 3, 4) of <f4 needs 96");
  expectError(makeNpy(f32Header("()"), ""),
              "data is 0 bytes; shape () of <f4 needs 4");
}

TEST(Npy, ReadFileErrorsNameThePath) {
  TempDir dir;
  std::string missing = dir.file("missing.npy");
  std::string msg = errorOf(readFile(missing));
  EXPECT_EQ(msg.find(missing + ": cannot read: "), 0u) << msg;
  msg = errorOf(readFile(dir.path));
  EXPECT_NE(msg.find("is a directory"), std::string::npos) << msg;

  std::string bad = dir.file("bad.npy");
  {
    std::error_code ec;
    raw_fd_ostream os(bad, ec);
    ASSERT_FALSE(ec);
    os << "hello";
  }
  msg = errorOf(readFile(bad));
  EXPECT_EQ(msg.find(bad + ": not a .npy file"), 0u) << msg;
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

/// A 1-D array of 16-bit elements given by their bits.
Array halfArray(DType dtype, ArrayRef<uint16_t> bits) {
  Array a(dtype, {static_cast<int64_t>(bits.size())},
          std::vector<uint8_t>(2 * bits.size()));
  for (size_t i = 0; i < bits.size(); ++i)
    support::endian::write16le(a.bytes.data() + 2 * i, bits[i]);
  return a;
}

TEST(Npy, ToF32WidensHalfExactly) {
  // 1, -2, the smallest subnormal 2^-24, the largest subnormal, 65504,
  // 0.333251953125, -0, inf, NaN.
  std::vector<float> f = cantFail(
      toF32(halfArray(DType::F16, {0x3c00, 0xc000, 0x0001, 0x03ff, 0x7bff,
                                   0x3555, 0x8000, 0x7c00, 0x7e00}),
            "h.npy"));
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_EQ(f[1], -2.0f);
  EXPECT_EQ(f[2], std::ldexp(1.0f, -24));
  EXPECT_EQ(f[3], std::ldexp(1023.0f, -24));
  EXPECT_EQ(f[4], 65504.0f);
  EXPECT_EQ(f[5], 0.333251953125f);
  EXPECT_TRUE(f[6] == 0.0f && std::signbit(f[6]));
  EXPECT_TRUE(std::isinf(f[7]) && f[7] > 0);
  EXPECT_TRUE(std::isnan(f[8]));
}

TEST(Npy, ToF32WidensBFloat16Exactly) {
  // bf16 is the upper half of an f32: 1, -3.140625, 2^-133 (subnormal), -inf.
  std::vector<float> f = cantFail(
      toF32(halfArray(DType::BF16, {0x3f80, 0xc049, 0x0001, 0xff80}), "b.npy"));
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_EQ(f[1], -3.140625f);
  EXPECT_EQ(f[2], std::ldexp(1.0f, -133));
  EXPECT_TRUE(std::isinf(f[3]) && f[3] < 0);
}

TEST(Npy, ReadsTheSpellingsOfBFloat16) {
  // np.save of an ml_dtypes.bfloat16 array writes '<V2'; plain numpy's
  // 2-byte void is '|V2'; some writers put the dtype's name.
  for (StringRef d : {"<V2", "|V2", "bfloat16"}) {
    Expected<Array> a =
        parse(makeNpy(("{'descr': '" + d +
                       "', 'fortran_order': False, 'shape': (1,)}\n")
                          .str(),
                      StringRef("\x80\x3f", 2)),
              "b.npy");
    ASSERT_TRUE(static_cast<bool>(a))
        << d.str() << ": " << errorOf(a.takeError());
    EXPECT_EQ(a->dtype, DType::BF16);
    EXPECT_EQ(cantFail(toF32(*a, "b.npy"))[0], 1.0f);
  }
  Expected<Array> f16 =
      parse(makeNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,)}\n",
                    StringRef("\x00\x3c", 2)),
            "h.npy");
  ASSERT_TRUE(static_cast<bool>(f16)) << errorOf(f16.takeError());
  EXPECT_EQ(f16->dtype, DType::F16);
  expectError(makeNpy("{'descr': '>f2', 'fortran_order': False, "
                      "'shape': (1,)}\n",
                      StringRef("\x3c\x00", 2)),
              "big-endian dtype '>f2' is not supported");
}

TEST(Npy, ToF32AcceptsFloatsOnly) {
  Array d(DType::F64, {2}, std::vector<uint8_t>(16));
  double vals[2] = {0.1, -1e300};
  for (int k = 0; k < 2; ++k) {
    uint64_t bits;
    std::memcpy(&bits, &vals[k], 8);
    support::endian::write64le(d.bytes.data() + 8 * k, bits);
  }
  std::vector<float> f = cantFail(toF32(d, "d.npy"));
  EXPECT_EQ(f[0], 0.1f);
  EXPECT_TRUE(std::isinf(f[1]) && f[1] < 0);

  Array i = fromI64({1}, {3});
  std::string msg = errorOf(toF32(i, "q.npy"));
  EXPECT_EQ(msg, "q.npy: dtype <i8 is not a floating-point type; expected "
                 "<f4 (or <f8, <f2, bfloat16)");
  EXPECT_NE(errorOf(toF32(fromBool({1}, {1}), "m.npy"))
                .find("m.npy: dtype "
                      "|b1"),
            std::string::npos);
}

TEST(Npy, ToBoolAndToI64) {
  Array u8(DType::U8, {3}, {0, 1, 1});
  EXPECT_EQ(cantFail(toBool(u8, "u.npy")), (std::vector<uint8_t>{0, 1, 1}));
  Array two(DType::I16, {2}, {1, 0, 2, 0});
  EXPECT_EQ(errorOf(toBool(two, "t.npy")),
            "t.npy: element 1 is 2; a boolean array must hold only 0 and 1");
  EXPECT_NE(errorOf(toBool(fromF32({1}, {1.0f}), "f.npy")).find("f.npy: "),
            std::string::npos);

  Array i16(DType::I16, {2}, {0xff, 0xff, 0x02, 0x00});
  EXPECT_EQ(cantFail(toI64(i16, "i.npy")), (std::vector<int64_t>{-1, 2}));
  Array u32(DType::U32, {1}, {0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(cantFail(toI64(u32, "u.npy")),
            (std::vector<int64_t>{4294967295LL}));
  Array u64(DType::U64, {1}, std::vector<uint8_t>(8, 0xff));
  EXPECT_NE(errorOf(toI64(u64, "u.npy")).find("does not fit in int64"),
            std::string::npos);
  Array i8(DType::I8, {2}, {0x80, 0x7f});
  EXPECT_EQ(cantFail(toI64(i8, "i.npy")), (std::vector<int64_t>{-128, 127}));
  EXPECT_NE(errorOf(toI64(fromF32({1}, {1.0f}), "f.npy")).find("f.npy: "),
            std::string::npos);
}

} // namespace

//===----------------------------------------------------------------------===//
// Summaries
//===----------------------------------------------------------------------===//

namespace {
TEST(Npy, SummarizeShowsDTypeShapeAndFirstValues) {
  EXPECT_EQ(summarize(fromF32({1, 2, 3}, {0.5f, -1.25f, 3, 4, 5, 1e-7f}), 3),
            "float32 (1, 2, 3) = [0.5, -1.25, 3, ...] (6 elements)");
  EXPECT_EQ(summarize(fromF32({2}, {1.0f / 3, 1e10f})),
            "float32 (2,) = [0.333333, 1e+10] (2 elements)");
  EXPECT_EQ(summarize(fromBool({1, 3}, {1, 0, 1})),
            "bool (1, 3) = [1, 0, 1] (3 elements, 2 true)");
  // The true count covers every element, not only those shown.
  EXPECT_EQ(summarize(fromBool({4}, {1, 1, 0, 1}), 2),
            "bool (4,) = [1, 1, ...] (4 elements, 3 true)");
  EXPECT_EQ(summarize(fromI64({}, {-7})), "int64 () = [-7] (1 element)");
  EXPECT_EQ(summarize(fromF32({0, 2}, {})), "float32 (0, 2) = [] (0 elements)");
  Array half(DType::BF16, {1}, {0x80, 0x3f});
  EXPECT_EQ(summarize(half), "bfloat16 (1,) = [1] (1 element)");
  Array broken(DType::F32, {3}, std::vector<uint8_t>(5));
  EXPECT_EQ(summarize(broken),
            "float32 (3,): 5 bytes, which do not match the shape");
}
} // namespace
