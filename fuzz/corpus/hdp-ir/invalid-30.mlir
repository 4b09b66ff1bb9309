func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>) {
  %0:2 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>, tensor<1x2x4x2xi1>
  return
}
