//===- JsonText.cpp - The JSON of model files -----------------------------===//
//
// See JsonText.h.
//
//===----------------------------------------------------------------------===//

#include "JsonText.h"

using namespace llvm;
using json = nlohmann::json;

namespace hdp::model::detail {

Expected<json> parseJsonText(StringRef text, StringRef name) {
  // A repeated key is refused: a tensor named twice would otherwise lose one
  // of its definitions, silently (docs/limits.md).
  return readJson(text, name);
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
