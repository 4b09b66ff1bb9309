func.func @f(%t: tensor<1x2x4x3xi64>, %m: tensor<1x2x4x3xi32>, %b: tensor<1x2x4x3xi1>) {
  %0 = hdp.prune_mask config #hdp.config<importance = signed> ins(%t : tensor<1x2x4x3xi64>) magnitude(%m : tensor<1x2x4x3xi32>) outs(%b : tensor<1x2x4x3xi1>) -> tensor<1x2x4x3xi1>
  return
}
