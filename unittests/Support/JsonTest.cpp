//===- JsonTest.cpp - Tests of the JSON reader ----------------------------===//
//
// readJson's own rules: one error naming the file and position, duplicate
// keys and deep nesting refused before a document is built, the limit and
// the format's note as given. The formats built on it (accelerator
// configurations, config.json, safetensors headers) test their messages in
// their own tests.
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/Json.h"

#include "gtest/gtest.h"

#include <string>

using namespace hdp;
using namespace llvm;

namespace {

/// The error of reading `text` as "f.json", or "" on success.
std::string errorOf(const std::string &text, const JsonLimits &limits = {}) {
  Expected<nlohmann::json> doc = readJson(text, "f.json", limits);
  if (doc)
    return "";
  return toString(doc.takeError());
}

TEST(Json, ReadsADocument) {
  Expected<nlohmann::json> doc =
      readJson(R"({"a": [1, {"b": 2.5}], "c": "x"})", "f.json");
  ASSERT_TRUE(bool(doc)) << toString(doc.takeError());
  EXPECT_EQ((*doc)["a"][1]["b"].get<double>(), 2.5);
  EXPECT_EQ((*doc)["c"].get<std::string>(), "x");
}

TEST(Json, SyntaxErrorsNameLineAndColumn) {
  EXPECT_EQ(errorOf("{\n  \"a\": 1,\n  }"),
            "f.json: invalid JSON at line 3, column 3: syntax error while "
            "parsing object key - unexpected '}'; expected string literal");
  EXPECT_EQ(errorOf(""), "f.json: invalid JSON at line 1, column 1: syntax "
                         "error while parsing value - unexpected end of "
                         "input; expected '[', '{', or a literal");
  // No position for a number beyond a double, and no exception escapes.
  EXPECT_EQ(errorOf("[1E400]"),
            "f.json: invalid JSON: number overflow parsing '1E400'");
}

TEST(Json, DuplicateKeysNameTheirObjectPath) {
  EXPECT_EQ(errorOf(R"({"a": 1, "a": 1})"), "f.json: duplicate key 'a'");
  EXPECT_EQ(errorOf(R"({"s": {"k": 1, "j": 2, "k": 3}})"),
            "f.json: duplicate key 's.k'");
  // Array levels do not appear in the path.
  EXPECT_EQ(errorOf(R"({"t": [{"k": 1}, {"k": 2, "k": 3}]})"),
            "f.json: duplicate key 't.k'");
  // The same key in different objects is no duplicate.
  EXPECT_EQ(errorOf(R"({"k": {"k": 1}, "t": [{"k": 1}, {"k": 2}]})"), "");
  // A duplicate before a syntax error is the error reported.
  EXPECT_EQ(errorOf(R"({"a": 1, "a": ])"), "f.json: duplicate key 'a'");
}

TEST(Json, DuplicateKeysMayBeAllowed) {
  JsonLimits lastWins;
  lastWins.rejectDuplicateKeys = false;
  Expected<nlohmann::json> doc = readJson(
      R"({"a": 1, "s": {"k": 1, "k": 2}, "a": 3})", "f.json", lastWins);
  ASSERT_TRUE(bool(doc)) << toString(doc.takeError());
  EXPECT_EQ((*doc)["a"].get<int>(), 3);
  EXPECT_EQ((*doc)["s"]["k"].get<int>(), 2);
  // Nesting is still limited.
  EXPECT_EQ(errorOf(std::string(17, '['), lastWins),
            "f.json: invalid JSON at line 1, column 17: arrays and objects "
            "nested deeper than 16 levels");
}

TEST(Json, NestingBeyondTheLimitIsRefusedAtItsBracket) {
  auto nested = [](unsigned levels) {
    return std::string(levels, '[') + std::string(levels, ']');
  };
  EXPECT_EQ(errorOf(nested(kMaxJsonDepth)), "");
  EXPECT_EQ(errorOf(nested(kMaxJsonDepth + 1)),
            "f.json: invalid JSON at line 1, column 17: arrays and objects "
            "nested deeper than 16 levels");
  // A million levels: refused without building a document (nlohmann's
  // destructor would recurse once per level).
  EXPECT_EQ(errorOf(std::string(1000000, '[')),
            "f.json: invalid JSON at line 1, column 17: arrays and objects "
            "nested deeper than 16 levels");
  // The limit and the format's note are the caller's.
  JsonLimits two{2, "the format has 2"};
  EXPECT_EQ(errorOf(R"({"a": {"b": 1}})", two), "");
  EXPECT_EQ(errorOf("{\"a\": \"{[\",\n \"b\": {\"c\": [1]}}", two),
            "f.json: invalid JSON at line 2, column 13: arrays and objects "
            "nested deeper than 2 levels (the format has 2)");
}

} // namespace
