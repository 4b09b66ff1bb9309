// Every softmax-shaped chain hdp-raise-attention leaves alone gets, with
// explain=true, one remark naming the first op that did not match and why;
// without it, nothing is said and the IR stays exactly as it was.

// RUN: hdp-opt --hdp-raise-attention="explain=true" --split-input-file -verify-diagnostics %s > %t.explained
// RUN: sed '/expected-remark/d' %s > %t.input
// RUN: hdp-opt --split-input-file %t.input > %t.ref
// RUN: hdp-opt --hdp-raise-attention --split-input-file %t.input > %t.out 2> %t.err
// RUN: diff %t.ref %t.out
// RUN: diff %t.ref %t.explained
// RUN: count 0 < %t.err

// Q·Kᵀ accumulates into an argument: not a plain product.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @accumulating_scores(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %acc: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' accumulates into an init that is not zero}}
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%acc : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The scores are an argument: there is no Q·Kᵀ to raise.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @scores_from_argument(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %sarg: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s_unused = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' reads a function argument where the scores Q·Kᵀ were expected}}
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%sarg : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The scores come from an elementwise op, not a contraction.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @scores_not_contraction(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' is not a scale, mask, reshape or copy of the scores, nor the contraction Q·Kᵀ}}
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = math.tanh %a : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The scores are transposed along their batch: not (K·Qᵀ)ᵀ.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @scores_permuted_batch(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %st0 = tensor.empty() : tensor<8x4x8xf32>
  %st1 = linalg.transpose ins(%s : tensor<4x8x8xf32>) outs(%st0 : tensor<8x4x8xf32>) permutation = [1, 0, 2]
  // expected-remark @below {{attention not raised: 'linalg.transpose' permutes the scores other than by swapping their last two dimensions}}
  %st = linalg.transpose ins(%st1 : tensor<8x4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) permutation = [1, 0, 2]
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%st : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A negative scale is no #hdp.config scale.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @negative_scale(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant -2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' scales the scores by -0.250000, not a positive finite f32}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// scale·(S + mask) is not what hdp.attention computes.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @mask_before_scale(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %mask: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' adds the mask before the scores are scaled, which hdp.attention does not compute}}
  %xm = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %mask : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xm : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The same with a masked fill.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @masked_fill_before_scale(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %c: tensor<4x8x8xi1>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' masks the scores before they are scaled, which hdp.attention does not compute}}
  %xm = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%c, %s : tensor<4x8x8xi1>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%cc: i1, %a: f32, %out: f32):
    %y = arith.select %cc, %ninf, %a : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xm : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// hdp.attention takes one mask.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @two_masks(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %mask: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' adds a second mask to the scores}}
  %xm0 = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mask : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %xm = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xm0, %mask : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%xm : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xm, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The mask is added to K·Qᵀ before it is transposed: it would have to be transposed too.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @mask_before_transpose(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %mask: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' adds the mask before the scores are transposed}}
  %xm = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mask : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %xt = linalg.transpose ins(%xm : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) permutation = [0, 2, 1]
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%xt : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xt, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// Filling with 1.0 removes nothing: no mask hdp.attention knows.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @masked_fill_finite(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %c: tensor<4x8x8xi1>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' is not a scale, mask, reshape or copy of the scores, nor the contraction Q·Kᵀ}}
  %xm = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%c, %x : tensor<4x8x8xi1>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%cc: i1, %a: f32, %out: f32):
    %y = arith.select %cc, %one, %a : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%xm : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xm, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A mask read transposed does not broadcast to [B, H, N, M] in order.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#mt = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
func.func @mask_read_transposed(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %mask: tensor<4x8x8xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' adds a mask that is not of the scores' type or does not broadcast to them in order}}
  %xm = linalg.generic {indexing_maps = [#id3, #mt, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %mask : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%xm : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%xm, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A max from 0 clips negative rows.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_init_zero(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r0z = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' starts the max from a value other than -inf, -FLT_MAX, the lowest f16/bf16 or (with a NaN-ignoring max) NaN}}
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r0z : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// maximumf propagates a NaN start: every row max would be NaN.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_nan_init_maximumf(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFFC00000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' starts the max from a value other than -inf, -FLT_MAX, the lowest f16/bf16 or (with a NaN-ignoring max) NaN}}
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The reduction takes the minimum.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_is_min(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' does not take the maximum of its elements (maximumf, maxnumf or cmpf+select), expected the row max}}
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.minimumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The max reduces the rows dimension.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_wrong_dim(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.reduce' does not reduce the last dimension, expected the row max}}
  %max = linalg.reduce ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %m = arith.maximumf %in, %init : f32
      linalg.yield %m : f32
    }
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The max is of the unscaled scores, the difference of the scaled ones.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_of_other_tensor(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' is the max of another tensor than the one it is subtracted from}}
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%s : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The max of row i is subtracted in column i.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#col3 = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @max_read_by_column(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' reads the row max neither once per row nor whole}}
  %exp = linalg.generic {indexing_maps = [#id3, #col3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A whole tensor is subtracted, not a broadcast row max.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @max_read_whole_not_broadcast(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' reads the row max whole, but it is no broadcast of one value per row}}
  %exp = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %s : tensor<4x8x8xf32>, tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The normalised tensor is exp(x - max) / 4, not the exp.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @exp_times_constant(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' does not compute exp, expected the softmax's exp(x - max)}}
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    %z = arith.mulf %y, %quarter : f32
    linalg.yield %z : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// exp(x) without the max subtracted.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @exp_without_max(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' does not subtract one input from another, expected x - max}}
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = math.exp %a : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// A sum from 1 adds one to every row sum.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @sum_init_one(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%one : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' sums into an init that is not 0}}
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The reduction multiplies.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @sum_is_product(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' does not add up its elements, expected the row sum}}
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.mulf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The sum reduces the rows dimension.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#sumcol = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @sum_wrong_dim(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' does not reduce (only) the last dimension, expected the row sum}}
  %sum = linalg.generic {indexing_maps = [#id3, #sumcol], iterator_types = ["parallel", "reduction", "parallel"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The sum is of the scores, the normalised tensor their exp.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @sum_of_other_tensor(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' sums another tensor than the one the softmax normalises}}
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// exp + sum is no normalisation.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @norm_adds(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' does not divide by the row sum or multiply by its reciprocal}}
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.addf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The softmax multiplies by 2 / sum.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @reciprocal_of_two(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' is not 1 / (row sum), which the softmax multiplies by}}
  %rc = linalg.generic {indexing_maps = [#row2, #row2], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<4x8xf32>) outs(%r0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %two = arith.constant 2.000000e+00 : f32
    %y = arith.divf %two, %a : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %rc : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.mulf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The probabilities are returned too: they must stay.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @probabilities_escape(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> (tensor<4x8x16xf32>, tensor<4x8x8xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' has a result used outside the attention, by 'func.return'}}
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o, %p : tensor<4x8x16xf32>, tensor<4x8x8xf32>
}

// -----

// The exponentials are returned too.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @exp_escapes(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> (tensor<4x8x16xf32>, tensor<4x8x8xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' has a result used outside the attention, by 'func.return'}}
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o, %exp : tensor<4x8x16xf32>, tensor<4x8x8xf32>
}

// -----

// The raw scores are returned too.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @scores_escape(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> (tensor<4x8x16xf32>, tensor<4x8x8xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' has a result used outside the attention, by 'func.return'}}
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o, %s : tensor<4x8x16xf32>, tensor<4x8x8xf32>
}

// -----

// The probabilities are the result: there is no P·V.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @softmax_without_pv(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x8xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' computes a softmax whose probabilities reach no contraction with V}}
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  return %p : tensor<4x8x8xf32>
}

// -----

// P·V accumulates into an argument.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @accumulating_pv(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>, %acc: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' accumulates into an init that is not zero}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%acc : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// P·V reads P transposed (Pᵀ·V).
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @pv_reads_p_transposed(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' does not read the probabilities P as its first operand laid out [batch.., N, M]}}
  %o = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, k, m)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// The probabilities are transposed before P·V.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @probabilities_transposed(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%exp, %sum : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %y = arith.divf %a, %b : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.transpose' is not a softmax: expected linalg.softmax or an elementwise linalg.generic normalising exponentials}}
  %pt = linalg.transpose ins(%p : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) permutation = [0, 2, 1]
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%pt, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// linalg.softmax over the rows.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @softmax_wrong_dim(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.softmax' is not over the last dimension}}
  %p = linalg.softmax dimension(1) ins(%x : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// exp(x - (max - log Σ)) is no softmax.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @logsumexp_minus(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %quarter = arith.constant 2.500000e-01 : f32
  %one = arith.constant 1.000000e+00 : f32
  %s0 = tensor.empty() : tensor<4x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%q, %k : tensor<4x8x16xf32>, tensor<4x8x16xf32>) outs(%s1 : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %x = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s : tensor<4x8x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %y = arith.mulf %a, %quarter : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %r0 = tensor.empty() : tensor<4x8xf32>
  %r1 = linalg.fill ins(%ninf : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<4x8x8xf32>) outs(%r1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %max : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%r0 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%exp : tensor<4x8x8xf32>) outs(%z1 : tensor<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = arith.addf %in, %out : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  // expected-remark @below {{attention not raised: 'linalg.generic' is not max + log(sum), expected the log-sum-exp of a softmax}}
  %lse = linalg.generic {indexing_maps = [#row2, #row2, #row2], iterator_types = ["parallel", "parallel"]} ins(%max, %sum : tensor<4x8xf32>, tensor<4x8xf32>) outs(%r0 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %l = math.log %b : f32
    %y = arith.subf %a, %l : f32
    linalg.yield %y : f32
  } -> tensor<4x8xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %lse : tensor<4x8x8xf32>, tensor<4x8xf32>) outs(%s0 : tensor<4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<4x8x8xf32>
  %o0 = tensor.empty() : tensor<4x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x8x8xf32>, tensor<4x8x16xf32>) outs(%o1 : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// Q and K have 2 heads of one batch item, V one head of 2: B and H disagree.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @mismatched_heads(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<2x1x8x16xf32>) -> tensor<2x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x2x8x16xf32> into tensor<2x8x16xf32>
  %cv = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x1x8x16xf32> into tensor<2x8x16xf32>
  %s0 = tensor.empty() : tensor<2x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<2x8x16xf32>, tensor<2x8x16xf32>) outs(%s1 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x8x8xf32>) outs(%s0 : tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %o0 = tensor.empty() : tensor<2x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' has operands that disagree on the batch B and heads H}}
  %o = linalg.batch_matmul ins(%p, %cv : tensor<2x8x8xf32>, tensor<2x8x16xf32>) outs(%o1 : tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// V has a B·H batch whose split into heads is not known at compile time.
func.func @dynamic_heads(%q: tensor<1x?x8x16xf32>, %k: tensor<1x?x8x16xf32>, %v: tensor<?x8x16xf32>, %h: index) -> tensor<1x?x8x16xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %cq = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<1x?x8x16xf32> into tensor<?x8x16xf32>
  %ck = tensor.collapse_shape %k [[0, 1], [2], [3]] : tensor<1x?x8x16xf32> into tensor<?x8x16xf32>
  %c0 = arith.constant 0 : index
  %g = tensor.dim %cq, %c0 : tensor<?x8x16xf32>
  %s0 = tensor.empty(%g) : tensor<?x8x8xf32>
  %s1 = linalg.fill ins(%zero : f32) outs(%s0 : tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%cq, %ck : tensor<?x8x16xf32>, tensor<?x8x16xf32>) outs(%s1 : tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x8x8xf32>) outs(%s0 : tensor<?x8x8xf32>) -> tensor<?x8x8xf32>
  %o0 = tensor.empty(%g) : tensor<?x8x16xf32>
  %o1 = linalg.fill ins(%zero : f32) outs(%o0 : tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  // expected-remark @below {{attention not raised: 'linalg.batch_matmul' merges B·H with a number of heads H not known at compile time}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x8x8xf32>, tensor<?x8x16xf32>) outs(%o1 : tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %r = tensor.expand_shape %o [[0, 1], [2], [3]] output_shape [1, %h, 8, 16] : tensor<?x8x16xf32> into tensor<1x?x8x16xf32>
  return %r : tensor<1x?x8x16xf32>
}

// -----

// No softmax: nothing is said, nothing changes.
func.func @no_softmax(%a: tensor<4x8x16xf32>, %b: tensor<4x16x8xf32>) -> tensor<4x8x8xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<4x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  %c = linalg.batch_matmul ins(%a, %b : tensor<4x8x16xf32>, tensor<4x16x8xf32>) outs(%f : tensor<4x8x8xf32>) -> tensor<4x8x8xf32>
  return %c : tensor<4x8x8xf32>
}
