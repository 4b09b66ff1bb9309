// Attention as JAX emits it, lowered StableHLO → linalg
// (stablehlo-legalize-to-linalg): einsums as contraction generics on the
// [B, T, N, H] layout, reductions as linalg.reduce, broadcast_in_dim as
// broadcasts, jnp.where masks as select. Raised, then run against the
// unraised program (policy = dense, approx = false, 8.8 fixed point, inputs
// on a 1/16 grid: the fixed point is exact).

// RUN: rm -rf %t && mkdir -p %t
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false>'" %s -o %t/raised.mlir
// RUN: FileCheck %s --input-file=%t/raised.mlir
// Every softmax here is raised: explain has nothing to say.
// RUN: hdp-opt --hdp-raise-attention="explain=true" %s -o /dev/null 2>&1 | count 0

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 1,8,2,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 1,8,2,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 1,8,2,16 --grid
// RUN: %python -c "import numpy as np; np.save('%t/causal.npy', np.tril(np.ones((8, 8), bool)))"

// Each run compiles only its function (the others made private and
// dropped), which keeps the JIT time down.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=dot_product_attention --symbol-dce -o %t/dot_product_attention.raised.mlir
// RUN: hdp-run %t/dot_product_attention.raised.mlir --function=dot_product_attention --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/causal.npy --output=@%t/a.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=dot_product_attention --symbol-dce -o %t/dot_product_attention.unraised.mlir
// RUN: hdp-run %t/dot_product_attention.unraised.mlir --function=dot_product_attention --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/causal.npy --output=@%t/a_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/a.npy %t/a_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-A
// RUN-A: shape (1, 8, 2, 16) within-1e-5=True

// bf16 has 8-bit significands: the unraised program rounds P to bf16 and
// accumulates P·V in f32, 5e-2 bounds that on outputs below 8. The raised
// one rounds only its f32 output to bf16: within half an ulp of bf16 below
// 8 (2^-6) of the f32 attention.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=bf16_kq_transposed --symbol-dce -o %t/bf16_kq_transposed.raised.mlir
// RUN: hdp-run %t/bf16_kq_transposed.raised.mlir --function=bf16_kq_transposed --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=bf16_kq_transposed --symbol-dce -o %t/bf16_kq_transposed.unraised.mlir
// RUN: hdp-run %t/bf16_kq_transposed.unraised.mlir --function=bf16_kq_transposed --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_ref.npy 5e-2 | FileCheck %s --check-prefix=RUN-B
// RUN-B: shape (1, 8, 2, 16) within-5e-2=True
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=f32_attention --symbol-dce -o %t/f32_attention.raised.mlir
// RUN: hdp-run %t/f32_attention.raised.mlir --function=f32_attention --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --output=@%t/b_f32.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_f32.npy 0.015625 | FileCheck %s --check-prefix=RUN-B32
// RUN-B32: shape (1, 8, 2, 16) within-0.015625=True

#q_btnh = affine_map<(b, n, t, s, h) -> (b, t, n, h)>
#k_bsnh = affine_map<(b, n, t, s, h) -> (b, s, n, h)>
#s_bnts = affine_map<(b, n, t, s, h) -> (b, n, t, s)>
#p_bnts = affine_map<(b, t, n, h, s) -> (b, n, t, s)>
#v_bsnh = affine_map<(b, t, n, h, s) -> (b, s, n, h)>
#o_btnh = affine_map<(b, t, n, h, s) -> (b, t, n, h)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>

// jax.nn.dot_product_attention(q, k, v, mask=causal) (its XLA
// implementation): logits = einsum('BTNH,BSNH->BNTS') · scale,
// where(mask, logits, -0.7·finfo.max), softmax, einsum('BNTS,BSNH->BTNH').
// CHECK-LABEL: func.func @dot_product_attention(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x8x2x16xf32>, %[[K:[^:]*]]: tensor<1x8x2x16xf32>, %[[V:[^:]*]]: tensor<1x8x2x16xf32>, %[[C:[^:]*]]: tensor<8x8xi1>)
// CHECK-DAG: %[[QT:.*]] = linalg.transpose ins(%[[Q]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[VT:.*]] = linalg.transpose ins(%[[V]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[MASK:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<8x8xi1>) outs(%{{.*}} : tensor<8x8xf32>)
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[QT]], %[[KT]], %[[VT]] mask %[[MASK]] : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<8x8xf32> -> tensor<1x2x8x16xf32>
// CHECK: %[[OT:.*]] = linalg.transpose ins(%[[O]] : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x8x2x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-NEXT: return %[[OT]]
func.func @dot_product_attention(%q: tensor<1x8x2x16xf32>, %k: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x16xf32>, %causal: tensor<8x8xi1>) -> tensor<1x8x2x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<2.500000e-01> : tensor<1x2x8x8xf32>
  %large_negative = arith.constant dense<-2.38197633E+38> : tensor<1x2x8x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %logits = linalg.generic {indexing_maps = [#q_btnh, #k_bsnh, #s_bnts], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>) outs(%f : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x8x8xf32>
  %scaled = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%logits, %scale : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.mulf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %cb0 = tensor.empty() : tensor<1x2x8x8xi1>
  %cb = linalg.broadcast ins(%causal : tensor<8x8xi1>) outs(%cb0 : tensor<1x2x8x8xi1>) dimensions = [0, 1]
  %masked = linalg.generic {indexing_maps = [#id4, #id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%cb, %scaled, %large_negative : tensor<1x2x8x8xi1>, tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%c: i1, %a: f32, %b: f32, %out: f32):
    %x = arith.select %c, %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %r0 = tensor.empty() : tensor<1x2x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %max = linalg.reduce ins(%masked : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8xf32>) dimensions = [3]
    (%in: f32, %init: f32) {
      %m = arith.maximumf %in, %init : f32
      linalg.yield %m : f32
    }
  %max1 = tensor.expand_shape %max [[0], [1], [2, 3]] output_shape [1, 2, 8, 1] : tensor<1x2x8xf32> into tensor<1x2x8x1xf32>
  %maxb = linalg.generic {indexing_maps = [#row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%max1 : tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x8x8xf32>
  %shifted = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%masked, %maxb : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.subf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %unnormalized = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%shifted : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = math.exp %a : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %sum = linalg.reduce ins(%unnormalized : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8xf32>) dimensions = [3]
    (%in: f32, %init: f32) {
      %s = arith.addf %in, %init : f32
      linalg.yield %s : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) dimensions = [3]
  %probs = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%unnormalized, %sumb : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.divf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %o0 = tensor.empty() : tensor<1x8x2x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32>
  %out = linalg.generic {indexing_maps = [#p_bnts, #v_bsnh, #o_btnh], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%probs, %v : tensor<1x2x8x8xf32>, tensor<1x8x2x16xf32>) outs(%o1 : tensor<1x8x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x2x16xf32>
  return %out : tensor<1x8x2x16xf32>
}

// bf16 weights, f32 logits (preferred_element_type = f32, the casts inside
// the contraction), the scores computed as einsum('BSNH,BTNH->BNST') and
// transposed, the scale folded into q as a truncf'd f64 constant, the
// probabilities rounded to bf16 for the second einsum.
#id4b = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#k_first = affine_map<(b, n, s, t, h) -> (b, s, n, h)>
#q_second = affine_map<(b, n, s, t, h) -> (b, t, n, h)>
#s_bnst = affine_map<(b, n, s, t, h) -> (b, n, s, t)>
// CHECK-LABEL: func.func @bf16_kq_transposed(
// CHECK: %[[Q16:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x8x2x16xbf16>)
// CHECK: %[[K16:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x8x2x16xbf16>)
// CHECK: %[[V16:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x8x2x16xbf16>)
// CHECK-DAG: %[[QT:.*]] = linalg.transpose ins(%[[Q16]] : tensor<1x8x2x16xbf16>)
// CHECK-DAG: %[[KT:.*]] = linalg.transpose ins(%[[K16]] : tensor<1x8x2x16xbf16>)
// CHECK-DAG: %[[VT:.*]] = linalg.transpose ins(%[[V16]] : tensor<1x8x2x16xbf16>)
// CHECK-DAG: %[[Q32:.*]] = linalg.generic {{.*}} ins(%[[QT]] : tensor<1x2x8x16xbf16>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK-DAG: %[[K32:.*]] = linalg.generic {{.*}} ins(%[[KT]] : tensor<1x2x8x16xbf16>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK-DAG: %[[V32:.*]] = linalg.generic {{.*}} ins(%[[VT]] : tensor<1x2x8x16xbf16>) outs(%{{.*}} : tensor<1x2x8x16xf32>)
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[Q32]], %[[K32]], %[[V32]] :
// CHECK: %[[OT:.*]] = linalg.transpose ins(%[[O]] : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x8x2x16xf32>) permutation = [0, 2, 1, 3]
// CHECK: linalg.generic {{.*}} ins(%[[OT]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x8x2x16xbf16>)
// CHECK-NOT: math.exp
// CHECK: return
func.func @bf16_kq_transposed(%q32: tensor<1x8x2x16xf32>, %k32: tensor<1x8x2x16xf32>, %v32: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %zero16 = arith.constant 0.000000e+00 : bf16
  %ninf = arith.constant 0xFF800000 : f32
  %scale64 = arith.constant 2.500000e-01 : f64
  %h0 = tensor.empty() : tensor<1x8x2x16xbf16>
  %q = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q32 : tensor<1x8x2x16xf32>) outs(%h0 : tensor<1x8x2x16xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %x = arith.truncf %in : f32 to bf16
    linalg.yield %x : bf16
  } -> tensor<1x8x2x16xbf16>
  %k = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k32 : tensor<1x8x2x16xf32>) outs(%h0 : tensor<1x8x2x16xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %x = arith.truncf %in : f32 to bf16
    linalg.yield %x : bf16
  } -> tensor<1x8x2x16xbf16>
  %v = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v32 : tensor<1x8x2x16xf32>) outs(%h0 : tensor<1x8x2x16xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %x = arith.truncf %in : f32 to bf16
    linalg.yield %x : bf16
  } -> tensor<1x8x2x16xbf16>
  %qs = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x8x2x16xbf16>) outs(%h0 : tensor<1x8x2x16xbf16>) {
  ^bb0(%in: bf16, %out: bf16):
    %c = arith.truncf %scale64 : f64 to bf16
    %x = arith.mulf %in, %c : bf16
    linalg.yield %x : bf16
  } -> tensor<1x8x2x16xbf16>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %st = linalg.generic {indexing_maps = [#k_first, #q_second, #s_bnst], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%k, %qs : tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>) outs(%f : tensor<1x2x8x8xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %m = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x8x8xf32>
  %logits = linalg.transpose ins(%st : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) permutation = [0, 1, 3, 2]
  %r0 = tensor.empty() : tensor<1x2x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %max = linalg.reduce ins(%logits : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8xf32>) dimensions = [3]
    (%in: f32, %init: f32) {
      %m = arith.maximumf %in, %init : f32
      linalg.yield %m : f32
    }
  %maxb = linalg.broadcast ins(%max : tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) dimensions = [3]
  %unnormalized = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%logits, %maxb : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.subf %a, %b : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  %sum = linalg.reduce ins(%unnormalized : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8xf32>) dimensions = [3]
    (%in: f32, %init: f32) {
      %s = arith.addf %in, %init : f32
      linalg.yield %s : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<1x2x8xf32>) outs(%e : tensor<1x2x8x8xf32>) dimensions = [3]
  %eh = tensor.empty() : tensor<1x2x8x8xbf16>
  %probs = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%unnormalized, %sumb : tensor<1x2x8x8xf32>, tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.divf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  %probs16 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%probs : tensor<1x2x8x8xf32>) outs(%eh : tensor<1x2x8x8xbf16>) {
  ^bb0(%a: f32, %out: bf16):
    %x = arith.truncf %a : f32 to bf16
    linalg.yield %x : bf16
  } -> tensor<1x2x8x8xbf16>
  %o0 = tensor.empty() : tensor<1x8x2x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32>
  %out32 = linalg.generic {indexing_maps = [#p_bnts, #v_bsnh, #o_btnh], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%probs16, %v : tensor<1x2x8x8xbf16>, tensor<1x8x2x16xbf16>) outs(%o1 : tensor<1x8x2x16xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %m = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x2x16xf32>
  %out16 = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%out32 : tensor<1x8x2x16xf32>) outs(%h0 : tensor<1x8x2x16xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %x = arith.truncf %in : f32 to bf16
    linalg.yield %x : bf16
  } -> tensor<1x8x2x16xbf16>
  %r = tensor.empty() : tensor<1x8x2x16xf32>
  %outf = linalg.generic {indexing_maps = [#id4b, #id4b], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%out16 : tensor<1x8x2x16xbf16>) outs(%r : tensor<1x8x2x16xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %x = arith.extf %in : bf16 to f32
    linalg.yield %x : f32
  } -> tensor<1x8x2x16xf32>
  return %outf : tensor<1x8x2x16xf32>
}

// The f32 attention of the same inputs, directly as hdp.attention.
// CHECK-LABEL: func.func @f32_attention(
func.func @f32_attention(%q: tensor<1x8x2x16xf32>, %k: tensor<1x8x2x16xf32>, %v: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  %e = tensor.empty() : tensor<1x2x8x16xf32>
  %qt = linalg.transpose ins(%q : tensor<1x8x2x16xf32>) outs(%e : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
  %kt = linalg.transpose ins(%k : tensor<1x8x2x16xf32>) outs(%e : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
  %vt = linalg.transpose ins(%v : tensor<1x8x2x16xf32>) outs(%e : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
  %o = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false, scale = 2.500000e-01> %qt, %kt, %vt : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32> -> tensor<1x2x8x16xf32>
  %r = tensor.empty() : tensor<1x8x2x16xf32>
  %ot = linalg.transpose ins(%o : tensor<1x2x8x16xf32>) outs(%r : tensor<1x8x2x16xf32>) permutation = [0, 2, 1, 3]
  return %ot : tensor<1x8x2x16xf32>
}
