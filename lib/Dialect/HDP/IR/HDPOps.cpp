//===- HDPOps.cpp - hdp op verifiers and interfaces -----------------------===//
//
// ODS checks each operand's rank and element type (HDPOps.td); the
// verifiers here check what relates operands: the agreement of B, H, N, M,
// D, the block grid ceil(N/bm) × ceil(M/bn), element types that must be
// equal, what the configuration implies, and the types of variadic inits
// and results, which depend on their position. Dynamic dimensions agree
// with anything; they are checked when the program runs.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace hdp;

#include "hdp/Dialect/HDP/IR/HDPInterfaces.cpp.inc"

namespace hdp::detail {
/// The memory effects of a stage op (its getEffects, HDPOps.td): memref ins
/// are read and memref inits written; tensors have no memory effects.
void addStageEffects(
    DestinationStyleOpInterface op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand *input : op.getDpsInputOperands())
    if (isa<MemRefType>(input->get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), input,
                           SideEffects::DefaultResource::get());
  for (OpOperand &init : op.getDpsInitsMutable())
    if (isa<MemRefType>(init.get().getType()))
      effects.emplace_back(MemoryEffects::Write::get(), &init,
                           SideEffects::DefaultResource::get());
}
} // namespace hdp::detail

#define GET_OP_CLASSES
#include "hdp/Dialect/HDP/IR/HDPOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shape checking helpers
//===----------------------------------------------------------------------===//

namespace {
/// Prints a dimension as MLIR writes it ('?' when dynamic).
std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

int64_t ceilDivDim(int64_t n, int64_t block) {
  return ShapedType::isDynamic(n) ? ShapedType::kDynamic
                                  : llvm::divideCeil(n, block);
}

/// Checks operands against each other: each expected dimension (kDynamic
/// entries are not checked) and, where the operand's position in a variadic
/// list decides it, its rank and element type. Types that ODS checks alone
/// need no call. `dimNames` names the dimensions in diagnostics, e.g. "BHND".
class OperandChecker {
public:
  explicit OperandChecker(Operation *op) : op(op) {}

  /// The rank and each expected dimension of `type`.
  LogicalResult dims(StringRef name, Type type, ArrayRef<int64_t> expected,
                     StringRef dimNames) {
    if (failed(rank(name, type, expected.size(), dimNames)))
      return failure();
    auto shaped = cast<ShapedType>(type);
    for (auto [i, want] : llvm::enumerate(expected)) {
      int64_t got = shaped.getDimSize(i);
      if (!dimsAgree(got, want))
        return op->emitOpError()
               << name << " dimension " << i << " (" << dimNames.substr(i, 1)
               << ") is " << dimStr(got) << ", expected " << dimStr(want);
    }
    return success();
  }

  /// The rank, element type and dimensions of an operand or result whose
  /// type depends on its position in a variadic list.
  LogicalResult positional(StringRef name, Type type,
                           ArrayRef<int64_t> expected, StringRef dimNames,
                           function_ref<bool(Type)> elementOk,
                           StringRef elementDesc) {
    if (failed(rank(name, type, expected.size(), dimNames)))
      return failure();
    if (!elementOk(getElementTypeOrSelf(type)))
      return op->emitOpError() << name << " must have " << elementDesc
                               << " elements, got " << type;
    return dims(name, type, expected, dimNames);
  }

private:
  LogicalResult rank(StringRef name, Type type, size_t expected,
                     StringRef dimNames) {
    if (cast<ShapedType>(type).getRank() == static_cast<int64_t>(expected))
      return success();
    return op->emitOpError() << name << " must have rank " << expected << " ["
                             << formatDimNames(dimNames) << "], got " << type;
  }
  static std::string formatDimNames(StringRef names) {
    std::string out;
    for (auto [i, c] : llvm::enumerate(names)) {
      if (i)
        out += ",";
      out += c;
    }
    return out;
  }
  Operation *op;
};

bool isI1(Type t) { return t.isSignlessInteger(1); }
bool isI64(Type t) { return t.isSignlessInteger(64); }
bool isI32OrI64(Type t) {
  return t.isSignlessInteger(32) || t.isSignlessInteger(64);
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// The number of inits of a destination-style stage op (ODS checks each
/// init's type).
LogicalResult verifyInitCount(Operation *op, ValueRange inits,
                              unsigned expected, StringRef names) {
  if (inits.size() != expected)
    return op->emitOpError() << "expects " << expected << " init(s) (" << names
                             << "), got " << inits.size();
  return success();
}

/// The mask (f32, rank <= 4: ODS) must broadcast (numpy rules) to
/// [B,H,N,M].
LogicalResult verifyMask(Operation *op, Value mask,
                         ArrayRef<int64_t> scoreShape) {
  if (!mask)
    return success();
  auto type = cast<ShapedType>(mask.getType());
  int64_t offset = 4 - type.getRank();
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t got = type.getDimSize(i), want = scoreShape[offset + i];
    if (got != 1 && !dimsAgree(got, want))
      return op->emitOpError()
             << "mask dimension " << i << " is " << got
             << ", which does not broadcast to " << dimStr(want)
             << " (mask must broadcast to [B,H,N,M] = ["
             << dimStr(scoreShape[0]) << "," << dimStr(scoreShape[1]) << ","
             << dimStr(scoreShape[2]) << "," << dimStr(scoreShape[3]) << "])";
  }
  return success();
}

/// i32 integer scores must not overflow: |S_int| <= D·2^(2I-2).
LogicalResult verifyScoreWidth(Operation *op, Type scoreType, int64_t headDim,
                               ConfigAttr config) {
  auto elt = cast<ShapedType>(scoreType).getElementType();
  if (!elt.isSignlessInteger(32) || ShapedType::isDynamic(headDim))
    return success();
  // log2(D·2^(2I-2)) < 31
  double bound = std::log2(static_cast<double>(headDim)) +
                 2.0 * static_cast<double>(config.getIntBits() - 1);
  if (bound >= 31.0)
    return op->emitOpError()
           << "i32 integer scores can overflow for D = " << headDim
           << " and int_bits = " << config.getIntBits() << "; use i64";
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// hdp.attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  OperandChecker checker(getOperation());
  int64_t dyn = ShapedType::kDynamic;
  auto q = shapeOf(getQuery());
  int64_t B = q[0], H = q[1], N = q[2], D = q[3];
  if (failed(checker.dims("key", getKey().getType(), {B, H, dyn, D}, "BHMD")))
    return failure();
  int64_t M = shapeOf(getKey())[2];
  if (failed(
          checker.dims("value", getValue().getType(), {B, H, M, dyn}, "BHMV")))
    return failure();
  int64_t Dv = shapeOf(getValue())[3];
  if (failed(verifyMask(getOperation(), getMask(), {B, H, N, M})))
    return failure();

  ConfigAttr config = getEffectiveConfig();
  ResultRange results = getResults();
  if (results.empty() || results.size() > 4)
    return emitOpError() << "expects 1 to 4 results (output, block mask, "
                            "head mask, theta_h), got "
                         << results.size();
  int64_t NB = ceilDivDim(N, config.getBlockRows());
  int64_t MB = ceilDivDim(M, config.getBlockCols());
  auto isF32 = [](Type t) { return t.isF32(); };
  if (failed(checker.positional("output", results[0].getType(), {B, H, N, Dv},
                                "BHNV", isF32, "f32")))
    return failure();
  if (results.size() > 1 &&
      failed(checker.positional("block mask result", results[1].getType(),
                                {B, H, NB, MB}, "BHIJ", isI1, "i1")))
    return failure();
  if (results.size() > 2 &&
      failed(checker.positional("head mask result", results[2].getType(),
                                {B, H}, "BH", isI1, "i1")))
    return failure();
  if (results.size() > 3 &&
      failed(checker.positional("theta_h result", results[3].getType(), {B, H},
                                "BH", isI64, "i64")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Stage ops
//===----------------------------------------------------------------------===//

LogicalResult SplitQuantizeOp::verify() {
  if (failed(
          verifyInitCount(*this, getInits(), 2, "integer part, fraction part")))
    return failure();
  auto inType = cast<ShapedType>(getInput().getType());
  int64_t width = getEffectiveConfig().getSplitBitWidth();
  OperandChecker checker(*this);
  Type hiElt = getElementTypeOrSelf(getInits()[0].getType());
  for (auto [i, init] : llvm::enumerate(getInits())) {
    StringRef name = i == 0 ? "integer part" : "fraction part";
    auto t = cast<ShapedType>(init.getType());
    if (t.getElementType() != hiElt)
      return emitOpError()
             << "integer and fraction parts must have the same element type";
    if (static_cast<int64_t>(t.getElementTypeBitWidth()) < width)
      return emitOpError() << name << " element type " << t.getElementType()
                           << " is narrower than the " << width
                           << " bits that int_bits/frac_bits need";
    std::string dimNames(inType.getRank(), 'd');
    if (failed(checker.dims(name, t, inType.getShape(), dimNames)))
      return failure();
  }
  return success();
}

LogicalResult BlockScoreOp::verify() {
  const bool signedRanking =
      getEffectiveConfig().getImportance() == hdp::Importance::Signed;
  if (failed(verifyInitCount(*this, getInits(), signedRanking ? 3 : 2,
                             signedRanking
                                 ? "scores, theta, magnitude (importance "
                                   "= signed)"
                                 : "scores, theta")))
    return failure();
  OperandChecker checker(*this);
  int64_t dyn = ShapedType::kDynamic;
  auto q = shapeOf(getQueryHi());
  int64_t B = q[0], H = q[1], N = q[2], D = q[3];
  if (failed(checker.dims("key integer part", getKeyHi().getType(),
                          {B, H, dyn, D}, "BHMD")))
    return failure();
  if (getElementTypeOrSelf(getQueryHi().getType()) !=
      getElementTypeOrSelf(getKeyHi().getType()))
    return emitOpError("query and key integer parts must have the same "
                       "element type");
  int64_t M = shapeOf(getKeyHi())[2];
  if (failed(verifyMask(*this, getMask(), {B, H, N, M})))
    return failure();
  ConfigAttr config = getEffectiveConfig();
  if (failed(checker.positional("scores init", getInits()[0].getType(),
                                {B, H, N, M}, "BHNM", isI32OrI64,
                                "i32 or i64")) ||
      failed(verifyScoreWidth(*this, getInits()[0].getType(), D, config)))
    return failure();
  SmallVector<int64_t> blocks = {B, H, ceilDivDim(N, config.getBlockRows()),
                                 ceilDivDim(M, config.getBlockCols())};
  if (failed(checker.positional("theta init", getInits()[1].getType(), blocks,
                                "BHIJ", isI64, "i64")))
    return failure();
  if (signedRanking)
    return checker.positional("magnitude init", getInits()[2].getType(), blocks,
                              "BHIJ", isI64, "i64");
  return success();
}

LogicalResult PruneMaskOp::verify() {
  if (failed(verifyInitCount(*this, getInits(), 1, "block mask")))
    return failure();
  const bool signedRanking =
      getEffectiveConfig().getImportance() == hdp::Importance::Signed;
  if (signedRanking && !getMagnitude())
    return emitOpError("importance = signed needs the block magnitudes "
                       "(magnitude(...)) to know which blocks are valid");
  if (!signedRanking && getMagnitude())
    return emitOpError("magnitude(...) is only read under importance = "
                       "signed; with importance = abs θ holds it");
  OperandChecker checker(*this);
  if (getMagnitude() &&
      failed(checker.dims("magnitude", getMagnitude().getType(),
                          shapeOf(getTheta()), "BHIJ")))
    return failure();
  return checker.dims("block mask init", getInits()[0].getType(),
                      shapeOf(getTheta()), "BHIJ");
}

LogicalResult HeadMaskOp::verify() {
  if (failed(verifyInitCount(*this, getInits(), 2, "head mask, theta_h")))
    return failure();
  OperandChecker checker(*this);
  auto t = shapeOf(getTheta());
  if (failed(checker.positional("head mask init", getInits()[0].getType(),
                                {t[0], t[1]}, "BH", isI1, "i1")))
    return failure();
  return checker.positional("theta_h init", getInits()[1].getType(),
                            {t[0], t[1]}, "BH", isI64, "i64");
}

LogicalResult ApproxCombineOp::verify() {
  if (failed(verifyInitCount(*this, getInits(), 1, "scores")))
    return failure();
  OperandChecker checker(*this);
  int64_t dyn = ShapedType::kDynamic;
  auto q = shapeOf(getQueryHi());
  int64_t B = q[0], H = q[1], N = q[2], D = q[3];
  if (failed(checker.dims("query fraction part", getQueryLo().getType(),
                          {B, H, N, D}, "BHND")) ||
      failed(checker.dims("key integer part", getKeyHi().getType(),
                          {B, H, dyn, D}, "BHMD")))
    return failure();
  int64_t M = shapeOf(getKeyHi())[2];
  if (failed(checker.dims("key fraction part", getKeyLo().getType(),
                          {B, H, M, D}, "BHMD")))
    return failure();
  Type partElt = getElementTypeOrSelf(getQueryHi().getType());
  for (Value part : {getQueryLo(), getKeyHi(), getKeyLo()})
    if (getElementTypeOrSelf(part.getType()) != partElt)
      return emitOpError("integer and fraction parts of query and key must "
                         "have the same element type");
  ConfigAttr config = getEffectiveConfig();
  int64_t NB = ceilDivDim(N, config.getBlockRows());
  int64_t MB = ceilDivDim(M, config.getBlockCols());
  if (failed(checker.dims("integer scores", getScores().getType(), {B, H, N, M},
                          "BHNM")) ||
      failed(checker.dims("block mask", getBlockMask().getType(),
                          {B, H, NB, MB}, "BHIJ")) ||
      failed(
          checker.dims("head mask", getHeadMask().getType(), {B, H}, "BH")) ||
      failed(verifyMask(*this, getMask(), {B, H, N, M})))
    return failure();
  return checker.dims("scores init", getInits()[0].getType(), {B, H, N, M},
                      "BHNM");
}

LogicalResult MaskedSoftmaxOp::verify() {
  if (failed(verifyInitCount(*this, getInits(), 1, "probabilities")))
    return failure();
  OperandChecker checker(*this);
  return checker.dims("init", getInits()[0].getType(), shapeOf(getInput()),
                      "BHNM");
}

LogicalResult SparsePVOp::verify() {
  if (failed(verifyInitCount(*this, getInits(), 1, "output")))
    return failure();
  OperandChecker checker(*this);
  int64_t dyn = ShapedType::kDynamic;
  auto p = shapeOf(getProbs());
  int64_t B = p[0], H = p[1], N = p[2], M = p[3];
  if (failed(
          checker.dims("value", getValue().getType(), {B, H, M, dyn}, "BHMV")))
    return failure();
  int64_t Dv = shapeOf(getValue())[3];
  ConfigAttr config = getEffectiveConfig();
  if (failed(checker.dims("block mask", getBlockMask().getType(),
                          {B, H, ceilDivDim(N, config.getBlockRows()),
                           ceilDivDim(M, config.getBlockCols())},
                          "BHIJ")) ||
      failed(checker.dims("head mask", getHeadMask().getType(), {B, H}, "BH")))
    return failure();
  return checker.dims("output init", getInits()[0].getType(), {B, H, N, Dv},
                      "BHNV");
}
