//===- HDPDialect.td - The hdp dialect ---------------------*- tablegen -*-===//
//
// The hdp dialect: attention with Hybrid Dynamic Pruning, from one
// `hdp.attention` op down to the stage ops that compute it.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_IR_HDPDIALECT_TD
#define HDP_DIALECT_HDP_IR_HDPDIALECT_TD

include "mlir/IR/OpBase.td"

def HDP_Dialect : Dialect {
  let name = "hdp";
  let cppNamespace = "::hdp";
  let summary = "Attention with Hybrid Dynamic Pruning";
  let description = [{
    The hdp dialect expresses transformer attention whose score matrix is
    pruned at run time by Hybrid Dynamic Pruning (HDP). Q and K are quantised
    to signed fixed point and split into integer and fraction parts; the
    product of the integer parts estimates the scores; unimportant blocks of
    the score matrix (row-balanced thresholds) and whole heads are pruned; the
    kept scores are computed approximately (the Frac·Frac term dropped).

    `hdp.attention` is the unit users configure with `#hdp.config<...>`.
    `hdp-decompose` turns it into the stage ops `hdp.split_quantize`,
    `hdp.block_score`, `hdp.prune_mask`, `hdp.head_mask`,
    `hdp.approx_combine`, `hdp.masked_softmax` and `hdp.sparse_pv`, which
    are destination-passing style and work on tensors or memrefs.

    Pruning is dynamic: masks are computed when the program runs.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
  private:
    // Defined next to the attribute storage classes (HDPAttrs.cpp).
    void registerAttributes();
  public:
  }];
  // Tiling builds affine index arithmetic and slices of tensors or memrefs.
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

class HDP_Op<string mnemonic, list<Trait> traits = []>
    : Op<HDP_Dialect, mnemonic, traits>;

#endif // HDP_DIALECT_HDP_IR_HDPDIALECT_TD
