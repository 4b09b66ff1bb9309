//===- Passes.h - hdp_accel passes ------------------------------*- C++ -*-===//

#ifndef HDP_DIALECT_ACCEL_TRANSFORMS_PASSES_H
#define HDP_DIALECT_ACCEL_TRANSFORMS_PASSES_H

#include "hdp/Dialect/Accel/IR/Accel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace hdp {

#define GEN_PASS_DECL
#include "hdp/Dialect/Accel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "hdp/Dialect/Accel/Transforms/Passes.h.inc"

} // namespace hdp

#endif // HDP_DIALECT_ACCEL_TRANSFORMS_PASSES_H
