func.func @f(%qh: tensor<1x2x8x4xi8>, %kh: tensor<1x2x6x4xi8>, %s: tensor<1x2x8x6xi32>, %t: tensor<1x2x4x3xi64>, %m: tensor<1x2x4x2xi64>) {
  %0:3 = hdp.block_score config #hdp.config<importance = signed> ins(%qh, %kh : tensor<1x2x8x4xi8>, tensor<1x2x6x4xi8>) outs(%s, %t, %m : tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>, tensor<1x2x4x2xi64>) -> tensor<1x2x8x6xi32>, tensor<1x2x4x3xi64>, tensor<1x2x4x2xi64>
  return
}
