// RUN: hdp-opt --hdp-decompose --transform-interpreter --canonicalize %s | FileCheck %s

// The stage ops' TilingInterface from the transform dialect: tile
// hdp.sparse_pv along block rows with transform.structured.tile_using_for,
// then fuse hdp.masked_softmax and hdp.approx_combine into the loop with
// fuse_into_containing_op.

// CHECK-LABEL: func.func @attention
// CHECK: hdp.head_mask
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: hdp.approx_combine {{.*}} -> tensor<1x1x?x8xf32>
// CHECK: hdp.masked_softmax {{.*}} -> tensor<1x1x?x8xf32>
// CHECK: hdp.sparse_pv {{.*}} -> tensor<1x1x?x4xf32>
// CHECK-NOT: = hdp.masked_softmax
func.func @attention(%q: tensor<2x2x9x4xf32>, %k: tensor<2x2x8x4xf32>, %v: tensor<2x2x8x4xf32>) -> tensor<2x2x9x4xf32> {
  %0 = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v : tensor<2x2x9x4xf32>, tensor<2x2x8x4xf32>, tensor<2x2x8x4xf32> -> tensor<2x2x9x4xf32>
  return %0 : tensor<2x2x9x4xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %pv = transform.structured.match ops{["hdp.sparse_pv"]} in %root : (!transform.any_op) -> !transform.any_op
    %softmax = transform.structured.match ops{["hdp.masked_softmax"]} in %root : (!transform.any_op) -> !transform.any_op
    %combine = transform.structured.match ops{["hdp.approx_combine"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %lb, %lh, %lr = transform.structured.tile_using_for %pv tile_sizes [1, 1, 2]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op, !transform.any_op)
    %fused_softmax, %loop1 = transform.structured.fuse_into_containing_op %softmax into %lr
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused_combine, %loop2 = transform.structured.fuse_into_containing_op %combine into %loop1
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
