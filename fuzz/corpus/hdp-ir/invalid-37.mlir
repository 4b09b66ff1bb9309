func.func @f(%x: tensor<1x1x4x4xf64>, %a: tensor<1x1x4x4xi8>) {
  %0:2 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf64>) outs(%a, %a : tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  return
}
