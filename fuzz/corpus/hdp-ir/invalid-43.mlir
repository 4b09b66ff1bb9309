func.func @f(%x: memref<1x1x4x4xf32>, %a: memref<1x1x4x4xi8>) {
  %0:2 = hdp.split_quantize ins(%x : memref<1x1x4x4xf32>) outs(%a, %a : memref<1x1x4x4xi8>, memref<1x1x4x4xi8>) -> tensor<1x1x4x4xi8>, tensor<1x1x4x4xi8>
  return
}
