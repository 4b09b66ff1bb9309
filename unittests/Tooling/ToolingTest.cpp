//===- ToolingTest.cpp - Tests of the tools' shared helpers ---------------===//
//
// Size limits (overflow, messages), option values (@file, attention
// shapes) and .npy inputs refused beyond the limit before their data is read.
//
//===----------------------------------------------------------------------===//

#include "hdp/Tooling/CommandLine.h"
#include "hdp/Tooling/Limits.h"
#include "hdp/Tooling/NpyOperands.h"

#include "Common/TestFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <limits>

using namespace hdp;
using namespace hdp::testutil;
using namespace hdp::tooling;
using namespace llvm;

namespace {

TEST(Limits, TensorBytesDetectsOverflow) {
  EXPECT_EQ(tensorBytes({2, 3, 4}, 4), 96);
  EXPECT_EQ(tensorBytes({}, 8), 8);
  EXPECT_EQ(tensorBytes({0, std::numeric_limits<int64_t>::max()}, 4), 0);
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(tensorBytes({max}, 1), max);
  EXPECT_EQ(tensorBytes({max}, 4), std::nullopt);
  EXPECT_EQ(tensorBytes({int64_t(1) << 31, int64_t(1) << 31}, 4), std::nullopt);
  EXPECT_EQ(tensorBytes({3, -1}, 4), std::nullopt);
}

TEST(Limits, FormatsBytesForPeople) {
  EXPECT_EQ(formatBytes(512), "512 bytes");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(uint64_t(1) << 30), "1 GiB");
  EXPECT_EQ(formatBytes(uint64_t(4096) << 30), "4096 GiB");
  EXPECT_EQ(formatBytes(uint64_t(3) << 60), "3 EiB");
}

TEST(Limits, CheckTensorSizeNamesTheSizeAndTheLimit) {
  EXPECT_EQ(errorOf(checkTensorSize("out [B,H,N,Dv]", {1, 1, 16384, 16384}, 4)),
            "");
  EXPECT_EQ(errorOf(checkTensorSize("out [B,H,N,Dv]", {1, 1, 65536, 65536}, 4)),
            "out [B,H,N,Dv] = [1,1,65536,65536] would need 16 GiB; the limit "
            "is 1 GiB per tensor");
  EXPECT_EQ(
      errorOf(checkTensorSize("Q", {1, 1, int64_t(1) << 62, 4}, 4)),
      "Q = [1,1,4611686018427387904,4] would need more than 8 EiB (its size "
      "overflows int64); the limit is 1 GiB per tensor");
  EXPECT_EQ(errorOf(checkTensorSize("x", {10}, 4, 16)),
            "x = [10] would need 40 bytes; the limit is 16 bytes per tensor");
}

TEST(CommandLine, FileOperandsNeedTheAt) {
  EXPECT_EQ(cantFail(filePathOf("input", "@q.npy")), "q.npy");
  EXPECT_EQ(errorOf(filePathOf("input", "q.npy")),
            "--input=q.npy: expected @file.npy (a file name prefixed with "
            "'@')");
  EXPECT_EQ(errorOf(filePathOf("output", "@")),
            "--output=@: expected @file.npy (a file name prefixed with '@')");
  EXPECT_EQ(cantFail(filePathsOf("input", {"@a", "@b"})),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_NE(errorOf(filePathsOf("input", {"@a", "b"})).find("--input=b: "),
            std::string::npos);
}

TEST(CommandLine, AttentionDims) {
  AttentionDims d = cantFail(parseAttentionDims("1,2,3,4,5", 100));
  EXPECT_EQ(d.out(), (std::vector<int64_t>{1, 2, 3, 5}));
  EXPECT_EQ(d.k(), (std::vector<int64_t>{1, 2, 4, 5}));
  d = cantFail(parseAttentionDims("1, 2, 3, 4, 5, 6", 100));
  EXPECT_EQ(d.v(), (std::vector<int64_t>{1, 2, 4, 6}));
  EXPECT_EQ(errorOf(parseAttentionDims("1,2,8", 100)),
            "expected B,H,N,M,D or B,H,N,M,D,Dv (5 or 6 positive integers), "
            "got '1,2,8'");
  EXPECT_EQ(errorOf(parseAttentionDims("1,0,8,8,4", 100)),
            "H must be an integer in [1, 100], got '0'");
  EXPECT_EQ(errorOf(parseAttentionDims("1,2,8,8,101", 100)),
            "D must be an integer in [1, 100], got '101'");
  EXPECT_EQ(errorOf(parseAttentionDims("1,2,8,8,x", 100)),
            "D must be an integer in [1, 100], got 'x'");
  EXPECT_EQ(errorOf(parseAttentionDims("1,2,8,8,4,99999999999999999999",
                                       std::numeric_limits<int64_t>::max())),
            "Dv must be an integer in [1, 9223372036854775807], got "
            "'99999999999999999999'");
}

class NpyInputs : public ::testing::Test {
protected:
  std::string write(StringRef name, const npy::Array &array) {
    std::string path = dir.file(name);
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    EXPECT_FALSE(ec);
    os << cantFail(npy::serialize(array));
    return path;
  }
  TempDir dir;
};

TEST_F(NpyInputs, ReadsFloatsAndRefusesOtherDTypes) {
  std::string q = write("q.npy", npy::fromF32({1, 2}, {1.5f, -2.0f}));
  ref::Tensor<float> t = cantFail(readFloatInput(q, "Q"));
  EXPECT_EQ(t.shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(t.data, (std::vector<float>{1.5f, -2.0f}));
  std::string m = write("m.npy", npy::fromI64({2}, {1, 2}));
  EXPECT_EQ(errorOf(readFloatInput(m, "mask")),
            m + ": mask has dtype <i8; expected a float array (<f4, <f8, <f2 or bfloat16)");
  EXPECT_EQ(errorOf(readFloatInput(q + ".missing", "Q")).find(q + ".missing: "),
            0u);
}

TEST_F(NpyInputs, RefusesInputsBeyondTheLimit) {
  std::string q = write("q.npy", npy::fromF32({2, 5}, std::vector<float>(10)));
  EXPECT_EQ(errorOf(readNpyInput(q, "Q", 40)), "");
  EXPECT_EQ(errorOf(readFloatInput(q, "Q", 39)),
            q + ": Q (<f4) = [2,5] would need 40 bytes; the limit is 39 bytes "
                "per tensor");
  // A file far beyond the limit is refused by its size, before reading.
  std::string big =
      write("big.npy", npy::fromF32({1 << 19}, std::vector<float>(1 << 19)));
  EXPECT_EQ(errorOf(readNpyInput(big, "K", 1000)),
            big + ": K is a 2.0 MiB file; the limit is 1000 bytes per tensor");
}

} // namespace
