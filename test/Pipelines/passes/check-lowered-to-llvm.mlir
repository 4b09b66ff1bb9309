// RUN: hdp-opt --hdp-check-lowered-to-llvm --split-input-file --verify-diagnostics %s | FileCheck %s

// Only LLVM (and OpenMP) ops: success, the module unchanged.
// CHECK-LABEL: llvm.func @lowered
// CHECK: omp.parallel
llvm.func @lowered(%x: i32) -> i32 {
  omp.parallel {
    omp.terminator
  }
  llvm.return %x : i32
}

// -----

// Anything else: one error at the first op left over, naming the others.
llvm.func @left(%x: f32) -> f32 {
  // expected-error @below {{hdp-cpu-pipeline: 'math.exp' was not lowered to the LLVM dialect (2 ops left over, also 'arith.negf')}}
  %e = math.exp %x : f32
  %n = arith.negf %e : f32
  llvm.return %n : f32
}
