// Attention as TensorFlow emits it (tf → stablehlo → linalg): Keras
// MultiHeadAttention's einsums (key first, scores written [B, N, T, S]), the
// scale folded into the query, the boolean mask turned into the adder
// (1 - cast(mask)) · -1e9, and softmax as exp(x - reduce_logsumexp(x)) with
// its is_finite guard of the max. Raised, then run against the unraised
// program (policy = dense, approx = false, 8.8 fixed point, 1/16-grid
// inputs: the fixed point is exact).

// RUN: rm -rf %t && mkdir -p %t
// RUN: hdp-opt --hdp-raise-attention="config='#hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false>'" %s -o %t/raised.mlir
// RUN: FileCheck %s --input-file=%t/raised.mlir
// Every softmax here is raised: explain has nothing to say.
// RUN: hdp-opt --hdp-raise-attention="explain=true" %s -o /dev/null 2>&1 | count 0

// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q.npy 1,8,2,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k.npy 1,8,2,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v.npy 1,8,2,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/q4.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/k4.npy 1,2,8,16 --grid
// RUN: %python %hdp_src/test/hdp-run/Inputs/gen.py %t/v4.npy 1,2,8,16 --grid
// RUN: %python -c "import numpy as np; np.save('%t/mask.npy', np.tril(np.ones((1, 8, 8), bool)))"

// Each run compiles only its function (the others made private and
// dropped), which keeps the JIT time down.
// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=keras_mha --symbol-dce -o %t/keras_mha.raised.mlir
// RUN: hdp-run %t/keras_mha.raised.mlir --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=keras_mha --symbol-dce -o %t/keras_mha.unraised.mlir
// RUN: hdp-run %t/keras_mha.unraised.mlir --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/a.npy %t/a_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-A
// RUN-A: shape (1, 8, 2, 16) within-1e-5=True
// The same bits on 1 and 2 threads, run after run (the two heads once
// shared the probabilities' buffer: the mask's, of the same type).
// RUN: hdp-run %t/keras_mha.raised.mlir --threads=1 --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a1.npy
// RUN: hdp-run %t/keras_mha.raised.mlir --threads=2 --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a2.npy && cmp %t/a1.npy %t/a2.npy
// RUN: hdp-run %t/keras_mha.raised.mlir --threads=2 --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a2.npy && cmp %t/a1.npy %t/a2.npy
// RUN: hdp-run %t/keras_mha.raised.mlir --threads=2 --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a2.npy && cmp %t/a1.npy %t/a2.npy
// RUN: hdp-run %t/keras_mha.raised.mlir --threads=2 --function=keras_mha --input=@%t/q.npy --input=@%t/k.npy --input=@%t/v.npy --input=@%t/mask.npy --output=@%t/a2.npy && cmp %t/a1.npy %t/a2.npy

// RUN: hdp-opt %t/raised.mlir --symbol-privatize=exclude=tf_matmul_transpose_b --symbol-dce -o %t/tf_matmul_transpose_b.raised.mlir
// RUN: hdp-run %t/tf_matmul_transpose_b.raised.mlir --function=tf_matmul_transpose_b --input=@%t/q4.npy --input=@%t/k4.npy --input=@%t/v4.npy --output=@%t/b.npy
// RUN: hdp-opt %s --symbol-privatize=exclude=tf_matmul_transpose_b --symbol-dce -o %t/tf_matmul_transpose_b.unraised.mlir
// RUN: hdp-run %t/tf_matmul_transpose_b.unraised.mlir --function=tf_matmul_transpose_b --input=@%t/q4.npy --input=@%t/k4.npy --input=@%t/v4.npy --output=@%t/b_ref.npy
// RUN: %python %S/Inputs/allclose.py %t/b.npy %t/b_ref.npy 1e-5 | FileCheck %s --check-prefix=RUN-B
// RUN-B: shape (1, 2, 8, 16) within-1e-5=True

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#scalar4 = affine_map<(d0, d1, d2, d3) -> ()>
#row = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#key_aecd = affine_map<(a, c, b, e, d) -> (a, e, c, d)>
#query_abcd = affine_map<(a, c, b, e, d) -> (a, b, c, d)>
#scores_acbe = affine_map<(a, c, b, e, d) -> (a, c, b, e)>
#probs_acbe = affine_map<(a, b, c, d, e) -> (a, c, b, e)>
#value_aecd = affine_map<(a, b, c, d, e) -> (a, e, c, d)>
#out_abcd = affine_map<(a, b, c, d, e) -> (a, b, c, d)>
#mask_in = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#mask_b = affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>

// CHECK-LABEL: func.func @keras_mha(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x8x2x16xf32>, %[[K:[^:]*]]: tensor<1x8x2x16xf32>, %[[V:[^:]*]]: tensor<1x8x2x16xf32>, %[[M:[^:]*]]: tensor<1x8x8xi1>)
// CHECK: arith.subf
// CHECK: %[[ADDER:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK-DAG: %[[QT:.*]] = linalg.transpose ins(%[[Q]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[KT:.*]] = linalg.transpose ins(%[[K]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-DAG: %[[VT:.*]] = linalg.transpose ins(%[[V]] : tensor<1x8x2x16xf32>) outs(%{{.*}} : tensor<1x2x8x16xf32>) permutation = [0, 2, 1, 3]
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[QT]], %[[KT]], %[[VT]] mask %[[ADDER]] : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x8x8xf32> -> tensor<1x2x8x16xf32>
// CHECK: %[[OT:.*]] = linalg.transpose ins(%[[O]] : tensor<1x2x8x16xf32>) outs(%{{.*}} : tensor<1x8x2x16xf32>) permutation = [0, 2, 1, 3]
// CHECK-NEXT: return %[[OT]]
func.func @keras_mha(%query: tensor<1x8x2x16xf32>, %key: tensor<1x8x2x16xf32>, %value: tensor<1x8x2x16xf32>, %mask: tensor<1x8x8xi1>) -> tensor<1x8x2x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %pinf = arith.constant 0x7F800000 : f32
  %one = arith.constant 1.000000e+00 : f32
  %big_negative = arith.constant -1.000000e+09 : f32
  %scale = arith.constant dense<2.500000e-01> : tensor<f32>
  // query = query * 1/sqrt(key_dim)
  %qe = tensor.empty() : tensor<1x8x2x16xf32>
  %qs = linalg.generic {indexing_maps = [#id4, #scalar4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%query, %scale : tensor<1x8x2x16xf32>, tensor<f32>) outs(%qe : tensor<1x8x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.mulf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x8x2x16xf32>
  // attention_scores = einsum("aecd,abcd->acbe", key, query)
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
  %scores = linalg.generic {indexing_maps = [#key_aecd, #query_abcd, #scores_acbe], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%key, %qs : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>) outs(%f : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x8x8xf32>
  // adder = (1.0 - cast(expand_dims(mask, 1), f32)) * -1e9
  %me = tensor.empty() : tensor<1x1x8x8xf32>
  %mf = linalg.generic {indexing_maps = [#mask_in, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%mask : tensor<1x8x8xi1>) outs(%me : tensor<1x1x8x8xf32>) {
  ^bb0(%in: i1, %out: f32):
    %x = arith.uitofp %in : i1 to f32
    linalg.yield %x : f32
  } -> tensor<1x1x8x8xf32>
  %inv = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%mf : tensor<1x1x8x8xf32>) outs(%me : tensor<1x1x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.subf %one, %in : f32
    linalg.yield %x : f32
  } -> tensor<1x1x8x8xf32>
  %adder = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%inv : tensor<1x1x8x8xf32>) outs(%me : tensor<1x1x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x = arith.mulf %in, %big_negative : f32
    linalg.yield %x : f32
  } -> tensor<1x1x8x8xf32>
  %masked = linalg.generic {indexing_maps = [#id4, #mask_b, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scores, %adder : tensor<1x2x8x8xf32>, tensor<1x1x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.addf %a, %b : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x8xf32>
  // reduce_logsumexp(x, -1, keepdims=True):
  //   raw_max = reduce_max(x); my_max = where(is_finite(raw_max), raw_max, 0)
  //   lse = log(reduce_sum(exp(x - my_max))) + my_max
  %r0 = tensor.empty() : tensor<1x2x8x1xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %raw_max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%masked : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8x1xf32>
  %my_max = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%raw_max : tensor<1x2x8x1xf32>) outs(%r0 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %abs = math.absf %in : f32
    %finite = arith.cmpf one, %abs, %pinf : f32
    %x = arith.select %finite, %in, %zero : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x1xf32>
  %exp0 = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%masked, %my_max : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.subf %a, %b : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp0 : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<1x2x8x1xf32>
  %lse = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum, %my_max : tensor<1x2x8x1xf32>, tensor<1x2x8x1xf32>) outs(%r0 : tensor<1x2x8x1xf32>) {
  ^bb0(%s: f32, %m: f32, %out: f32):
    %l = math.log %s : f32
    %x = arith.addf %l, %m : f32
    linalg.yield %x : f32
  } -> tensor<1x2x8x1xf32>
  %probs = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%masked, %lse : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %x = arith.subf %a, %b : f32
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  // attention_output = einsum("acbe,aecd->abcd", probs, value)
  %o0 = tensor.empty() : tensor<1x8x2x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32>
  %out = linalg.generic {indexing_maps = [#probs_acbe, #value_aecd, #out_abcd], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%probs, %value : tensor<1x2x8x8xf32>, tensor<1x8x2x16xf32>) outs(%o1 : tensor<1x8x2x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x2x16xf32>
  return %out : tensor<1x8x2x16xf32>
}

// tf.matmul(q, k, transpose_b=True) / sqrt(d) as a batch_matmul with
// transposing maps on [B·H, N, D], tf.nn.softmax with TFLite's -FLT_MAX as
// the max's init and the log-sum-exp written with the log in its own
// generic; casts and a call that touches no value between the stages.
func.func private @trace_marker() {
  return
}
// CHECK-LABEL: func.func @tf_matmul_transpose_b(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<1x2x8x16xf32>, %[[K:[^:]*]]: tensor<1x2x8x16xf32>, %[[V:[^:]*]]: tensor<1x2x8x16xf32>)
// CHECK: call @trace_marker()
// CHECK: %[[O:.*]] = hdp.attention config #hdp.config<int_bits = 8, frac_bits = 8, policy = dense, approx = false> %[[Q]], %[[K]], %[[V]] :
// CHECK-NOT: linalg
// CHECK: return
func.func @tf_matmul_transpose_b(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %four = arith.constant 4.000000e+00 : f32
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s2 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s3 = tensor.expand_shape %s2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 8] : tensor<2x8x8xf32> into tensor<1x2x8x8xf32>
  %dyn = tensor.cast %s3 : tensor<1x2x8x8xf32> to tensor<?x2x8x8xf32>
  %s4 = tensor.cast %dyn : tensor<?x2x8x8xf32> to tensor<1x2x8x8xf32>
  %e = tensor.empty() : tensor<1x2x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s4 : tensor<1x2x8x8xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.divf %in, %four : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  func.call @trace_marker() : () -> ()
  %r0 = tensor.empty() : tensor<1x2x8x1xf32>
  %r1 = linalg.fill ins(%lowest : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x : tensor<1x2x8x8xf32>) outs(%r1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<1x2x8x1xf32>
  %exp0 = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %max : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<1x2x8x1xf32>) -> tensor<1x2x8x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%exp0 : tensor<1x2x8x8xf32>) outs(%z1 : tensor<1x2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<1x2x8x1xf32>
  %log = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<1x2x8x1xf32>) outs(%r0 : tensor<1x2x8x1xf32>) {
  ^bb0(%s: f32, %out: f32):
    %l = math.log %s : f32
    linalg.yield %l : f32
  } -> tensor<1x2x8x1xf32>
  %lse = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%max, %log : tensor<1x2x8x1xf32>, tensor<1x2x8x1xf32>) outs(%r0 : tensor<1x2x8x1xf32>) {
  ^bb0(%m: f32, %l: f32, %out: f32):
    %y = arith.addf %m, %l : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x1xf32>
  %probs = linalg.generic {indexing_maps = [#id4, #row, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %lse : tensor<1x2x8x8xf32>, tensor<1x2x8x1xf32>) outs(%e : tensor<1x2x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<1x2x8x8xf32>
  %pc = tensor.cast %probs : tensor<1x2x8x8xf32> to tensor<1x2x?x8xf32>
  %cp = tensor.collapse_shape %pc [[0, 1], [2], [3]] : tensor<1x2x?x8xf32> into tensor<2x?x8xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %cpc = tensor.cast %cp : tensor<2x?x8xf32> to tensor<2x8x8xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o2 = linalg.batch_matmul ins(%cpc, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o3 = tensor.expand_shape %o2 [[0, 1], [2], [3]] output_shape [1, 2, 8, 16] : tensor<2x8x16xf32> into tensor<1x2x8x16xf32>
  return %o3 : tensor<1x2x8x16xf32>
}
