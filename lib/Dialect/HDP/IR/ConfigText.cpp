//===- ConfigText.cpp - #hdp.config from command-line text ----------------===//

#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Support/TextNesting.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

std::string hdp::configNestingProblem(llvm::StringRef text) {
  // MLIR's attribute parser recurses once per bracket, so deep nesting would
  // exhaust the stack; a configuration nests 2 levels (docs/limits.md).
  std::optional<size_t> at = findNestingBeyond(text, kMaxConfigNesting);
  if (!at)
    return "";
  return ("column " + llvm::Twine(*at + 1) + ": brackets nested deeper than " +
          llvm::Twine(kMaxConfigNesting) +
          " levels (#hdp.config<block = [2, 2]> has 2)")
      .str();
}

llvm::Expected<hdp::AttentionConfig>
hdp::parseConfigText(llvm::StringRef text) {
  MLIRContext ctx(MLIRContext::Threading::DISABLED);
  return parseConfigText(text, ctx);
}

llvm::Expected<hdp::AttentionConfig> hdp::parseConfigText(llvm::StringRef text,
                                                          MLIRContext &ctx) {
  auto fail = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  if (text.trim().empty())
    return fail("expected #hdp.config<...>, got an empty string");
  if (std::string problem = configNestingProblem(text); !problem.empty())
    return fail(problem);
  ctx.loadDialect<HDPDialect>();
  std::string error;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    if (!error.empty() || diag.getSeverity() != DiagnosticSeverity::Error)
      return success();
    auto loc = dyn_cast<FileLineColLoc>(diag.getLocation());
    if (loc && loc.getColumn() > 0)
      error = ("column " + llvm::Twine(loc.getColumn()) + ": ").str();
    error += diag.str();
    return success();
  });
  Attribute attr = parseAttribute(text, &ctx);
  if (!attr)
    return fail(error.empty()
                    ? "expected an attribute such as #hdp.config<rho = 0.3>"
                    : error);
  auto config = dyn_cast<ConfigAttr>(attr);
  if (!config)
    return fail("expected #hdp.config<...>, got " + text);
  hdp::AttentionConfig result = config.toReference();
  // The attribute verifier ran validate(); this guards the reference's
  // preconditions should the two ever drift apart.
  if (std::string e = result.validate(); !e.empty())
    return fail(e);
  return result;
}
