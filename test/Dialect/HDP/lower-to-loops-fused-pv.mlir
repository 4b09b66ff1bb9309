// RUN: hdp-opt --hdp-lower-to-loops --split-input-file %s | FileCheck %s --implicit-check-not='{{hdp\.[a-z_]+ }}'

// A masked_softmax of approx_combine's scores whose P only a sparse_pv with
// the same masks reads (its block mask may be another view of the same
// blocks) is lowered with it, at the sparse_pv, per block row: one
// list of kept blocks for both, P·V reads the packed softmax rows, and the
// sparse_pv's own lowering (a second list) does not exist.
// CHECK-LABEL: func.func @fused_pv
// CHECK: %[[OUTV:.*]] = memref.subview %arg8
// CHECK: %[[LIST:.*]] = memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK: %[[PACKED:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NOT: memref.alloc({{.*}}) : memref<?xi32>
// CHECK: memref.load %[[LIST]]
// CHECK: vector.load %arg7{{.*}} : memref<1x1x8x4xf32>, vector<4xf32>
// CHECK: memref.load %[[PACKED]]
// CHECK: vector.store %{{.*}}, %[[OUTV]]{{.*}} : memref<1x1x8x4xf32, strided<[32, 32, 4, 1]>>, vector<4xf32>
// CHECK-NOT: memref.alloc({{.*}}) : memref<?xi32>
// CHECK: return
func.func @fused_pv(%qh: memref<1x1x8x8xi8>, %ql: memref<1x1x8x8xi8>, %kh: memref<1x1x8x8xi8>, %kl: memref<1x1x8x8xi8>, %s: memref<1x1x8x8xi32>, %bm: memref<1x1x8x4xi1>, %hm: memref<1x1xi1>, %v: memref<1x1x8x4xf32>, %out: memref<1x1x8x4xf32>) {
  %bmA = memref.subview %bm[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : memref<1x1x8x4xi1> to memref<1x1x4x4xi1, strided<[32, 32, 4, 1]>>
  %bmB = memref.subview %bm[0, 0, 0, 0] [1, 1, 4, 4] [1, 1, 1, 1] : memref<1x1x8x4xi1> to memref<1x1x4x4xi1, strided<[32, 32, 4, 1]>>
  %scores = memref.alloc() : memref<1x1x8x8xf32>
  hdp.approx_combine config #hdp.config<rho = 0.3> ins(%qh, %ql, %kh, %kl, %s, %bmA, %hm : memref<1x1x8x8xi8>, memref<1x1x8x8xi8>, memref<1x1x8x8xi8>, memref<1x1x8x8xi8>, memref<1x1x8x8xi32>, memref<1x1x4x4xi1, strided<[32, 32, 4, 1]>>, memref<1x1xi1>) outs(%scores : memref<1x1x8x8xf32>)
  %p = memref.alloc() : memref<1x1x8x8xf32>
  hdp.masked_softmax config #hdp.config<rho = 0.3> ins(%scores : memref<1x1x8x8xf32>) outs(%p : memref<1x1x8x8xf32>)
  %outView = memref.subview %out[0, 0, 0, 0] [1, 1, 8, 4] [1, 1, 1, 1] : memref<1x1x8x4xf32> to memref<1x1x8x4xf32, strided<[32, 32, 4, 1]>>
  hdp.sparse_pv config #hdp.config<rho = 0.3> ins(%p, %v, %bmB, %hm : memref<1x1x8x8xf32>, memref<1x1x8x4xf32>, memref<1x1x4x4xi1, strided<[32, 32, 4, 1]>>, memref<1x1xi1>) outs(%outView : memref<1x1x8x4xf32, strided<[32, 32, 4, 1]>>)
  memref.dealloc %scores : memref<1x1x8x8xf32>
  memref.dealloc %p : memref<1x1x8x8xf32>
  return
}

// -----

// P is also copied out: the softmax writes it whole (pruned entries 0) and
// the sparse_pv is lowered on its own, with its own list.
// CHECK-LABEL: func.func @p_read_elsewhere
// CHECK: memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK: memref.copy
// CHECK: memref.alloc(%{{.*}}) : memref<?xi32>
// CHECK: return
func.func @p_read_elsewhere(%qh: memref<1x1x8x8xi8>, %ql: memref<1x1x8x8xi8>, %kh: memref<1x1x8x8xi8>, %kl: memref<1x1x8x8xi8>, %s: memref<1x1x8x8xi32>, %bm: memref<1x1x4x4xi1>, %hm: memref<1x1xi1>, %v: memref<1x1x8x4xf32>, %out: memref<1x1x8x4xf32>, %pOut: memref<1x1x8x8xf32>) {
  %scores = memref.alloc() : memref<1x1x8x8xf32>
  hdp.approx_combine config #hdp.config<rho = 0.3> ins(%qh, %ql, %kh, %kl, %s, %bm, %hm : memref<1x1x8x8xi8>, memref<1x1x8x8xi8>, memref<1x1x8x8xi8>, memref<1x1x8x8xi8>, memref<1x1x8x8xi32>, memref<1x1x4x4xi1>, memref<1x1xi1>) outs(%scores : memref<1x1x8x8xf32>)
  %p = memref.alloc() : memref<1x1x8x8xf32>
  hdp.masked_softmax config #hdp.config<rho = 0.3> ins(%scores : memref<1x1x8x8xf32>) outs(%p : memref<1x1x8x8xf32>)
  memref.copy %p, %pOut : memref<1x1x8x8xf32> to memref<1x1x8x8xf32>
  hdp.sparse_pv config #hdp.config<rho = 0.3> ins(%p, %v, %bm, %hm : memref<1x1x8x8xf32>, memref<1x1x8x4xf32>, memref<1x1x4x4xi1>, memref<1x1xi1>) outs(%out : memref<1x1x8x4xf32>)
  memref.dealloc %scores : memref<1x1x8x8xf32>
  memref.dealloc %p : memref<1x1x8x8xf32>
  return
}
