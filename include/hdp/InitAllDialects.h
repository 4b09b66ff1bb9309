//===- InitAllDialects.h - register every hdp dialect -----------*- C++ -*-===//
//
// The one call a tool embedding hdp needs to parse, print and compile hdp IR.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_INITALLDIALECTS_H
#define HDP_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hdp {

/// Adds to `registry`:
///  * the `hdp` and `hdp_accel` dialects;
///  * hdp's external interface models (BufferizableOpInterface and
///    TilingInterface of the stage ops);
///  * the upstream dialects and interface models that hdp's passes and
///    `hdp-cpu-pipeline` create or rely on (see
///    registerCPUPipelineDependencies), so that a tool which registers only
///    hdp can still run the whole pipeline down to the LLVM dialect.
/// Safe to combine with mlir::registerAllDialects/registerAllExtensions:
/// registering a dialect or an extension twice has no effect.
void registerAllDialects(mlir::DialectRegistry &registry);

} // namespace hdp

#endif // HDP_INITALLDIALECTS_H
