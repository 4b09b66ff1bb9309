// RUN: hdp-opt --hdp-cpu-pipeline %s | FileCheck %s
// RUN: hdp-opt --hdp-cpu-pipeline="tile-block-rows=0" %s | FileCheck %s
// RUN: hdp-opt --pass-pipeline="builtin.module(hdp-cpu-pipeline{tile-block-rows=2 emit-c-interface=false})" %s | FileCheck %s --check-prefix=NOCIFACE

// hdp.attention on tensors all the way to the LLVM dialect, with a C
// interface wrapper for JIT and AOT callers.
// CHECK-NOT: hdp.
// CHECK: llvm.func @attention(
// CHECK: llvm.func @_mlir_ciface_attention(
// NOCIFACE: llvm.func @attention(
// NOCIFACE-NOT: _mlir_ciface_
// The softmax's exp is a polynomial (it stays in vector registers): no
// exp intrinsic, which LLVM would turn into one expf call per lane.
// RUN: hdp-opt --hdp-cpu-pipeline %s | FileCheck %s --check-prefix=EXP
// EXP-NOT: llvm.intr.exp
// EXP-NOT: @expf
// EXP: llvm.func @_mlir_ciface_attention(
func.func @attention(%q: tensor<1x2x7x8xf32>, %k: tensor<1x2x9x8xf32>, %v: tensor<1x2x9x4xf32>, %m: tensor<1x1x1x9xf32>)
    -> (tensor<1x2x7x4xf32>, tensor<1x2x4x5xi1>) {
  %0:2 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v mask %m
      : tensor<1x2x7x8xf32>, tensor<1x2x9x8xf32>, tensor<1x2x9x4xf32>, tensor<1x1x1x9xf32>
      -> tensor<1x2x7x4xf32>, tensor<1x2x4x5xi1>
  return %0#0, %0#1 : tensor<1x2x7x4xf32>, tensor<1x2x4x5xi1>
}
