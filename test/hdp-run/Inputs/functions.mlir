// Functions of tensors for hdp-run's FILE.mlir --function=NAME mode.

// hdp.attention with every result.
func.func @attention(%q: tensor<1x2x6x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x3xf32>)
    -> (tensor<1x2x6x3xf32>, tensor<1x2x3x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>) {
  %0:4 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v
      : tensor<1x2x6x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x3xf32>
      -> tensor<1x2x6x3xf32>, tensor<1x2x3x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>
  return %0#0, %0#1, %0#2, %0#3 : tensor<1x2x6x3xf32>, tensor<1x2x3x3xi1>, tensor<1x2xi1>, tensor<1x2xi64>
}

// Dynamic shapes: sizes come from the .npy files.
func.func @attention_dynamic(%q: tensor<?x?x?x?xf32>, %k: tensor<?x?x?x?xf32>, %v: tensor<?x?x?x?xf32>)
    -> tensor<?x?x?x?xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v
      : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// Plain linalg: any function of tensors runs.
func.func @add(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %0 = linalg.add ins(%a, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
