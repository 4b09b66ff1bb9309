func.func @stages(%q: tensor<2x3x13x4xf32>, %k: tensor<2x3x12x4xf32>, %v: tensor<2x3x12x3xf32>) -> tensor<2x3x13x3xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v : tensor<2x3x13x4xf32>, tensor<2x3x12x4xf32>, tensor<2x3x12x3xf32> -> tensor<2x3x13x3xf32>
  return %0 : tensor<2x3x13x3xf32>
}
