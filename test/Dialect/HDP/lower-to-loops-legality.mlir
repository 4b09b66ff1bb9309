// RUN: hdp-opt --hdp-lower-to-loops --split-input-file %s | FileCheck %s --implicit-check-not='{{hdp\.[a-z_]+ }}'

// hdp-lower-to-loops marks every hdp op illegal: after it no stage op is
// left, whether lowered alone, with its producer (fused scoring: block_score
// with prune_mask and head_mask; kept-block softmax) or nested in loops.
// Inputs that no pattern can lower (on tensors, hdp.attention) are refused
// up front; see lower-to-loops.mlir.

// A whole bufferized decomposition (as hdp-cpu-pipeline produces it): the
// block_score is lowered where head_mask stood and its θ buffer goes away.
// CHECK-LABEL: func.func @fused
// CHECK-NOT: memref<1x2x3x5xi64>
// CHECK: return
func.func @fused(%arg0: memref<1x2x6x8xf32>, %arg1: memref<1x2x10x8xf32>, %arg2: memref<1x2x10x4xf32>, %arg3: memref<1x1x1x10xf32>) -> (memref<1x2x6x4xf32>, memref<1x2x3x5xi1>, memref<1x2xi1>, memref<1x2xi64>) {
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<1x2x6x8xi8>
  %alloc_0 = memref.alloc() {alignment = 64 : i64} : memref<1x2x6x8xi8>
  hdp.split_quantize config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%arg0 : memref<1x2x6x8xf32>) outs(%alloc, %alloc_0 : memref<1x2x6x8xi8>, memref<1x2x6x8xi8>)
  %alloc_1 = memref.alloc() {alignment = 64 : i64} : memref<1x2x10x8xi8>
  %alloc_2 = memref.alloc() {alignment = 64 : i64} : memref<1x2x10x8xi8>
  hdp.split_quantize config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%arg1 : memref<1x2x10x8xf32>) outs(%alloc_1, %alloc_2 : memref<1x2x10x8xi8>, memref<1x2x10x8xi8>)
  %alloc_3 = memref.alloc() {alignment = 64 : i64} : memref<1x2x6x10xi32>
  %alloc_4 = memref.alloc() {alignment = 64 : i64} : memref<1x2x3x5xi64>
  hdp.block_score config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%alloc, %alloc_1 : memref<1x2x6x8xi8>, memref<1x2x10x8xi8>) mask(%arg3 : memref<1x1x1x10xf32>) outs(%alloc_3, %alloc_4 : memref<1x2x6x10xi32>, memref<1x2x3x5xi64>)
  %alloc_5 = memref.alloc() {alignment = 64 : i64} : memref<1x2x3x5xi1>
  hdp.prune_mask config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%alloc_4 : memref<1x2x3x5xi64>) outs(%alloc_5 : memref<1x2x3x5xi1>)
  %alloc_6 = memref.alloc() {alignment = 64 : i64} : memref<1x2xi1>
  %alloc_7 = memref.alloc() {alignment = 64 : i64} : memref<1x2xi64>
  hdp.head_mask config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%alloc_4 : memref<1x2x3x5xi64>) outs(%alloc_6, %alloc_7 : memref<1x2xi1>, memref<1x2xi64>)
  %alloc_8 = memref.alloc() {alignment = 64 : i64} : memref<1x2x6x10xf32>
  hdp.approx_combine config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%alloc, %alloc_0, %alloc_1, %alloc_2, %alloc_3, %alloc_5, %alloc_6 : memref<1x2x6x8xi8>, memref<1x2x6x8xi8>, memref<1x2x10x8xi8>, memref<1x2x10x8xi8>, memref<1x2x6x10xi32>, memref<1x2x3x5xi1>, memref<1x2xi1>) mask(%arg3 : memref<1x1x1x10xf32>) outs(%alloc_8 : memref<1x2x6x10xf32>)
  %alloc_9 = memref.alloc() {alignment = 64 : i64} : memref<1x2x6x10xf32>
  hdp.masked_softmax config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%alloc_8 : memref<1x2x6x10xf32>) outs(%alloc_9 : memref<1x2x6x10xf32>)
  %alloc_10 = memref.alloc() {alignment = 64 : i64} : memref<1x2x6x4xf32>
  hdp.sparse_pv config #hdp.config<rho = 0.3, tau_h = 0.5> ins(%alloc_9, %arg2, %alloc_5, %alloc_6 : memref<1x2x6x10xf32>, memref<1x2x10x4xf32>, memref<1x2x3x5xi1>, memref<1x2xi1>) outs(%alloc_10 : memref<1x2x6x4xf32>)
  memref.dealloc %alloc : memref<1x2x6x8xi8>
  memref.dealloc %alloc_0 : memref<1x2x6x8xi8>
  memref.dealloc %alloc_1 : memref<1x2x10x8xi8>
  memref.dealloc %alloc_2 : memref<1x2x10x8xi8>
  memref.dealloc %alloc_3 : memref<1x2x6x10xi32>
  memref.dealloc %alloc_4 : memref<1x2x3x5xi64>
  memref.dealloc %alloc_8 : memref<1x2x6x10xf32>
  memref.dealloc %alloc_9 : memref<1x2x6x10xf32>
  return %alloc_10, %alloc_5, %alloc_6, %alloc_7 : memref<1x2x6x4xf32>, memref<1x2x3x5xi1>, memref<1x2xi1>, memref<1x2xi64>
}

// -----

// θ comes from outside: prune_mask and head_mask are lowered on their own,
// inside a loop and a conditional.
// CHECK-LABEL: func.func @unfused_nested
// CHECK: scf.for
// CHECK: scf.if
// CHECK: memref.load %arg0
// CHECK: memref.store %{{.*}}, %arg1
// CHECK: memref.store %{{.*}}, %arg3
// CHECK: return
func.func @unfused_nested(%theta: memref<1x2x3x5xi64>, %blocks: memref<1x2x3x5xi1>,
                          %heads: memref<1x2xi1>, %thetaH: memref<1x2xi64>,
                          %n: index, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    scf.if %c {
      hdp.prune_mask config #hdp.config<rho = 0.3> ins(%theta : memref<1x2x3x5xi64>) outs(%blocks : memref<1x2x3x5xi1>)
      hdp.head_mask config #hdp.config<tau_h = 0.5> ins(%theta : memref<1x2x3x5xi64>) outs(%heads, %thetaH : memref<1x2xi1>, memref<1x2xi64>)
    }
  }
  return
}
