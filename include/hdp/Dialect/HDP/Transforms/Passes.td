//===- Passes.td - hdp passes ------------------------------*- tablegen -*-===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
#define HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def HDPRaiseAttention : Pass<"hdp-raise-attention"> {
  let summary = "Raise linalg attention, as frontends emit it, to hdp.attention";
  let description = [{
    Recognises `softmax(scale·Q·Kᵀ [+ mask])·V` written in linalg the way
    frontends emit it (torch-mlir, TensorFlow and JAX through StableHLO,
    TOSA, upstream MLIR, by hand) and rewrites it into one `hdp.attention`
    carrying the configuration given by the `config` option
    (`--hdp-raise-attention="config=#hdp.config<rho=0.3>"`; quote a value
    with spaces: `config='#hdp.config<rho = 0.3>'`). A bad option fails the
    pass with an error naming it.

    Recognised forms, in any combination:
    * the softmax over the last dimension: `linalg.softmax`; or the chain
      max → x − max → exp → sum → normalise, each a `linalg.generic` or (the
      reductions) a `linalg.reduce`, normalising by a division, by a
      multiplication with the reciprocal of the sum (in the same generic or
      its own); or the log-sum-exp form exp(x − (max + log Σ exp(x − max)))
      (log in the generic of the add or its own; TensorFlow's
      where(is_finite(max), max, 0) guard of the max is looked through).
      Sub and exp may share one generic. The max is `maximumf`, `maxnumf`
      or `cmpf`+`select`, from -inf, -FLT_MAX, the lowest bf16, the lowest
      f16 (-65504) or, when the max ignores NaN (`maxnumf`, an unordered
      compare), the NaN 0xFFC00000; torch's unused argmax result is
      allowed. The sum starts from 0.0 or -0.0. Row values may be kept
      with a unit dim (keepdim), dropped, and broadcast back read through
      a broadcasting map, a `linalg.broadcast` or a broadcasting copy
      generic;
    * Q·Kᵀ and P·V as `linalg.batch_matmul` (with or without transposing
      `indexing_maps`), `linalg.matmul` or any contraction `linalg.generic`
      (up to two batch dimensions, e.g. einsums on [B, T, N, H]), on f32,
      f16 or bf16 (casts in the body allowed), accumulating into a zero
      fill, a zero constant or a bare `tensor.empty`; Kᵀ through
      `linalg.transpose` or a transposing copy generic; scores computed as
      K·Qᵀ, written transposed by the contraction or transposed after it;
      a P·V result in another layout (JAX's [B, N, H, Dv]) gets a
      `linalg.transpose` of the raised result;
    * the scale as a `mulf`/`divf` generic on the scores by a constant: a
      scalar, a 0-d or splat tensor, values computed from constants (e.g.
      torch-mlir's sqrt(sitofp(dense<64>)), an f64 constant `truncf`'d),
      also in the body of the mask add (`s·c + mask`); or folded into Q (or
      K): `Q·c` before the matmul;
    * an additive mask `addf` after the scale and before the max (a
      tensor, however computed: e.g. (1 − m)·c from an integer mask stays
      and feeds the raised op; computed inside the add's own body, as
      elementwise fusion leaves it, it gets a generic of its own), or a
      masked fill `select(cond, fill, scores)` with fill ≤ -10000 (e.g.
      -inf), which becomes the additive mask `fill` where `cond` holds;
    * rank-4 tensors collapsed to rank 3 ([B·H, N, D]) around the matmuls,
      copies, and reshapes of the scores between rank 3 and rank 4;
      between the stages, `tensor.cast`s, identity copies and
      `extf`/`truncf` generics (the raised op computes in f32: f16 and
      bf16 operands get an `extf` before it and the result a `truncf`
      after it), and ops that do not touch the values (calls, constants);
    * K and V broadcast over grouped-query heads (repeat_kv): the broadcast
      stays and feeds the raised op.

    The raised op computes what the linalg computed, up to HDP's
    approximation:
    * Scale: the product c of the constants found (a division by c counts
      as 1/c, rounded to f32) becomes `scale = c`, left implicit when it
      equals the default 1/sqrt(D); with no scale in the IR, `scale = 1.0`.
      This replaces any scale in the option. With the scale folded into Q,
      the raised op reads the unscaled Q.
    * Shapes: rank-4 sources of collapsed operands are used directly. A
      genuinely rank-3 attention [G, N, D] becomes [G, 1, N, D] (B = G,
      H = 1: without head structure each group is its own batch item)
      through `tensor.expand_shape`, and the result is collapsed back; a
      single-head rank-2 one [N, D] becomes [1, 1, N, D]. The result always
      gets the type of the value it replaces.
    * Mask: the operand of the add, seen through a pure broadcast
      (`linalg.broadcast` or a broadcasting copy generic) when its source
      broadcasts to [B, H, N, M]; unit dimensions are inserted with
      `tensor.expand_shape` where the broadcast needs them.
    * Precision: f16 and bf16 programs are computed in f32 (more precisely
      than the program did), then rounded to the result's type.
    * Inits: a max from a finite lowest value or a matmul into a
      `tensor.empty` is taken as the exact max and product; they differ
      only on rows whose every element is below that value (removed rows)
      and on contents the IR leaves undefined.

    A chain is raised only when every intermediate value (scores, scaled and
    masked scores, max, exp, sum, probabilities, reshapes between them) has
    no user outside it, all of it sits in one block and the shapes agree.
    The matched ops, and whatever only they used (fills, inits, transposes,
    reshapes, constants), are erased. IR it does not recognise stays
    unchanged. With `explain=true` the pass emits a remark for every
    softmax-shaped chain (a `linalg.softmax`, or a generic computing an exp
    that is summed or flows into a contraction) it leaves unraised, at the
    first op that did not match, saying what was expected of it:
    `remark: attention not raised: 'linalg.generic' adds the mask before the
    scores are scaled, which hdp.attention does not compute`. Each
    rejection also goes to the rewriter's `notifyMatchFailure` (which
    rewrite listeners see) and, in builds with assertions, to
    `-debug-only=hdp-raise-attention`.
  }];
  let options = [
    Option<"config", "config", "std::string", /*default=*/"\"#hdp.config<>\"",
           "The #hdp.config<...> given to every raised attention">,
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Emit a remark for each softmax-shaped chain left unraised, "
           "naming the first op that did not match and why">,
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

def HDPTile : Pass<"hdp-tile", "::mlir::func::FuncOp"> {
  let summary = "Tile the HDP stages along block rows and fuse them";
  let description = [{
    Tiles the floating-point pass of every attention along (batch, head,
    block row), `tile-block-rows` block rows per tile: `hdp.sparse_pv` is
    tiled and `hdp.masked_softmax` and `hdp.approx_combine` are fused into
    the loop through their TilingInterface, so that the f32 scores and
    probabilities of a head exist one tile of block rows at a time. The
    integer pass (`hdp.split_quantize`, `hdp.block_score`, `hdp.prune_mask`,
    `hdp.head_mask`) is left whole: a head's fate needs every block row of
    every head of its batch item before any score is approximated. Stage
    ops on memrefs are left alone.
  }];
  let options = [
    Option<"tileBlockRows", "tile-block-rows", "int64_t", /*default=*/"8",
           "Block rows per tile">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
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

    Producers and consumers are lowered together where the IR allows it:
    a `block_score` whose θ buffer only its `prune_mask` and `head_mask`
    read is lowered with them, θ existing one step of block rows at a time
    (the [B, H, N/bm, M/bn] buffer is removed) and θ_H summed on the way;
    `approx_combine` recomputes Int·Int instead of reading S_int (which is
    then not written); a `masked_softmax` of scores that an `approx_combine`
    wrote visits only the kept blocks, packed side by side for 16-lane
    passes, and when a `sparse_pv` with the same masks is the only reader of
    its P the two are lowered together, at the `sparse_pv`, one block row at
    a time (one list of kept blocks; P·V reads the packed probabilities; P's
    pruned entries are never written). The integer kernels are
    register-blocked outer products in i16 or i32 lanes over a transposed
    copy of K, made once per head; with `int-kernels=avx512-vnni` or
    `avx-vnni` they are x86 VNNI dot products (`vpdpbusd`, 4 u8·s8 products
    per i32 lane) over a copy of K packed for them (when D is a multiple of
    4, `int_bits` ≤ 8 and `frac_bits` ≤ 7; otherwise the generic kernels):
    the same integers on CPUs that have the instructions. With VNNI and
    `int_bits + frac_bits` ≤ 8, the scores of a kept block come from byte
    dot products of the whole fixed-point values, Σ rawQ·rawK − Σ loQ·loK
    (raw = hi·2^F + lo), along D.
    Stage ops still on tensors and `hdp.attention` are reported as errors:
    run `hdp-decompose` and `one-shot-bufferize` first. The pass is a dialect
    conversion in which every hdp op is illegal: an op that no pattern
    lowers fails the pass instead of staying behind.
  }];
  let options = [
    Option<"intKernels", "int-kernels", "std::string", "\"generic\"",
           "Integer product kernels: generic (any CPU), avx512-vnni or "
           "avx-vnni (x86 VNNI dot products; the CPU must have them)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // HDP_DIALECT_HDP_TRANSFORMS_PASSES_TD
