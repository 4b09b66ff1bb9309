//===- Passes.td - hdp passes ------------------------------*- tablegen -*-===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
#define HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def HDPRaiseAttention : Pass<"hdp-raise-attention"> {
  let summary = "Raise linalg attention, as frontends emit it, to hdp.attention";
  let description = [{
    Recognises `softmax(scale·Q·Kᵀ [+ mask])·V` written in linalg the way
    torch-mlir and upstream MLIR emit it and rewrites it into one
    `hdp.attention` carrying the configuration given by the `config` option.
    Recognised forms: `linalg.softmax` or the decomposed chain of
    `linalg.generic`s (max-reduce → sub → exp → sum-reduce → div or mul by
    reciprocal; max init -inf, 0xFFC00000 or -3.40282347E+38);
    `linalg.batch_matmul` with a transposing `indexing_maps` or after
    `linalg.transpose`; the scale as a separate `mulf`/`divf` generic or
    folded into Q; an additive mask `addf` before the max; rank-4 tensors
    collapsed to rank 3 around the matmuls. IR it does not recognise stays
    unchanged.
  }];
  let options = [
    Option<"config", "config", "std::string", /*default=*/"\"#hdp.config<>\"",
           "The #hdp.config<...> given to every raised attention">,
  ];
  let dependentDialects = [
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect",
  ];
}

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
    "::mlir::vector::VectorDialect",
  ];
}

#endif // HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
