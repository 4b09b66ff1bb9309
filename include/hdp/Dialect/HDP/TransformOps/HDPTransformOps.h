//===- HDPTransformOps.h - transform.hdp.* ops ------------------*- C++ -*-===//
//
// The hdp extension of the transform dialect. Register it with
// hdp::registerTransformDialectExtension before parsing a script that uses
// transform.hdp.* ops.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_TRANSFORMOPS_HDPTRANSFORMOPS_H
#define HDP_DIALECT_HDP_TRANSFORMOPS_HDPTRANSFORMOPS_H

#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/IR/TransformTypes.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/IR/OpImplementation.h"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hdp {
/// Adds the transform.hdp.* ops to the transform dialect when it loads (and
/// makes sure the hdp dialect and what the ops create are loaded then too).
void registerTransformDialectExtension(mlir::DialectRegistry &registry);
} // namespace hdp

#define GET_OP_CLASSES
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.h.inc"

#endif // HDP_DIALECT_HDP_TRANSFORMOPS_HDPTRANSFORMOPS_H
