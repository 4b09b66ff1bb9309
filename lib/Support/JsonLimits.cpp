//===- JsonLimits.cpp - Nesting and duplicate keys of JSON text -----------===//
//
// See JsonLimits.h.
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/JsonLimits.h"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

using json = nlohmann::json;

namespace hdp {

namespace {
/// Stops at the first container deeper than the bound and at the first
/// repeated key, remembering the byte offset of the container concerned.
class LimitsSax final : public nlohmann::json_sax<json> {
public:
  explicit LimitsSax(unsigned maxDepth) : maxDepth(maxDepth) {}

  std::optional<std::string> problem;
  /// For a container too deep: its nesting level (1 = outermost).
  unsigned tooDeepLevel = 0;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t &) override { return true; }
  bool string(string_t &) override { return true; }
  bool binary(binary_t &) override { return true; }
  bool start_object(std::size_t) override { return enter(true); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(false); }
  bool end_array() override { return leave(); }
  bool key(string_t &key) override {
    Level &current = levels.back();
    current.key = key;
    if (current.keys.insert(key).second)
      return true;
    problem = "duplicate key '" + path() + "'";
    return false;
  }
  bool parse_error(std::size_t, const std::string &,
                   const nlohmann::detail::exception &) override {
    return false;
  }

private:
  struct Level {
    bool isObject;
    std::string key; ///< the key being read (objects)
    std::set<std::string> keys;
  };
  unsigned maxDepth;
  std::vector<Level> levels;

  bool enter(bool isObject) {
    if (levels.size() >= maxDepth) {
      problem = "arrays and objects nested deeper than " +
                std::to_string(maxDepth) + " levels";
      tooDeepLevel = static_cast<unsigned>(levels.size()) + 1;
      return false;
    }
    levels.push_back({isObject, "", {}});
    return true;
  }
  bool leave() {
    levels.pop_back();
    return true;
  }
  std::string path() const {
    std::string p;
    for (const Level &l : levels)
      if (l.isObject)
        p += (p.empty() ? "" : ".") + l.key;
    return p;
  }
};

/// Byte offset of the first '[' or '{' that opens nesting level `level` (1 =
/// the outermost): where the first pass stopped for a container too deep.
/// Only used on text the parser has read that far, so its strings are well
/// formed.
size_t openingOfLevel(llvm::StringRef text, unsigned level) {
  unsigned depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth == level)
        return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return text.size();
}
} // namespace

std::pair<unsigned, unsigned> lineColumnOf(llvm::StringRef text,
                                           size_t offset) {
  unsigned line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::optional<JsonLimitViolation> findJsonLimitViolation(llvm::StringRef text,
                                                         unsigned maxDepth) {
  LimitsSax sax(maxDepth);
  try {
    json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const json::exception &) {
    // A syntax error: reported by the parse that follows.
  }
  if (!sax.problem)
    return std::nullopt;
  JsonLimitViolation v;
  v.message = *sax.problem;
  if (sax.tooDeepLevel)
    v.position = lineColumnOf(text, openingOfLevel(text, sax.tooDeepLevel));
  return v;
}

} // namespace hdp
