// An attention with a padding mask, B=2, H=3, N=37, M=45, D=16.
func.func @attention(%q: tensor<2x3x37x16xf32>, %k: tensor<2x3x45x16xf32>,
                     %v: tensor<2x3x45x16xf32>, %m: tensor<2x1x1x45xf32>)
    -> (tensor<2x3x37x16xf32>, tensor<2x3x19x23xi1>, tensor<2x3xi1>,
        tensor<2x3xi64>) {
  %0:4 = hdp.attention config #hdp.config<rho = 0.3, tau_h = 0.9>
      %q, %k, %v mask %m
      : tensor<2x3x37x16xf32>, tensor<2x3x45x16xf32>, tensor<2x3x45x16xf32>,
        tensor<2x1x1x45xf32>
      -> tensor<2x3x37x16xf32>, tensor<2x3x19x23xi1>, tensor<2x3xi1>,
         tensor<2x3xi64>
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x3x37x16xf32>,
      tensor<2x3x19x23xi1>, tensor<2x3xi1>, tensor<2x3xi64>
}
