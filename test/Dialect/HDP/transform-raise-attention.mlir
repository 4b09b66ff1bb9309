// RUN: hdp-opt --transform-interpreter --split-input-file --verify-diagnostics %s | FileCheck %s

// transform.hdp.raise_attention: the hdp-raise-attention rewrite on the
// targets' bodies, returning handles to the created hdp.attention ops.

// Both functions are raised with the script's config (plus the scale found
// in the IR), and the result handle holds both new ops.
// CHECK-LABEL: func.func @linalg_softmax(
// CHECK-NOT:     linalg.
// CHECK:         hdp.attention config #hdp.config<rho = 0.5, policy = topk, topk = 2, scale = 1.0>
// CHECK-NOT:     linalg.
// CHECK-LABEL: func.func @second(
// CHECK:         hdp.attention config #hdp.config<rho = 0.5, policy = topk, topk = 2, scale = 1.0>
#qk = affine_map<(b, h, n, m, d) -> (b, h, n, d)>
#kk = affine_map<(b, h, n, m, d) -> (b, h, m, d)>
#sk = affine_map<(b, h, n, m, d) -> (b, h, n, m)>
#pv_p = affine_map<(b, h, n, e, m) -> (b, h, n, m)>
#pv_v = affine_map<(b, h, n, e, m) -> (b, h, m, e)>
#pv_o = affine_map<(b, h, n, e, m) -> (b, h, n, e)>
// expected-remark @below {{still valid}}
func.func @linalg_softmax(%q: tensor<2x3x8x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x3x8x6xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %s = linalg.generic {indexing_maps = [#qk, #kk, #sk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x3x8x4xf32>, tensor<2x3x6x4xf32>) outs(%f0 : tensor<2x3x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x6xf32>
  %e1 = tensor.empty() : tensor<2x3x8x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x3x8x6xf32>) outs(%e1 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %e2 = tensor.empty() : tensor<2x3x8x5xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3x8x5xf32>) -> tensor<2x3x8x5xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<2x3x8x6xf32>, tensor<2x3x6x5xf32>) outs(%f2 : tensor<2x3x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x5xf32>
  return %o : tensor<2x3x8x5xf32>
}


// expected-remark @below {{still valid}}
func.func @second(%q: tensor<2x3x8x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x3x8x6xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %s = linalg.generic {indexing_maps = [#qk, #kk, #sk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x3x8x4xf32>, tensor<2x3x6x4xf32>) outs(%f0 : tensor<2x3x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x6xf32>
  %e1 = tensor.empty() : tensor<2x3x8x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x3x8x6xf32>) outs(%e1 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %e2 = tensor.empty() : tensor<2x3x8x5xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3x8x5xf32>) -> tensor<2x3x8x5xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<2x3x8x6xf32>, tensor<2x3x6x5xf32>) outs(%f2 : tensor<2x3x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x5xf32>
  return %o : tensor<2x3x8x5xf32>
}


module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %attn = transform.hdp.raise_attention %funcs {config = #hdp.config<rho = 0.5, policy = topk, topk = 2>}
        : (!transform.any_op) -> !transform.any_op
    // One handle to both new ops.
    %n = transform.num_associations %attn : (!transform.any_op) -> !transform.param<i64>
    // expected-remark @below {{2}}
    transform.debug.emit_param_as_remark %n : !transform.param<i64>
    // The funcs handle stays valid: raise only reads it.
    transform.debug.emit_remark_at %funcs, "still valid" : !transform.any_op
    transform.yield
  }
}

// -----

// Without a config attribute, the default #hdp.config<> (plus the scale).
// CHECK-LABEL: func.func @linalg_softmax(
// CHECK:         hdp.attention config #hdp.config<scale = 1.0>
#qk = affine_map<(b, h, n, m, d) -> (b, h, n, d)>
#kk = affine_map<(b, h, n, m, d) -> (b, h, m, d)>
#sk = affine_map<(b, h, n, m, d) -> (b, h, n, m)>
#pv_p = affine_map<(b, h, n, e, m) -> (b, h, n, m)>
#pv_v = affine_map<(b, h, n, e, m) -> (b, h, m, e)>
#pv_o = affine_map<(b, h, n, e, m) -> (b, h, n, e)>
func.func @linalg_softmax(%q: tensor<2x3x8x4xf32>, %k: tensor<2x3x6x4xf32>, %v: tensor<2x3x6x5xf32>) -> tensor<2x3x8x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<2x3x8x6xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %s = linalg.generic {indexing_maps = [#qk, #kk, #sk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<2x3x8x4xf32>, tensor<2x3x6x4xf32>) outs(%f0 : tensor<2x3x8x6xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x6xf32>
  %e1 = tensor.empty() : tensor<2x3x8x6xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x3x8x6xf32>) outs(%e1 : tensor<2x3x8x6xf32>) -> tensor<2x3x8x6xf32>
  %e2 = tensor.empty() : tensor<2x3x8x5xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x3x8x5xf32>) -> tensor<2x3x8x5xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%p, %v : tensor<2x3x8x6xf32>, tensor<2x3x6x5xf32>) outs(%f2 : tensor<2x3x8x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %c, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x8x5xf32>
  return %o : tensor<2x3x8x5xf32>
}


module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %attn = transform.hdp.raise_attention %funcs : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// A target without a region: nothing to raise in, a clear error.
func.func @not_a_region() -> f32 {
  // expected-note @below {{target}}
  %c = arith.constant 1.0 : f32
  return %c : f32
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %c = transform.structured.match ops{["arith.constant"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{expects targets with regions to raise attention in (e.g. func.func), got 'arith.constant'}}
    %attn = transform.hdp.raise_attention %c : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// No attention in the targets: the op says so.
func.func @no_attention(%a: f32) -> f32 {
  %0 = arith.addf %a, %a : f32
  return %0 : f32
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{found no attention to raise in the targets}}
    %attn = transform.hdp.raise_attention %funcs : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// ... which a script can tolerate by suppressing the failure; IR that is
// not attention stays unchanged.
// CHECK-LABEL: func.func @suppressed(
// CHECK-NEXT:    arith.addf
func.func @suppressed(%a: f32) -> f32 {
  %0 = arith.addf %a, %a : f32
  return %0 : f32
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %funcs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    transform.sequence %funcs : !transform.any_op failures(suppress) {
    ^bb0(%f: !transform.any_op):
      %attn = transform.hdp.raise_attention %f : (!transform.any_op) -> !transform.any_op
    }
    transform.yield
  }
}
