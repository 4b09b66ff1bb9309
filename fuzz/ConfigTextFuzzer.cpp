//===- ConfigTextFuzzer.cpp - libFuzzer target for #hdp.config text -------===//
//
// Feeds arbitrary text to hdp::parseConfigText, the parser every tool, the
// C API and Python use for --config (it runs MLIR's attribute parser, the
// #hdp.config parser and verifier). It must never crash or recurse without
// bound, whatever the text; it either returns a configuration or an error.
//
// Every accepted configuration must be valid and must round-trip: the
// attribute printed from it parses back to the same configuration. A
// violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

using namespace hdp;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "ConfigTextFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

bool same(const AttentionConfig &a, const AttentionConfig &b) {
  auto bits = [](double d) {
    uint64_t u;
    std::memcpy(&u, &d, sizeof(u));
    return u;
  };
  return a.intBits == b.intBits && a.fracBits == b.fracBits &&
         a.shift == b.shift && a.blockRows == b.blockRows &&
         a.blockCols == b.blockCols && bits(a.rho) == bits(b.rho) &&
         bits(a.tauH) == bits(b.tauH) && a.policy == b.policy &&
         a.importance == b.importance && a.topk == b.topk &&
         a.approx == b.approx && a.softmax == b.softmax &&
         a.scale.has_value() == b.scale.has_value() &&
         (!a.scale || bits(*a.scale) == bits(*b.scale));
}

/// Where texts are parsed and configurations printed: one context for many
/// inputs (creating one per input would dominate the time). Attributes are
/// uniqued in it for its lifetime, so it is renewed now and then to bound
/// its memory.
mlir::MLIRContext &fuzzContext() {
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 4096 == 0) {
    context = std::make_unique<mlir::MLIRContext>(
        mlir::MLIRContext::Threading::DISABLED);
    context->loadDialect<HDPDialect>();
  }
  return *context;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  mlir::MLIRContext &context = fuzzContext();
  llvm::Expected<AttentionConfig> config = parseConfigText(text, context);
  if (!config) {
    std::string message = llvm::toString(config.takeError());
    if (message.empty())
      fail("empty error message");
    return 0;
  }
  if (std::string why = config->validate(); !why.empty())
    fail("parseConfigText accepted an invalid configuration", why);

  std::string printed;
  llvm::raw_string_ostream os(printed);
  mlir::Attribute attr = ConfigAttr::fromReference(&context, *config);
  attr.print(os);
  os.flush();
  llvm::Expected<AttentionConfig> back = parseConfigText(printed, context);
  if (!back)
    fail("the printed configuration is rejected",
         llvm::toString(back.takeError()) + "\n" + printed);
  if (!same(*config, *back))
    fail("the printed configuration does not round-trip", printed);
  return 0;
}
