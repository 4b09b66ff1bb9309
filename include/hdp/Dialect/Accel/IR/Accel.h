//===- Accel.h - The hdp_accel dialect, attributes and ops ------*- C++ -*-===//
//
// Include this to use the hdp_accel dialect. ProgramConversion.h converts
// between hdp_accel.program and hdp::accel::Program.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_ACCEL_IR_ACCEL_H
#define HDP_DIALECT_ACCEL_IR_ACCEL_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "hdp/Dialect/Accel/IR/AccelDialect.h.inc"
#include "hdp/Dialect/Accel/IR/AccelEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "hdp/Dialect/Accel/IR/AccelAttrs.h.inc"

#define GET_OP_CLASSES
#include "hdp/Dialect/Accel/IR/AccelOps.h.inc"

#endif // HDP_DIALECT_ACCEL_IR_ACCEL_H
