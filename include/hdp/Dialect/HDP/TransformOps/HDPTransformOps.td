//===- HDPTransformOps.td - transform.hdp.* ops ------------*- tablegen -*-===//
//
// Transform dialect extension: the hdp rewrites (raise, decompose, tile and
// fuse) as transform ops, so that a transform script can drive an hdp
// compilation the way hdp-cpu-pipeline does, one step at a time.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_TRANSFORMOPS_HDPTRANSFORMOPS_TD
#define HDP_DIALECT_HDP_TRANSFORMOPS_HDPTRANSFORMOPS_TD

include "hdp/Dialect/HDP/IR/HDPAttrs.td"
include "mlir/Dialect/Transform/IR/TransformDialect.td"
include "mlir/Dialect/Transform/IR/TransformTypes.td"
include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

def HDPRaiseAttentionOp : Op<Transform_Dialect, "hdp.raise_attention",
    [DeclareOpInterfaceMethods<TransformOpInterface>,
     DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
     ReportTrackingListenerFailuresOpTrait]> {
  let summary = "Raise linalg attention nested in the targets to hdp.attention";
  let description = [{
    Runs the rewrite of the `hdp-raise-attention` pass on the bodies of the
    target ops (e.g. `func.func` or `builtin.module`): every recognised
    `softmax(scale·Q·Kᵀ [+ mask])·V` chain in linalg becomes one
    `hdp.attention` carrying `config` (default `#hdp.config<>`), with the
    scale found in the IR. See the pass for the recognised forms.

    The targets are only read (their bodies change, they stay valid). The
    result holds the created `hdp.attention` ops, in program order, for all
    targets.

    Produces a silenceable failure if a target has no region, or if no
    attention was recognised in any target (so a script can tell
    "nothing to do" from success, and `transform.sequence failures(suppress)`
    can ignore it).

    ```mlir
    %attn = transform.hdp.raise_attention %func
        {config = #hdp.config<rho = 0.3>}
        : (!transform.any_op) -> !transform.any_op
    ```
  }];

  let arguments = (ins TransformHandleTypeInterface:$target,
                       OptionalAttr<HDP_ConfigAttr>:$config);
  let results = (outs TransformHandleTypeInterface:$attention);
  // The config goes in the attribute dictionary: a bare `#hdp.config<...>`
  // before the `:` would be parsed as a typed attribute.
  let assemblyFormat =
      "$target attr-dict `:` functional-type(operands, results)";
}

def HDPDecomposeOp : Op<Transform_Dialect, "hdp.decompose",
    [FunctionalStyleTransformOpTrait,
     DeclareOpInterfaceMethods<TransformOpInterface>,
     MemoryEffectsOpInterface,
     ReportTrackingListenerFailuresOpTrait]> {
  let summary = "Decompose hdp.attention into the HDP stage ops";
  let description = [{
    Runs the rewrite of the `hdp-decompose` pass on each target, which must
    be an `hdp.attention`, and returns handles to the stage ops
    that replace it: `split_quantize` (two per attention: Q, then K),
    `block_score`, `prune_mask`, `head_mask`, `approx_combine`,
    `masked_softmax` and `sparse_pv`, each in target order.

    The target handle is consumed. A target that is not an `hdp.attention`
    is a silenceable failure that leaves the payload unchanged.

    ```mlir
    %split, %score, %prune, %head, %combine, %softmax, %pv =
        transform.hdp.decompose %attn : (!transform.any_op)
        -> (!transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op, !transform.any_op, !transform.any_op,
            !transform.any_op)
    ```
  }];

  let arguments = (ins TransformHandleTypeInterface:$target);
  let results = (outs TransformHandleTypeInterface:$split_quantize,
                      TransformHandleTypeInterface:$block_score,
                      TransformHandleTypeInterface:$prune_mask,
                      TransformHandleTypeInterface:$head_mask,
                      TransformHandleTypeInterface:$approx_combine,
                      TransformHandleTypeInterface:$masked_softmax,
                      TransformHandleTypeInterface:$sparse_pv);
  let assemblyFormat = "$target attr-dict `:` functional-type(operands, results)";
}

def HDPTileAndFuseOp : Op<Transform_Dialect, "hdp.tile_and_fuse",
    [FunctionalStyleTransformOpTrait,
     DeclareOpInterfaceMethods<TransformOpInterface>,
     MemoryEffectsOpInterface,
     ReportTrackingListenerFailuresOpTrait]> {
  let summary = "Tile the floating-point pass along block rows and fuse it";
  let description = [{
    The rewrite of the `hdp-tile` pass, on each target `hdp.sparse_pv` (on
    tensors): tiles its (batch, head, block row) domain by `tile_sizes`
    (three sizes, each at least 1; the last one counts block rows of the
    configuration's block shape) with `scf.for` loops, fuses the
    `hdp.masked_softmax` and `hdp.approx_combine` producing its
    probabilities into the innermost loop, and replaces the originals by
    the loops' results. The integer pass stays whole.

    The target handle is consumed. Returns the tiled `hdp.sparse_pv` ops
    and the outermost loop of each target. Malformed tile sizes are
    reported by the verifier; a target that is not an `hdp.sparse_pv` on
    tensors is a silenceable failure.

    `hdp-tile` additionally folds slices of `tensor.empty`; in a script,
    follow with `transform.apply_patterns.tensor.fold_tensor_empty`.

    ```mlir
    %tiled, %loop = transform.hdp.tile_and_fuse %pv tile_sizes = [1, 1, 8]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    ```
  }];

  let arguments = (ins TransformHandleTypeInterface:$target,
                       DenseI64ArrayAttr:$tile_sizes);
  let results = (outs TransformHandleTypeInterface:$tiled,
                      TransformHandleTypeInterface:$loop);
  let assemblyFormat = [{
    $target `tile_sizes` `=` $tile_sizes attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // HDP_DIALECT_HDP_TRANSFORMOPS_HDPTRANSFORMOPS_TD
