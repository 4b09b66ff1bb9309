//===- AccelAttrs.td - hdp_accel attributes and enums ------*- tablegen -*-===//
//
// The .hdpc header as attributes, and the DRAM tensors of DMA commands.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_ACCEL_IR_ACCELATTRS_TD
#define HDP_DIALECT_ACCEL_IR_ACCELATTRS_TD

include "hdp/Dialect/Accel/IR/AccelDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

// Values are those of hdp::accel::Tensor (part of the .hdpc format).
def Accel_Tensor : I32EnumAttr<"Tensor", "DRAM tensor a DMA command moves", [
  I32EnumAttrCase<"q_int", 1>,
  I32EnumAttrCase<"q_frac", 2>,
  I32EnumAttrCase<"k_int", 3>,
  I32EnumAttrCase<"k_frac", 4>,
  I32EnumAttrCase<"v", 5>,
  I32EnumAttrCase<"mask", 6>,
  I32EnumAttrCase<"block_mask", 7>,
  I32EnumAttrCase<"out", 8>,
  I32EnumAttrCase<"head_table", 9>
]> {
  let cppNamespace = "::hdp::accel_ir";
}

class Accel_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Accel_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
  let assemblyFormat = "`<` struct(params) `>`";
}

def Accel_TargetAttr : Accel_Attr<"Target", "target"> {
  let summary = "the accelerator a program was compiled for";
  let description = [{
    The structural parameters of the co-processor that the stream builder
    used, and the FNV-1a hash of the complete configuration (every JSON key
    but the description), as in the .hdpc header. Buffer sizes are bytes
    per core, split into two slots.
  }];
  let parameters = (ins
    StringRefParameter<"accelerator name">:$name,
    "uint64_t":$hash,
    "uint32_t":$cores,
    "uint32_t":$pe_arrays,
    "uint32_t":$tile_rows,
    "uint32_t":$tile_k,
    "uint32_t":$tile_cols,
    "uint32_t":$q_buffer,
    "uint32_t":$k_buffer,
    "uint32_t":$v_buffer,
    "uint32_t":$mask_buffer,
    "uint32_t":$score_buffer,
    "uint32_t":$theta_buffer,
    "uint32_t":$blockmask_buffer,
    "uint32_t":$out_buffer
  );
}

def Accel_AttentionAttr : Accel_Attr<"Attention", "attention"> {
  let summary = "the attention configuration in the hardware's form";
  let description = [{
    Bits of the split, shift, block shape, pruning policy, top-k, whether
    the Frac·Frac term is dropped (`approx`), the softmax kind, ρ and τ_H as
    Q16 integers and the f32 softmax scale as its bit pattern: exactly the
    fields of the .hdpc header. `policy` is "hdp", "topk" or "dense";
    `importance` (the block ranking) is "abs" (the default, omitted when
    printed) or "signed"; `softmax` is "exact" or "poly".
  }];
  let parameters = (ins
    "uint32_t":$int_bits,
    "uint32_t":$frac_bits,
    "int32_t":$shift,
    "uint32_t":$block_rows,
    "uint32_t":$block_cols,
    StringRefParameter<"pruning policy">:$policy,
    StringRefParameter<"block ranking", "\"abs\"">:$importance,
    "uint32_t":$topk,
    "::mlir::BoolAttr":$approx,
    StringRefParameter<"softmax kind">:$softmax,
    "int32_t":$rho_q16,
    "uint64_t":$tau_h_q16,
    "uint32_t":$scale_bits
  );
  let genVerifyDecl = 1;
}

def Accel_ShapeAttr : Accel_Attr<"Shape", "shape"> {
  let summary = "the shape of the attention a program computes";
  let description = [{
    Q `[b, h, n, d]`, K `[b, h, m, d]`, V `[b, h, m, dv]`, whether an
    additive mask is an input and, with one, the form the accelerator holds
    it in (`mask_form`): "additive" (the default, omitted when printed),
    "bits" or "lengths".
  }];
  let parameters = (ins
    "uint32_t":$b,
    "uint32_t":$h,
    "uint32_t":$n,
    "uint32_t":$m,
    "uint32_t":$d,
    "uint32_t":$dv,
    "::mlir::BoolAttr":$mask,
    StringRefParameter<"mask form", "\"additive\"">:$mask_form
  );
  let genVerifyDecl = 1;
}

#endif // HDP_DIALECT_ACCEL_IR_ACCELATTRS_TD
