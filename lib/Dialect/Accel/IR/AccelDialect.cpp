//===- AccelDialect.cpp - The hdp_accel dialect ---------------------------===//

#include "hdp/Dialect/Accel/IR/Accel.h"

using namespace mlir;
using namespace hdp::accel_ir;

#include "hdp/Dialect/Accel/IR/AccelDialect.cpp.inc"
#include "hdp/Dialect/Accel/IR/AccelEnums.cpp.inc"

void AccelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "hdp/Dialect/Accel/IR/AccelOps.cpp.inc"
      >();
  registerAttributes();
}
