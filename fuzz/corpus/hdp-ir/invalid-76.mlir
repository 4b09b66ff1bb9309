func.func @f(%t: tensor<1x2x4x3xi64>, %h: tensor<1x2xi1>) {
  %0:2 = hdp.head_mask ins(%t : tensor<1x2x4x3xi64>) outs(%h, %h : tensor<1x2xi1>, tensor<1x2xi1>) -> tensor<1x2xi1>, tensor<1x2xi1>
  return
}
