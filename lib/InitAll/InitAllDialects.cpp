//===- InitAllDialects.cpp - register every hdp dialect -------------------===//

#include "hdp/InitAllDialects.h"

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/Transforms/BufferizableOpInterfaceImpl.h"
#include "hdp/Dialect/HDP/Transforms/TilingInterfaceImpl.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void hdp::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<hdp::HDPDialect, hdp::accel_ir::AccelDialect>();
  hdp::registerBufferizableOpInterfaceExternalModels(registry);
  hdp::registerTilingInterfaceExternalModels(registry);
  hdp::registerCPUPipelineDependencies(registry);

  // === Transform dialect extension (issue 7) ===
  // The transform ops for hdp register here, so that every tool and plugin
  // that calls registerAllDialects gets them:
  //   hdp::registerTransformDialectExtension(registry);
  // (and link the library that defines it in lib/InitAll/CMakeLists.txt).
}
