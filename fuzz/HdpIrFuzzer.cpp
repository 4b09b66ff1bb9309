//===- HdpIrFuzzer.cpp - libFuzzer target for IR using the hdp dialect ----===//
//
// Feeds arbitrary text to what `hdp-opt` does first with a file: the
// bracket-depth scan, then MLIR's parser with the hdp dialect (and the func,
// arith, tensor and memref dialects its ops appear in), which runs every hdp
// custom parser (#hdp.config, hdp.attention and the stage ops) and verifier.
// Neither may crash or recurse without bound, whatever the text.
//
// Every accepted module must round-trip: its printed form (custom and
// generic) parses back, verifies and prints the same. A violation aborts (a
// "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Support/TextNesting.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "HdpIrFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

/// One context for many inputs, renewed now and then to bound what is
/// uniqued in it; diagnostics are dropped (errors are expected).
mlir::MLIRContext &fuzzContext() {
  static std::unique_ptr<mlir::MLIRContext> context;
  static std::unique_ptr<mlir::ScopedDiagnosticHandler> quiet;
  static unsigned uses = 0;
  if (!context || ++uses % 2048 == 0) {
    quiet.reset();
    mlir::DialectRegistry registry;
    registry.insert<hdp::HDPDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect, mlir::tensor::TensorDialect,
                    mlir::memref::MemRefDialect>();
    context = std::make_unique<mlir::MLIRContext>(
        registry, mlir::MLIRContext::Threading::DISABLED);
    context->loadAllAvailableDialects();
    quiet = std::make_unique<mlir::ScopedDiagnosticHandler>(
        context.get(), [](mlir::Diagnostic &) { return mlir::success(); });
  }
  return *context;
}

std::string print(mlir::ModuleOp module, bool generic) {
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  if (generic)
    flags.printGenericOpForm();
  module.print(os, flags);
  return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  if (llvm::Error e = hdp::checkIrNesting(text, "fuzz.mlir")) {
    llvm::consumeError(std::move(e));
    return 0;
  }
  mlir::MLIRContext &context = fuzzContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module)
    return 0;
  std::string custom = print(*module, /*generic=*/false);
  for (bool generic : {false, true}) {
    std::string printed = generic ? print(*module, true) : custom;
    mlir::OwningOpRef<mlir::ModuleOp> back =
        mlir::parseSourceString<mlir::ModuleOp>(printed, &context);
    if (!back)
      fail(generic ? "the generic form is rejected"
                   : "the printed module is rejected",
           printed);
    if (print(*back, false) != custom)
      fail("the printed module does not round-trip", printed);
  }
  return 0;
}
