func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x5xi8>) {
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a, %a : tensor<1x1x4x5xi8>, tensor<1x1x4x5xi8>) -> tensor<1x1x4x5xi8>, tensor<1x1x4x5xi8>
  return
}
