//===- GuidedSchedule.cpp - hdp-guided-schedule ---------------------------===//
//
// Worksharing loops without a schedule get schedule(guided) (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace hdp {
#define GEN_PASS_DEF_HDPGUIDEDSCHEDULE
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {
struct GuidedSchedulePass
    : hdp::impl::HDPGuidedScheduleBase<GuidedSchedulePass> {
  void runOnOperation() override {
    getOperation()->walk([](omp::WsloopOp loop) {
      if (!loop.getScheduleKind())
        loop.setScheduleKind(omp::ClauseScheduleKind::Guided);
    });
  }
};
} // namespace
