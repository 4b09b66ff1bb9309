func.func @defaults_no_mask(%q: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %0 = hdp.attention %q, %q, %q : tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32> -> tensor<1x1x4x8xf32>
  return %0 : tensor<1x1x4x8xf32>
}
