//===- Patterns.h - hdp stage ops on memrefs → scf loops --------*- C++ -*-===//
//
// One rewrite pattern per hdp stage op, each in its own file. Every pattern
// lowers a stage op on memrefs into scf.for nests that compute
// docs/semantics.md exactly, reading from a FusionAnalysis which stages are
// lowered together.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PATTERNS_H
#define HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PATTERNS_H

#include "FusionAnalysis.h"
#include "KernelBuilder.h"

#include "mlir/IR/PatternMatch.h"

namespace hdp::loops {

void populateSplitQuantizeLowering(mlir::RewritePatternSet &patterns);
void populateBlockScoreLowering(mlir::RewritePatternSet &patterns,
                                const FusionAnalysis &fusion,
                                IntKernels kernels);
void populatePruneMaskLowering(mlir::RewritePatternSet &patterns,
                               const FusionAnalysis &fusion);
void populateHeadMaskLowering(mlir::RewritePatternSet &patterns,
                              const FusionAnalysis &fusion);
void populateApproxCombineLowering(mlir::RewritePatternSet &patterns,
                                   IntKernels kernels);
void populateMaskedSoftmaxLowering(mlir::RewritePatternSet &patterns,
                                   const FusionAnalysis &fusion,
                                   IntKernels kernels);
void populateSparsePVLowering(mlir::RewritePatternSet &patterns,
                              const FusionAnalysis &fusion, IntKernels kernels);

/// All of the above: every hdp stage op on memrefs has a pattern. `fusion`
/// must outlive the patterns.
void populateHDPToLoopsPatterns(mlir::RewritePatternSet &patterns,
                                const FusionAnalysis &fusion,
                                IntKernels kernels = IntKernels::Generic);

} // namespace hdp::loops

#endif // HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_PATTERNS_H
