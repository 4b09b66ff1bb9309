func.func @f(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x3xf32>, %m: tensor<8x6xi1>) {
  %0 = hdp.attention %q, %k, %v mask %m : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>, tensor<8x6xi1> -> tensor<1x2x8x3xf32>
  return
}
