//===- JsonText.h - JSON parsing with file-and-position errors --*- C++ -*-===//
//
// hdp's model files carry JSON (config.json, the safetensors header). This
// parses it with nlohmann-json and turns its exceptions into one error that
// names the file and the line and column, so no caller needs a try block.
// Internal to HDPModel: compiled with exceptions on (nlohmann reports with
// them), while the rest of the library is not.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_JSONTEXT_H
#define HDP_MODEL_JSONTEXT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace hdp::model::detail {

/// Parses `text`; errors read "<name>: invalid JSON at line L, column C: ...".
/// Arrays and objects nested deeper than 16 levels and keys repeated in one
/// object are refused ("<name>: duplicate key 'a.b'") before parsing.
llvm::Expected<nlohmann::json> parseJsonText(llvm::StringRef text,
                                             llvm::StringRef name);

/// "a string", "an array", ... for messages about the wrong kind of value.
std::string describeJson(const nlohmann::json &value);

/// `value` as an int64 when it is an integer in [lo, hi]; otherwise false.
bool jsonInteger(const nlohmann::json &value, int64_t lo, int64_t hi,
                 int64_t &out);

} // namespace hdp::model::detail

#endif // HDP_MODEL_JSONTEXT_H
