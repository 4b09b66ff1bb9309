// B=1, H=4, N=50, M=33, D=8, Dv=5, top-k with 3x2 blocks, no mask.
func.func @attention(%q: tensor<1x4x50x8xf32>, %k: tensor<1x4x33x8xf32>,
                     %v: tensor<1x4x33x5xf32>) -> tensor<1x4x50x5xf32> {
  %0 = hdp.attention config #hdp.config<block = [3, 2], policy = topk,
                                        topk = 3, softmax = poly,
                                        approx = false>
      %q, %k, %v
      : tensor<1x4x50x8xf32>, tensor<1x4x33x8xf32>, tensor<1x4x33x5xf32>
      -> tensor<1x4x50x5xf32>
  return %0 : tensor<1x4x50x5xf32>
}
