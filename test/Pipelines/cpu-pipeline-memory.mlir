// RUN: hdp-opt --hdp-cpu-pipeline --split-input-file --mlir-print-ir-after=hdp-lower-to-loops %s -o /dev/null 2>&1 | FileCheck %s

// hdp-cpu-pipeline allocates no [B,H,N,M] buffer that nothing reads: S_int
// (block_score's first result) is never written (approx_combine recomputes
// Int·Int), θ exists one step of block rows at a time, and the scores and
// probabilities one tile of block rows (8 block rows × M) at a time. What is
// left: the split parts (the size of Q and K), K's per-head copies, the
// block mask and the requested outputs. N = 64, M = 48 here: the N×M shape
// is 1x2x64x48, the full θ 1x2x32x24xi64; a tile is 1x1x?x48.

// CHECK-LABEL: IR Dump After HDPLowerToLoops
// CHECK-NOT: memref.alloc{{.*}}1x2x64x48
// CHECK-NOT: memref.alloc{{.*}}1x2x32x24xi64
// CHECK: memref.alloc{{.*}} : memref<1x1x?x48xf32>
// CHECK-NOT: memref.alloc{{.*}}1x2x64x48
// CHECK-NOT: memref.alloc{{.*}}1x2x32x24xi64
// CHECK: return
func.func @plain(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x48x16xf32>, %v: tensor<1x2x48x16xf32>)
    -> (tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>, tensor<1x2xi1>, tensor<1x2xi64>) {
  %out, %blocks, %heads, %theta = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v
      : tensor<1x2x64x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x16xf32>
      -> tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>, tensor<1x2xi1>, tensor<1x2xi64>
  return %out, %blocks, %heads, %theta : tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>, tensor<1x2xi1>, tensor<1x2xi64>
}

// -----

// With a padding mask (the scalar integer path) and head pruning.
// CHECK-LABEL: IR Dump After HDPLowerToLoops
// CHECK-NOT: memref.alloc{{.*}}1x2x64x48
// CHECK-NOT: memref.alloc{{.*}}1x2x32x24xi64
// CHECK: memref.alloc{{.*}} : memref<1x1x?x48xf32>
// CHECK-NOT: memref.alloc{{.*}}1x2x64x48
// CHECK-NOT: memref.alloc{{.*}}1x2x32x24xi64
// CHECK: return
func.func @masked(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x48x16xf32>, %v: tensor<1x2x48x16xf32>, %mask: tensor<1x1x1x48xf32>)
    -> tensor<1x2x64x16xf32> {
  %out = hdp.attention config #hdp.config<rho = 0.3, tau_h = 0.5> %q, %k, %v mask %mask
      : tensor<1x2x64x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x16xf32>, tensor<1x1x1x48xf32>
      -> tensor<1x2x64x16xf32>
  return %out : tensor<1x2x64x16xf32>
}

// -----

// Signed ranking: the block magnitudes are fused too.
// CHECK-LABEL: IR Dump After HDPLowerToLoops
// CHECK-NOT: memref.alloc{{.*}}1x2x64x48
// CHECK-NOT: memref.alloc{{.*}}1x2x32x24xi64
// CHECK: memref.alloc{{.*}} : memref<1x1x?x48xf32>
// CHECK-NOT: memref.alloc{{.*}}1x2x64x48
// CHECK-NOT: memref.alloc{{.*}}1x2x32x24xi64
// CHECK: return
func.func @signed(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x48x16xf32>, %v: tensor<1x2x48x16xf32>)
    -> (tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>) {
  %out, %blocks = hdp.attention config #hdp.config<rho = 0.3, importance = signed> %q, %k, %v
      : tensor<1x2x64x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x16xf32>
      -> tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>
  return %out, %blocks : tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>
}
