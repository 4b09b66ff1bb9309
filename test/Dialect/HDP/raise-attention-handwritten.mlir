// Attention as people write it in linalg by hand: named ops, plain
// contraction generics, uninitialised or constant accumulators, the scale as
// a 0-d tensor (also an f64 one truncf'd), all-f16 programs with the f16
// lowest as the max's init and -0.0 as the sum's. Raised; the runnable ones
// then run against the unraised program (policy = dense, approx = false, 8.8
// fixed point, 1/16-grid inputs: the fixed point is exact).

// RUN: rm -rf %t && mkdir -p %t
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false>'" %s -o %t/raised.mlir
// RUN: FileCheck %s --input-file=%t/raised.mlir
// Every softmax here is raised: explain has nothing to say.
// RUN: hdp-opt --hdp-raise-attention="explain=true" %s -o /dev/null 2>&1 | count 0

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 1,2,8,16 --grid

// Each run compiles only its function (the others made private and
// dropped), which keeps the JIT time down; unraised, @rank2_softmax's
// linalg.softmax would not compile for the CPU.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=scale_f64_tensor_nan_select --symbol-dce -o %t/scale_f64_tensor_nan_select.raised.mlir
// RUN: hdp-run %t/scale_f64_tensor_nan_select.raised.mlir --function=scale_f64_tensor_nan_select --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/a.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=scale_f64_tensor_nan_select --symbol-dce -o %t/scale_f64_tensor_nan_select.unraised.mlir
// RUN: hdp-run %t/scale_f64_tensor_nan_select.unraised.mlir --function=scale_f64_tensor_nan_select --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/a_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/a.npy %t/a_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-A
// RUN-A: shape (1, 2, 8, 16) within-1e-5=True

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/mask.npy 1,1,8,8 --causal
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=fused_scale_and_mask --symbol-dce -o %t/fused_scale_and_mask.raised.mlir
// RUN: hdp-run %t/fused_scale_and_mask.raised.mlir --function=fused_scale_and_mask --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/c.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=fused_scale_and_mask --symbol-dce -o %t/fused_scale_and_mask.unraised.mlir
// RUN: hdp-run %t/fused_scale_and_mask.unraised.mlir --function=fused_scale_and_mask --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/c_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/c.npy %t/c_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-C
// RUN-C: shape (1, 2, 8, 16) within-1e-5=True

// All in f16 (f16 scores, softmax and P·V): 1e-2 bounds the unraised
// program's f16 rounding on outputs below 8; the raised one is the f32
// attention rounded to f16, within half an ulp of f16 below 8 (2^-9).
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=all_f16 --symbol-dce -o %t/all_f16.raised.mlir
// RUN: hdp-run %t/all_f16.raised.mlir --function=all_f16 --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=all_f16 --symbol-dce -o %t/all_f16.unraised.mlir
// RUN: hdp-run %t/all_f16.unraised.mlir --function=all_f16 --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_ref.npy 1e-2 | FileCheck %s --check-prefix=RUN-B
// RUN-B: shape (1, 2, 8, 16) within-1e-2=True
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=f32_attention --symbol-dce -o %t/f32_attention.raised.mlir
// RUN: hdp-run %t/f32_attention.raised.mlir --function=f32_attention --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b_f32.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_f32.npy 0.001953125 | FileCheck %s --check-prefix=RUN-B32
// RUN-B32: shape (1, 2, 8, 16) within-0.001953125=True

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#scalar4 = affine_map<(d0, d1, d2, d3) -> ()>
#row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

// Q·Kᵀ as a plain contraction generic into a bare tensor.empty (its
// contents are undefined: zeros are one of them), P·V accumulating into a
// zero constant, no scale (scale = 1).
#qk_q = affine_map<(g, n, m, d) -> (g, n, d)>
#qk_k = affine_map<(g, n, m, d) -> (g, m, d)>
#qk_s = affine_map<(g, n, m, d) -> (g, n, m)>
// CHECK-LABEL: func.func @contraction_generic_empty_init(
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false, scale = 1.0> %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x1x8x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @contraction_generic_empty_init(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zeros = arith.constant dense<0.000000e+00> : tensor<4x8x16xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#qk_q, #qk_k, #qk_s], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.reduce ins(%s : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) dimensions = [2]
    (%in: f32, %init: f32) {
      %m = arith.maximumf %in, %init : f32
      linalg.yield %m : f32
    }
  %maxb = linalg.broadcast ins(%max : tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) dimensions = [2]
  %exp = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %maxb : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.reduce ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) dimensions = [2]
    (%in: f32, %init: f32) {
      %t = arith.addf %init, %in : f32
      linalg.yield %t : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) dimensions = [2]
  %p = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sumb : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%zeros : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// The scale 1/4 as a 0-d f64 tensor truncf'd to f32 by a generic, the max
// as select(x ugt m, x, m) from a NaN (an unordered compare with NaN holds,
// so the NaN start is dropped), the softmax without keepdims.
#bqk_q = affine_map<(b, h, n, m, d) -> (b, h, n, d)>
#bqk_k = affine_map<(b, h, n, m, d) -> (b, h, m, d)>
#bqk_s = affine_map<(b, h, n, m, d) -> (b, h, n, m)>
#bpv_p = affine_map<(b, h, n, e, m) -> (b, h, n, m)>
#bpv_v = affine_map<(b, h, n, e, m) -> (b, h, m, e)>
#bpv_o = affine_map<(b, h, n, e, m) -> (b, h, n, e)>
// CHECK-LABEL: func.func @scale_f64_tensor_nan_select(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x2x8x16xf32>, %[[K:[^:]*]]: tensor<1x2x8x16xf32>, %[[V:[^:]*]]: tensor<1x2x8x16xf32>)
// CHECK-NEXT: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[Q]], %[[K]], %[[V]] :
// CHECK-NEXT: return %[[O]]
func.func @scale_f64_tensor_nan_select(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %nan = arith.constant 0x7FC00000 : f32
  %quarter64 = arith.constant dense<2.500000e-01> : tensor<f64>
  %c0 = tensor.empty() : tensor<f32>
  %quarter = linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []} ins(%quarter64 : tensor<f64>) outs(%c0 : tensor<f32>) {
  ^bb0(%in: f64, %out: f32):
    %x = arith.truncf %in : f64 to f32
    linalg.yield %x : f32
  } -> tensor<f32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %s = linalg.generic {indexing_maps = [#bqk_q, #bqk_k, #bqk_s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%f : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  } -> tensor<1x2x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id4, #scalar4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %quarter : tensor<1x2x8x8xf32>, tensor<f32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.mulf %b, %a : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %r0 = tensor.empty() : tensor<1x2x8xf32>
  %r1 = linalg.fill ins(%nan : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %gt = arith.cmpf ugt, %in, %out : f32
    %m = arith.select %gt, %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8xf32>
  %exp = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %max : tensor<1x2x8x8xf32>, tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<1x2x8xf32>
  %p = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf32>, tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %o0 = tensor.empty() : tensor<1x2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  %o = linalg.generic {indexing_maps = [#bpv_p, #bpv_v, #bpv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32>) outs(%o1 : tensor<1x2x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  } -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// Scale and mask in one generic, as elementwise fusion leaves them:
// s·(1/4) + mask.
// CHECK-LABEL: func.func @fused_scale_and_mask(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x2x8x16xf32>, %[[K:[^:]*]]: tensor<1x2x8x16xf32>, %[[V:[^:]*]]: tensor<1x2x8x16xf32>, %[[M:[^:]*]]: tensor<1x1x8x8xf32>)
// CHECK: %[[MASK:.*]] = linalg.generic {{.*}} ins(%[[M]] : tensor<1x1x8x8xf32>) outs(%{{.*}} : tensor<1x2x8x8xf32>)
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[Q]], %[[K]], %[[V]] mask %[[MASK]] :
// CHECK-NOT: math.exp
// CHECK: return
#mask00 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
func.func @fused_scale_and_mask(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %s = linalg.generic {indexing_maps = [#bqk_q, #bqk_k, #bqk_s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%f : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  } -> tensor<1x2x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id4, #mask00, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s, %mask : tensor<1x2x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %scaled = arith.mulf %a, %quarter : f32
    %y = arith.addf %scaled, %b : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %r0 = tensor.empty() : tensor<1x2x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8xf32>
  %exp = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %max : tensor<1x2x8x8xf32>, tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<1x2x8xf32>
  %p = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf32>, tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %o0 = tensor.empty() : tensor<1x2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  %o = linalg.generic {indexing_maps = [#bpv_p, #bpv_v, #bpv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32>) outs(%o1 : tensor<1x2x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  } -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// Everything in f16: the max from -65504 (the lowest f16), the sum from
// -0.0. The raised attention computes in f32 between extf and truncf.
// CHECK-LABEL: func.func @all_f16(
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[O]] : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf16>)
// CHECK-NOT: math.exp
// CHECK: return
func.func @all_f16(%q32: tensor<1x2x8x16xf32>, %k32: tensor<1x2x8x16xf32>, %v32: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f16
  %negzero = arith.constant -0.000000e+00 : f16
  %lowest = arith.constant -6.550400e+04 : f16
  %quarter = arith.constant 2.500000e-01 : f16
  %h0 = tensor.empty() : tensor<1x2x8x16xf16>
  %q = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q32 : tensor<1x2x8x16xf32>) outs(%h0 : tensor<1x2x8x16xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x16xf16>
  %k = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k32 : tensor<1x2x8x16xf32>) outs(%h0 : tensor<1x2x8x16xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x16xf16>
  %v = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v32 : tensor<1x2x8x16xf32>) outs(%h0 : tensor<1x2x8x16xf16>) {
  ^bb0(%in: f32, %out: f16):
    %x = arith.truncf %in : f32 to f16
    linalg.yield %x : f16
  } -> tensor<1x2x8x16xf16>
  %e = tensor.empty() : tensor<1x2x8x8xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<1x2x8x8xf16>) -> tensor<1x2x8x8xf16>
  %s = linalg.generic {indexing_maps = [#bqk_q, #bqk_k, #bqk_s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<1x2x8x16xf16>, tensor<1x2x8x16xf16>) outs(%f : tensor<1x2x8x8xf16>) {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %m = arith.mulf %a, %b : f16
    %t = arith.addf %acc, %m : f16
    linalg.yield %t : f16
  } -> tensor<1x2x8x8xf16>
  %x = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<1x2x8x8xf16>) outs(%e : tensor<1x2x8x8xf16>) {
  ^bb0(%a: f16, %out: f16):
    %y = arith.mulf %a, %quarter : f16
    linalg.yield %y : f16
  } -> tensor<1x2x8x8xf16>
  %r0 = tensor.empty() : tensor<1x2x8xf16>
  %r1 = linalg.fill ins(%lowest : f16) outs(%r0 : tensor<1x2x8xf16>) -> tensor<1x2x8xf16>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x : tensor<1x2x8x8xf16>) outs(%r1 : tensor<1x2x8xf16>) {
  ^bb0(%in: f16, %out: f16):
    %m = arith.maximumf %in, %out : f16
    linalg.yield %m : f16
  } -> tensor<1x2x8xf16>
  %exp = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %max : tensor<1x2x8x8xf16>, tensor<1x2x8xf16>) outs(%e : tensor<1x2x8x8xf16>) {
  ^bb0(%a: f16, %b: f16, %out: f16):
    %d = arith.subf %a, %b : f16
    %y = math.exp %d : f16
    linalg.yield %y : f16
  } -> tensor<1x2x8x8xf16>
  %z1 = linalg.fill ins(%negzero : f16) outs(%r0 : tensor<1x2x8xf16>) -> tensor<1x2x8xf16>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp : tensor<1x2x8x8xf16>) outs(%z1 : tensor<1x2x8xf16>) {
  ^bb0(%in: f16, %out: f16):
    %t = arith.addf %in, %out : f16
    linalg.yield %t : f16
  } -> tensor<1x2x8xf16>
  %p = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<1x2x8x8xf16>, tensor<1x2x8xf16>) outs(%e : tensor<1x2x8x8xf16>) {
  ^bb0(%a: f16, %b: f16, %out: f16):
    %y = arith.divf %a, %b : f16
    linalg.yield %y : f16
  } -> tensor<1x2x8x8xf16>
  %o0 = tensor.empty() : tensor<1x2x8x16xf16>
  %o1 = linalg.fill ins(%zero : f16) outs(%o0 : tensor<1x2x8x16xf16>) -> tensor<1x2x8x16xf16>
  %o = linalg.generic {indexing_maps = [#bpv_p, #bpv_v, #bpv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<1x2x8x8xf16>, tensor<1x2x8x16xf16>) outs(%o1 : tensor<1x2x8x16xf16>) {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %m = arith.mulf %a, %b : f16
    %t = arith.addf %acc, %m : f16
    linalg.yield %t : f16
  } -> tensor<1x2x8x16xf16>
  %r = tensor.empty() : tensor<1x2x8x16xf32>
  %out = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%o : tensor<1x2x8x16xf16>) outs(%r : tensor<1x2x8x16xf32>) {
  ^bb0(%in: f16, %o32: f32):
    %w = arith.extf %in : f16 to f32
    linalg.yield %w : f32
  } -> tensor<1x2x8x16xf32>
  return %out : tensor<1x2x8x16xf32>
}

// CHECK-LABEL: func.func @f32_attention(
func.func @f32_attention(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %q, %k, %v : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

#named_id2 = affine_map<(d0, d1) -> (d0, d1)>
#named_scalar2 = affine_map<(d0, d1) -> ()>

// One head, rank 2: linalg.matmul with K given transposed, the scale as a
// division by a 0-d tensor, linalg.softmax.
// CHECK-LABEL: func.func @rank2_softmax(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<8x16xf32>, %[[KT:[^:]*]]: tensor<16x6xf32>, %[[V:[^:]*]]: tensor<6x4xf32>)
// CHECK: %[[K:.*]] = linalg.transpose ins(%[[KT]] : tensor<16x6xf32>) outs(%{{.*}} : tensor<6x16xf32>) permutation = [1, 0]
// CHECK: hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false, scale = 0.5> %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x1x8x16xf32>, tensor<1x1x6x16xf32>, tensor<1x1x6x4xf32> -> tensor<1x1x8x4xf32>
// CHECK-NOT: linalg.softmax
// CHECK: return
func.func @rank2_softmax(%q: tensor<8x16xf32>, %kt: tensor<16x6xf32>, %v: tensor<6x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %two = arith.constant dense<2.000000e+00> : tensor<f32>
  %s0 = tensor.empty() : tensor<8x6xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<8x6xf32>) -> tensor<8x6xf32>
  %s = linalg.matmul ins(%q, %kt : tensor<8x16xf32>, tensor<16x6xf32>) outs(%s1 : tensor<8x6xf32>) -> tensor<8x6xf32>
  %x = linalg.generic {indexing_maps = [#named_id2, #named_scalar2, #named_id2], iterator_types = ["parallel", "parallel"]} ins(%s, %two : tensor<8x6xf32>, tensor<f32>) outs(%s0 : tensor<8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<8x6xf32>
  %p = linalg.softmax dimension(1) ins(%x : tensor<8x6xf32>) outs(%s0 : tensor<8x6xf32>) -> tensor<8x6xf32>
  %o0 = tensor.empty() : tensor<8x4xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<8x4xf32>) -> tensor<8x4xf32>
  %o = linalg.matmul ins(%p, %v : tensor<8x6xf32>, tensor<6x4xf32>) outs(%o1 : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %o : tensor<8x4xf32>
}

