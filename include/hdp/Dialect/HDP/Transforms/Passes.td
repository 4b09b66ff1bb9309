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

#endif // HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
