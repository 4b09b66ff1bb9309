//===- ConfigText.h - #hdp.config from command-line text ---------*- C++
//-*-===//
//
// Tools take the configuration as the attribute's text, e.g.
// --config='#hdp.config<rho = 0.3>'. This parses and verifies it once, the
// same way for every tool.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_IR_CONFIGTEXT_H
#define HDP_DIALECT_HDP_IR_CONFIGTEXT_H

#include "hdp/Semantics/AttentionConfig.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace hdp {
/// Deepest nesting of brackets accepted in configuration text.
constexpr unsigned kMaxConfigNesting = 16;
/// Empty when `text` nests brackets at most kMaxConfigNesting deep, else
/// "column N: brackets nested deeper than ...". Checked before any MLIR
/// parser sees configuration text, whose recursion it bounds.
std::string configNestingProblem(llvm::StringRef text);
/// Parses `text` as `#hdp.config<...>`. Errors carry the parser's first
/// diagnostic with its column, e.g. "column 12: invalid #hdp.config: rho
/// must be in [-1, 1] (got 2)".
llvm::Expected<hdp::AttentionConfig> parseConfigText(llvm::StringRef text);
/// The same, in an existing context (which gets the hdp dialect loaded),
/// for callers that parse many texts.
llvm::Expected<hdp::AttentionConfig>
parseConfigText(llvm::StringRef text, mlir::MLIRContext &context);
} // namespace hdp

#endif // HDP_DIALECT_HDP_IR_CONFIGTEXT_H
