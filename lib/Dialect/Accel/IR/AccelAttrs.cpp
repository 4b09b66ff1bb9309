//===- AccelAttrs.cpp - hdp_accel attributes ------------------------------===//

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/ISA/Program.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace hdp::accel_ir;

#define GET_ATTRDEF_CLASSES
#include "hdp/Dialect/Accel/IR/AccelAttrs.cpp.inc"

void AccelDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "hdp/Dialect/Accel/IR/AccelAttrs.cpp.inc"
      >();
}

// Only what the header cannot even hold is checked here; the values the
// header holds are checked by checkProgram (ProgramOp's verifier).
LogicalResult AttentionAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, uint32_t intBits,
    uint32_t fracBits, int32_t shift, uint32_t blockRows, uint32_t blockCols,
    StringRef policy, StringRef importance, uint32_t topk, BoolAttr approx,
    StringRef softmax, int32_t rhoQ16, uint64_t tauHQ16, uint32_t scaleBits) {
  if (intBits > 16 || fracBits > 16)
    return emitError() << "int_bits and frac_bits must be at most 16";
  if (shift < -16 || shift > 16)
    return emitError() << "shift must be in [-16, 16]";
  if (blockRows > 65535 || blockCols > 65535)
    return emitError() << "block_rows and block_cols must be at most 65535";
  if (policy != "hdp" && policy != "topk" && policy != "dense")
    return emitError() << "policy must be \"hdp\", \"topk\" or \"dense\" "
                          "(got \""
                       << policy << "\")";
  if (importance != "abs" && importance != "signed")
    return emitError() << "importance must be \"abs\" or \"signed\" (got \""
                       << importance << "\")";
  if (softmax != "exact" && softmax != "poly")
    return emitError() << "softmax must be \"exact\" or \"poly\" (got \""
                       << softmax << "\")";
  return success();
}

LogicalResult ShapeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                uint32_t b, uint32_t h, uint32_t n, uint32_t m,
                                uint32_t d, uint32_t dv, BoolAttr mask,
                                StringRef maskForm) {
  std::optional<accel::MaskForm> form = accel::parseMaskForm(maskForm.str());
  if (!form)
    return emitError() << "mask_form must be \"additive\", \"bits\" or "
                          "\"lengths\" (got \""
                       << maskForm << "\")";
  if (*form != accel::MaskForm::Additive && !(mask && mask.getValue()))
    return emitError() << "mask_form \"" << maskForm << "\" needs mask = true";
  return success();
}
