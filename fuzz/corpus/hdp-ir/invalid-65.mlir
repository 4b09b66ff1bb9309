func.func @f(%p: tensor<1x2x8x6xf32>, %v: tensor<1x2x6x3xf32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x3xf32>, %o2: tensor<1x2x8x4xf32>) {
  %0 = hdp.sparse_pv ins(%p, %v, %bm, %hm : tensor<1x2x8x6xf32>, tensor<1x2x6x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>) outs(%o2 : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
  return
}
