//===- InitAllPasses.h - register every hdp pass and pipeline ---*- C++ -*-===//

#ifndef HDP_INITALLPASSES_H
#define HDP_INITALLPASSES_H

namespace hdp {

/// Registers the hdp passes (hdp-raise-attention, hdp-decompose, hdp-tile,
/// hdp-lower-to-loops), the hdp_accel passes (hdp-lower-to-accel) and the
/// pipelines (hdp-cpu-pipeline) with MLIR's global pass registry, under the
/// names that `--pass-pipeline=` and the `--<pass-name>` flags use.
/// Idempotent: tools and plugins may both call it.
void registerAllPasses();

} // namespace hdp

#endif // HDP_INITALLPASSES_H
