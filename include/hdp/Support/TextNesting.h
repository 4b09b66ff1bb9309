//===- TextNesting.h - Bracket depth of MLIR text, before it is parsed ----===//
//
// MLIR's parser (and the printer and verifier after it) recurses once per
// nested region, attribute, type or operand list, so text nested a few
// thousand levels deep exhausts the stack. hdp measures the depth of every
// MLIR text it parses first, with this scan, and refuses what is deeper than
// a documented bound (docs/limits.md).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SUPPORT_TEXTNESTING_H
#define HDP_SUPPORT_TEXTNESTING_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <optional>

namespace hdp {

/// Deepest bracket nesting hdp parses in a file of MLIR text (modules,
/// transform scripts, hdp_accel programs). Real IR nests a few ten levels;
/// 256 (127 nested regions: each `"op"() ({` opens two) take well under 1 MB
/// of the parser's stack.
inline constexpr unsigned kMaxIrNesting = 256;

/// Offset of the first opening bracket (`(`, `[`, `{`, `<`) that is nested
/// deeper than `maxDepth`, or nullopt. String literals and `//` comments are
/// skipped; the `>` of `->` and `>=` closes nothing. The scan never counts
/// less than the parser's depth: an unmatched closing bracket never lowers
/// the depth below zero.
std::optional<size_t> findNestingBeyond(llvm::StringRef text,
                                        unsigned maxDepth);

/// Success, or "NAME:LINE:COL: brackets nested deeper than kMaxIrNesting
/// levels ..." for the first bracket beyond the bound. Binary MLIR bytecode
/// (starting with "ML\xefR") is not text and is not scanned.
llvm::Error checkIrNesting(llvm::StringRef text, llvm::StringRef name);

} // namespace hdp

#endif // HDP_SUPPORT_TEXTNESTING_H
