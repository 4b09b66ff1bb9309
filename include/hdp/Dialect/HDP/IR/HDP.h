//===- HDP.h - The hdp dialect, attributes and ops --------------*- C++ -*-===//
//
// Include this to use the hdp dialect.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_IR_HDP_H
#define HDP_DIALECT_HDP_IR_HDP_H

#include "hdp/Semantics/AttentionConfig.h"
#include "hdp/Semantics/Masking.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/APFloat.h"

#include <optional>

#include "hdp/Dialect/HDP/IR/HDPDialect.h.inc"
#include "hdp/Dialect/HDP/IR/HDPEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "hdp/Dialect/HDP/IR/HDPAttrs.h.inc"

#include "hdp/Dialect/HDP/IR/HDPInterfaces.h.inc"

#define GET_OP_CLASSES
#include "hdp/Dialect/HDP/IR/HDPOps.h.inc"

#endif // HDP_DIALECT_HDP_IR_HDP_H
