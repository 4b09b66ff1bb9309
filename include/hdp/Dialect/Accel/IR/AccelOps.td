//===- AccelOps.td - hdp_accel ops -------------------------*- tablegen -*-===//
//
// One op per co-processor command (hdp::accel::Opcode), the program that
// holds a stream, and the launch of a program from host code.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_ACCEL_IR_ACCELOPS_TD
#define HDP_DIALECT_ACCEL_IR_ACCELOPS_TD

include "hdp/Dialect/Accel/IR/AccelAttrs.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Field attributes
//===----------------------------------------------------------------------===//

// A field of the 32-byte command: a non-negative integer of `bits` bits.
class Accel_Field<int max, string what>
    : ConfinedAttr<I64Attr, [IntNonNegative, IntMaxValue<max>]> {
  let summary = what;
}
def Accel_Core : Accel_Field<255, "core index (u8)">;
def Accel_U16 : Accel_Field<65535, "16-bit field">;
def Accel_U32 : Accel_Field<4294967295, "32-bit field">;
// A buffer slot: every buffer has two (double buffering).
def Accel_Slot : Accel_Field<1, "buffer slot (0 or 1)">;

//===----------------------------------------------------------------------===//
// Program
//===----------------------------------------------------------------------===//

def Accel_ProgramOp : Accel_Op<"program", [
    IsolatedFromAbove, NoTerminator, SingleBlock, Symbol,
    NoRegionArguments]> {
  let summary = "a command stream for one attention on one accelerator";
  let description = [{
    The header of a `.hdpc` file as attributes and, in its single block, one
    command op per command in stream order. The verifier checks the whole
    stream against the header with the same checks the `.hdpc` reader uses
    (cores, tiles inside the shape, block alignment, slots, flags, matching
    barriers), and reports a bad command at its op.

    ```mlir
    hdp_accel.program @attn
        target <name = "hdp-edge", hash = 1234, cores = 1, pe_arrays = 4,
                tile_rows = 4, tile_k = 4, tile_cols = 8, q_buffer = 4096,
                k_buffer = 4096, v_buffer = 4096, mask_buffer = 4096,
                score_buffer = 4096, theta_buffer = 1024,
                blockmask_buffer = 256, out_buffer = 4096>
        attention <int_bits = 4, frac_bits = 4, shift = 0, block_rows = 2,
                   block_cols = 2, policy = "hdp", topk = 1, approx = true,
                   softmax = "exact", rho_q16 = 0, tau_h_q16 = 0,
                   scale_bits = 1056964608>
        shape <b = 1, h = 1, n = 4, m = 4, d = 4, dv = 4, mask = false> {
      hdp_accel.dma_load q_int core 0 batch 0 head 0 rows 0+4 cols 0+0 slot 0
      ...
    }
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    Accel_TargetAttr:$target,
    Accel_AttentionAttr:$attention,
    Accel_ShapeAttr:$shape
  );
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `target` $target `attention` $attention `shape` $shape
    attr-dict-with-keyword $body
  }];
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "TargetAttr":$target,
                   "AttentionAttr":$attention, "ShapeAttr":$shape)>
  ];
}

// What a launch passes between host and co-processor: Q, K, V and the mask
// (f32), and the outputs (f32, i1, i64); tensors, or memrefs after
// bufferization. The verifier matches them to the program.
def Accel_HostData : Type<Or<[RankedTensorOf<[F32, I1, I64]>.predicate,
                              MemRefOf<[F32, I1, I64]>.predicate]>,
    "ranked tensor or memref of f32, i1 or i64", "::mlir::ShapedType">;

def Accel_LaunchOp : Accel_Op<"launch", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "run a program on the co-processor";
  let description = [{
    Runs `program` with the DRAM tensors Q, K, V and, when the program's
    shape says so, the mask. The results are what the attention it replaces
    returned (the output, then optionally the block mask, the head mask and
    θ_H).

    ```mlir
    %out = hdp_accel.launch @attn(%q, %k, %v)
        : (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>)
          -> tensor<1x1x4x4xf32>
    ```

    On buffers (every operand a memref) the launch returns nothing and
    writes its outputs, a non-empty prefix of the same four, into the
    buffers that follow the inputs:

    ```mlir
    hdp_accel.launch @attn(%q, %k, %v, %out)
        : (memref<1x1x4x4xf32>, memref<1x1x4x4xf32>, memref<1x1x4x4xf32>,
           memref<1x1x4x4xf32>) -> ()
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$program,
                       Variadic<Accel_HostData>:$inputs);
  let results = (outs Variadic<Accel_HostData>:$results);
  let assemblyFormat = [{
    $program `(` $inputs `)` attr-dict `:` functional-type($inputs, $results)
  }];
}

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

class Accel_CommandOp<string mnemonic, list<Trait> traits = []>
    : Accel_Op<mnemonic, !listconcat(traits, [HasParent<"ProgramOp">])>;

// The tile fields shared by most commands.
defvar TileArgs = (ins Accel_U16:$batch, Accel_U16:$head,
                       Accel_U32:$row0, Accel_U32:$rows,
                       Accel_U32:$col0, Accel_U32:$cols);
// Commands that cover every column of their query rows.
defvar RowArgs = (ins Accel_U16:$batch, Accel_U16:$head,
                      Accel_U32:$row0, Accel_U32:$rows);

def Accel_DmaLoadOp : Accel_CommandOp<"dma_load"> {
  let summary = "DRAM tensor → SRAM buffer slot (DMA in)";
  let description = [{
    Loads a tile of `tensor` into `slot` of its buffer (Q planes: `rows`;
    K planes and V: `cols` are keys; mask: both; block mask: block-aligned
    `rows`). With `fum` (Fetch-Upon-Mask, K and V only), only the key rows
    of block columns with a kept block among `rows` are fetched, as said by
    the block mask in slot `fum`. With `topup` (K and V only), only the
    keys the slot does not hold yet. With `head_pred`, skipped when the head
    was pruned.
  }];
  let arguments = !con((ins Accel_Tensor:$tensor, Accel_Core:$core),
                       TileArgs,
                       (ins Accel_Slot:$slot, OptionalAttr<Accel_Slot>:$fum,
                            UnitAttr:$topup, UnitAttr:$head_pred));
  let assemblyFormat = [{
    $tensor `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` ``
    $rows `cols` $col0 `` `+` `` $cols `slot` $slot (`fum` $fum^)?
    (`topup` $topup^)? (`head_pred` $head_pred^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Accel_DmaStoreOp : Accel_CommandOp<"dma_store"> {
  let summary = "SRAM buffer slot (or the head table) → DRAM (DMA out)";
  let description = [{
    Stores the block mask of block-aligned `rows`, or output `rows`, from
    `slot`; or the head table (θ_H and head mask of batch item `batch`),
    which lives in the sparsity engine and has no slot.
  }];
  let arguments = !con((ins Accel_Tensor:$tensor, Accel_Core:$core),
                       TileArgs,
                       (ins OptionalAttr<Accel_Slot>:$slot,
                            UnitAttr:$head_pred));
  let assemblyFormat = [{
    $tensor `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` ``
    $rows `cols` $col0 `` `+` `` $cols (`slot` $slot^)?
    (`head_pred` $head_pred^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Accel_PeIntOp : Accel_CommandOp<"pe_int"> {
  let summary = "integer PE-array pass: S_int = Int(Q)·Int(K)ᵀ";
  let description = [{
    Computes the integer score tile of query `rows` against keys `cols`
    from the Int(Q) strip in slot `q` and Int(K) in slot `k` into slot
    `score`.
  }];
  let arguments = !con((ins Accel_Core:$core), TileArgs,
                       (ins Accel_Slot:$q, Accel_Slot:$k, Accel_Slot:$score,
                            UnitAttr:$head_pred));
  let assemblyFormat = [{
    `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` `` $rows `cols`
    $col0 `` `+` `` $cols `q` $q `k` $k `score` $score
    (`head_pred` $head_pred^)? attr-dict
  }];
}

def Accel_PeFracOp : Accel_CommandOp<"pe_frac"> {
  let summary = "fraction passes for kept blocks";
  let description = [{
    Scores of kept blocks (block mask in slot `blockmask`):
    Int·Int + Frac·Int + Int·Frac [+ Frac·Frac], rescaled, scaled, plus the
    additive mask tile in slot `mask` when present. With `dense` (the dense
    engine; no `blockmask`), the scores of every key. With `from_int`, the
    score slot already holds S_int of the tile (from `pe_int`), to which
    the fraction passes are added.
  }];
  let arguments = !con((ins Accel_Core:$core), TileArgs,
                       (ins Accel_Slot:$q, Accel_Slot:$k, Accel_Slot:$score,
                            OptionalAttr<Accel_Slot>:$blockmask,
                            OptionalAttr<Accel_Slot>:$mask,
                            UnitAttr:$dense, UnitAttr:$from_int,
                            UnitAttr:$head_pred));
  let assemblyFormat = [{
    `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` `` $rows `cols`
    $col0 `` `+` `` $cols `q` $q `k` $k `score` $score
    (`blockmask` $blockmask^)? (`mask` $mask^)? (`dense` $dense^)?
    (`from_int` $from_int^)? (`head_pred` $head_pred^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Accel_PePvOp : Accel_CommandOp<"pe_pv"> {
  let summary = "P·V pass over kept blocks";
  let description = [{
    `out (+)= P·V` for query `rows` and keys `cols`: probabilities in slot
    `score`, V in slot `v`, block mask in slot `blockmask`; `first` starts
    the output at zero. With `dense` (the dense engine; no `blockmask`),
    over every key.
  }];
  let arguments = !con((ins Accel_Core:$core), TileArgs,
                       (ins Accel_Slot:$score, Accel_Slot:$v, Accel_Slot:$out,
                            OptionalAttr<Accel_Slot>:$blockmask,
                            UnitAttr:$first, UnitAttr:$dense,
                            UnitAttr:$head_pred));
  let assemblyFormat = [{
    `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` `` $rows `cols`
    $col0 `` `+` `` $cols `score` $score `v` $v `out` $out
    (`blockmask` $blockmask^)? (`first` $first^)? (`dense` $dense^)?
    (`head_pred` $head_pred^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Accel_SeAccOp : Accel_CommandOp<"se_acc"> {
  let summary = "sparsity engine: θ += |S_int| per block";
  let description = [{
    Accumulates the block importance θ of block-aligned query `rows` over
    keys `cols` from slot `score` into slot `theta`; `first` starts θ at 0;
    with `mask`, elements removed by the mask (slot `mask`) are skipped.
  }];
  let arguments = !con((ins Accel_Core:$core), TileArgs,
                       (ins Accel_Slot:$score, Accel_Slot:$theta,
                            OptionalAttr<Accel_Slot>:$mask, UnitAttr:$first,
                            UnitAttr:$head_pred));
  let assemblyFormat = [{
    `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` `` $rows `cols`
    $col0 `` `+` `` $cols `score` $score `theta` $theta (`mask` $mask^)?
    (`first` $first^)? (`head_pred` $head_pred^)? attr-dict
  }];
}

def Accel_SeEndROp : Accel_CommandOp<"se_end_r"> {
  let summary = "sparsity engine END_R: block-row thresholds and masks";
  let description = [{
    At the end of the block rows of `rows`: thresholds from θ (slot
    `theta`), block masks into slot `blockmask`, partial sums of θ_H.
  }];
  let arguments = !con((ins Accel_Core:$core), RowArgs,
                       (ins Accel_Slot:$theta, Accel_Slot:$blockmask,
                            UnitAttr:$head_pred));
  let assemblyFormat = [{
    `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` `` $rows
    `theta` $theta `blockmask` $blockmask (`head_pred` $head_pred^)? attr-dict
  }];
}

def Accel_SeEndHOp : Accel_CommandOp<"se_end_h"> {
  let summary = "sparsity engine END_H: head decisions of a batch item";
  let description = [{
    Decides which heads of batch item `batch` are kept, from θ_H of every
    head (all cores must have passed the preceding barrier).
  }];
  let arguments = (ins Accel_Core:$core, Accel_U16:$batch);
  let assemblyFormat = [{
    `core` $core `batch` $batch attr-dict
  }];
}

def Accel_SoftmaxOp : Accel_CommandOp<"softmax"> {
  let summary = "softmax unit: row softmax of kept scores";
  let description = [{
    Replaces the kept scores of query `rows` in slot `score` by their
    probabilities (exact or polynomial exp, per the program's attention).
    With `cols`, one key tile of an online softmax: the tile's scores become
    weights relative to the rows' running maximum; `first` starts the running
    maximum and sum, `last` ends them (the P·V of that tile normalises).
  }];
  let arguments = !con((ins Accel_Core:$core), RowArgs,
                       (ins OptionalAttr<Accel_U32>:$col0,
                            OptionalAttr<Accel_U32>:$cols,
                            Accel_Slot:$score, UnitAttr:$first,
                            UnitAttr:$last, UnitAttr:$head_pred));
  let assemblyFormat = [{
    `core` $core `batch` $batch `head` $head `rows` $row0 `` `+` `` $rows
    (`cols` $col0^ `` `+` `` $cols)? `score` $score (`first` $first^)?
    (`last` $last^)? (`head_pred` $head_pred^)? attr-dict
  }];
}

def Accel_BarrierOp : Accel_CommandOp<"barrier"> {
  let summary = "every core waits until every core reaches barrier `id`";
  let description = [{
    Synchronisation across cores (before END_H). Within a core, double
    buffering needs no command: every slot has a scoreboard. Every core must
    reach the same barriers in the same order.
  }];
  let arguments = (ins Accel_Core:$core, Accel_U16:$id);
  let assemblyFormat = [{
    `core` $core `id` $id attr-dict
  }];
}

#endif // HDP_DIALECT_ACCEL_IR_ACCELOPS_TD
