//===- Passes.h - hdp passes ------------------------------------*- C++ -*-===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_PASSES_H
#define HDP_DIALECT_HDP_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace affine {
class AffineDialect;
} // namespace affine
namespace func {
class FuncOp;
} // namespace func
namespace arith {
class ArithDialect;
} // namespace arith
namespace math {
class MathDialect;
} // namespace math
namespace memref {
class MemRefDialect;
} // namespace memref
namespace scf {
class SCFDialect;
} // namespace scf
namespace tensor {
class TensorDialect;
} // namespace tensor
namespace vector {
class VectorDialect;
} // namespace vector
} // namespace mlir

namespace hdp {

#define GEN_PASS_DECL
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"

} // namespace hdp

#endif // HDP_DIALECT_HDP_TRANSFORMS_PASSES_H
