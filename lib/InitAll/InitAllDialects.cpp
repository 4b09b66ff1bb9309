//===- InitAllDialects.cpp - register every hdp dialect -------------------===//

#include "hdp/InitAllDialects.h"

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.h"
#include "hdp/Dialect/HDP/Transforms/BufferizableOpInterfaceImpl.h"
#include "hdp/Dialect/HDP/Transforms/TilingInterfaceImpl.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void hdp::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<hdp::HDPDialect, hdp::accel_ir::AccelDialect>();
  hdp::registerBufferizableOpInterfaceExternalModels(registry);
  hdp::registerTilingInterfaceExternalModels(registry);
  hdp::registerCPUPipelineDependencies(registry);

  // The transform.hdp.* ops, for --transform-interpreter scripts.
  hdp::registerTransformDialectExtension(registry);
}
