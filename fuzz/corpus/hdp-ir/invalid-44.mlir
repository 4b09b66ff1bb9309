func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi16>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>) {
  %0:2 = hdp.block_score ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi16>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}
