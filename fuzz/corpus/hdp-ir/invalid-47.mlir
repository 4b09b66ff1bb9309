func.func @f(%qh: tensor<1x2x8x4096xi16>, %kh: tensor<1x2x6x4096xi16>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>) {
  %0:2 = hdp.block_score config #hdp.config<int_bits = 12> ins(%qh, %kh : tensor<1x2x8x4096xi16>, tensor<1x2x6x4096xi16>) outs(%s, %t : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>
  return
}
