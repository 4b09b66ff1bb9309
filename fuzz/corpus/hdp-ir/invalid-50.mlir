func.func @f(%t: tensor<1x2x4x3xi64>, %b: tensor<1x2x4x3xi8>) {
  %0 = hdp.prune_mask ins(%t : tensor<1x2x4x3xi64>) outs(%b : tensor<1x2x4x3xi8>) -> tensor<1x2x4x3xi8>
  return
}
