// RUN: hdp-opt --transform-interpreter --split-input-file --verify-diagnostics %s | FileCheck %s

// transform.hdp.tile_and_fuse: the hdp-tile rewrite on target hdp.sparse_pv
// ops with the script's tile sizes, returning the tiled op and the loop.

// Tiles of 2 block rows (4 rows of N = 9 with 2x2 blocks), one batch item
// and one head: the softmax and the approximate scores are fused into the
// innermost loop, the integer pass stays outside.
// CHECK-LABEL: func.func @attention
// CHECK:         hdp.head_mask
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               hdp.approx_combine {{.*}} -> tensor<1x1x?x8xf32>
// CHECK:               hdp.masked_softmax {{.*}} -> tensor<1x1x?x8xf32>
// CHECK:               hdp.sparse_pv {{.*}} -> tensor<1x1x?x4xf32>
// CHECK-NOT:     = hdp.masked_softmax
// CHECK-NOT:     = hdp.approx_combine
func.func @attention(%q: tensor<2x2x9x4xf32>, %k: tensor<2x2x8x4xf32>, %v: tensor<2x2x8x4xf32>) -> tensor<2x2x9x4xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v : tensor<2x2x9x4xf32>, tensor<2x2x8x4xf32>, tensor<2x2x8x4xf32> -> tensor<2x2x9x4xf32>
  return %0 : tensor<2x2x9x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["hdp.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %split, %score, %prune, %head, %combine, %softmax, %pv = transform.hdp.decompose %attn
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %tiled, %loop = transform.hdp.tile_and_fuse %pv tile_sizes = [1, 1, 2]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.match.operation_name %tiled ["hdp.sparse_pv"] : !transform.any_op
    transform.match.operation_name %loop ["scf.for"] : !transform.any_op
    // The loop handle is the outermost loop: directly in the function.
    %parent = transform.get_parent_op %loop : (!transform.any_op) -> !transform.any_op
    transform.match.operation_name %parent ["func.func"] : !transform.any_op
    transform.yield
  }
}

// -----

// Larger batch and head tiles give tile-sized slices in those dimensions.
// CHECK-LABEL: func.func @batch_tiles
// CHECK:         scf.for
// CHECK:               hdp.sparse_pv {{.*}} -> tensor<2x?x?x4xf32>
func.func @batch_tiles(%q: tensor<2x3x9x4xf32>, %k: tensor<2x3x8x4xf32>, %v: tensor<2x3x8x4xf32>) -> tensor<2x3x9x4xf32> {
  %0 = hdp.attention %q, %k, %v : tensor<2x3x9x4xf32>, tensor<2x3x8x4xf32>, tensor<2x3x8x4xf32> -> tensor<2x3x9x4xf32>
  return %0 : tensor<2x3x9x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["hdp.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    %split, %score, %prune, %head, %combine, %softmax, %pv = transform.hdp.decompose %attn
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %tiled, %loop = transform.hdp.tile_and_fuse %pv tile_sizes = [2, 2, 3]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %pv = transform.structured.match ops{["hdp.sparse_pv"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{expects tile sizes >= 1, got 0 for the block row dimension}}
    %tiled, %loop = transform.hdp.tile_and_fuse %pv tile_sizes = [1, 1, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %pv = transform.structured.match ops{["hdp.sparse_pv"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{expects 3 tile sizes (batch, head, block rows), got 2}}
    %tiled, %loop = transform.hdp.tile_and_fuse %pv tile_sizes = [1, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// A target that is not hdp.sparse_pv (here the whole attention).
func.func @wrong_payload(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>, %v: tensor<1x2x6x4xf32>) -> tensor<1x2x8x4xf32> {
  // expected-note @below {{target}}
  %0 = hdp.attention %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x4xf32> -> tensor<1x2x8x4xf32>
  return %0 : tensor<1x2x8x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %attn = transform.structured.match ops{["hdp.attention"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @below {{expects hdp.sparse_pv ops on tensors, got 'hdp.attention'}}
    %tiled, %loop = transform.hdp.tile_and_fuse %attn tile_sizes = [1, 1, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
