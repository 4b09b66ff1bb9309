//===- Passes.td - hdp_accel passes ------------------------*- tablegen -*-===//

#ifndef HDP_DIALECT_ACCEL_TRANSFORMS_PASSES_TD
#define HDP_DIALECT_ACCEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def HDPLowerToAccel : Pass<"hdp-lower-to-accel", "::mlir::ModuleOp"> {
  let summary = "Compile attention (hdp.attention or its tiled stage ops) to HDP co-processor command streams";
  let description = [{
    For every `hdp.attention` with static rank-4 shapes, builds the command
    stream for the accelerator described by `accel-config` (a JSON file such
    as configs/hdp-edge.json, loaded strictly) and emits it as an
    `hdp_accel.program` after the function, named `@<function>_attn<i>`;
    the attention becomes an `hdp_accel.launch` of that program with the same
    operands and results.

    The attention may also come as the stage ops `hdp-decompose` makes of it
    (from `hdp.split_quantize` to `hdp.sparse_pv`), on tensors or on buffers,
    with the floating-point stages tiled along block rows (`hdp-tile`, or
    the transform dialect). The pass reads Q, K, V and the mask off the
    chain and replaces the whole chain by one launch. A tile of t block rows
    becomes the accelerator's strip of t·bm query rows (it must then fit the
    buffers). On buffers the launch writes into the output buffer and, when
    they are used after the chain, into the block-mask, head-mask and θ_H
    buffers. Intermediate values (the split parts, S_int, θ) live on the
    accelerator only: if anything else reads them, the pass fails.

    The stream is the one the C++ stream builder (`hdp-sim --compile`)
    produces for the same shape, configuration and accelerator, command for
    command: tiles are chosen to fit the SRAM buffers (the largest strip that
    fits, or `strip-rows`), every buffer is double buffered, and work units
    (batch item, head, row group) are spread round-robin over the cores. The
    stream is data-independent; pruning is predicated on masks computed when
    it runs.

    The pass fails with an error at the op when a shape is dynamic or not
    rank 4, when the operands disagree, or when even the smallest tiles do
    not fit the buffers (the error names the configuration key to grow); and
    at the module when `accel-config` is missing or invalid.
  }];
  let options = [
    Option<"accelConfig", "accel-config", "std::string", /*default=*/"",
           "The accelerator configuration (JSON), e.g. configs/hdp-edge.json">,
    Option<"stripRows", "strip-rows", "unsigned", /*default=*/"0",
           "Query rows per strip (a multiple of bm); 0: the most that fit">,
    Option<"fusePhases", "fuse-phases", "bool", /*default=*/"true",
           "Run phases A and B strip by strip where the attention allows it "
           "(no head pruning, whole score rows, K in one slot)">,
    Option<"maskForm", "mask-form", "std::string", /*default=*/"\"additive\"",
           "How the accelerator holds the mask: additive (f32), bits (one "
           "per element: removed or not) or lengths (leading keys kept per "
           "row)">,
  ];
  let dependentDialects = ["::hdp::accel_ir::AccelDialect"];
}

#endif // HDP_DIALECT_ACCEL_TRANSFORMS_PASSES_TD
