//===- ProgramConversion.cpp - hdp_accel.program <-> accel::Program -------===//
//
// One table says which attribute of which op holds which slot byte of a
// command; both directions use it, and building an op checks that the op
// gives back exactly its command, so the conversion cannot lose a field.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/ProgramConversion.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace hdp;
using namespace hdp::accel_ir;
using accel::Command;
using accel::Opcode;

namespace {

/// The op of an opcode (Commands.def: the op of command X is XOp; the
/// attribute of each slot byte is the operand's name there, see slotName).
struct OpcodeInfo {
  Opcode opcode;
  StringRef opName;
};

const OpcodeInfo kOpcodes[] = {
#define HDP_COMMAND(Name, Code, Text, Unit, AllowedFlags, Handler)             \
  {Opcode::Name, Name##Op::getOperationName()},
#include "hdp/ISA/Commands.def"
};

const OpcodeInfo *infoOf(Opcode opcode) {
  for (const OpcodeInfo &info : kOpcodes)
    if (info.opcode == opcode)
      return &info;
  return nullptr;
}

const OpcodeInfo *infoOf(Operation *op) {
  if (!op)
    return nullptr;
  StringRef name = op->getName().getStringRef();
  for (const OpcodeInfo &info : kOpcodes)
    if (info.opName == name)
      return &info;
  return nullptr;
}

/// The integer value of inherent attribute `name`, if the op has it set.
std::optional<uint64_t> intField(Operation *op, StringRef name) {
  std::optional<Attribute> attr = op->getInherentAttr(name);
  if (!attr)
    return std::nullopt;
  if (auto value = dyn_cast_or_null<IntegerAttr>(*attr))
    return value.getValue().getZExtValue();
  return std::nullopt;
}

bool unitField(Operation *op, StringRef name) {
  std::optional<Attribute> attr = op->getInherentAttr(name);
  return attr && *attr;
}

} // namespace

std::optional<Opcode> hdp::accel_ir::opcodeOf(Operation *op) {
  if (const OpcodeInfo *info = infoOf(op))
    return info->opcode;
  return std::nullopt;
}

Command hdp::accel_ir::commandOf(Operation *op) {
  const OpcodeInfo *info = infoOf(op);
  assert(info && "not a command op");
  Command c;
  c.opcode = info->opcode;
  c.core = intField(op, "core").value_or(0);
  c.batch = intField(op, "batch").value_or(0);
  c.head = intField(op, "head").value_or(0);
  c.row0 = intField(op, "row0").value_or(0);
  c.rows = intField(op, "rows").value_or(0);
  c.col0 = intField(op, "col0").value_or(0);
  c.cols = intField(op, "cols").value_or(0);
  c.aux = intField(op, "id").value_or(0);
  if (std::optional<Attribute> tensor = op->getInherentAttr("tensor"))
    if (auto attr = dyn_cast_or_null<TensorAttr>(*tensor))
      c.tensor = static_cast<accel::Tensor>(attr.getValue());
  // An operand that exists only under a flag (fum, mask) carries it.
  for (unsigned i = 0; i < 5; ++i)
    if (const char *name = accel::slotName(c.opcode, i))
      if (std::optional<uint64_t> value = intField(op, name)) {
        c.slots[i] = *value;
        c.flags |= accel::slotRequiredFlags(c.opcode, i);
      }
  if (unitField(op, "head_pred"))
    c.flags |= accel::FlagHeadPred;
  if (unitField(op, "first"))
    c.flags |= accel::FlagFirst;
  if (unitField(op, "dense"))
    c.flags |= accel::FlagDense;
  if (unitField(op, "last"))
    c.flags |= accel::FlagLast;
  if (unitField(op, "topup"))
    c.flags |= accel::FlagTopUp;
  if (unitField(op, "from_int"))
    c.flags |= accel::FlagFromInt;
  return c;
}

FailureOr<Operation *> hdp::accel_ir::buildCommandOp(OpBuilder &builder,
                                                     Location loc,
                                                     const Command &cmd) {
  const OpcodeInfo *info = infoOf(cmd.opcode);
  if (!info)
    return emitError(loc) << "unknown opcode "
                          << unsigned(static_cast<uint8_t>(cmd.opcode));
  MLIRContext *ctx = builder.getContext();
  OperationState state(loc, info->opName);
  Operation *op = builder.create(state);
  ArrayRef<StringAttr> names =
      op->getName().getRegisteredInfo()->getAttributeNames();
  auto has = [&](StringRef name) {
    return llvm::any_of(names, [&](StringAttr n) { return n == name; });
  };
  auto setInt = [&](StringRef name, uint64_t value) {
    if (has(name))
      op->setInherentAttr(builder.getStringAttr(name),
                          builder.getI64IntegerAttr(value));
  };
  auto setUnit = [&](StringRef name, bool value) {
    if (value && has(name))
      op->setInherentAttr(builder.getStringAttr(name), builder.getUnitAttr());
  };
  setInt("core", cmd.core);
  setInt("batch", cmd.batch);
  setInt("head", cmd.head);
  setInt("row0", cmd.row0);
  setInt("rows", cmd.rows);
  // A whole-row softmax has no cols (its col0/cols are optional).
  if (cmd.opcode != accel::Opcode::Softmax || cmd.cols != 0) {
    setInt("col0", cmd.col0);
    setInt("cols", cmd.cols);
  }
  setInt("id", cmd.aux);
  if (has("tensor"))
    op->setInherentAttr(builder.getStringAttr("tensor"),
                        TensorAttr::get(ctx, static_cast<Tensor>(cmd.tensor)));
  // A slot attribute exists exactly when the command touches that slot, so
  // optional slots (fum, mask, a store's slot) say their flag or tensor.
  for (const accel::Operand &operand : accel::operandsOf(cmd))
    if (const char *name = accel::slotName(cmd.opcode, operand.slotIndex))
      setInt(name, cmd.slots[operand.slotIndex]);
  setUnit("head_pred", cmd.has(accel::FlagHeadPred));
  setUnit("first", cmd.has(accel::FlagFirst));
  setUnit("dense", cmd.has(accel::FlagDense));
  setUnit("last", cmd.has(accel::FlagLast));
  setUnit("topup", cmd.has(accel::FlagTopUp));
  setUnit("from_int", cmd.has(accel::FlagFromInt));

  if (commandOf(op) != cmd) {
    op->erase();
    return emitError(loc) << "command '" << accel::formatCommand(cmd)
                          << "' has fields its op cannot hold";
  }
  return op;
}

TargetAttr hdp::accel_ir::targetAttrOf(MLIRContext *ctx,
                                       const accel::AccelSignature &a) {
  const auto &b = a.bufferBytes;
  using accel::Buffer;
  auto at = [&](Buffer buffer) { return b[static_cast<unsigned>(buffer)]; };
  return TargetAttr::get(ctx, a.name, a.hash, a.cores, a.peArraysPerCore,
                         a.tileRows, a.tileK, a.tileCols, at(Buffer::Q),
                         at(Buffer::K), at(Buffer::V), at(Buffer::Mask),
                         at(Buffer::Score), at(Buffer::Theta),
                         at(Buffer::BlockMask), at(Buffer::Out));
}

AttentionAttr hdp::accel_ir::attentionAttrOf(MLIRContext *ctx,
                                             const accel::AttentionParams &t) {
  return AttentionAttr::get(
      ctx, t.intBits, t.fracBits, t.shift, t.blockRows, t.blockCols,
      ref::policyName(t.policy), importanceName(t.importance), t.topk,
      BoolAttr::get(ctx, t.approx),
      t.softmax == ref::SoftmaxKind::Poly ? "poly" : "exact", t.rhoQ16,
      t.tauHQ16, t.scaleBits);
}

ShapeAttr hdp::accel_ir::shapeAttrOf(MLIRContext *ctx,
                                     const accel::AttentionShape &s) {
  return ShapeAttr::get(ctx, s.B, s.H, s.N, s.M, s.D, s.Dv,
                        BoolAttr::get(ctx, s.hasMask),
                        accel::maskFormName(s.maskForm));
}

FailureOr<ProgramOp>
hdp::accel_ir::buildProgramOp(OpBuilder &builder, Location loc, StringRef name,
                              const accel::Program &program) {
  MLIRContext *ctx = builder.getContext();
  auto op = ProgramOp::create(
      builder, loc, name, targetAttrOf(ctx, program.accel),
      attentionAttrOf(ctx, program.attention), shapeAttrOf(ctx, program.shape));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&op.getBody().front());
  for (const Command &cmd : program.commands)
    if (failed(buildCommandOp(builder, loc, cmd))) {
      op->erase();
      return failure();
    }
  return op;
}

FailureOr<accel::Program> hdp::accel_ir::programOf(ProgramOp op) {
  accel::Program p;
  TargetAttr target = op.getTarget();
  p.accel.name = target.getName().str();
  p.accel.hash = target.getHash();
  p.accel.cores = target.getCores();
  p.accel.peArraysPerCore = target.getPeArrays();
  p.accel.tileRows = target.getTileRows();
  p.accel.tileK = target.getTileK();
  p.accel.tileCols = target.getTileCols();
  p.accel.bufferBytes = {target.getQBuffer(),         target.getKBuffer(),
                         target.getVBuffer(),         target.getMaskBuffer(),
                         target.getScoreBuffer(),     target.getThetaBuffer(),
                         target.getBlockmaskBuffer(), target.getOutBuffer()};

  AttentionAttr t = op.getAttention();
  p.attention.intBits = t.getIntBits();
  p.attention.fracBits = t.getFracBits();
  p.attention.shift = t.getShift();
  p.attention.blockRows = t.getBlockRows();
  p.attention.blockCols = t.getBlockCols();
  p.attention.policy = t.getPolicy() == "topk"    ? ref::Policy::TopK
                       : t.getPolicy() == "dense" ? ref::Policy::Dense
                                                  : ref::Policy::Hdp;
  p.attention.importance =
      t.getImportance() == "signed" ? Importance::Signed : Importance::Abs;
  p.attention.topk = t.getTopk();
  p.attention.approx = t.getApprox().getValue();
  p.attention.softmax = t.getSoftmax() == "poly" ? ref::SoftmaxKind::Poly
                                                 : ref::SoftmaxKind::Exact;
  p.attention.rhoQ16 = t.getRhoQ16();
  p.attention.tauHQ16 = t.getTauHQ16();
  p.attention.scaleBits = t.getScaleBits();

  ShapeAttr s = op.getShape();
  p.shape = accel::AttentionShape::fromDims(s.getB(), s.getH(), s.getN(),
                                            s.getM(), s.getD(), s.getDv(),
                                            s.getMask().getValue());
  // The attribute's verifier accepts only the names parseMaskForm knows.
  p.shape.maskForm = accel::parseMaskForm(s.getMaskForm().str())
                         .value_or(accel::MaskForm::Additive);

  for (Operation &cmdOp : op.getBody().front()) {
    if (!opcodeOf(&cmdOp))
      return cmdOp.emitOpError()
             << "is not a command; an hdp_accel.program holds command ops "
                "only";
    p.commands.push_back(commandOf(&cmdOp));
  }
  return p;
}
