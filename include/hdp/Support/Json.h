//===- Json.h - JSON documents with file-and-position errors ----*- C++ -*-===//
//
// hdp reads JSON (accelerator configurations, a model's config.json, the
// header of a safetensors file) with nlohmann-json. readJson turns nlohmann's
// exceptions into one error that names the file, the line and the column, so
// no caller needs a try block. It refuses arrays and objects nested deeper
// than a limit (nlohmann's printer and comparisons recurse once per level)
// and, unless the format says otherwise, a key repeated within one object
// (nlohmann keeps the last one silently). docs/limits.md.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SUPPORT_JSON_H
#define HDP_SUPPORT_JSON_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace hdp {

/// Deepest nesting of JSON arrays and objects accepted by default.
constexpr unsigned kMaxJsonDepth = 16;

/// What a JSON format accepts beyond the syntax.
struct JsonLimits {
  /// Deepest nesting of arrays and objects.
  unsigned maxDepth = kMaxJsonDepth;
  /// How deep the format itself nests, e.g. "the configuration has 2":
  /// appended in parentheses to the message about too deep a nesting.
  std::string formatNesting;
  /// Whether a key repeated within one object is an error; if not, the last
  /// one wins.
  bool rejectDuplicateKeys = true;
};

/// Parses `text`, the content of the file `name`. Errors read
///   "<name>: invalid JSON at line L, column C: <what>"   (syntax, nesting)
///   "<name>: invalid JSON: <what>"                        (e.g. 1E400)
///   "<name>: duplicate key '<section>.<key>'"    (array levels not named)
llvm::Expected<nlohmann::json> readJson(llvm::StringRef text,
                                        llvm::StringRef name,
                                        const JsonLimits &limits = {});

} // namespace hdp

#endif // HDP_SUPPORT_JSON_H
