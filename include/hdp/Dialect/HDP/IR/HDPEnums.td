//===- HDPEnums.td - hdp enumerations ----------------------*- tablegen -*-===//

#ifndef HDP_DIALECT_HDP_IR_HDPENUMS_TD
#define HDP_DIALECT_HDP_IR_HDPENUMS_TD

include "mlir/IR/EnumAttr.td"

def HDP_PruningPolicy : I32EnumAttr<"PruningPolicy",
    "how blocks of the score matrix are selected", [
      I32EnumAttrCase<"hdp", 0>,   // row-balanced threshold (ρ)
      I32EnumAttrCase<"topk", 1>,  // k largest blocks per block row
      I32EnumAttrCase<"dense", 2>  // every valid block
    ]> {
  let cppNamespace = "::hdp";
  let genSpecializedAttr = 0;
}

#endif // HDP_DIALECT_HDP_IR_HDPENUMS_TD
