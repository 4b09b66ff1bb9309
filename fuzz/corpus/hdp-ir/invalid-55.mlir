func.func @f(%t: tensor<1x2x4x3xi64>, %h: tensor<1x2xi64>, %th: tensor<1x2xi64>) {
  %0:2 = hdp.head_mask ins(%t : tensor<1x2x4x3xi64>) outs(%h, %th : tensor<1x2xi64>, tensor<1x2xi64>) -> tensor<1x2xi64>, tensor<1x2xi64>
  return
}
