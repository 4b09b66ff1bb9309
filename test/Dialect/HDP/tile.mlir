// RUN: hdp-opt --hdp-decompose --hdp-tile="tile-block-rows=4" --split-input-file %s | FileCheck %s
// RUN: hdp-opt --hdp-decompose --hdp-tile="tile-block-rows=4" --canonicalize --cse --split-input-file %s | FileCheck %s --check-prefix=CLEAN

// The floating-point pass becomes one loop nest over (batch, head, tiles of
// 4 block rows = 8 score rows), with approx_combine and masked_softmax fused
// into it; the integer pass stays outside.

// CHECK-LABEL: func.func @stages
// CHECK: hdp.block_score
// CHECK: hdp.prune_mask
// CHECK: hdp.head_mask
// CHECK-NOT: hdp.approx_combine
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}}
// CHECK: hdp.approx_combine {{.*}} -> tensor<1x1x?x12xf32>
// CHECK: hdp.masked_softmax {{.*}} -> tensor<1x1x?x12xf32>
// CHECK: hdp.sparse_pv {{.*}} -> tensor<1x1x?x3xf32>
// CHECK: tensor.insert_slice
// CHECK-NOT: hdp.masked_softmax
// CHECK-NOT: hdp.approx_combine

// After cleanup the f32 score and probability tiles are tile-sized
// allocations of their own, not slices of a whole score matrix.
// CLEAN-LABEL: func.func @stages
// CLEAN-NOT: tensor.empty() : tensor<2x3x13x12xf32>
// CLEAN: scf.for
// CLEAN: bufferization.alloc_tensor(%{{.*}}) : tensor<1x1x?x12xf32>
// CLEAN: hdp.approx_combine
func.func @stages(%q: tensor<2x3x13x4xf32>, %k: tensor<2x3x12x4xf32>, %v: tensor<2x3x12x3xf32>) -> tensor<2x3x13x3xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v : tensor<2x3x13x4xf32>, tensor<2x3x12x4xf32>, tensor<2x3x12x3xf32> -> tensor<2x3x13x3xf32>
  return %0 : tensor<2x3x13x3xf32>
}

// -----

// IR without stage ops on tensors, and stage ops on memrefs, are left alone.

// CHECK-LABEL: func.func @untouched
// CHECK-NOT: scf.for
// CHECK: arith.addf
// CHECK: hdp.sparse_pv ins({{.*}} : memref<1x1x4x4xf32>, memref<1x1x4x2xf32>, memref<1x1x2x2xi1>, memref<1x1xi1>) outs(%{{.*}} : memref<1x1x4x2xf32>)
// CHECK-NOT: scf.for
func.func @untouched(%x: f32, %p: memref<1x1x4x4xf32>, %v: memref<1x1x4x2xf32>, %bm: memref<1x1x2x2xi1>, %hm: memref<1x1xi1>, %o: memref<1x1x4x2xf32>) -> f32 {
  %0 = arith.addf %x, %x : f32
  hdp.sparse_pv ins(%p, %v, %bm, %hm : memref<1x1x4x4xf32>, memref<1x1x4x2xf32>, memref<1x1x2x2xi1>, memref<1x1xi1>) outs(%o : memref<1x1x4x2xf32>)
  return %0 : f32
}

// -----

// A tile's scratch stays its own even when a tensor of the same type exists
// before the loops (here the additive mask's, one tile covering all 8 rows):
// CSE must not merge the two, or bufferization would give every head, and
// so every thread, the mask's buffer for its probabilities.

// CHECK-LABEL: func.func @scratch_not_shared
// CLEAN-LABEL: func.func @scratch_not_shared
// CLEAN: %[[MASK:.*]] = tensor.empty() : tensor<1x1x8x8xf32>
// CLEAN: scf.for
// CLEAN-NOT: %[[MASK]]
// CLEAN: bufferization.alloc_tensor() : tensor<1x1x8x8xf32>
// CLEAN: hdp.approx_combine
// CLEAN-NOT: %[[MASK]]
// CLEAN: bufferization.alloc_tensor() : tensor<1x1x8x8xf32>
// CLEAN: hdp.masked_softmax
func.func @scratch_not_shared(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x4xf32>, %x: f32) -> tensor<1x2x8x4xf32> {
  %e = tensor.empty() : tensor<1x1x8x8xf32>
  %mask = linalg.fill ins(%x : f32) outs(%e : tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32>
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v mask %mask : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x1x8x8xf32> -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}
