// One attention layer of a small encoder (B=1, H=4, N=M=64, D=16) with an
// additive padding mask, pruned by HDP at rho = 0.3. Decompose it with
//   hdp-opt --hdp-decompose examples/attention.mlir
func.func @attention(%q: tensor<1x4x64x16xf32>, %k: tensor<1x4x64x16xf32>,
                     %v: tensor<1x4x64x16xf32>, %mask: tensor<1x1x1x64xf32>)
    -> (tensor<1x4x64x16xf32>, tensor<1x4x32x32xi1>, tensor<1x4xi1>,
        tensor<1x4xi64>) {
  %out, %blocks, %heads, %theta = hdp.attention
      config #hdp.config<rho = 0.3, tau_h = 0.5> %q, %k, %v mask %mask
      : tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>, tensor<1x4x64x16xf32>,
        tensor<1x1x1x64xf32>
      -> tensor<1x4x64x16xf32>, tensor<1x4x32x32xi1>, tensor<1x4xi1>,
         tensor<1x4xi64>
  return %out, %blocks, %heads, %theta
      : tensor<1x4x64x16xf32>, tensor<1x4x32x32xi1>, tensor<1x4xi1>,
        tensor<1x4xi64>
}
