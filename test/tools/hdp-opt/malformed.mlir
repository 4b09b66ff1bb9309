// Malformed IR: one clear error with file and position, non-zero exit.
// RUN: not hdp-opt %s 2>&1 | FileCheck %s
// CHECK: malformed.mlir:[[@LINE+3]]:{{[0-9]+}}: error: expected ','
// CHECK-NOT: Stack dump
func.func @f(%q: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %0 = hdp.attention %q %q, %q : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
