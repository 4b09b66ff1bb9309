func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<4x4xi8>) {
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<4x4xi8>, tensor<4x4xi8>) -> tensor<4x4xi8>, tensor<4x4xi8>
  return
}
