//===- JsonText.cpp - JSON parsing with file-and-position errors ----------===//
//
// See JsonText.h.
//
//===----------------------------------------------------------------------===//

#include "JsonText.h"

#include "hdp/Support/JsonLimits.h"

#include "llvm/ADT/Twine.h"

using namespace llvm;
using json = nlohmann::json;

namespace hdp::model::detail {

namespace {
/// How deep model JSON may nest: config.json and safetensors headers have 3
/// levels; the printer nlohmann uses in messages recurses once per level.
constexpr unsigned kMaxJsonDepth = 16;

/// nlohmann's message without its "[json.exception.x.n] " prefix.
std::string explanation(const json::exception &e) {
  std::string what = e.what();
  if (!what.empty() && what[0] == '[')
    if (size_t close = what.find("] "); close != std::string::npos)
      what = what.substr(close + 2);
  return what;
}
} // namespace

Expected<json> parseJsonText(StringRef text, StringRef name) {
  if (std::optional<JsonLimitViolation> v =
          findJsonLimitViolation(text, kMaxJsonDepth)) {
    if (!v->position)
      return createStringError(inconvertibleErrorCode(),
                               (name + ": " + v->message).str());
    return createStringError(inconvertibleErrorCode(),
                             (name + ": invalid JSON at line " +
                              Twine(v->position->first) + ", column " +
                              Twine(v->position->second) + ": " + v->message)
                                 .str());
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error &e) {
    auto [line, column] = lineColumnOf(text, e.byte ? e.byte - 1 : 0);
    // "parse error at line 1, column 2: syntax error ..." says the position
    // twice; keep what follows it.
    std::string what = explanation(e);
    if (size_t colon = what.find(": "); colon != std::string::npos)
      what = what.substr(colon + 2);
    return createStringError(inconvertibleErrorCode(),
                             (name + ": invalid JSON at line " + Twine(line) +
                              ", column " + Twine(column) + ": " + what)
                                 .str());
  } catch (const json::exception &e) {
    return createStringError(
        inconvertibleErrorCode(),
        (name + ": invalid JSON: " + explanation(e)).str());
  }
}

std::string describeJson(const json &value) {
  switch (value.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::string:
    return "a string";
  case json::value_t::array:
    return "an array";
  case json::value_t::object:
    return "an object";
  case json::value_t::number_float:
    return "the number " + value.dump();
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
    return "the integer " + value.dump();
  default:
    return "a value of another kind";
  }
}

bool jsonInteger(const json &value, int64_t lo, int64_t hi, int64_t &out) {
  if (value.is_number_unsigned()) {
    uint64_t v = value.get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX))
      return false;
    out = static_cast<int64_t>(v);
  } else if (value.is_number_integer()) {
    out = value.get<int64_t>();
  } else {
    return false;
  }
  return out >= lo && out <= hi;
}

} // namespace hdp::model::detail
