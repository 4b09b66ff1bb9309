// Transform script of the dense-attention baseline (bench/cpu): upstream
// MLIR's fastest CPU recipe we know for linalg attention (MLIR 22; see
// bench/README.md).
//
// @tile_and_vectorize runs on tensors, before bufferization:
//   decompose linalg.softmax into generics; tile both batch_matmuls
//   [1, 8, 32, 16]; tile the elementwise and reduction generics and the
//   rank-3 fills [1, 4, 16], the rank-2 fills (softmax max/sum inits)
//   [1, 4]; vectorize everything inside @attention.
// @lower_vectors runs after one-shot bufferization: hoist redundant vector
//   transfers out of the loops, then lower the vector ops, one pattern group
//   at a time (in a single group with canonicalization the greedy driver
//   never converges).

module attributes {transform.with_named_sequence} {
  transform.named_sequence @tile_and_vectorize(
      %root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]}
        attributes {sym_name = "attention"} in %root
        : (!transform.any_op) -> !transform.any_op
    %softmax = transform.structured.match ops{["linalg.softmax"]} in %func
        : (!transform.any_op) -> !transform.any_op
    %decomposed = transform.structured.decompose_interface %softmax
        : (!transform.any_op) -> !transform.any_op

    %mms = transform.structured.match ops{["linalg.batch_matmul"]} in %func
        : (!transform.any_op) -> !transform.any_op
    %tiled_mms, %l0:4 = transform.structured.tile_using_for %mms
        tile_sizes [1, 8, 32, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op)

    %generics = transform.structured.match ops{["linalg.generic"]} in %func
        : (!transform.any_op) -> !transform.any_op
    %tiled_generics, %l1:3 = transform.structured.tile_using_for %generics
        tile_sizes [1, 4, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op)

    // Fills in program order: scores [H,N,M], softmax max [H,N], softmax
    // sum [H,N], output [H,N,D].
    %fills = transform.structured.match ops{["linalg.fill"]} in %func
        : (!transform.any_op) -> !transform.any_op
    %f_scores, %f_max, %f_sum, %f_out = transform.split_handle %fills
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op)
    %fills3 = transform.merge_handles %f_scores, %f_out : !transform.any_op
    %fills2 = transform.merge_handles %f_max, %f_sum : !transform.any_op
    %tiled_f3, %l2:3 = transform.structured.tile_using_for %fills3
        tile_sizes [1, 4, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op)
    %tiled_f2, %l3:2 = transform.structured.tile_using_for %fills2
        tile_sizes [1, 4]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
            !transform.any_op)

    %func2 = transform.structured.vectorize_children_and_apply_patterns %func
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }

  transform.named_sequence @lower_vectors(
      %root: !transform.any_op {transform.readonly}) {
    %func = transform.structured.match ops{["func.func"]}
        attributes {sym_name = "attention"} in %root
        : (!transform.any_op) -> !transform.any_op
    %hoisted = transform.structured.hoist_redundant_vector_transfers %func
        : (!transform.any_op) -> !transform.any_op
    %f = transform.structured.match ops{["func.func"]}
        attributes {sym_name = "attention"} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction
          lowering_strategy = "outerproduct"
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.transfer_permutation_patterns
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_multi_reduction
          lowering_strategy = "innerreduction"
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.transfer_to_scf
          max_transfer_rank = 1 full_unroll = true
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_shape_cast
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_transpose
          lowering_strategy = "shuffle_1d"
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_broadcast
    } : !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_outerproduct
    } : !transform.any_op
    transform.yield
  }
}
