//===- JsonText.h - The JSON of model files ---------------------*- C++ -*-===//
//
// hdp's model files carry JSON (config.json, the safetensors header), read
// with hdp/Support/Json.h, and these helpers say what is wrong with a value.
// Internal to HDPModel: its JSON files are compiled with exceptions on
// (nlohmann reports with them), while the rest of the library is not.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_JSONTEXT_H
#define HDP_MODEL_JSONTEXT_H

#include "hdp/Support/Json.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace hdp::model::detail {

/// Parses `text` (hdp/Support/Json.h); errors read "<name>: invalid JSON at
/// line L, column C: ...". Arrays and objects nested deeper than
/// kMaxJsonDepth levels and keys repeated in one object are refused
/// ("<name>: duplicate key 'a.b'").
llvm::Expected<nlohmann::json> parseJsonText(llvm::StringRef text,
                                             llvm::StringRef name);

/// "a string", "an array", ... for messages about the wrong kind of value.
std::string describeJson(const nlohmann::json &value);

/// `value` as an int64 when it is an integer in [lo, hi]; otherwise false.
bool jsonInteger(const nlohmann::json &value, int64_t lo, int64_t hi,
                 int64_t &out);

} // namespace hdp::model::detail

#endif // HDP_MODEL_JSONTEXT_H
