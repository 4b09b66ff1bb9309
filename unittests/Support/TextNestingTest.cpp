//===- TextNestingTest.cpp - Tests of the MLIR text depth scan ------------===//
//
// findNestingBeyond must never count less than the parser nests (else deep
// text reaches the recursive parser), must ignore what the parser does not
// nest on (strings, comments, `->`, `>=`), and checkIrNesting must name the
// line and column of the first bracket beyond the bound.
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/TextNesting.h"

#include "gtest/gtest.h"

#include <string>

using namespace hdp;
using namespace llvm;

namespace {

std::string repeat(const std::string &s, unsigned n) {
  std::string out;
  for (unsigned i = 0; i < n; ++i)
    out += s;
  return out;
}

TEST(TextNesting, CountsEveryKindOfBracket) {
  EXPECT_EQ(findNestingBeyond("([{<>}])", 4), std::nullopt);
  EXPECT_EQ(findNestingBeyond("([{<>}])", 3), std::optional<size_t>(3));
  EXPECT_EQ(findNestingBeyond("(())(())", 2), std::nullopt);
  EXPECT_EQ(findNestingBeyond("(())((()))", 2), std::optional<size_t>(6));
}

TEST(TextNesting, SkipsStringsCommentsAndArrowTokens) {
  EXPECT_EQ(findNestingBeyond(R"(a = "((((\"((((" )", 1), std::nullopt);
  EXPECT_EQ(findNestingBeyond("x // ((((((\n(", 1), std::nullopt);
  EXPECT_EQ(findNestingBeyond("x // ((((((\n((", 1), std::optional<size_t>(13));
  // `->` and `>=` close nothing: each `tuple<() -> ...` level is one deeper
  // (and its `(` one more for a moment).
  std::string arrows = repeat("tuple<() -> ", 5) + "i32" + repeat(">", 5);
  EXPECT_EQ(findNestingBeyond(arrows, 6), std::nullopt);
  EXPECT_TRUE(findNestingBeyond(arrows, 5).has_value());
  EXPECT_TRUE(findNestingBeyond("affine_set<(d0) : (d0 >= 0, ((d0 >= 1)))>", 3)
                  .has_value());
}

TEST(TextNesting, UnmatchedClosersDoNotBuyDepth) {
  EXPECT_EQ(findNestingBeyond(")))]]]}}}((", 1), std::optional<size_t>(10));
}

TEST(TextNesting, NamesTheLineAndColumn) {
  // `module {` is the first level.
  std::string deep = "module {\n  " + repeat("[", kMaxIrNesting - 1) + "\n";
  EXPECT_FALSE(errorToBool(checkIrNesting(deep, "m.mlir")));
  deep = "module {\n  " + repeat("[", kMaxIrNesting + 3);
  std::string message = toString(checkIrNesting(deep, "m.mlir"));
  EXPECT_EQ(message, "m.mlir:2:" + std::to_string(2 + kMaxIrNesting) +
                         ": brackets nested deeper than 256 levels (MLIR's "
                         "parser recurses once per level; docs/limits.md)");
}

TEST(TextNesting, BytecodeIsNotScanned) {
  std::string bytecode = "ML\xef\x52" + repeat("(", 1000);
  EXPECT_FALSE(errorToBool(checkIrNesting(bytecode, "m.mlirbc")));
}

} // namespace
