// RUN: hdp-opt --hdp-decompose-aggregated-ops %s | FileCheck %s

// linalg.softmax becomes its max, sub+exp, sum and div generics; other
// linalg ops stay.
// CHECK-LABEL: func.func @softmax
// CHECK-NOT: linalg.softmax
// CHECK: linalg.generic
// CHECK: arith.maxnumf
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: linalg.fill
func.func @softmax(%x: tensor<2x8xf32>, %o: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %s = linalg.softmax dimension(1) ins(%x : tensor<2x8xf32>) outs(%o : tensor<2x8xf32>) -> tensor<2x8xf32>
  %z = arith.constant 0.0 : f32
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %s, %f : tensor<2x8xf32>, tensor<2x8xf32>
}
