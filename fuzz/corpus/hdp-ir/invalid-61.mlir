func.func @f(%x: tensor<1x2x8x6xf32>, %o: tensor<1x2x8x5xf32>) {
  %0 = hdp.masked_softmax ins(%x : tensor<1x2x8x6xf32>) outs(%o : tensor<1x2x8x5xf32>) -> tensor<1x2x8x5xf32>
  return
}
