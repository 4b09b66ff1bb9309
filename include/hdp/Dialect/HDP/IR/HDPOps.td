//===- HDPOps.td - hdp operations --------------------------*- tablegen -*-===//
//
// Data flows top to bottom: `hdp.attention` is decomposed by hdp-decompose
// into the stage ops below, in the order they run.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_IR_HDPOPS_TD
#define HDP_DIALECT_HDP_IR_HDPOPS_TD

include "hdp/Dialect/HDP/IR/HDPDialect.td"
include "hdp/Dialect/HDP/IR/HDPAttrs.td"
include "hdp/Dialect/HDP/IR/HDPInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Operand types
//===----------------------------------------------------------------------===//

// The summaries name the dimensions as the op descriptions do (NB, MB: the
// block grid ceil(N/bm) × ceil(M/bn)); the verifiers check that the
// dimensions of different operands agree.

// A ranked tensor of one of `ranks` with one of `elementTypes` (called
// `elementName` in the summary), e.g. "f32 tensor [B,H,N,D]".
class HDP_TensorOf<list<Type> elementTypes, string elementName,
                   list<int> ranks, string shape>
    : Type<TensorRankOf<elementTypes, ranks>.predicate,
           elementName # " tensor " # shape, "::mlir::RankedTensorType">;

// The same as a tensor or a memref of any layout: the stage ops run before
// and after bufferization.
class HDP_BufferOf<list<Type> elementTypes, string elementName,
                   list<int> ranks, string shape>
    : Type<Or<[TensorRankOf<elementTypes, ranks>.predicate,
               MemRefRankOf<elementTypes, ranks>.predicate]>,
           elementName # " tensor or memref " # shape, "::mlir::ShapedType">;

// A ranked tensor or memref of any rank.
class HDP_AnyRankBufferOf<list<Type> elementTypes, string elementName>
    : Type<Or<[RankedTensorOf<elementTypes>.predicate,
               MemRefOf<elementTypes>.predicate]>,
           "ranked " # elementName # " tensor or memref", "::mlir::ShapedType">;

// The additive mask: f32 that broadcasts (numpy rules) to the scores.
defvar HDP_MaskRanks = [0, 1, 2, 3, 4];
defvar HDP_MaskShape = "broadcastable to [B,H,N,M]";

// Signless integers of any width: the integer and fraction parts of Q, K.
defvar HDP_Parts = [AnySignlessInteger];

// On tensors a stage op returns one result per init, of its type
// (DestinationStyleOpInterface checks it).
def HDP_InitTensor : Type<AnyRankedTensor.predicate,
    "tensor of its init's type", "::mlir::RankedTensorType">;

//===----------------------------------------------------------------------===//
// hdp.attention
//===----------------------------------------------------------------------===//

def HDP_AttentionOp : HDP_Op<"attention", [Pure, HDP_ConfiguredOpInterface]> {
  let summary = "attention with Hybrid Dynamic Pruning";
  let description = [{
    `softmax(scale·Q·Kᵀ + mask)·V` where the scores are estimated from the
    integer parts of the quantised Q and K, unimportant blocks and heads are
    pruned at run time, and kept scores are approximated (see
    docs/semantics.md).

    Operands: Q `[B,H,N,D]`, K `[B,H,M,D]`, V `[B,H,M,Dv]` (f32) and an
    optional additive f32 mask broadcastable to `[B,H,N,M]`; an element
    whose mask value is ≤ -10000 is removed.

    Results, in this order, of which any non-empty prefix may be requested:
    the output `[B,H,N,Dv]` (f32), the block mask
    `[B,H,ceil(N/bm),ceil(M/bn)]` (i1), the head mask `[B,H]` (i1) and the
    head importance θ_H `[B,H]` (i64).

    Without `config`, every parameter takes its default.

    ```mlir
    %out = hdp.attention config #hdp.config<rho = 0.3> %q, %k, %v
        : tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>,
          tensor<1x12x128x64xf32> -> tensor<1x12x128x64xf32>
    %out, %blocks, %heads, %theta = hdp.attention %q, %k, %v mask %m
        : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>,
          tensor<1x1x8x8xf32>
        -> tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>, tensor<1x2xi1>,
           tensor<1x2xi64>
    ```
  }];
  let arguments = (ins
    HDP_TensorOf<[F32], "f32", [4], "[B,H,N,D]">:$query,
    HDP_TensorOf<[F32], "f32", [4], "[B,H,M,D]">:$key,
    HDP_TensorOf<[F32], "f32", [4], "[B,H,M,Dv]">:$value,
    Optional<HDP_TensorOf<[F32], "f32", HDP_MaskRanks, HDP_MaskShape>>:$mask,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  // Which result has which type depends on its position: the verifier.
  let results = (outs Variadic<HDP_TensorOf<[F32, I1, I64], "f32, i1 or i64",
      [2, 4], "(output [B,H,N,Dv], block mask [B,H,NB,MB], head mask [B,H], "
      "θ_H [B,H])">>:$results);
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    $query `,` $key `,` $value (`mask` $mask^)? attr-dict
    `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)?
    `->` type($results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Value getOutput() { return getResults()[0]; }
  }];
}

//===----------------------------------------------------------------------===//
// Stage ops (destination-passing style, tensors or memrefs)
//===----------------------------------------------------------------------===//

// A stage op reads `ins`, writes its `outs` (inits) and, on tensors, returns
// one result per init; on memrefs it returns nothing.
class HDP_StageOp<string mnemonic, list<Trait> traits = []>
    : HDP_Op<mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
        DestinationStyleOpInterface, HDP_ConfiguredOpInterface])> {
  let results = (outs Variadic<HDP_InitTensor>:$results);
  let hasVerifier = 1;
  code stageClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitsMutable();
    }
  }];
  let extraClassDeclaration = stageClassDeclaration;
  // Memref ins are read and memref inits written; tensors have no effects.
  let extraClassDefinition = [{
    void $cppClass::getEffects(
        ::llvm::SmallVectorImpl<::mlir::SideEffects::EffectInstance<
            ::mlir::MemoryEffects::Effect>> &effects) {
      ::hdp::detail::addStageEffects(*this, effects);
    }
  }];
}

def HDP_SplitQuantizeOp : HDP_StageOp<"split_quantize"> {
  let summary = "quantise to fixed point and split into integer and fraction";
  let description = [{
    Stage 1. For each element, `raw = clamp(round_half_even(x·2^(F+shift)),
    -2^(I+F-1), 2^(I+F-1)-1)`; the integer part `hi = raw >> F`
    (arithmetic) and the fraction part `lo = raw - hi·2^F ∈ [0, 2^F)` are
    written to the two inits, which have the input's shape and a signless
    integer element type wide enough for both.

    ```mlir
    %hi, %lo = hdp.split_quantize ins(%q : tensor<1x2x8x4xf32>)
        outs(%e0, %e1 : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>)
        -> tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>
    ```
  }];
  let arguments = (ins
    HDP_AnyRankBufferOf<[F32], "f32">:$input,
    Variadic<HDP_AnyRankBufferOf<HDP_Parts, "signless integer">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

def HDP_BlockScoreOp : HDP_StageOp<"block_score", [AttrSizedOperandSegments]> {
  let summary = "integer scores and block importance";
  let description = [{
    Stage 2. From the integer parts of Q `[B,H,N,D]` and K `[B,H,M,D]`:
    the exact integer scores `S_int = Int(Q)·Int(K)ᵀ` `[B,H,N,M]` (i32 or
    i64) and the block importance θ `[B,H,ceil(N/bm),ceil(M/bn)]` (i64) over
    the block's non-removed elements.

    With `importance = abs` (two inits) θ is the sum of |S_int|; a block
    whose every element is removed by the mask is invalid and has θ = -1.
    With `importance = signed` (three inits) θ is the sum of S_int (any
    sign, 0 for an invalid block) and the third init receives the block
    magnitudes: the sum of |S_int|, -1 for an invalid block. Validity and
    the head importance come from the magnitudes, never from θ's value.

    ```mlir
    %s, %theta = hdp.block_score ins(%qhi, %khi : tensor<1x2x8x4xi8>,
        tensor<1x2x8x4xi8>) mask(%m : tensor<1x1x8x8xf32>)
        outs(%e0, %e1 : tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>)
        -> tensor<1x2x8x8xi32>, tensor<1x2x4x4xi64>
    ```
  }];
  let arguments = (ins
    HDP_BufferOf<HDP_Parts, "signless integer", [4], "[B,H,N,D]">:$query_hi,
    HDP_BufferOf<HDP_Parts, "signless integer", [4], "[B,H,M,D]">:$key_hi,
    Optional<HDP_BufferOf<[F32], "f32", HDP_MaskRanks, HDP_MaskShape>>:$mask,
    // Scores (i32 or i64), θ (i64) and, for importance = signed, the
    // magnitudes (i64): the verifier.
    Variadic<HDP_BufferOf<[I32, I64], "i32 or i64", [4],
        "(scores [B,H,N,M], θ [B,H,NB,MB], magnitudes [B,H,NB,MB])">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $query_hi `,` $key_hi `:` type($query_hi) `,` type($key_hi) `)`
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

def HDP_PruneMaskOp
    : HDP_StageOp<"prune_mask", [AttrSizedOperandSegments]> {
  let summary = "row-balanced block mask from the block importance";
  let description = [{
    Stage 3a. From θ `[B,H,NB,MB]` (i64) computes the block mask
    `[B,H,NB,MB]` (i1) under the configured policy: `hdp` keeps a valid
    block when its θ reaches the row's threshold
    Θ = mean + ρ·(max − mean) (ρ ≥ 0) or mean + ρ·(mean − min) (ρ < 0),
    evaluated exactly in integers; `topk` keeps the k largest valid blocks
    of each block row (ties: lower column first); `dense` keeps every valid
    block.

    With `importance = abs` θ is Σ|S_int| and -1 marks an invalid block.
    With `importance = signed` θ may be negative and the block magnitudes of
    `hdp.block_score` (`magnitude(...)`, -1 for an invalid block) say which
    blocks are valid.
    ```mlir
    %blocks = hdp.prune_mask config #hdp.config<rho = 0.5>
        ins(%theta : tensor<1x2x4x4xi64>) outs(%e : tensor<1x2x4x4xi1>)
        -> tensor<1x2x4x4xi1>
    %blocks = hdp.prune_mask config #hdp.config<importance = signed>
        ins(%theta : tensor<1x2x4x4xi64>)
        magnitude(%magnitude : tensor<1x2x4x4xi64>)
        outs(%e : tensor<1x2x4x4xi1>) -> tensor<1x2x4x4xi1>
    ```
  }];
  let arguments = (ins
    HDP_BufferOf<[I64], "i64", [4], "[B,H,NB,MB]">:$theta,
    Optional<HDP_BufferOf<[I64], "i64", [4], "[B,H,NB,MB]">>:$magnitude,
    Variadic<HDP_BufferOf<[I1], "i1", [4], "[B,H,NB,MB]">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $theta `:` type($theta) `)`
    (`magnitude` `(` $magnitude^ `:` type($magnitude) `)`)?
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

def HDP_HeadMaskOp : HDP_StageOp<"head_mask"> {
  let summary = "head importance and head mask";
  let description = [{
    Stage 3b. From the block magnitudes `[B,H,NB,MB]` (Σ|S_int|, -1 for an
    invalid block: θ under `importance = abs`, the third result of
    `hdp.block_score` under `importance = signed`): θ_H `[B,H]` (i64), the
    sum of the valid magnitudes of each head, and the head mask `[B,H]`
    (i1): head h of batch
    item b is kept when `H·θ_H ≥ τ_H·Σ_h' θ_H'` (exactly, in Q16 fixed
    point). Inits: head mask, then θ_H.

    ```mlir
    %heads, %thetaH = hdp.head_mask config #hdp.config<tau_h = 0.5>
        ins(%theta : tensor<1x2x4x4xi64>)
        outs(%e0, %e1 : tensor<1x2xi1>, tensor<1x2xi64>)
        -> tensor<1x2xi1>, tensor<1x2xi64>
    ```
  }];
  let arguments = (ins
    HDP_BufferOf<[I64], "i64", [4], "[B,H,NB,MB]">:$theta,
    // The head mask (i1), then θ_H (i64): the verifier.
    Variadic<HDP_BufferOf<[I1, I64], "i1 or i64", [2],
        "(head mask [B,H], θ_H [B,H])">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $theta `:` type($theta) `)`
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

def HDP_ApproxCombineOp
    : HDP_StageOp<"approx_combine", [AttrSizedOperandSegments]> {
  let summary = "approximate scores of the kept blocks";
  let description = [{
    Stage 4. For each element of a kept block of a kept head that the mask
    does not remove: the exact integer accumulator
    `A = S_int·2^(2F) + Σ_d (Frac(Q)·Int(K) + Int(Q)·Frac(K))·2^F`
    (`+ Σ_d Frac(Q)·Frac(K)` when `approx = false`), then
    `s = f32(A)·2^-(2F+2·shift)·scale + mask`. Every other element is -inf.
    Operands: Int(Q), Frac(Q), Int(K), Frac(K), S_int, block mask, head
    mask; the init is the f32 score matrix `[B,H,N,M]`.

    ```mlir
    %scores = hdp.approx_combine
        ins(%qhi, %qlo, %khi, %klo, %s, %blocks, %heads
          : tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>, tensor<1x2x8x4xi8>,
            tensor<1x2x8x4xi8>, tensor<1x2x8x8xi32>, tensor<1x2x4x4xi1>,
            tensor<1x2xi1>)
        outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
    ```
  }];
  let arguments = (ins
    HDP_BufferOf<HDP_Parts, "signless integer", [4], "[B,H,N,D]">:$query_hi,
    HDP_BufferOf<HDP_Parts, "signless integer", [4], "[B,H,N,D]">:$query_lo,
    HDP_BufferOf<HDP_Parts, "signless integer", [4], "[B,H,M,D]">:$key_hi,
    HDP_BufferOf<HDP_Parts, "signless integer", [4], "[B,H,M,D]">:$key_lo,
    HDP_BufferOf<[I32, I64], "i32 or i64", [4], "[B,H,N,M]">:$scores,
    HDP_BufferOf<[I1], "i1", [4], "[B,H,NB,MB]">:$block_mask,
    HDP_BufferOf<[I1], "i1", [2], "[B,H]">:$head_mask,
    Optional<HDP_BufferOf<[F32], "f32", HDP_MaskRanks, HDP_MaskShape>>:$mask,
    Variadic<HDP_BufferOf<[F32], "f32", [4], "[B,H,N,M]">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $query_hi `,` $query_lo `,` $key_hi `,` $key_lo `,` $scores `,`
              $block_mask `,` $head_mask
          `:` type($query_hi) `,` type($query_lo) `,` type($key_hi) `,`
              type($key_lo) `,` type($scores) `,` type($block_mask) `,`
              type($head_mask) `)`
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

def HDP_MaskedSoftmaxOp : HDP_StageOp<"masked_softmax"> {
  let summary = "softmax over the kept (finite) entries of each row";
  let description = [{
    Stage 5a. Softmax along the last dimension of `[B,H,N,M]` over the
    finite entries; -inf entries get 0 and a row without a finite entry is
    all 0. `softmax = poly` evaluates exp with the hardware's second-order
    polynomial and the row-sum reciprocal by a linear seed and one Newton
    step.

    ```mlir
    %p = hdp.masked_softmax ins(%scores : tensor<1x2x8x8xf32>)
        outs(%e : tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32>
    ```
  }];
  let arguments = (ins
    HDP_BufferOf<[F32], "f32", [4], "[B,H,N,M]">:$input,
    Variadic<HDP_BufferOf<[F32], "f32", [4], "[B,H,N,M]">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

def HDP_SparsePVOp : HDP_StageOp<"sparse_pv"> {
  let summary = "block-sparse P·V over the kept blocks";
  let description = [{
    Stage 5b. `out[b,h,i,:] = Σ_j P[b,h,i,j]·V[b,h,j,:]` over the columns
    j of the kept blocks in i's block row; pruned blocks are skipped, not
    multiplied by zero, and a pruned head outputs 0. Operands: P
    `[B,H,N,M]`, V `[B,H,M,Dv]`, block mask, head mask; init `[B,H,N,Dv]`.

    ```mlir
    %out = hdp.sparse_pv
        ins(%p, %v, %blocks, %heads : tensor<1x2x8x8xf32>,
            tensor<1x2x8x4xf32>, tensor<1x2x4x4xi1>, tensor<1x2xi1>)
        outs(%e : tensor<1x2x8x4xf32>) -> tensor<1x2x8x4xf32>
    ```
  }];
  let arguments = (ins
    HDP_BufferOf<[F32], "f32", [4], "[B,H,N,M]">:$probs,
    HDP_BufferOf<[F32], "f32", [4], "[B,H,M,Dv]">:$value,
    HDP_BufferOf<[I1], "i1", [4], "[B,H,NB,MB]">:$block_mask,
    HDP_BufferOf<[I1], "i1", [2], "[B,H]">:$head_mask,
    Variadic<HDP_BufferOf<[F32], "f32", [4], "[B,H,N,Dv]">>:$inits,
    OptionalAttr<HDP_ConfigAttr>:$config
  );
  let assemblyFormat = [{
    (`config` qualified($config)^)?
    `ins` `(` $probs `,` $value `,` $block_mask `,` $head_mask `:`
              type($probs) `,` type($value) `,` type($block_mask) `,`
              type($head_mask) `)`
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    (`->` type($results)^)?
  }];
}

#endif // HDP_DIALECT_HDP_IR_HDPOPS_TD
