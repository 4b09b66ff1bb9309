func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x5xf32>, %v: tensor<1x2x6x3xf32>) {
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x5xf32>, tensor<1x2x6x3xf32> -> tensor<1x2x8x3xf32>
  return
}
