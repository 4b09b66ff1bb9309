// RUN: hdp-opt --transform-interpreter --split-input-file --verify-diagnostics %s | FileCheck %s

// transform.hdp.decompose: the hdp-decompose rewrite on the target
// hdp.attention ops, returning one handle per kind of stage op.

// CHECK-LABEL: func.func @two(
// CHECK-NOT:     = hdp.attention
// CHECK-COUNT-2: hdp.sparse_pv
// CHECK-NOT:     = hdp.attention
func.func @two(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x4xf32>) -> (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>) {
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32> -> tensor<1x2x8x4xf32>
  %1 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32> -> tensor<1x2x8x4xf32>
  return %0, %1 : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["hdp.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %split, %score, %prune, %head, %combine, %softmax, %pv = transform.hdp.decompose %attn
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    // Two splits (Q and K) per attention, one of every other stage.
    %ns = transform.num_associations %split : (!transform.any_op) -> !transform.param<i64>
    // expected-remark @below {{4}}
    transform.debug.emit_param_as_remark %ns : !transform.param<i64>
    %np = transform.num_associations %pv : (!transform.any_op) -> !transform.param<i64>
    // expected-remark @below {{2}}
    transform.debug.emit_param_as_remark %np : !transform.param<i64>
    transform.yield
  }
}

// -----

// The stage ops carry the attention's config and come in the order they run.
// CHECK-LABEL: func.func @order(
// CHECK:         hdp.split_quantize config #hdp.config<block = [4, 2]>
// CHECK:         hdp.split_quantize config #hdp.config<block = [4, 2]>
// CHECK:         hdp.block_score config #hdp.config<block = [4, 2]>
// CHECK:         hdp.prune_mask config #hdp.config<block = [4, 2]>
// CHECK:         hdp.head_mask config #hdp.config<block = [4, 2]>
// CHECK:         hdp.approx_combine config #hdp.config<block = [4, 2]>
// CHECK:         hdp.masked_softmax config #hdp.config<block = [4, 2]>
// CHECK:         hdp.sparse_pv config #hdp.config<block = [4, 2]>
func.func @order(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x4xf32>) -> tensor<1x2x8x4xf32> {
  %0 = hdp.attention config #hdp.config<block = [4, 2]> %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32> -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["hdp.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %split, %score, %prune, %head, %combine, %softmax, %pv = transform.hdp.decompose %attn
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    // Each handle holds the op it names.
    transform.match.operation_name %pv ["hdp.sparse_pv"] : !transform.any_op
    transform.match.operation_name %score ["hdp.block_score"] : !transform.any_op
    transform.match.operation_name %prune ["hdp.prune_mask"] : !transform.any_op
    transform.match.operation_name %head ["hdp.head_mask"] : !transform.any_op
    transform.match.operation_name %combine ["hdp.approx_combine"] : !transform.any_op
    transform.match.operation_name %softmax ["hdp.masked_softmax"] : !transform.any_op
    transform.yield
  }
}

// -----

// A target that is not hdp.attention: an error.
// expected-note @below {{target}}
func.func @wrong_payload(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x4xf32>) -> tensor<1x2x8x4xf32> {
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32> -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{expects hdp.attention ops, got 'func.func'}}
    %split, %score, %prune, %head, %combine, %softmax, %pv = transform.hdp.decompose %f
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
