func.func @static_with_mask(%q: tensor<1x2x7x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x3xf32>, %m: tensor<1x1x1x5xf32>)
    -> (tensor<1x2x7x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>) {
  %0:4 = hdp.attention config #hdp.config<rho = 0.5> %q, %k, %v mask %m
      : tensor<1x2x7x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x3xf32>, tensor<1x1x1x5xf32>
      -> tensor<1x2x7x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>
  return %0#0, %0#1, %0#2, %0#3 : tensor<1x2x7x3xf32>, tensor<1x2x4x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>
}
