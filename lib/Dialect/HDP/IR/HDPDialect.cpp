//===- HDPDialect.cpp - The hdp dialect -----------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"

using namespace mlir;
using namespace hdp;

#include "hdp/Dialect/HDP/IR/HDPDialect.cpp.inc"
#include "hdp/Dialect/HDP/IR/HDPEnums.cpp.inc"

void HDPDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "hdp/Dialect/HDP/IR/HDPOps.cpp.inc"
      >();
}
