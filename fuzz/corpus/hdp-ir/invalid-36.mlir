func.func @f(%x: tensor<1x1x4x4xf32>, %a: tensor<1x1x4x4xi8>) {
  %0 = hdp.split_quantize ins(%x : tensor<1x1x4x4xf32>) outs(%a : tensor<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>
  return
}
