//===- JsonLimits.h - Nesting and duplicate keys of JSON text ----*- C++
//-*-===//
//
// hdp reads JSON written by others (model configurations, safetensors
// headers). nlohmann-json parses any depth without recursion, but its
// printer recurses once per level and it keeps the last of duplicate keys
// silently. findJsonLimitViolation is a first pass over the text (the SAX
// interface: no document is built) that finds the first container nested
// deeper than a bound and the first key repeated within one object, so
// that a reader can refuse both before it parses. Syntax errors are left to
// the parse that follows, which stops at the same byte.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SUPPORT_JSONLIMITS_H
#define HDP_SUPPORT_JSONLIMITS_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>

namespace hdp {

struct JsonLimitViolation {
  /// "arrays and objects nested deeper than 16 levels" or
  /// "duplicate key 'section.key'" (array levels are not named).
  std::string message;
  /// 1-based line and column of the bracket that is too deep (none for a
  /// duplicate key, which the message names).
  std::optional<std::pair<unsigned, unsigned>> position;
};

/// The first violation in `text`, or none.
std::optional<JsonLimitViolation> findJsonLimitViolation(llvm::StringRef text,
                                                         unsigned maxDepth);

/// 1-based line and column of byte `offset` of `text`.
std::pair<unsigned, unsigned> lineColumnOf(llvm::StringRef text, size_t offset);

} // namespace hdp

#endif // HDP_SUPPORT_JSONLIMITS_H
