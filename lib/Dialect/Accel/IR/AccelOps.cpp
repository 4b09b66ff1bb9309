//===- AccelOps.cpp - hdp_accel ops ---------------------------------------===//

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/IR/ProgramConversion.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace hdp;
using namespace hdp::accel_ir;

#define GET_OP_CLASSES
#include "hdp/Dialect/Accel/IR/AccelOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ProgramOp
//===----------------------------------------------------------------------===//

void ProgramOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                      TargetAttr target, AttentionAttr attention,
                      ShapeAttr shape) {
  state.getOrAddProperties<Properties>().sym_name = builder.getStringAttr(name);
  state.getOrAddProperties<Properties>().target = target;
  state.getOrAddProperties<Properties>().attention = attention;
  state.getOrAddProperties<Properties>().shape = shape;
  Region *body = state.addRegion();
  body->push_back(new Block());
}

/// The whole stream is checked against the header by the checks of the
/// .hdpc reader, so a program that verifies is one the writer may write and
/// the reader will accept.
LogicalResult ProgramOp::verifyRegions() {
  FailureOr<accel::Program> program = programOf(*this);
  if (failed(program))
    return failure();
  std::optional<accel::ProgramProblem> problem = accel::checkProgram(*program);
  if (!problem)
    return success();
  if (problem->inHeader)
    return emitOpError() << problem->message;
  Operation *bad = nullptr;
  size_t index = 0;
  for (Operation &op : getBody().front())
    if (index++ == problem->commandIndex) {
      bad = &op;
      break;
    }
  StringRef message = problem->message;
  // "pe.int: core 3 ..." -> "core 3 ..." (the op already names itself).
  if (std::optional<accel::Opcode> opcode = opcodeOf(bad))
    message.consume_front((accel::opcodeName(*opcode) + ": ").str());
  return bad->emitOpError() << message;
}

//===----------------------------------------------------------------------===//
// LaunchOp
//===----------------------------------------------------------------------===//

LogicalResult LaunchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto program =
      symbolTable.lookupNearestSymbolFrom<ProgramOp>(*this, getProgramAttr());
  if (!program)
    return emitOpError() << "'" << getProgram()
                         << "' does not reference an hdp_accel.program";
  unsigned expected = program.getShape().getMask().getValue() ? 4 : 3;
  // On buffers the launch writes its outputs into the trailing operands.
  bool buffers = !getInputs().empty() &&
                 llvm::all_of(getInputs().getTypes(),
                              [](Type t) { return isa<MemRefType>(t); });
  if (buffers) {
    if (!getResults().empty())
      return emitOpError() << "on buffers returns nothing: it writes the "
                              "output buffers it is given";
    unsigned outputs =
        getInputs().size() - std::min<unsigned>(getInputs().size(), expected);
    if (outputs < 1 || outputs > 4)
      return emitOpError()
             << "on buffers expects " << expected << " inputs (Q, K, V"
             << (expected == 4 ? ", mask" : "")
             << ") then 1 to 4 output buffers (output, block mask, head "
                "mask, θ_H) for program '"
             << getProgram() << "', got " << getInputs().size() << " operands";
    return success();
  }
  if (getInputs().size() != expected)
    return emitOpError() << "expects " << expected << " inputs (Q, K, V"
                         << (expected == 4 ? ", mask" : "") << ") for program '"
                         << getProgram() << "', got " << getInputs().size();
  if (getResults().empty() || getResults().size() > 4)
    return emitOpError() << "expects 1 to 4 results (output, block mask, head "
                            "mask, θ_H)";
  return success();
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

LogicalResult DmaLoadOp::verify() {
  switch (getTensor()) {
  case Tensor::out:
  case Tensor::head_table:
    return emitOpError() << "cannot load tensor '"
                         << stringifyTensor(getTensor())
                         << "'; expected q_int, q_frac, k_int, k_frac, v, "
                            "mask or block_mask";
  default:
    break;
  }
  if (getFum() && getTensor() != Tensor::k_int &&
      getTensor() != Tensor::k_frac && getTensor() != Tensor::v)
    return emitOpError() << "'fum' (Fetch-Upon-Mask) applies to k_int, "
                            "k_frac and v only";
  return success();
}

/// The HDP engine's PE commands read a block mask; the dense engine's
/// (`dense`) have none.
static LogicalResult verifyBlockMaskSlot(Operation *op, bool hasBlockMask,
                                         bool dense) {
  if (hasBlockMask == !dense)
    return success();
  return op->emitOpError()
         << (dense ? "'dense' (the dense engine) takes no 'blockmask' slot"
                   : "needs a 'blockmask' slot (or 'dense')");
}

LogicalResult PeFracOp::verify() {
  return verifyBlockMaskSlot(*this, getBlockmask().has_value(), getDense());
}

LogicalResult PePvOp::verify() {
  return verifyBlockMaskSlot(*this, getBlockmask().has_value(), getDense());
}

LogicalResult DmaStoreOp::verify() {
  switch (getTensor()) {
  case Tensor::block_mask:
  case Tensor::out:
    if (!getSlot())
      return emitOpError() << "storing '" << stringifyTensor(getTensor())
                           << "' needs the 'slot' it is stored from";
    return success();
  case Tensor::head_table:
    if (getSlot())
      return emitOpError() << "the head table lives in the sparsity engine; "
                              "it has no 'slot'";
    return success();
  default:
    return emitOpError() << "cannot store tensor '"
                         << stringifyTensor(getTensor())
                         << "'; expected block_mask, out or head_table";
  }
}
