func.func @signed_importance(%q: tensor<1x2x4x4xf32>, %k: tensor<1x2x3x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = hdp.attention config #hdp.config<importance = signed> %q, %k, %k : tensor<1x2x4x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}
