// A whole CPU compilation of frontend linalg attention as a transform
// script: what hdp-cpu-pipeline does, spelled out step by step so that an
// embedding compiler can reorder, retune or replace any step.
//
//   hdp-opt --transform-preload-library=transform-library-paths=examples/transform/cpu-compile.mlir \
//     --transform-interpreter examples/bert_self_attention.mlir
//
// or, to compile and run a function with it:
//
//   hdp-run examples/bert_self_attention.mlir --function=bert_self_attention \
//     --transform=examples/transform/cpu-compile.mlir --input=@q.npy ...
//
// The payload is the whole input module (the script lives in this separate
// library), so that module-level passes may run on it.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%module: !transform.any_op) {
    // 1. Raise the linalg attention chains to hdp.attention.
    %funcs = transform.structured.match ops{["func.func"]} in %module
        : (!transform.any_op) -> !transform.any_op
    %attention = transform.hdp.raise_attention %funcs
        {config = #hdp.config<rho = 0.3, block = [2, 2]>}
        : (!transform.any_op) -> !transform.any_op

    // 2. Decompose into the HDP stages.
    %split, %score, %prune, %head, %combine, %softmax, %pv =
        transform.hdp.decompose %attention
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op)

    // 3. Tile the floating-point pass, 4 block rows per tile, with softmax
    //    and score approximation fused in; tile-sized destinations.
    %tiled, %loop = transform.hdp.tile_and_fuse %pv tile_sizes = [1, 1, 4]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.apply_patterns to %funcs {
      transform.apply_patterns.tensor.fold_tensor_empty
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %funcs : !transform.any_op

    // 4. Bufferize, with plain memrefs at function boundaries (what C
    //    callers pass).
    %bufferized = transform.bufferization.one_shot_bufferize %module
        {bufferize_function_boundaries = true,
         function_boundary_type_conversion = 1 : i32}
        : (!transform.any_op) -> !transform.any_op

    // 5. hdp stage ops to loops, then the upstream lowering to LLVM.
    %m0 = transform.apply_registered_pass "buffer-deallocation-pipeline" to %bufferized
        : (!transform.any_op) -> !transform.any_op
    %m1 = transform.apply_registered_pass "hdp-copies-to-linalg" to %m0
        : (!transform.any_op) -> !transform.any_op
    %m2 = transform.apply_registered_pass "hdp-lower-to-loops" to %m1
        : (!transform.any_op) -> !transform.any_op
    %m3 = transform.apply_registered_pass "convert-linalg-to-loops" to %m2
        : (!transform.any_op) -> !transform.any_op
    %m4 = transform.apply_registered_pass "canonicalize" to %m3
        : (!transform.any_op) -> !transform.any_op
    %m5 = transform.apply_registered_pass "loop-invariant-code-motion" to %m4
        : (!transform.any_op) -> !transform.any_op
    %m6 = transform.apply_registered_pass "cse" to %m5
        : (!transform.any_op) -> !transform.any_op
    %m7 = transform.apply_registered_pass "hdp-emit-c-interface" to %m6
        : (!transform.any_op) -> !transform.any_op
    %m8 = transform.apply_registered_pass "expand-strided-metadata" to %m7
        : (!transform.any_op) -> !transform.any_op
    %m9 = transform.apply_registered_pass "lower-affine" to %m8
        : (!transform.any_op) -> !transform.any_op
    %m10 = transform.apply_registered_pass "arith-expand" to %m9
        : (!transform.any_op) -> !transform.any_op
    %m11 = transform.apply_registered_pass "convert-scf-to-cf" to %m10
        : (!transform.any_op) -> !transform.any_op
    %m12 = transform.apply_registered_pass "finalize-memref-to-llvm" to %m11
        : (!transform.any_op) -> !transform.any_op
    %m13 = transform.apply_registered_pass "convert-math-to-llvm" to %m12
        : (!transform.any_op) -> !transform.any_op
    %m14 = transform.apply_registered_pass "convert-to-llvm" to %m13
        : (!transform.any_op) -> !transform.any_op
    %m15 = transform.apply_registered_pass "reconcile-unrealized-casts" to %m14
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
