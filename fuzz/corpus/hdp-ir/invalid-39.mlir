func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xi8>, %b: tensor<1x1x4x4xi16>) {
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %b : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi16>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi16>
  return
}
