func.func @f(%x: memref<1x2x8x6xf32, strided<[96, 48, 6, 1], offset: ?>>, %o: memref<1x2x8x5xf32>) {
  hdp.masked_softmax ins(%x : memref<1x2x8x6xf32, strided<[96, 48, 6, 1], offset: ?>>) outs(%o : memref<1x2x8x5xf32>)
  return
}
