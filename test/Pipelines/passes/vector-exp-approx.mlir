// RUN: hdp-opt --hdp-vector-exp-approx %s | FileCheck %s

// math.exp becomes upstream's polynomial approximation (range reduction,
// ldexp by bit tricks), still on vectors; other math ops stay.
// CHECK-LABEL: func.func @exp
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: math.log {{.*}} : vector<16xf32>
func.func @exp(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>) {
  %e = math.exp %x : vector<16xf32>
  %l = math.log %x : vector<16xf32>
  return %e, %l : vector<16xf32>, vector<16xf32>
}
