//===- Json.cpp - JSON documents with file-and-position errors ------------===//
//
// See Json.h. Compiled with exceptions on: nlohmann-json reports with them.
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/Json.h"

#include "llvm/ADT/Twine.h"

#include <set>
#include <vector>

using namespace llvm;
using json = nlohmann::json;

namespace hdp {

namespace {

/// 1-based line and column of byte `offset` of `text`.
std::pair<unsigned, unsigned> lineColumn(StringRef text, size_t offset) {
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

/// Byte offset of the '[' or '{' that opens nesting level `level` (1 = the
/// outermost), or the text size if there is none. Only used on text the
/// JSON parser has read up to that bracket, so strings are well formed.
size_t openingOfLevel(StringRef text, unsigned level) {
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

/// nlohmann's message without its "[json.exception.x.n] " prefix.
std::string explanation(const json::exception &e) {
  std::string what = e.what();
  if (!what.empty() && what[0] == '[')
    if (size_t close = what.find("] "); close != std::string::npos)
      what = what.substr(close + 2);
  return what;
}

/// A first pass over the text with nlohmann's SAX interface (no document is
/// built) that stops at the first container nested deeper than the limit
/// and at the first key repeated within one object (if the limits say so).
/// Syntax errors are left
/// to the parse that follows, which stops at the same byte.
class LimitsCheck final : public nlohmann::json_sax<json> {
public:
  explicit LimitsCheck(const JsonLimits &limits) : limits(limits) {}

  /// Why the text is refused ("" if it is not refused for these reasons).
  std::string problem;
  /// For a nesting problem: the level of the container that is too deep.
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
    Level &level = levels.back();
    level.key = key;
    if (!limits.rejectDuplicateKeys || level.keys.insert(key).second)
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
  const JsonLimits &limits;
  std::vector<Level> levels;

  bool enter(bool isObject) {
    if (levels.size() >= limits.maxDepth) {
      tooDeepLevel = static_cast<unsigned>(levels.size()) + 1;
      problem = "arrays and objects nested deeper than " +
                std::to_string(limits.maxDepth) + " levels";
      if (!limits.formatNesting.empty())
        problem += " (" + limits.formatNesting + ")";
      return false;
    }
    levels.push_back({isObject, "", {}});
    return true;
  }
  bool leave() {
    levels.pop_back();
    return true;
  }
  /// "section.key" of the current key (array levels are skipped).
  std::string path() const {
    std::string p;
    for (const Level &l : levels)
      if (l.isObject)
        p += (p.empty() ? "" : ".") + l.key;
    return p;
  }
};

Error fileError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}

Error positionError(StringRef name, StringRef text, size_t offset,
                    const Twine &message) {
  auto [line, column] = lineColumn(text, offset);
  return fileError(name, "invalid JSON at line " + Twine(line) + ", column " +
                             Twine(column) + ": " + message);
}

} // namespace

Expected<json> readJson(StringRef text, StringRef name,
                        const JsonLimits &limits) {
  LimitsCheck check(limits);
  try {
    json::sax_parse(text.begin(), text.end(), &check);
  } catch (const json::exception &) {
    // Reported by the parse below, which fails at the same byte.
  }
  if (!check.problem.empty()) {
    if (check.tooDeepLevel == 0)
      return fileError(name, check.problem);
    return positionError(name, text, openingOfLevel(text, check.tooDeepLevel),
                         check.problem);
  }

  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error &e) {
    // "parse error at line 1, column 2: syntax error ..." says the position
    // twice; keep what follows it.
    std::string what = explanation(e);
    if (size_t colon = what.find(": "); colon != std::string::npos)
      what = what.substr(colon + 2);
    return positionError(name, text, e.byte ? e.byte - 1 : 0, what);
  } catch (const json::exception &e) {
    // Other parser errors carry no position, e.g. out_of_range.406 for a
    // number too large for a double ("1E400").
    return fileError(name, "invalid JSON: " + explanation(e));
  }
}

} // namespace hdp
