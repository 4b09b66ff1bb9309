func.func @f(%x: memref<*xf32>, %o: memref<1x2x8x6xf32>) {
  hdp.masked_softmax ins(%x : memref<*xf32>) outs(%o : memref<1x2x8x6xf32>)
  return
}
