//===- HDPInterfaces.td - hdp op interfaces ----------------*- tablegen -*-===//
//
// What every hdp op shares, as interfaces that passes can query without
// knowing the op.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_HDP_IR_HDPINTERFACES_TD
#define HDP_DIALECT_HDP_IR_HDPINTERFACES_TD

include "mlir/IR/OpBase.td"

def HDP_ConfiguredOpInterface : OpInterface<"ConfiguredOpInterface"> {
  let cppNamespace = "::hdp";
  let description = [{
    An op whose semantics an optional `config` attribute (`#hdp.config`)
    parameterises; every parameter the attribute omits, or all of them
    without the attribute, takes its default (docs/semantics.md).
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"The `config` attribute, or the default configuration when "
               "the op has none. Every hdp op has this default "
               "implementation, which reads the op's `config`.",
      /*retTy=*/"::hdp::ConfigAttr",
      /*methodName=*/"getEffectiveConfig",
      /*args=*/(ins),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{
        if (::hdp::ConfigAttr config = $_op.getConfigAttr())
          return config;
        return ::hdp::ConfigAttr::get($_op.getContext());
      }]>
  ];
}

#endif // HDP_DIALECT_HDP_IR_HDPINTERFACES_TD
