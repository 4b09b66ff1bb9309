func.func @untouched(%x: f32, %p: memref<1x1x4x4xf32>, %v: memref<1x1x4x2xf32>, %bm: memref<1x1x2x2xi1>, %hm: memref<1x1xi1>, %o: memref<1x1x4x2xf32>) -> f32 {
  %0 = arith.addf %x, %x : f32
  hdp.sparse_pv ins(%p, %v, %bm, %hm : memref<1x1x4x4xf32>, memref<1x1x4x2xf32>, memref<1x1x2x2xi1>, memref<1x1xi1>) outs(%o : memref<1x1x4x2xf32>)
  return %0 : f32
}
