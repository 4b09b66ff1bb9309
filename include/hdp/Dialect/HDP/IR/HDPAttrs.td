//===- HDPAttrs.td - hdp attributes ------------------------*- tablegen -*-===//

#ifndef HDP_DIALECT_HDP_IR_HDPATTRS_TD
#define HDP_DIALECT_HDP_IR_HDPATTRS_TD

include "hdp/Dialect/HDP/IR/HDPDialect.td"
include "hdp/Dialect/HDP/IR/HDPEnums.td"
include "mlir/IR/AttrTypeBase.td"

class HDP_FloatParameter<string desc>
    : AttrOrTypeParameter<"::llvm::APFloat", desc> {
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
}

def HDP_ConfigAttr : AttrDef<HDP_Dialect, "Config"> {
  let mnemonic = "config";
  let summary = "Hybrid Dynamic Pruning configuration";
  let description = [{
    Every parameter of HDP attention. Written as `key = value` pairs in any
    order, any subset; omitted keys take their defaults and are not printed.

    | key | meaning | default |
    |---|---|---|
    | `int_bits` | I: integer bits (with sign) of the fixed point of Q, K | 4 |
    | `frac_bits` | F: fraction bits | 4 |
    | `shift` | power-of-two pre-scale before quantisation | 0 |
    | `block` | `[bm, bn]` block shape in the score matrix | [2, 2] |
    | `rho` | ρ ∈ [-1, 1], block threshold ratio | 0.0 |
    | `tau_h` | τ_H ≥ 0, head threshold relative to the mean (0 = off) | 0.0 |
    | `policy` | `hdp`, `topk` or `dense` | hdp |
    | `importance` | block ranking: `abs` (θ = Σ\|S_int\|) or `signed` (θ = Σ S_int) | abs |
    | `topk` | blocks kept per block row under `policy = topk` | 1 |
    | `approx` | drop the Frac·Frac term | true |
    | `softmax` | `exact` or `poly` | exact |
    | `scale` | softmax scale (> 0) | 1/sqrt(D) |

    Example: `#hdp.config<rho = 0.3, block = [2, 2], policy = topk, topk = 4>`.
  }];
  let parameters = (ins
    "int64_t":$intBits,
    "int64_t":$fracBits,
    "int64_t":$shift,
    "int64_t":$blockRows,
    "int64_t":$blockCols,
    HDP_FloatParameter<"block threshold ratio">:$rho,
    HDP_FloatParameter<"head threshold">:$tauH,
    "::hdp::PruningPolicy":$policy,
    "::hdp::Importance":$importance,
    "int64_t":$topk,
    "bool":$approx,
    "::hdp::SoftmaxKind":$softmax,
    "std::optional<::llvm::APFloat>":$scale
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    // The configuration with every default.
    AttrBuilder<(ins), [{
      return $_get($_ctxt, /*intBits=*/4, /*fracBits=*/4, /*shift=*/0,
                   /*blockRows=*/2, /*blockCols=*/2,
                   /*rho=*/::llvm::APFloat(0.0), /*tauH=*/::llvm::APFloat(0.0),
                   ::hdp::PruningPolicy::hdp, ::hdp::Importance::Abs,
                   /*topk=*/1, /*approx=*/true,
                   ::hdp::SoftmaxKind::Exact, /*scale=*/std::nullopt);
    }]>
  ];
  let skipDefaultBuilders = 0;
  let extraClassDeclaration = [{
    /// The same configuration as the plain struct the reference and the
    /// runtimes use.
    ::hdp::AttentionConfig toReference() const;
    /// Builds the attribute from the plain struct (which must be valid).
    static ConfigAttr fromReference(::mlir::MLIRContext *context,
                                    const ::hdp::AttentionConfig &config);
    double getRhoValue() const { return getRho().convertToDouble(); }
    double getTauHValue() const { return getTauH().convertToDouble(); }
    /// The softmax scale for head dimension `headDim`, rounded to f32.
    float getEffectiveScale(int64_t headDim) const;
    /// Bits a signed integer needs to hold the integer part (hi) and the
    /// fraction part (lo, in [0, 2^F)).
    int64_t getSplitBitWidth() const;
  }];
}

#endif // HDP_DIALECT_HDP_IR_HDPATTRS_TD
