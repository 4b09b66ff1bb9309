func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %bm: tensor<1x2x4x3xi1>, %hm: tensor<1x2xi1>, %o: tensor<1x2x8x6xf32>, %bm2: tensor<1x2x4x2xi1>) {
  %0 = hdp.approx_combine ins(%qh, %qh, %kh, %kh, %s, %bm2, %hm : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x6x4xi8>, tensor<1x2x8x6xi32>, tensor<1x2x4x2xi1>, tensor<1x2xi1>) outs(%o : tensor<1x2x8x6xf32>) -> tensor<1x2x8x6xf32>
  return
}
