func.func @f(%x: vector<4xf32>, %a: tensor<4xi8>) {
  %0:2 = hdp.split_quantize ins(%x : vector<4xf32>) outs(%a, %a : tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>, tensor<4xi8>
  return
}
