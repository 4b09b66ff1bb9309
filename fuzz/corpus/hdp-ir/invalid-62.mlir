func.func @f(%x: tensor<8x6xf32>, %o: tensor<8x6xf32>) {
  %0 = hdp.masked_softmax ins(%x : tensor<8x6xf32>) outs(%o : tensor<8x6xf32>) -> tensor<8x6xf32>
  return
}
