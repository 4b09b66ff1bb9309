func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xf32>) {
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
  return
}
