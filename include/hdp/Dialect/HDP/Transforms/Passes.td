//===- Passes.td - hdp passes ------------------------------*- tablegen -*-===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
#define HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def HDPDecompose : Pass<"hdp-decompose"> {
  let summary = "Decompose hdp.attention into the HDP stage ops";
  let description = [{
    Rewrites every `hdp.attention` into the stage ops on tensors, in the
    order they run: `hdp.split_quantize` (Q and K), `hdp.block_score`,
    `hdp.prune_mask`, `hdp.head_mask`, `hdp.approx_combine`,
    `hdp.masked_softmax` and `hdp.sparse_pv`, with `tensor.empty`
    destinations. Each stage op carries the attention's configuration.
    Integer parts use i8 (or i16 when the configuration needs it); integer
    scores use i32 (or i64 when D·2^(2I-2) could overflow i32).
    IR without `hdp.attention` is left unchanged.
  }];
  let dependentDialects = [
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect",
  ];
}

def HDPLowerToLoops : Pass<"hdp-lower-to-loops"> {
  let summary = "Lower bufferized hdp stage ops to scf loops";
  let description = [{
    Rewrites every hdp stage op on memrefs into `scf.for` nests over
    `arith`, `math` and `memref` ops that implement docs/semantics.md.
    Pruning is real: the fraction products and scores of a pruned block,
    and the P·V work of a pruned block, sit behind `scf.if` and are skipped;
    a pruned head writes zeros without touching its scores.
    Stage ops still on tensors and `hdp.attention` are reported as errors:
    run `hdp-decompose` and `one-shot-bufferize` first.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

#endif // HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
