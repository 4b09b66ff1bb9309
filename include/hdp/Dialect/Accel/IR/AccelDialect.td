//===- AccelDialect.td - The hdp_accel dialect -------------*- tablegen -*-===//
//
// The hdp_accel dialect: the command stream of the HDP co-processor, one op
// per command (include/hdp/ISA/Commands.h).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_ACCEL_IR_ACCELDIALECT_TD
#define HDP_DIALECT_ACCEL_IR_ACCELDIALECT_TD

include "mlir/IR/OpBase.td"

def Accel_Dialect : Dialect {
  let name = "hdp_accel";
  let cppNamespace = "::hdp::accel_ir";
  let summary = "Command streams of the HDP co-processor";
  let description = [{
    The hdp_accel dialect is the IR form of a `.hdpc` command stream
    (docs/accelerator.md). An `hdp_accel.program` carries the header: the
    accelerator the stream was compiled for (`#hdp_accel.target`), the
    attention configuration in the hardware's integer form
    (`#hdp_accel.attention`) and the attention shape (`#hdp_accel.shape`).
    Its single block holds one op per command, in stream order.

    Every command op names the core that runs it, the SRAM buffer slots it
    reads and writes (one attribute per slot, named after the buffer) and
    the tile it works on: batch item, head, query rows `rows row0+count`
    and keys `cols col0+count`. Flags are unit attributes (`head_pred`,
    `first`); Fetch-Upon-Mask and the additive mask are the presence of the
    `fum` and `mask` slot attributes.

    The stream is data-independent: pruning decisions are taken when the
    stream runs, by the sparsity engine (`se_end_r`, `se_end_h`), and only
    predicate commands (`head_pred`, `fum`).

    `hdp-lower-to-accel` produces programs from `hdp.attention`;
    `hdp-translate --hdp-to-hdpc` writes them as `.hdpc` bytes and
    `--hdpc-to-hdp` reads them back, byte for byte.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
  private:
    void registerAttributes();
  public:
  }];
}

class Accel_Op<string mnemonic, list<Trait> traits = []>
    : Op<Accel_Dialect, mnemonic, traits>;

#endif // HDP_DIALECT_ACCEL_IR_ACCELDIALECT_TD
