//===- InitAllPasses.cpp - register every hdp pass and pipeline -----------===//

#include "hdp/InitAllPasses.h"

#include "hdp/Dialect/Accel/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Pipelines/Pipelines.h"

void hdp::registerAllPasses() {
  // A tool may call this and also load hdp's pass plugin (or two plugins may
  // both call it); registering a pipeline name twice is a fatal error in
  // assertion-enabled MLIR builds, so register once per process.
  static const bool registered = [] {
    hdp::registerHDPPasses();
    hdp::registerHDPAccelPasses();
    hdp::registerPipelines();
    return true;
  }();
  (void)registered;
}
