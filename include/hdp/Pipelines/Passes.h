//===- Passes.h - the steps of hdp-cpu-pipeline -----------------*- C++ -*-===//
//
// The passes hdp-cpu-pipeline runs besides upstream's and the hdp dialect's
// own (Passes.td; reference in docs/generated/HDPPipelinePasses.md).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_PIPELINES_PASSES_H
#define HDP_PIPELINES_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith {
class ArithDialect;
} // namespace arith
namespace linalg {
class LinalgDialect;
} // namespace linalg
namespace math {
class MathDialect;
} // namespace math
namespace scf {
class SCFDialect;
} // namespace scf
namespace vector {
class VectorDialect;
} // namespace vector
} // namespace mlir

namespace hdp {

#define GEN_PASS_DECL
#include "hdp/Pipelines/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hdp/Pipelines/Passes.h.inc"

} // namespace hdp

#endif // HDP_PIPELINES_PASSES_H
