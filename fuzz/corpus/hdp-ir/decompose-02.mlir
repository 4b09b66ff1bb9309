func.func @wide_types(%q: tensor<1x1x4x64xf32>) -> tensor<1x1x4x64xf32> {
  %0 = hdp.attention config #hdp.config<int_bits = 14, frac_bits = 2, block = [4, 4]> %q, %q, %q : tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32>, tensor<1x1x4x64xf32> -> tensor<1x1x4x64xf32>
  return %0 : tensor<1x1x4x64xf32>
}
