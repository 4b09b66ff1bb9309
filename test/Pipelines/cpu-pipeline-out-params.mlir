// hdp-cpu-pipeline{results-to-out-params}: the results become buffers the
// caller passes after the arguments, and the allocations that held them are
// gone (the compiled code writes into the caller's buffers; no copy). The C
// API's attention compiles this way (test/CAPI/runtime-aliasing.c).

// RUN: hdp-opt %s --pass-pipeline='builtin.module(hdp-cpu-pipeline{results-to-out-params=true num-threads=1})' \
// RUN:   -mlir-print-ir-after=buffer-results-to-out-params -o /dev/null 2>&1 | FileCheck %s --check-prefix=OUT
// RUN: hdp-opt %s --pass-pipeline='builtin.module(hdp-cpu-pipeline{results-to-out-params=true num-threads=1})' \
// RUN:   | FileCheck %s --check-prefix=LLVM
// RUN: hdp-opt %s --pass-pipeline='builtin.module(hdp-cpu-pipeline{num-threads=1})' \
// RUN:   -mlir-print-ir-after=one-shot-bufferize -o /dev/null 2>&1 | FileCheck %s --check-prefix=RESULTS

// OUT-LABEL: func.func @attention(
// OUT-SAME: %arg3: memref<1x2x64x16xf32>, %arg4: memref<1x2x32x24xi1>, %arg5: memref<1x2xi1>, %arg6: memref<1x2xi64>) {
// OUT-NOT: memref.alloc() {{.*}}: memref<1x2x64x16xf32>
// OUT-NOT: memref.alloc() {{.*}}: memref<1x2x32x24xi1>
// OUT-NOT: memref.alloc() {{.*}}: memref<1x2xi1>
// OUT-NOT: memref.alloc() {{.*}}: memref<1x2xi64>
// OUT-NOT: to memref<1x2x64x16xf32>
// OUT-NOT: to memref<1x2x32x24xi1>
// OUT: return{{$}}

// Seven descriptors (three arguments, four results) and nothing returned.
// LLVM: llvm.func @_mlir_ciface_attention(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr, %arg4: !llvm.ptr, %arg5: !llvm.ptr, %arg6: !llvm.ptr)
// LLVM: llvm.call @attention(
// LLVM-NEXT: llvm.return{{$}}

// Without the option the results are returned.
// RESULTS: func.func @attention({{.*}}) -> (memref<1x2x64x16xf32>, memref<1x2x32x24xi1>, memref<1x2xi1>, memref<1x2xi64>)

func.func @attention(%q: tensor<1x2x64x16xf32>, %k: tensor<1x2x48x16xf32>, %v: tensor<1x2x48x16xf32>)
    -> (tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>, tensor<1x2xi1>, tensor<1x2xi64>) {
  %out, %blocks, %heads, %theta = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v
      : tensor<1x2x64x16xf32>, tensor<1x2x48x16xf32>, tensor<1x2x48x16xf32>
      -> tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>, tensor<1x2xi1>, tensor<1x2xi64>
  return %out, %blocks, %heads, %theta : tensor<1x2x64x16xf32>, tensor<1x2x32x24xi1>, tensor<1x2xi1>, tensor<1x2xi64>
}
