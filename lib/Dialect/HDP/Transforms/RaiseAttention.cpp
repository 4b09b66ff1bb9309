//===- RaiseAttention.cpp - linalg attention → hdp.attention --------------===//
//
// hdp-raise-attention: recognises softmax(scale·Q·Kᵀ [+ mask])·V written in
// linalg the way frontends emit it and rewrites it into one hdp.attention.
//
// The pattern is anchored on the P·V contraction and walks the use-def chain
// backwards: P·V ← [reshapes, copies] ← softmax ← [mask add or masked fill]
// ← [scale] ← [reshapes, copies] ← Q·Kᵀ, then follows Q, K and V back
// through copies, transposes, B·H collapses and (Q, K) constant scaling.
// Matching only reads the IR; the rewrite starts once every check has
// passed, so unrecognised IR stays exactly as it was. The walk driver only
// lets a pattern erase the op it visits, so the pass erases the matched
// chains after the walk.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/Debug.h"

#include <cfloat>
#include <cmath>
#include <set>

namespace hdp {
#define GEN_PASS_DEF_HDPRAISEATTENTION
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

#define DEBUG_TYPE "hdp-raise-attention"

using namespace mlir;
using namespace hdp;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

RankedTensorType getTensorType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

/// A tensor of a floating-point type attention is written in (f32, and f16
/// or bf16 programs, whose raised attention computes in f32).
bool isFloatTensor(Value v) {
  auto type = getTensorType(v);
  if (!type)
    return false;
  Type elt = type.getElementType();
  return elt.isF32() || elt.isF16() || elt.isBF16();
}

int64_t getRank(Value v) { return getTensorType(v).getRank(); }

bool isIdentityPermutation(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (p != static_cast<int64_t>(i))
      return false;
  return true;
}

/// Two sizes that may be the same at run time.
bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The more static of two agreeing sizes.
int64_t mergeDims(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

bool isAllParallel(linalg::LinalgOp op) {
  return llvm::all_of(op.getIteratorTypesArray(), linalg::isParallelIterator);
}

/// The value yielded for result `i` of `g`.
Value getYielded(linalg::GenericOp g, unsigned i = 0) {
  return g.getBody()->getTerminator()->getOperand(i);
}

/// The index of the input whose block argument is `v`, if any.
std::optional<unsigned> getInputIndex(linalg::GenericOp g, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != g.getBody() ||
      arg.getArgNumber() >= g.getNumDpsInputs())
    return std::nullopt;
  return arg.getArgNumber();
}

bool initArgUnused(linalg::GenericOp g, unsigned i = 0) {
  return g.getMatchingBlockArgument(g.getDpsInitOperand(i)).use_empty();
}

/// The indexing maps of `op` with each constant-0 result replaced, where it
/// can be, by an otherwise unused loop dimension of size 1. torch-mlir writes
/// `0` instead of `d0` for a unit dimension; both read the same element, and
/// after this every matcher sees one spelling.
SmallVector<AffineMap> getCanonicalMaps(linalg::LinalgOp op) {
  SmallVector<int64_t> loops = op.getStaticLoopRanges();
  SmallVector<AffineMap> maps;
  for (AffineMap map : op.getIndexingMapsArray()) {
    llvm::SmallBitVector used(map.getNumDims());
    for (AffineExpr e : map.getResults())
      if (auto d = dyn_cast<AffineDimExpr>(e))
        used.set(d.getPosition());
    auto isFreeUnit = [&](unsigned i) {
      return i < map.getNumDims() && !used.test(i) && loops[i] == 1;
    };
    SmallVector<AffineExpr> results;
    for (auto [pos, result] : llvm::enumerate(map.getResults())) {
      AffineExpr e = result;
      auto c = dyn_cast<AffineConstantExpr>(e);
      if (c && c.getValue() == 0) {
        // Prefer the loop dim at the same position: (0, d1) → (d0, d1).
        std::optional<unsigned> dim;
        if (isFreeUnit(pos))
          dim = pos;
        for (unsigned i = 0; !dim && i < map.getNumDims(); ++i)
          if (isFreeUnit(i))
            dim = i;
        if (dim) {
          used.set(*dim);
          e = getAffineDimExpr(*dim, op.getContext());
        }
      }
      results.push_back(e);
    }
    maps.push_back(AffineMap::get(map.getNumDims(), map.getNumSymbols(),
                                  results, op.getContext()));
  }
  return maps;
}

/// An all-parallel generic on tensors with one result whose init is read
/// through the identity, i.e. an elementwise op over its result's shape.
bool isElementwise(linalg::GenericOp g) {
  return g && g.hasPureTensorSemantics() && g.getNumDpsInits() == 1 &&
         g->getNumResults() == 1 && isAllParallel(g) &&
         isFloatTensor(g->getResult(0)) &&
         getCanonicalMaps(g).back().isIdentity();
}

/// Map of `operand` in `g` after canonicalisation.
AffineMap getCanonicalMap(linalg::GenericOp g, unsigned operandIndex) {
  return getCanonicalMaps(g)[operandIndex];
}

/// `map` reads one row value per element, broadcast along the last of `rank`
/// loops: (d0, .., d{r-2}) or, keeping the reduced dimension, (.., 0).
bool isRowMap(AffineMap map, int64_t rank, RankedTensorType operandType) {
  unsigned n = map.getNumResults();
  if (n != rank - 1 && n != rank)
    return false;
  for (int64_t i = 0; i < rank - 1; ++i)
    if (map.getResult(i) != getAffineDimExpr(i, map.getContext()))
      return false;
  if (n == rank - 1)
    return true;
  if (operandType.getDimSize(rank - 1) != 1)
    return false;
  AffineExpr last = map.getResult(rank - 1);
  auto c = dyn_cast<AffineConstantExpr>(last);
  return (c && c.getValue() == 0) ||
         last == getAffineDimExpr(rank - 1, map.getContext());
}

//===----------------------------------------------------------------------===//
// Uniform values (constants, splats and what frontends compute from them)
//===----------------------------------------------------------------------===//

std::optional<double> roundTo(Type type, double x) {
  auto floatType = dyn_cast<FloatType>(type);
  if (!floatType)
    return std::nullopt;
  if (type.isF64())
    return x;
  APFloat f(x);
  bool losesInfo;
  f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
            &losesInfo);
  return f.convertToDouble();
}

/// The value of every element of `v` when it is known at compile time: a
/// scalar or splat constant, or a chain of casts, arithmetic, fills, reshapes
/// and elementwise generics over such values (torch-mlir computes
/// 1/sqrt(64) as sqrt(sitofp(dense<64>)) on rank-0 tensors). `env` binds
/// block arguments of enclosing generic bodies being evaluated.
std::optional<double> evalUniform(Value v, const DenseMap<Value, double> &env,
                                  unsigned depth = 0) {
  if (depth > 32)
    return std::nullopt;
  if (auto it = env.find(v); it != env.end())
    return it->second;
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr))) {
    if (auto f = dyn_cast<FloatAttr>(attr))
      return f.getValueAsDouble();
    if (auto i = dyn_cast<IntegerAttr>(attr))
      return static_cast<double>(i.getValue().getSExtValue());
    if (auto splat = dyn_cast<SplatElementsAttr>(attr)) {
      if (isa<FloatType>(splat.getElementType()))
        return splat.getSplatValue<APFloat>().convertToDouble();
      if (isa<IntegerType>(splat.getElementType()))
        return static_cast<double>(splat.getSplatValue<APInt>().getSExtValue());
    }
    return std::nullopt;
  }
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  Type elt = getElementTypeOrSelf(v.getType());
  auto operand = [&](unsigned i) {
    return evalUniform(def->getOperand(i), env, depth + 1);
  };

  if (isa<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp, arith::UIToFPOp,
          arith::NegFOp, math::SqrtOp, math::RsqrtOp>(def)) {
    std::optional<double> x = operand(0);
    if (!x || (isa<arith::UIToFPOp>(def) && *x < 0))
      return std::nullopt;
    if (isa<arith::NegFOp>(def))
      return roundTo(elt, -*x);
    if (isa<math::SqrtOp, math::RsqrtOp>(def)) {
      double s = elt.isF32()
                     ? static_cast<double>(std::sqrt(static_cast<float>(*x)))
                     : std::sqrt(*x);
      return roundTo(elt, isa<math::RsqrtOp>(def) ? 1.0 / s : s);
    }
    return roundTo(elt, *x);
  }
  if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp>(def)) {
    std::optional<double> a = operand(0), b = operand(1);
    if (!a || !b)
      return std::nullopt;
    // Evaluate in the op's own precision.
    if (elt.isF32()) {
      float x = static_cast<float>(*a), y = static_cast<float>(*b);
      float r = isa<arith::AddFOp>(def)   ? x + y
                : isa<arith::SubFOp>(def) ? x - y
                : isa<arith::MulFOp>(def) ? x * y
                                          : x / y;
      return static_cast<double>(r);
    }
    // f64 exactly; f16 and bf16 through f64, then rounded.
    return roundTo(elt, isa<arith::AddFOp>(def)   ? *a + *b
                        : isa<arith::SubFOp>(def) ? *a - *b
                        : isa<arith::MulFOp>(def) ? *a * *b
                                                  : *a / *b);
  }
  if (auto fill = dyn_cast<linalg::FillOp>(def))
    return fill.hasPureTensorSemantics()
               ? evalUniform(fill.getInputs()[0], env, depth + 1)
               : std::nullopt;
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp,
          tensor::ExtractOp>(def))
    return operand(0);
  if (auto g = dyn_cast<linalg::GenericOp>(def)) {
    // Uniform inputs, no index-dependent body: every element is the same.
    if (!g.hasPureTensorSemantics() || g->getNumResults() != 1 ||
        !g.getBody()->getOps<linalg::IndexOp>().empty() || !initArgUnused(g))
      return std::nullopt;
    DenseMap<Value, double> inner = env;
    for (OpOperand *input : g.getDpsInputOperands()) {
      std::optional<double> x = evalUniform(input->get(), env, depth + 1);
      if (!x)
        return std::nullopt;
      inner[g.getMatchingBlockArgument(input)] = *x;
    }
    return evalUniform(getYielded(g), inner, depth + 1);
  }
  return std::nullopt;
}

std::optional<double> evalUniform(Value v) {
  return evalUniform(v, DenseMap<Value, double>());
}

/// Binds the block arguments of the uniform inputs of `g`, leaving out
/// input `except`.
DenseMap<Value, double> bindUniformInputs(linalg::GenericOp g,
                                          std::optional<unsigned> except) {
  DenseMap<Value, double> env;
  for (OpOperand *input : g.getDpsInputOperands()) {
    unsigned index = input->getOperandNumber();
    if (except && index == *except)
      continue;
    if (std::optional<double> x = evalUniform(input->get()))
      env[g.getMatchingBlockArgument(input)] = *x;
  }
  return env;
}

//===----------------------------------------------------------------------===//
// Recognisers of single ops
//===----------------------------------------------------------------------===//

/// A copy of the single input, possibly permuting dimensions: returns p with
/// result dim k = input dim p[k]. Covers linalg.transpose, linalg.copy and
/// the copy/transpose generics frontends emit.
std::optional<SmallVector<int64_t>> getCopyPermutation(Operation *op) {
  if (auto t = dyn_cast_or_null<linalg::TransposeOp>(op))
    return t.hasPureTensorSemantics()
               ? std::optional(llvm::to_vector(t.getPermutation()))
               : std::nullopt;
  if (auto c = dyn_cast_or_null<linalg::CopyOp>(op)) {
    if (!c.hasPureTensorSemantics())
      return std::nullopt;
    return llvm::to_vector(llvm::seq<int64_t>(0, getRank(c->getResult(0))));
  }
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!g || !g.hasPureTensorSemantics() || g.getNumDpsInputs() != 1 ||
      g.getNumDpsInits() != 1 || !isAllParallel(g) ||
      getYielded(g) != g.getBody()->getArgument(0))
    return std::nullopt;
  SmallVector<AffineMap> maps = getCanonicalMaps(g);
  if (!maps[0].isPermutation() || !maps[1].isPermutation())
    return std::nullopt;
  SmallVector<int64_t> perm;
  for (AffineExpr e : maps[1].getResults())
    perm.push_back(*maps[0].getResultPosition(e));
  return perm;
}

/// The permutation swapping the last two of `rank` dims.
SmallVector<int64_t> swapLastTwo(int64_t rank) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (rank >= 2)
    std::swap(perm[rank - 2], perm[rank - 1]);
  return perm;
}

Value getCopySource(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.getDpsInputOperand(0)->get();
  return {};
}

/// collapse_shape [[0, 1], [2], [3]] from rank 4 to rank 3 (B·H merged).
tensor::CollapseShapeOp getBatchMerge(Value v) {
  auto op = v.getDefiningOp<tensor::CollapseShapeOp>();
  if (!op || op.getSrcType().getRank() != 4)
    return {};
  SmallVector<ReassociationIndices> r = op.getReassociationIndices();
  if (r != SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}})
    return {};
  return op;
}

/// expand_shape [[0, 1], [2], [3]] from rank 3 to rank 4 (B·H split).
tensor::ExpandShapeOp getBatchSplit(Value v) {
  auto op = v.getDefiningOp<tensor::ExpandShapeOp>();
  if (!op || op.getResultType().getRank() != 4)
    return {};
  SmallVector<ReassociationIndices> r = op.getReassociationIndices();
  if (r != SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}})
    return {};
  return op;
}

/// A reshape that only adds or drops a trailing unit dimension (a reduction
/// result with or without keepdim).
Operation *getTrailingUnitReshape(Value v) {
  Operation *def = v.getDefiningOp();
  if (!isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
    return nullptr;
  auto src = getTensorType(def->getOperand(0));
  auto res = getTensorType(v);
  RankedTensorType big = isa<tensor::ExpandShapeOp>(def) ? res : src;
  RankedTensorType small = isa<tensor::ExpandShapeOp>(def) ? src : res;
  if (big.getRank() != small.getRank() + 1 || small.getRank() < 1 ||
      big.getDimSize(big.getRank() - 1) != 1)
    return nullptr;
  SmallVector<ReassociationIndices> expected;
  for (int64_t i = 0; i + 1 < small.getRank(); ++i)
    expected.push_back({i});
  expected.push_back({small.getRank() - 1, small.getRank()});
  auto got = isa<tensor::ExpandShapeOp>(def)
                 ? cast<tensor::ExpandShapeOp>(def).getReassociationIndices()
                 : cast<tensor::CollapseShapeOp>(def).getReassociationIndices();
  return got == expected ? def : nullptr;
}

/// An elementwise generic multiplying (or dividing) one input by a uniform
/// value. Returns the input index and the factor applied (1/c, in f32, for a
/// division by c).
struct ScaleGeneric {
  unsigned input;
  double factor;
};
std::optional<ScaleGeneric> matchScaleGeneric(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!isElementwise(g) || !initArgUnused(g))
    return std::nullopt;
  Operation *body = getYielded(g).getDefiningOp();
  if (!isa_and_nonnull<arith::MulFOp, arith::DivFOp>(body) ||
      body->getParentOp() != g)
    return std::nullopt;
  SmallVector<AffineMap> maps = getCanonicalMaps(g);
  for (unsigned side = 0; side < 2; ++side) {
    // Dividing the constant by the tensor is no scale.
    if (isa<arith::DivFOp>(body) && side == 1)
      break;
    std::optional<unsigned> input = getInputIndex(g, body->getOperand(side));
    if (!input || !maps[*input].isIdentity())
      continue;
    std::optional<double> c =
        evalUniform(body->getOperand(1 - side), bindUniformInputs(g, input));
    if (!c)
      continue;
    double factor = *c;
    if (isa<arith::DivFOp>(body))
      factor = static_cast<double>(1.0f / static_cast<float>(*c));
    return ScaleGeneric{*input, factor};
  }
  return std::nullopt;
}

/// An elementwise generic adding two tensors; returns the two inputs.
std::optional<std::pair<unsigned, unsigned>> matchAddGeneric(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!isElementwise(g) || !initArgUnused(g))
    return std::nullopt;
  auto add = getYielded(g).getDefiningOp<arith::AddFOp>();
  if (!add)
    return std::nullopt;
  std::optional<unsigned> a = getInputIndex(g, add.getLhs());
  std::optional<unsigned> b = getInputIndex(g, add.getRhs());
  if (!a || !b || *a == *b)
    return std::nullopt;
  return std::make_pair(*a, *b);
}

/// A masked fill, select(cond, fill, scores) or select(cond, scores, fill),
/// with a uniform fill value that removes the element (<= -10000, e.g.
/// -inf): the same as adding `fill` where the mask applies and 0 elsewhere.
struct SelectGeneric {
  unsigned scores, cond;
  double fill;
  bool fillWhen;
};
std::optional<SelectGeneric> matchSelectGeneric(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!isElementwise(g) || !initArgUnused(g))
    return std::nullopt;
  auto select = getYielded(g).getDefiningOp<arith::SelectOp>();
  if (!select || select->getParentOp() != g)
    return std::nullopt;
  std::optional<unsigned> cond = getInputIndex(g, select.getCondition());
  if (!cond)
    return std::nullopt;
  SmallVector<AffineMap> maps = getCanonicalMaps(g);
  for (bool fillWhen : {true, false}) {
    Value scoresArg = fillWhen ? select.getFalseValue() : select.getTrueValue();
    Value fillArg = fillWhen ? select.getTrueValue() : select.getFalseValue();
    std::optional<unsigned> scores = getInputIndex(g, scoresArg);
    if (!scores || *scores == *cond || !maps[*scores].isIdentity())
      continue;
    std::optional<double> fill =
        evalUniform(fillArg, bindUniformInputs(g, scores));
    if (!fill || !(*fill <= static_cast<double>(ref::kRemovedThreshold)))
      continue;
    return SelectGeneric{*scores, *cond, *fill, fillWhen};
  }
  return std::nullopt;
}

/// Why a chain was not raised: the first op that did not match and what
/// was expected of it (the latest rejection wins, so that of alternatives
/// tried in turn the last one is reported).
struct Rejection {
  Location loc = UnknownLoc();
  std::string opName, reason;
  bool set = false;
};

LogicalResult reject(Rejection &r, Operation *op, const Twine &reason) {
  r.loc = op->getLoc();
  r.opName = op->getName().getStringRef().str();
  r.reason = reason.str();
  r.set = true;
  LLVM_DEBUG(llvm::dbgs() << "hdp-raise-attention: '" << r.opName << "' at "
                          << r.loc << ": " << r.reason << "\n");
  return failure();
}

/// A contraction C = Σ_k X·Y accumulating into zeros (or an uninitialised
/// tensor.empty) on float tensors, with up to two batch dimensions. Its
/// canonical layout is [batch.., m, n] with the batch dims in the order of
/// the result, m the dim of X and n the dim of Y that are not reduced; X is
/// read as [batch.., m, k] and Y as [batch.., n, k], dim x being operand dim
/// permX[x] (permY[x]); result dim x is canonical dim resultPerm[x].
struct Contraction {
  linalg::LinalgOp op;
  Value x, y;
  SmallVector<int64_t> permX, permY, resultPerm;
};

/// Position in `map` of each loop dim in `dims`, if `map` is a permutation of
/// exactly those dims.
std::optional<SmallVector<int64_t>> getPositions(AffineMap map,
                                                 ArrayRef<unsigned> dims) {
  if (map.getNumResults() != dims.size())
    return std::nullopt;
  SmallVector<int64_t> perm;
  for (unsigned d : dims) {
    std::optional<unsigned> pos =
        map.getResultPosition(getAffineDimExpr(d, map.getContext()));
    if (!pos)
      return std::nullopt;
    perm.push_back(*pos);
  }
  return perm;
}

bool isZeroInit(Value init) {
  if (init.getDefiningOp<tensor::EmptyOp>())
    return true;
  std::optional<double> x = evalUniform(init);
  return x && *x == 0.0;
}

FailureOr<Contraction> matchContraction(Operation *op, Rejection &why) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || !linalg::isaContractionOpInterface(linalgOp))
    return reject(why, op, "is not a contraction of two tensors");
  for (Value v : op->getOperands())
    if (!isFloatTensor(v))
      return reject(why, op, "contracts tensors that are not f32, f16 or bf16");
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  if (failed(dims) || dims->batch.size() > 2 || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return reject(why, op,
                  "is not a (batched) matrix product: expected one row, one "
                  "column, one reduced and at most two batch dimensions");
  SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  SmallVector<unsigned> batch;
  for (AffineExpr e : maps[2].getResults())
    if (auto d = dyn_cast<AffineDimExpr>(e);
        d && llvm::is_contained(dims->batch, d.getPosition()))
      batch.push_back(d.getPosition());
  SmallVector<unsigned> canonical(batch), xDims(batch), yDims(batch);
  canonical.append({m, n});
  xDims.append({m, k});
  yDims.append({n, k});
  std::optional<SmallVector<int64_t>> resultPos =
      getPositions(maps[2], canonical);
  std::optional<SmallVector<int64_t>> permX = getPositions(maps[0], xDims);
  std::optional<SmallVector<int64_t>> permY = getPositions(maps[1], yDims);
  if (!resultPos || !permX || !permY)
    return reject(why, op, "reads or writes an operand through a map that is "
                           "not a permutation of its dims");
  Contraction c;
  c.op = linalgOp;
  c.x = linalgOp.getDpsInputOperand(0)->get();
  c.y = linalgOp.getDpsInputOperand(1)->get();
  c.permX = *permX;
  c.permY = *permY;
  // resultPos[canonical dim] = result dim; invert it.
  c.resultPerm.assign(resultPos->size(), 0);
  for (auto [canonicalDim, resultDim] : llvm::enumerate(*resultPos))
    c.resultPerm[resultDim] = canonicalDim;
  // Accumulating into anything but zeros adds to the product.
  if (!isZeroInit(linalgOp.getDpsInits()[0]))
    return reject(why, op, "accumulates into an init that is not zero");
  return c;
}

//===----------------------------------------------------------------------===//
// The match
//===----------------------------------------------------------------------===//

/// An operand of the attention as found in the IR: logical dim i (of
/// [B,H,N,D] / [G,N,D] and the like) is dim perm[i] of `value`.
struct Leaf {
  Value value;
  SmallVector<int64_t> perm;
};

/// The additive mask: dim j of `value` is loop dim loopDim[j] of the add (of
/// `loopRank` loops over the scores), or a broadcast unit dim when -1.
struct Mask {
  Value value;
  SmallVector<int64_t> loopDim;
  int64_t loopRank;
  /// For a masked fill, `value` is the i1 condition: the additive mask is
  /// `fill` where it equals `fillWhen` and 0 elsewhere.
  std::optional<double> fill = std::nullopt;
  bool fillWhen = true;
};

/// How the B·H batch of rank-3 values splits into [B, H].
struct BatchSplit {
  bool known = false, conflict = false;
  int64_t b = kDynamic, h = kDynamic;

  void add(Type type) {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t || t.getRank() != 4)
      return;
    known = true;
    merge(b, t.getDimSize(0));
    merge(h, t.getDimSize(1));
  }

private:
  void merge(int64_t &have, int64_t got) {
    if (!dimsAgree(have, got))
      conflict = true;
    have = mergeDims(have, got);
  }
};

struct Match {
  /// Ops made dead by the rewrite, in no particular order.
  SmallVector<Operation *> chain;
  /// Product of the scale factors found (on the scores, on Q, on K).
  double factor = 1.0;
  bool scoreScaleSeen = false;
  std::optional<Mask> mask;
  Leaf q, k, v;
  Value finalValue;
  BatchSplit split;
  /// The scores were computed as (K·Qᵀ)ᵀ.
  bool scoresTransposed = false;
  /// The output is the [B, H, N, Dv] result transposed by this permutation
  /// (empty: not transposed).
  SmallVector<int64_t> resultPerm;
  /// Why the match failed, when it did.
  Rejection why;

  LogicalResult reject(Operation *op, const Twine &reason) {
    return ::reject(why, op, reason);
  }

  void addChain(Operation *op) {
    chain.push_back(op);
    for (Value r : op->getResults())
      split.add(r.getType());
  }
};

/// Follows a leaf operand (Q, K or V) back through copies, transposes, the
/// B·H merge and, for Q and K, scaling by a constant. Stops at the deepest
/// value already laid out as wanted when going further would need a
/// transpose of its own (torch-mlir's head transposes stay in place).
Leaf traceLeaf(Value value, SmallVector<int64_t> perm, bool allowScale,
               Match &match) {
  double factor = 1.0;
  std::optional<std::pair<Leaf, double>> laidOut;
  auto record = [&] {
    if (isIdentityPermutation(perm))
      laidOut = {Leaf{value, perm}, factor};
  };
  record();
  while (Operation *def = value.getDefiningOp()) {
    if (std::optional<SmallVector<int64_t>> p = getCopyPermutation(def)) {
      for (int64_t &d : perm)
        d = (*p)[d];
      value = getCopySource(def);
    } else if (auto merge = getBatchMerge(value);
               merge && perm.size() == 3 && perm[0] == 0) {
      perm = {0, 1, perm[1] + 1, perm[2] + 1};
      value = merge.getSrc();
    } else if (std::optional<ScaleGeneric> s =
                   allowScale ? matchScaleGeneric(def) : std::nullopt) {
      factor *= s->factor;
      value = def->getOperand(s->input);
    } else {
      break;
    }
    record();
  }
  Leaf leaf{value, perm};
  if (!isIdentityPermutation(perm) && laidOut)
    std::tie(leaf, factor) = *laidOut;
  match.factor *= factor;
  return leaf;
}

/// The mask read by `add` through its operand `index`, looking through a
/// pure broadcast when the broadcast's source can be used directly.
std::optional<Mask> traceMask(linalg::GenericOp add, unsigned index,
                              Type elementType) {
  Value value = add.getDpsInputOperand(index)->get();
  auto hasElementType = [&](Value v) {
    auto t = getTensorType(v);
    return t && t.getElementType() == elementType;
  };
  if (!hasElementType(value))
    return std::nullopt;
  AffineMap map = getCanonicalMap(add, index);
  int64_t loopRank = add.getNumLoops();
  auto type = getTensorType(value);

  // dim j of `type` → loop dim, or -1 for a unit dim read at index 0.
  auto toLoopDims =
      [](AffineMap m,
         RankedTensorType t) -> std::optional<SmallVector<int64_t>> {
    SmallVector<int64_t> dims;
    for (auto [j, e] : llvm::enumerate(m.getResults())) {
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        dims.push_back(d.getPosition());
        continue;
      }
      auto c = dyn_cast<AffineConstantExpr>(e);
      if (!c || c.getValue() != 0 || t.getDimSize(j) != 1)
        return std::nullopt;
      dims.push_back(-1);
    }
    return dims;
  };
  // hdp.attention broadcasts like numpy: mask dims must keep loop order.
  auto increasing = [](ArrayRef<int64_t> dims) {
    int64_t last = -1;
    for (int64_t d : dims) {
      if (d < 0)
        continue;
      if (d <= last)
        return false;
      last = d;
    }
    return true;
  };

  std::optional<SmallVector<int64_t>> dims = toLoopDims(map, type);
  if (!dims)
    return std::nullopt;

  // Look through linalg.broadcast or a broadcasting copy generic.
  Operation *def = value.getDefiningOp();
  std::optional<SmallVector<int64_t>> srcDims;
  Value src;
  if (auto bcast = dyn_cast_or_null<linalg::BroadcastOp>(def);
      bcast && bcast.hasPureTensorSemantics()) {
    src = bcast.getInput();
    SmallVector<int64_t> composed;
    for (int64_t k = 0; k < type.getRank(); ++k)
      if (!llvm::is_contained(bcast.getDimensions(), k))
        composed.push_back((*dims)[k]);
    srcDims = composed;
  } else if (auto g = dyn_cast_or_null<linalg::GenericOp>(def);
             g && g.hasPureTensorSemantics() && g.getNumDpsInputs() == 1 &&
             g.getNumDpsInits() == 1 && isAllParallel(g) &&
             getYielded(g) == g.getBody()->getArgument(0) &&
             getCanonicalMap(g, 1).isIdentity()) {
    src = g.getDpsInputOperand(0)->get();
    if (std::optional<SmallVector<int64_t>> inner =
            toLoopDims(getCanonicalMap(g, 0), getTensorType(src))) {
      SmallVector<int64_t> composed;
      for (int64_t d : *inner)
        composed.push_back(d < 0 ? -1 : (*dims)[d]);
      srcDims = composed;
    }
  }
  if (srcDims && hasElementType(src) && increasing(*srcDims)) {
    // A source dim that lands on a broadcast unit dim must be a unit too.
    auto srcType = getTensorType(src);
    bool ok = true;
    for (auto [j, d] : llvm::enumerate(*srcDims))
      if (d < 0 && srcType.getDimSize(j) != 1)
        ok = false;
    if (ok)
      return Mask{src, *srcDims, loopRank};
  }
  if (!increasing(*dims))
    return std::nullopt;
  return Mask{value, *dims, loopRank};
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

enum class Combiner { Max, Sum };

/// The source of an op that passes values through, changing at most their
/// precision: tensor.cast, an identity copy, or an elementwise extf/truncf
/// generic (the raised attention computes in f32 throughout).
Value getPassThroughSource(Operation *op) {
  if (auto cast = dyn_cast_or_null<tensor::CastOp>(op))
    return cast.getSource();
  if (std::optional<SmallVector<int64_t>> p = getCopyPermutation(op);
      p && isIdentityPermutation(*p))
    return getCopySource(op);
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!g || !g.hasPureTensorSemantics() || g.getNumDpsInputs() != 1 ||
      g.getNumDpsInits() != 1 || !isAllParallel(g) || !initArgUnused(g))
    return {};
  SmallVector<AffineMap> maps = getCanonicalMaps(g);
  Operation *body = getYielded(g).getDefiningOp();
  Value input = g.getDpsInputOperand(0)->get();
  if (!maps[0].isIdentity() || !maps[1].isIdentity() ||
      !isa_and_nonnull<arith::ExtFOp, arith::TruncFOp>(body) ||
      body->getOperand(0) != g.getBody()->getArgument(0) ||
      !isFloatTensor(input) || !isFloatTensor(g->getResult(0)))
    return {};
  return input;
}

/// Peels the reshapes that add or drop a trailing unit dim and the
/// tensor.casts between a row reduction and its use.
Value peelRowReshapes(Value v, Match &match) {
  for (;;) {
    if (Operation *reshape = getTrailingUnitReshape(v)) {
      match.addChain(reshape);
      v = reshape->getOperand(0);
    } else if (auto cast = v.getDefiningOp<tensor::CastOp>()) {
      match.addChain(cast);
      v = cast.getSource();
    } else {
      return v;
    }
  }
}

/// The per-row value read by input `index` of the elementwise `g`: through
/// a row map, or whole from a broadcast of it along the last dim
/// (linalg.broadcast or a broadcasting copy generic, as StableHLO's
/// broadcast_in_dim lowers). `what` names the value in rejections.
FailureOr<Value> traceRowOperand(linalg::GenericOp g, unsigned index,
                                 Match &match, StringRef what) {
  Value v = g.getDpsInputOperand(index)->get();
  AffineMap map = getCanonicalMap(g, index);
  int64_t rank = g.getNumLoops();
  if (isRowMap(map, rank, getTensorType(v)))
    return peelRowReshapes(v, match);
  if (!map.isIdentity())
    return match.reject(g, "reads the " + what +
                               " neither once per row nor whole");
  Operation *def = v.getDefiningOp();
  if (auto b = dyn_cast_or_null<linalg::BroadcastOp>(def);
      b && b.hasPureTensorSemantics() &&
      b.getDimensions() == ArrayRef<int64_t>{rank - 1}) {
    match.addChain(b);
    return peelRowReshapes(b.getInput(), match);
  }
  if (auto c = dyn_cast_or_null<linalg::GenericOp>(def);
      c && c.hasPureTensorSemantics() && c.getNumDpsInputs() == 1 &&
      c.getNumDpsInits() == 1 && isAllParallel(c) && initArgUnused(c) &&
      getYielded(c) == c.getBody()->getArgument(0) &&
      getCanonicalMap(c, 1).isIdentity() &&
      isRowMap(getCanonicalMap(c, 0), rank,
               getTensorType(c.getDpsInputOperand(0)->get()))) {
    match.addChain(c);
    return peelRowReshapes(c.getDpsInputOperand(0)->get(), match);
  }
  return match.reject(g, "reads the " + what +
                             " whole, but it is no broadcast of one value "
                             "per row");
}

/// The initial values a row max may start from: -inf, the quiet NaN
/// 0xFFC00000 (with a combiner that ignores NaN), -FLT_MAX, the lowest bf16
/// and the lowest f16 (-65504). Any of them leaves the max of a row unchanged
/// unless every element of the row is below it.
bool isMaxInit(Value init, bool combinerIgnoresNaN) {
  std::optional<double> x = evalUniform(init);
  if (!x)
    return false;
  if (std::isnan(*x))
    return combinerIgnoresNaN;
  auto lowest = [](const llvm::fltSemantics &sem) {
    return APFloat::getLargest(sem, /*Negative=*/true).convertToDouble();
  };
  return (std::isinf(*x) && *x < 0) || *x == lowest(APFloat::IEEEsingle()) ||
         *x == lowest(APFloat::BFloat()) || *x == lowest(APFloat::IEEEhalf());
}

/// `yielded` is max(in, out): maximumf, maxnumf or a cmpf+select picking the
/// greater. Sets `ignoresNaN` when an `out` of NaN yields `in`.
bool isMaxCombiner(Value yielded, Value in, Value out, bool &ignoresNaN) {
  Operation *op = yielded.getDefiningOp();
  if (isa_and_nonnull<arith::MaximumFOp, arith::MaxNumFOp>(op)) {
    ignoresNaN = isa<arith::MaxNumFOp>(op);
    return (op->getOperand(0) == in && op->getOperand(1) == out) ||
           (op->getOperand(0) == out && op->getOperand(1) == in);
  }
  // select(t > f, t, f) or select(f < t, t, f), {t, f} = {in, out}.
  auto select = dyn_cast_or_null<arith::SelectOp>(op);
  if (!select)
    return false;
  Value t = select.getTrueValue(), f = select.getFalseValue();
  if (!((t == in && f == out) || (t == out && f == in)))
    return false;
  auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!cmp)
    return false;
  using P = arith::CmpFPredicate;
  P p = cmp.getPredicate();
  bool greater = p == P::OGT || p == P::OGE || p == P::UGT || p == P::UGE;
  bool less = p == P::OLT || p == P::OLE || p == P::ULT || p == P::ULE;
  bool unordered = p == P::UGT || p == P::UGE || p == P::ULT || p == P::ULE;
  // With out = NaN, an unordered predicate holds and an ordered one fails.
  ignoresNaN = (t == in) == unordered;
  return (greater && cmp.getLhs() == t && cmp.getRhs() == f) ||
         (less && cmp.getLhs() == f && cmp.getRhs() == t);
}

/// `v` is the (first) result of a reduction over the last dim of a single
/// input, as a linalg.generic (keepdim or not, possibly with torch's unused
/// argmax result) or a linalg.reduce; returns that input. `user` reads `v`.
FailureOr<Value> matchRowReduction(Value v, Combiner kind, Match &match,
                                   Operation *user) {
  StringRef what = kind == Combiner::Max ? "row max" : "row sum";
  Operation *def = v.getDefiningOp();
  if (!def)
    return match.reject(user, "reads a function argument as the " + what);
  Value input, init, yielded, in, out;
  if (auto r = dyn_cast<linalg::ReduceOp>(def)) {
    if (!r.hasPureTensorSemantics() || r.getInputs().size() != 1 ||
        r.getInits().size() != 1)
      return match.reject(def, "is not a reduction of one tensor, expected "
                               "the " +
                                   what);
    input = r.getInputs()[0];
    if (!isFloatTensor(input) ||
        r.getDimensions() != ArrayRef<int64_t>{getRank(input) - 1})
      return match.reject(def, "does not reduce the last dimension, expected "
                               "the " +
                                   what);
    init = r.getInits()[0];
    Block &body = r.getCombiner().front();
    yielded = body.getTerminator()->getOperand(0);
    in = body.getArgument(0);
    out = body.getArgument(1);
  } else if (auto g = dyn_cast<linalg::GenericOp>(def)) {
    // Max may carry a second, unused, argmax result (torch.max(dim)).
    unsigned numInits = g.getNumDpsInits();
    if (!g.hasPureTensorSemantics() || g.getNumDpsInputs() != 1 ||
        cast<OpResult>(v).getResultNumber() != 0 ||
        !(numInits == 1 || (kind == Combiner::Max && numInits == 2 &&
                            g->getResult(1).use_empty())))
      return match.reject(def, "is not a reduction of one tensor to one "
                               "result, expected the " +
                                   what);
    input = g.getDpsInputOperand(0)->get();
    if (!isFloatTensor(input))
      return match.reject(def, "reduces a tensor that is not f32, f16 or "
                               "bf16");
    int64_t rank = getRank(input);
    SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
    SmallVector<AffineMap> maps = getCanonicalMaps(g);
    if (static_cast<int64_t>(iters.size()) != rank ||
        !linalg::isReductionIterator(iters.back()) ||
        !llvm::all_of(ArrayRef(iters).drop_back(),
                      linalg::isParallelIterator) ||
        !maps[0].isIdentity() ||
        !isRowMap(maps[1], rank, getTensorType(g.getDpsInits()[0])))
      return match.reject(def, "does not reduce (only) the last dimension, "
                               "expected the " +
                                   what);
    init = g.getDpsInits()[0];
    yielded = getYielded(g);
    in = g.getBody()->getArgument(0);
    out = g.getBody()->getArgument(1);
  } else {
    return match.reject(def, "is not a reduction, expected the " + what);
  }
  if (kind == Combiner::Sum) {
    auto add = yielded.getDefiningOp<arith::AddFOp>();
    if (!add || !((add.getLhs() == in && add.getRhs() == out) ||
                  (add.getLhs() == out && add.getRhs() == in)))
      return match.reject(def, "does not add up its elements, expected the "
                               "row sum");
    std::optional<double> zero = evalUniform(init);
    // 0.0 == -0.0: both are the sum's identity.
    if (!zero || *zero != 0.0)
      return match.reject(def, "sums into an init that is not 0");
  } else {
    bool ignoresNaN = false;
    if (!isMaxCombiner(yielded, in, out, ignoresNaN))
      return match.reject(def, "does not take the maximum of its elements "
                               "(maximumf, maxnumf or cmpf+select), expected "
                               "the row max");
    if (!isMaxInit(init, ignoresNaN))
      return match.reject(def, "starts the max from a value other than -inf, "
                               "-FLT_MAX, the lowest f16/bf16 or (with a "
                               "NaN-ignoring max) NaN");
  }
  match.addChain(def);
  return input;
}

/// e = exp(x - r) with r read once per row, as one generic or as a sub
/// generic then an exp generic.
struct ExpOfDifference {
  Value x, row;
};
FailureOr<ExpOfDifference> matchExpOfDifference(Value e, Match &match,
                                                Operation *user) {
  auto expOp = e.getDefiningOp<linalg::GenericOp>();
  if (!isElementwise(expOp) || !initArgUnused(expOp))
    return match.reject(e.getDefiningOp() ? e.getDefiningOp() : user,
                        "is not an elementwise linalg.generic computing "
                        "exp(x - max)");
  auto exp = getYielded(expOp).getDefiningOp<math::ExpOp>();
  if (!exp)
    return match.reject(expOp, "does not compute exp, expected the softmax's "
                               "exp(x - max)");
  match.addChain(expOp);
  linalg::GenericOp subOp = expOp;
  Value subValue = exp.getOperand();
  if (std::optional<unsigned> in = getInputIndex(expOp, exp.getOperand())) {
    // Separate exp: its single input is the difference.
    if (expOp.getNumDpsInputs() != 1 ||
        !getCanonicalMap(expOp, *in).isIdentity())
      return match.reject(expOp, "computes exp of a tensor it does not read "
                                 "elementwise");
    Value diff = expOp.getDpsInputOperand(*in)->get();
    subOp = diff.getDefiningOp<linalg::GenericOp>();
    if (!isElementwise(subOp) || !initArgUnused(subOp))
      return match.reject(diff.getDefiningOp() ? diff.getDefiningOp() : expOp,
                          "is not an elementwise linalg.generic subtracting "
                          "the row max");
    subValue = getYielded(subOp);
    match.addChain(subOp);
  }
  auto sub = subValue.getDefiningOp<arith::SubFOp>();
  std::optional<unsigned> xIndex, rowIndex;
  if (sub && sub->getParentOp() == subOp) {
    xIndex = getInputIndex(subOp, sub.getLhs());
    rowIndex = getInputIndex(subOp, sub.getRhs());
  }
  if (!xIndex || !rowIndex || *xIndex == *rowIndex ||
      subOp.getNumDpsInputs() != 2)
    return match.reject(subOp, "does not subtract one input from another, "
                               "expected x - max");
  if (!getCanonicalMap(subOp, *xIndex).isIdentity())
    return match.reject(subOp, "does not read the scores elementwise");
  FailureOr<Value> row = traceRowOperand(subOp, *rowIndex, match, "row max");
  if (failed(row))
    return failure();
  return ExpOfDifference{subOp.getDpsInputOperand(*xIndex)->get(), *row};
}

/// Peels TensorFlow's guard of a row max, where(is_finite(m), m, 0)
/// (reduce_logsumexp): it changes only rows whose max is infinite, rows
/// that are wholly removed.
Value peelFiniteGuard(Value row, Match &match) {
  auto g = row.getDefiningOp<linalg::GenericOp>();
  if (!isElementwise(g) || g.getNumDpsInputs() != 1 || !initArgUnused(g) ||
      !getCanonicalMap(g, 0).isIdentity())
    return row;
  Value arg = g.getBody()->getArgument(0);
  auto select = getYielded(g).getDefiningOp<arith::SelectOp>();
  if (!select || select.getTrueValue() != arg)
    return row;
  std::optional<double> zero = evalUniform(select.getFalseValue());
  if (!zero || *zero != 0.0)
    return row;
  Operation *cond = select.getCondition().getDefiningOp();
  bool isFinite = false;
  if (auto f = dyn_cast_or_null<math::IsFiniteOp>(cond))
    isFinite = f.getOperand() == arg;
  if (auto cmp = dyn_cast_or_null<arith::CmpFOp>(cond)) {
    auto abs = cmp.getLhs().getDefiningOp<math::AbsFOp>();
    std::optional<double> inf = evalUniform(cmp.getRhs());
    isFinite = abs && abs.getOperand() == arg && inf && std::isinf(*inf) &&
               *inf > 0 &&
               (cmp.getPredicate() == arith::CmpFPredicate::ONE ||
                cmp.getPredicate() == arith::CmpFPredicate::OLT);
  }
  if (!isFinite)
    return row;
  match.addChain(g);
  return peelRowReshapes(g.getDpsInputOperand(0)->get(), match);
}

/// e = exp(x - max(x)); returns x and the max.
FailureOr<ExpOfDifference> matchShiftedExp(Value e, Match &match,
                                           Operation *user) {
  FailureOr<ExpOfDifference> diff = matchExpOfDifference(e, match, user);
  if (failed(diff))
    return failure();
  diff->row = peelFiniteGuard(diff->row, match);
  FailureOr<Value> maxInput =
      matchRowReduction(diff->row, Combiner::Max, match, user);
  if (failed(maxInput))
    return failure();
  if (*maxInput != diff->x)
    return match.reject(diff->row.getDefiningOp(),
                        "is the max of another tensor than the one it is "
                        "subtracted from");
  return diff;
}

/// p = exp(x - (max + log Σ exp(x - max))), `outer` computing the last exp;
/// returns x.
FailureOr<Value> matchLogSumExpSoftmax(linalg::GenericOp outer, Match &match) {
  FailureOr<ExpOfDifference> diff =
      matchExpOfDifference(outer->getResult(0), match, outer);
  if (failed(diff))
    return failure();
  // lse = max + log(sum), log in the same generic or its own.
  auto lseOp = diff->row.getDefiningOp<linalg::GenericOp>();
  auto add = lseOp && isElementwise(lseOp) && initArgUnused(lseOp)
                 ? getYielded(lseOp).getDefiningOp<arith::AddFOp>()
                 : arith::AddFOp();
  if (!add)
    return match.reject(diff->row.getDefiningOp() ? diff->row.getDefiningOp()
                                                  : outer,
                        "is not max + log(sum), expected the log-sum-exp of "
                        "a softmax");
  match.addChain(lseOp);
  for (auto [maxSide, logSide] : {std::pair(add.getLhs(), add.getRhs()),
                                  std::pair(add.getRhs(), add.getLhs())}) {
    std::optional<unsigned> maxIndex = getInputIndex(lseOp, maxSide);
    if (!maxIndex || !getCanonicalMap(lseOp, *maxIndex).isIdentity())
      continue;
    Match attempt = match;
    Value sum;
    if (auto log = logSide.getDefiningOp<math::LogOp>();
        log && log->getParentOp() == lseOp) {
      std::optional<unsigned> sumIndex = getInputIndex(lseOp, log.getOperand());
      if (!sumIndex || *sumIndex == *maxIndex ||
          !getCanonicalMap(lseOp, *sumIndex).isIdentity())
        continue;
      sum =
          peelRowReshapes(lseOp.getDpsInputOperand(*sumIndex)->get(), attempt);
    } else if (std::optional<unsigned> logIndex =
                   getInputIndex(lseOp, logSide)) {
      // log in its own elementwise generic over the row sums.
      auto logOp =
          peelRowReshapes(lseOp.getDpsInputOperand(*logIndex)->get(), attempt)
              .getDefiningOp<linalg::GenericOp>();
      if (*logIndex == *maxIndex || !isElementwise(logOp) ||
          logOp.getNumDpsInputs() != 1 || !initArgUnused(logOp) ||
          !getCanonicalMap(logOp, 0).isIdentity())
        continue;
      auto log = getYielded(logOp).getDefiningOp<math::LogOp>();
      if (!log || log.getOperand() != logOp.getBody()->getArgument(0))
        continue;
      attempt.addChain(logOp);
      sum = peelRowReshapes(logOp.getDpsInputOperand(0)->get(), attempt);
    } else {
      continue;
    }
    Value max = peelFiniteGuard(
        peelRowReshapes(lseOp.getDpsInputOperand(*maxIndex)->get(), attempt),
        attempt);
    FailureOr<Value> maxInput =
        matchRowReduction(max, Combiner::Max, attempt, lseOp);
    if (failed(maxInput) || *maxInput != diff->x) {
      match.why = attempt.why;
      continue;
    }
    FailureOr<Value> sumInput =
        matchRowReduction(sum, Combiner::Sum, attempt, lseOp);
    if (failed(sumInput)) {
      match.why = attempt.why;
      continue;
    }
    FailureOr<ExpOfDifference> inner =
        matchShiftedExp(*sumInput, attempt, sum.getDefiningOp());
    if (failed(inner)) {
      match.why = attempt.why;
      continue;
    }
    if (inner->x != diff->x || inner->row != max) {
      (void)attempt.reject(sum.getDefiningOp(),
                           "sums exp(y - max(y)) of another tensor than the "
                           "log-sum-exp subtracts from");
      match.why = attempt.why;
      continue;
    }
    match = std::move(attempt);
    return diff->x;
  }
  if (!match.why.set)
    (void)match.reject(lseOp, "is not max + log(sum) of the scores");
  return failure();
}

/// Matches the softmax over the last dim producing `p` and returns its
/// input. `user` reads `p`.
FailureOr<Value> matchSoftmax(Value p, Match &match, Operation *user) {
  if (auto softmax = p.getDefiningOp<linalg::SoftmaxOp>()) {
    Value input = softmax.getInput();
    if (!isFloatTensor(input))
      return match.reject(softmax, "is not on f32, f16 or bf16 tensors");
    if (softmax.getDimension() != static_cast<uint64_t>(getRank(input) - 1))
      return match.reject(softmax, "is not over the last dimension");
    match.addChain(softmax);
    return input;
  }

  auto norm = p.getDefiningOp<linalg::GenericOp>();
  if (!isElementwise(norm) || !initArgUnused(norm))
    return match.reject(p.getDefiningOp() ? p.getDefiningOp() : user,
                        "is not a softmax: expected linalg.softmax or an "
                        "elementwise linalg.generic normalising exponentials");
  if (getYielded(norm).getDefiningOp<math::ExpOp>())
    return matchLogSumExpSoftmax(norm, match);

  // p = e / sum, e * (1 / sum) or e * r with r = 1 / sum in its own generic.
  Operation *normBody = getYielded(norm).getDefiningOp();
  struct Form {
    Value e, row;
    bool reciprocalGeneric;
  };
  SmallVector<Form> forms;
  if (auto div = dyn_cast_or_null<arith::DivFOp>(normBody)) {
    forms.push_back({div.getLhs(), div.getRhs(), false});
  } else if (auto mul = dyn_cast_or_null<arith::MulFOp>(normBody)) {
    DenseMap<Value, double> uniforms = bindUniformInputs(norm, std::nullopt);
    for (auto [e, other] : {std::pair(mul.getLhs(), mul.getRhs()),
                            std::pair(mul.getRhs(), mul.getLhs())}) {
      auto recip = other.getDefiningOp<arith::DivFOp>();
      std::optional<double> one =
          recip ? evalUniform(recip.getLhs(), uniforms) : std::nullopt;
      if (recip && recip->getParentOp() == norm && one && *one == 1.0)
        forms.push_back({e, recip.getRhs(), false});
      else
        forms.push_back({e, other, true});
    }
  }
  if (forms.empty())
    return match.reject(norm, "does not divide by the row sum or multiply by "
                              "its reciprocal");
  bool formRead = false;
  for (const Form &form : forms) {
    std::optional<unsigned> eIndex = getInputIndex(norm, form.e);
    std::optional<unsigned> rowIndex = getInputIndex(norm, form.row);
    if (!eIndex || !rowIndex || *eIndex == *rowIndex ||
        norm.getNumDpsInputs() != 2 ||
        !getCanonicalMap(norm, *eIndex).isIdentity())
      continue;
    formRead = true;
    Match attempt = match;
    attempt.addChain(norm);
    FailureOr<Value> row = traceRowOperand(norm, *rowIndex, attempt, "row sum");
    if (failed(row)) {
      match.why = attempt.why;
      continue;
    }
    Value sum = *row;
    if (form.reciprocalGeneric) {
      // The reciprocal 1/sum, elementwise over the row tensor.
      auto recip = sum.getDefiningOp<linalg::GenericOp>();
      auto div = isElementwise(recip) && recip.getNumDpsInputs() == 1 &&
                         initArgUnused(recip) &&
                         getCanonicalMap(recip, 0).isIdentity()
                     ? getYielded(recip).getDefiningOp<arith::DivFOp>()
                     : arith::DivFOp();
      std::optional<double> one =
          div ? evalUniform(div.getLhs(), bindUniformInputs(recip, 0))
              : std::nullopt;
      if (!div || div.getRhs() != recip.getBody()->getArgument(0) || !one ||
          *one != 1.0) {
        (void)attempt.reject(
            sum.getDefiningOp() ? sum.getDefiningOp() : norm,
            "is not 1 / (row sum), which the softmax multiplies "
            "by");
        match.why = attempt.why;
        continue;
      }
      attempt.addChain(recip);
      sum = peelRowReshapes(recip.getDpsInputOperand(0)->get(), attempt);
    }
    FailureOr<Value> sumInput =
        matchRowReduction(sum, Combiner::Sum, attempt, norm);
    if (failed(sumInput)) {
      match.why = attempt.why;
      continue;
    }
    Value e = norm.getDpsInputOperand(*eIndex)->get();
    if (*sumInput != e) {
      (void)attempt.reject(sum.getDefiningOp(),
                           "sums another tensor than the one "
                           "the softmax normalises");
      match.why = attempt.why;
      continue;
    }
    FailureOr<ExpOfDifference> shifted = matchShiftedExp(e, attempt, norm);
    if (failed(shifted)) {
      match.why = attempt.why;
      continue;
    }
    match = std::move(attempt);
    return shifted->x;
  }
  if (!formRead)
    return match.reject(norm, "does not normalise one input by another");
  return failure();
}

//===----------------------------------------------------------------------===//
// Scores: softmax input back to Q·Kᵀ
//===----------------------------------------------------------------------===//

/// Walks from the softmax input `cur` back to the Q·Kᵀ contraction through
/// B·H reshapes, copies, casts, scale generics, at most one mask add or
/// masked fill (which must follow every scale on the scores) and a transpose
/// of scores computed as K·Qᵀ. That no value escapes is checked once the
/// whole chain is known.
LogicalResult matchScores(Value cur, Match &match) {
  for (;;) {
    Operation *def = cur.getDefiningOp();
    if (!def)
      return match.reject(match.chain.back(),
                          "reads a function argument where the scores "
                          "Q·Kᵀ were expected");
    if (!isFloatTensor(cur))
      return match.reject(def, "computes scores that are not f32, f16 or "
                               "bf16 tensors");
    match.split.add(cur.getType());
    if (auto merge = getBatchMerge(cur)) {
      match.addChain(merge);
      cur = merge.getSrc();
      continue;
    }
    if (auto split = getBatchSplit(cur)) {
      match.addChain(split);
      cur = split.getSrc();
      continue;
    }
    if (Value src = getPassThroughSource(def)) {
      match.addChain(def);
      cur = src;
      continue;
    }
    if (std::optional<SmallVector<int64_t>> p = getCopyPermutation(def)) {
      // (K·Qᵀ)ᵀ: a transpose of the last two dims of the scores.
      if (*p != swapLastTwo(p->size()))
        return match.reject(def, "permutes the scores other than by swapping "
                                 "their last two dimensions");
      match.addChain(def);
      match.scoresTransposed = !match.scoresTransposed;
      cur = getCopySource(def);
      continue;
    }
    if (std::optional<ScaleGeneric> s = matchScaleGeneric(def)) {
      match.addChain(def);
      match.factor *= s->factor;
      match.scoreScaleSeen = true;
      cur = def->getOperand(s->input);
      continue;
    }
    if (std::optional<SelectGeneric> sel = matchSelectGeneric(def)) {
      if (match.mask)
        return match.reject(def, "applies a second mask to the scores");
      if (match.scoreScaleSeen)
        return match.reject(def, "masks the scores before they are scaled, "
                                 "which hdp.attention does not compute");
      if (match.scoresTransposed)
        return match.reject(def, "masks the scores before they are "
                                 "transposed");
      std::optional<Mask> m = traceMask(cast<linalg::GenericOp>(def), sel->cond,
                                        IntegerType::get(def->getContext(), 1));
      if (!m)
        return match.reject(def, "reads its condition through a map that "
                                 "does not broadcast to the scores");
      m->fill = sel->fill;
      m->fillWhen = sel->fillWhen;
      match.addChain(def);
      match.mask = *m;
      cur = def->getOperand(sel->scores);
      continue;
    }
    if (std::optional<std::pair<unsigned, unsigned>> add =
            matchAddGeneric(def)) {
      if (match.mask)
        return match.reject(def, "adds a second mask to the scores");
      // scale·(S + mask) is not what hdp.attention computes.
      if (match.scoreScaleSeen)
        return match.reject(def, "adds the mask before the scores are "
                                 "scaled, which hdp.attention does not "
                                 "compute");
      if (match.scoresTransposed)
        return match.reject(def, "adds the mask before the scores are "
                                 "transposed");
      auto g = cast<linalg::GenericOp>(def);
      Type elementType = getElementTypeOrSelf(cur.getType());
      // Either side may be the scores; try both, and of two failures report
      // the one that got further.
      Rejection last;
      size_t lastDepth = 0;
      for (auto [scores, mask] :
           {*add, std::make_pair(add->second, add->first)}) {
        if (!getCanonicalMap(g, scores).isIdentity())
          continue;
        std::optional<Mask> m = traceMask(g, mask, elementType);
        if (!m) {
          (void)reject(
              last, def,
              "adds a mask that is not of the scores' type or does not "
              "broadcast to them in order");
          continue;
        }
        Match attempt = match;
        attempt.addChain(def);
        attempt.mask = *m;
        if (succeeded(matchScores(def->getOperand(scores), attempt))) {
          match = std::move(attempt);
          return success();
        }
        if (!last.set || attempt.chain.size() > lastDepth) {
          last = attempt.why;
          lastDepth = attempt.chain.size();
        }
      }
      if (!last.set)
        (void)reject(last, def, "reads the scores through a broadcast");
      match.why = last;
      return failure();
    }
    break;
  }

  // Q·Kᵀ: Q as [batch.., N, D] and K as [batch.., M, D] (swapped for
  // (K·Qᵀ)ᵀ).
  Operation *def = cur.getDefiningOp();
  auto linalgDef = dyn_cast_or_null<linalg::LinalgOp>(def);
  if (!linalgDef || !linalg::isaContractionOpInterface(linalgDef))
    return match.reject(def, "is not a scale, mask, reshape or copy of the "
                             "scores, nor the contraction Q·Kᵀ");
  FailureOr<Contraction> qk = matchContraction(def, match.why);
  if (failed(qk))
    return failure();
  match.addChain(qk->op);
  Value q = qk->x, k = qk->y;
  SmallVector<int64_t> permQ = qk->permX, permK = qk->permY;
  // The contraction itself may write K·Qᵀ, e.g. an einsum "bhmd,bhnd->bhnm".
  if (!isIdentityPermutation(qk->resultPerm)) {
    if (qk->resultPerm != swapLastTwo(qk->resultPerm.size()))
      return match.reject(def, "writes the scores in a layout other than "
                               "[batch.., N, M] or [batch.., M, N]");
    match.scoresTransposed = !match.scoresTransposed;
  }
  if (match.scoresTransposed) {
    std::swap(q, k);
    std::swap(permQ, permK);
  }
  match.q = traceLeaf(q, permQ, /*allowScale=*/true, match);
  match.k = traceLeaf(k, permK, /*allowScale=*/true, match);
  return success();
}

//===----------------------------------------------------------------------===//
// Rewrite helpers
//===----------------------------------------------------------------------===//

OpFoldResult getDim(OpBuilder &b, Location loc, Value v, int64_t dim) {
  auto type = getTensorType(v);
  if (!type.isDynamicDim(dim))
    return b.getIndexAttr(type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, v, dim).getResult();
}

/// The static shape of a leaf once it is laid out as [B, H, x, y].
SmallVector<int64_t> getPlannedShape(const Leaf &leaf, int64_t b, int64_t h) {
  auto type = getTensorType(leaf.value);
  SmallVector<int64_t> shape;
  for (int64_t p : leaf.perm)
    shape.push_back(type.getDimSize(p));
  if (shape.size() == 4)
    return shape;
  // A single head: [N, D] → [1, 1, N, D].
  if (shape.size() == 2)
    return {1, 1, shape[0], shape[1]};
  int64_t g = shape[0];
  int64_t batch = b;
  if (!ShapedType::isDynamic(g) && !ShapedType::isDynamic(h))
    batch = g / h;
  return {batch, h, shape[1], shape[2]};
}

/// [G, x, y] → [B, H, x, y] with H static.
Value splitBatch(OpBuilder &b, Location loc, Value x, int64_t batch,
                 int64_t heads) {
  auto type = getTensorType(x);
  int64_t g = type.getDimSize(0);
  if (!ShapedType::isDynamic(g))
    batch = g / heads;
  OpFoldResult bSize;
  if (!ShapedType::isDynamic(batch)) {
    bSize = b.getIndexAttr(batch);
  } else {
    Value gValue = tensor::DimOp::create(b, loc, x, 0);
    bSize =
        heads == 1
            ? OpFoldResult(gValue)
            : OpFoldResult(arith::DivUIOp::create(
                               b, loc, gValue,
                               arith::ConstantIndexOp::create(b, loc, heads))
                               .getResult());
  }
  SmallVector<OpFoldResult> sizes = {
      bSize, b.getIndexAttr(heads), getDim(b, loc, x, 1), getDim(b, loc, x, 2)};
  auto resultType = RankedTensorType::get(
      {batch, heads, type.getDimSize(1), type.getDimSize(2)},
      type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, resultType, x,
                                       {{0, 1}, {2}, {3}}, sizes);
}

/// [x, y] → [1, 1, x, y].
Value addUnitBatch(OpBuilder &b, Location loc, Value x) {
  auto type = getTensorType(x);
  auto resultType = RankedTensorType::get(
      {1, 1, type.getDimSize(0), type.getDimSize(1)}, type.getElementType());
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                     getDim(b, loc, x, 0),
                                     getDim(b, loc, x, 1)};
  return tensor::ExpandShapeOp::create(b, loc, resultType, x, {{0, 1, 2}, {3}},
                                       sizes);
}

/// `x` with its elements converted (extf or truncf) to `to`.
Value convertElements(OpBuilder &b, Location loc, Value x, Type to) {
  auto type = getTensorType(x);
  Type from = type.getElementType();
  if (from == to)
    return x;
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    sizes.push_back(getDim(b, loc, x, i));
  Value init = tensor::EmptyOp::create(b, loc, sizes, to);
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iters(type.getRank(),
                                         utils::IteratorType::parallel);
  bool widen =
      cast<FloatType>(to).getWidth() > cast<FloatType>(from).getWidth();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{id, id}, iters,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value r = widen ? arith::ExtFOp::create(nb, nloc, to, args[0])
                                     .getResult()
                               : arith::TruncFOp::create(nb, nloc, to, args[0])
                                     .getResult();
               linalg::YieldOp::create(nb, nloc, r);
             })
      .getResult(0);
}

/// Lays a leaf out as [B, H, x, y] in f32: transpose if needed, split a
/// rank-3 batch, give a rank-2 one unit batch and head dims, widen f16 and
/// bf16.
Value materializeLeaf(OpBuilder &b, Location loc, const Leaf &leaf,
                      int64_t batch, int64_t heads) {
  Value x = leaf.value;
  if (!isIdentityPermutation(leaf.perm)) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : leaf.perm)
      sizes.push_back(getDim(b, loc, x, p));
    Value init = tensor::EmptyOp::create(b, loc, sizes,
                                         getTensorType(x).getElementType());
    x = linalg::TransposeOp::create(b, loc, x, init, leaf.perm).getResult()[0];
  }
  if (getRank(x) == 3)
    x = splitBatch(b, loc, x, batch, heads);
  if (getRank(x) == 2)
    x = addUnitBatch(b, loc, x);
  return convertElements(b, loc, x, b.getF32Type());
}

/// The additive f32 mask of a masked fill: `fill` where `cond` equals
/// `fillWhen`, 0 elsewhere.
Value buildFillMask(OpBuilder &b, Location loc, Value cond, double fill,
                    bool fillWhen) {
  auto condType = getTensorType(cond);
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < condType.getRank(); ++i)
    sizes.push_back(getDim(b, loc, cond, i));
  Value init = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  AffineMap id = b.getMultiDimIdentityMap(condType.getRank());
  SmallVector<utils::IteratorType> iters(condType.getRank(),
                                         utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{cond}, ValueRange{init},
      ArrayRef<AffineMap>{id, id}, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value fillValue = arith::ConstantOp::create(
            nb, nloc, nb.getF32FloatAttr(static_cast<float>(fill)));
        Value zero =
            arith::ConstantOp::create(nb, nloc, nb.getF32FloatAttr(0.0f));
        Value r = arith::SelectOp::create(nb, nloc, args[0],
                                          fillWhen ? fillValue : zero,
                                          fillWhen ? zero : fillValue);
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

/// Groups `rank` positions around the `kept` ones (increasing): each kept
/// position takes the unkept ones before it, the last also those after it.
SmallVector<ReassociationIndices> groupAround(ArrayRef<int64_t> kept,
                                              int64_t rank) {
  SmallVector<ReassociationIndices> groups;
  int64_t next = 0;
  for (auto [i, pos] : llvm::enumerate(kept)) {
    ReassociationIndices group;
    int64_t end = i + 1 == kept.size() ? rank - 1 : pos;
    for (; next <= end; ++next)
      group.push_back(next);
    groups.push_back(group);
  }
  return groups;
}

/// The mask broadcastable (numpy-style, aligned right) to the loop space of
/// the add, with unit dims inserted where needed; a rank-3 mask that varies
/// along B·H is split into [B, H, ..].
Value materializeMask(OpBuilder &b, Location loc, const Mask &mask,
                      int64_t batch, int64_t heads) {
  Value x = mask.value;
  auto type = getTensorType(x);
  SmallVector<int64_t> kept, keptPos;
  bool aligned = type.getRank() <= mask.loopRank;
  for (auto [j, d] : llvm::enumerate(mask.loopDim)) {
    if (d < 0)
      continue;
    kept.push_back(j);
    keptPos.push_back(d);
    aligned &= d == mask.loopRank - type.getRank() + static_cast<int64_t>(j);
  }
  if (aligned) {
    kept = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    keptPos.clear();
    for (int64_t j : kept)
      keptPos.push_back(mask.loopRank - type.getRank() + j);
  }
  // Drop the unit dims read at index 0.
  if (static_cast<int64_t>(kept.size()) != type.getRank()) {
    SmallVector<int64_t> shape;
    for (int64_t j : kept)
      shape.push_back(type.getDimSize(j));
    auto collapsedType = RankedTensorType::get(shape, type.getElementType());
    x = tensor::CollapseShapeOp::create(b, loc, collapsedType, x,
                                        groupAround(kept, type.getRank()));
  }
  // Insert unit dims for the loop dims the mask does not vary along.
  if (!aligned && static_cast<int64_t>(kept.size()) != mask.loopRank) {
    SmallVector<int64_t> shape(mask.loopRank, 1);
    SmallVector<OpFoldResult> sizes(mask.loopRank, b.getIndexAttr(1));
    for (auto [i, pos] : llvm::enumerate(keptPos)) {
      shape[pos] = getTensorType(x).getDimSize(i);
      sizes[pos] = getDim(b, loc, x, i);
    }
    auto expandedType = RankedTensorType::get(shape, type.getElementType());
    x = tensor::ExpandShapeOp::create(
        b, loc, expandedType, x, groupAround(keptPos, mask.loopRank), sizes);
  }
  if (mask.loopRank == 3 && getRank(x) == 3 &&
      getTensorType(x).getDimSize(0) != 1)
    x = splitBatch(b, loc, x, batch, heads);
  if (mask.fill)
    x = buildFillMask(b, loc, x, *mask.fill, mask.fillWhen);
  return convertElements(b, loc, x, b.getF32Type());
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

struct RaiseAttention : OpInterfaceRewritePattern<linalg::LinalgOp> {
  RaiseAttention(MLIRContext *ctx, ConfigAttr config,
                 SmallVectorImpl<SmallVector<Operation *>> &matched,
                 SmallVectorImpl<AttentionOp> &created,
                 DenseMap<Operation *, Rejection> *rejections)
      : OpInterfaceRewritePattern(ctx), config(config), matched(matched),
        created(created), rejections(rejections) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    Match match;
    if (failed(matchAttention(op, match))) {
      if (!match.why.set)
        (void)match.reject(op, "is not a recognised attention");
      if (rejections)
        (*rejections)[op] = match.why;
      return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
        diag << "'" << match.why.opName << "' at " << match.why.loc << " "
             << match.why.reason;
      });
    }
    return rewrite(op, match, rewriter);
  }

private:
  /// Fills `match` with everything the rewrite needs, or says why not.
  static LogicalResult matchAttention(linalg::LinalgOp op, Match &match) {
    // P·V: P as [batch.., N, M], V as [batch.., M, Dv].
    if (!linalg::isaContractionOpInterface(op))
      return match.reject(op, "is not a contraction P·V");
    FailureOr<Contraction> pv = matchContraction(op, match.why);
    if (failed(pv))
      return failure();
    if (!isIdentityPermutation(pv->permX))
      return match.reject(op, "does not read the probabilities P as its "
                              "first operand laid out [batch.., N, M]");
    // The output may be laid out otherwise, e.g. [B, N, H, Dv] from
    // einsum("bhnm,bmhd->bnhd"): the raised result is transposed to it.
    if (!isIdentityPermutation(pv->resultPerm)) {
      if (pv->resultPerm.size() != 4)
        return match.reject(op, "writes its result in a layout other than "
                                "[batch.., N, Dv]");
      match.resultPerm = pv->resultPerm;
    }
    // A transposed output says nothing of [B, H]: the leaves do.
    if (match.resultPerm.empty())
      match.addChain(op);
    else
      match.chain.push_back(op);
    match.finalValue = op->getResult(0);
    // A B·H split of the result belongs to the attention.
    if (match.resultPerm.empty() && match.finalValue.hasOneUse())
      if (auto split = dyn_cast<tensor::ExpandShapeOp>(
              *match.finalValue.getUsers().begin());
          split && getBatchSplit(split.getResult())) {
        match.addChain(split);
        match.finalValue = split.getResult();
      }

    Value p = pv->x;
    Operation *user = op;
    for (;;) {
      match.split.add(p.getType());
      Operation *def = p.getDefiningOp();
      if (auto merge = getBatchMerge(p)) {
        match.addChain(merge);
        p = merge.getSrc();
      } else if (auto split = getBatchSplit(p)) {
        match.addChain(split);
        p = split.getSrc();
      } else if (Value src = getPassThroughSource(def)) {
        match.addChain(def);
        p = src;
      } else {
        break;
      }
      user = def;
    }
    FailureOr<Value> x = matchSoftmax(p, match, user);
    if (failed(x) || failed(matchScores(*x, match)))
      return failure();
    // V as [batch.., M, Dv]; the contraction reads it as [batch.., Dv, M].
    SmallVector<int64_t> permV = pv->permY;
    std::swap(permV[permV.size() - 2], permV[permV.size() - 1]);
    match.v = traceLeaf(pv->y, permV, /*allowScale=*/false, match);
    // One block: the operands then dominate the P·V op, where the new ops go.
    for (Operation *chainOp : match.chain)
      if (chainOp->getBlock() != op->getBlock())
        return match.reject(chainOp, "is in another block than the P·V "
                                     "contraction");
    // Every intermediate value dies with the attention.
    DenseSet<Operation *> inChain(match.chain.begin(), match.chain.end());
    for (Operation *chainOp : match.chain)
      for (Value r : chainOp->getResults()) {
        if (r == match.finalValue)
          continue;
        for (Operation *u : r.getUsers())
          if (!inChain.contains(u))
            return match.reject(chainOp,
                                "has a result used outside the attention, "
                                "by '" +
                                    u->getName().getStringRef() + "'");
      }
    return checkShapes(op, match);
  }

  /// Resolves the B·H split and checks that every operand fits
  /// hdp.attention and the result fits the value it replaces.
  static LogicalResult checkShapes(Operation *op, Match &match) {
    BatchSplit &split = match.split;
    for (Value v : {match.q.value, match.k.value, match.v.value})
      if (!isFloatTensor(v))
        return match.reject(op, "has a Q, K or V that is not an f32, f16 "
                                "or bf16 tensor");
    for (const Leaf *leaf : {&match.q, &match.k, &match.v})
      if (getRank(leaf->value) == 4)
        split.add(
            RankedTensorType::get(getPlannedShape(*leaf, kDynamic, kDynamic),
                                  getTensorType(leaf->value).getElementType()));
    if (match.resultPerm.empty())
      split.add(match.finalValue.getType());
    if (split.conflict)
      return match.reject(op, "has operands that disagree on the batch B and "
                              "heads H");
    // A rank-2 (single-head) attention is all rank 2.
    bool rank2 = getRank(match.q.value) == 2;
    if (rank2 &&
        (split.known || getRank(match.k.value) != 2 ||
         getRank(match.v.value) != 2 || getRank(match.finalValue) != 2))
      return match.reject(op, "mixes a rank-2 Q with operands of other "
                              "ranks");
    // Without head structure each group is its own batch item.
    if (!split.known)
      split.h = 1;
    bool needsSplit =
        llvm::any_of(ArrayRef<const Leaf *>{&match.q, &match.k, &match.v},
                     [](const Leaf *l) { return getRank(l->value) == 3; });
    // The mask dim along the B·H of rank-3 scores, if any, is split too.
    std::optional<int64_t> maskBatchDim;
    if (match.mask && match.mask->loopRank == 3)
      if (const int64_t *it = llvm::find(match.mask->loopDim, 0);
          it != match.mask->loopDim.end())
        maskBatchDim = it - match.mask->loopDim.begin();
    needsSplit |= maskBatchDim.has_value();
    if (needsSplit && ShapedType::isDynamic(split.h))
      return match.reject(op, "merges B·H with a number of heads H not "
                              "known at compile time");
    // A static B·H must split evenly (and into the known B).
    auto splits = [&](int64_t g) {
      if (ShapedType::isDynamic(g) || ShapedType::isDynamic(split.h))
        return true;
      return g % split.h == 0 && dimsAgree(split.b, g / split.h);
    };
    for (const Leaf *leaf : {&match.q, &match.k, &match.v})
      if (getRank(leaf->value) == 3 &&
          !splits(getTensorType(leaf->value).getDimSize(leaf->perm[0])))
        return match.reject(op, "has a B·H batch that does not split into "
                                "the heads found");
    if (maskBatchDim &&
        !splits(getTensorType(match.mask->value).getDimSize(*maskBatchDim)))
      return match.reject(op, "has a mask whose B·H batch does not split "
                              "into the heads found");

    SmallVector<int64_t> q = getPlannedShape(match.q, split.b, split.h);
    SmallVector<int64_t> k = getPlannedShape(match.k, split.b, split.h);
    SmallVector<int64_t> v = getPlannedShape(match.v, split.b, split.h);
    for (int i = 0; i < 2; ++i)
      if (!dimsAgree(q[i], k[i]) || !dimsAgree(q[i], v[i]))
        return match.reject(op, "has Q, K and V with different batch or "
                                "head counts");
    if (!dimsAgree(q[3], k[3]) || !dimsAgree(k[2], v[2]))
      return match.reject(op, "has Q, K and V whose sizes do not agree");

    // The scale must be a valid #hdp.config scale.
    float scale = static_cast<float>(match.factor);
    if (!(scale > 0.0f) || std::isinf(scale))
      return match.reject(op, "scales the scores by " +
                                  std::to_string(match.factor) +
                                  ", not a positive finite f32");

    auto finalType = getTensorType(match.finalValue);
    SmallVector<int64_t> out = {mergeDims(mergeDims(q[0], k[0]), v[0]),
                                mergeDims(mergeDims(q[1], k[1]), v[1]), q[2],
                                v[3]};
    if (!match.resultPerm.empty()) {
      SmallVector<int64_t> permuted;
      for (int64_t d : match.resultPerm)
        permuted.push_back(out[d]);
      out = permuted;
    }
    bool fits;
    if (finalType.getRank() == 4) {
      fits = llvm::all_of(llvm::seq(0, 4), [&](int i) {
        return dimsAgree(out[i], finalType.getDimSize(i));
      });
    } else if (finalType.getRank() == 2) {
      fits = dimsAgree(out[2], finalType.getDimSize(0)) &&
             dimsAgree(out[3], finalType.getDimSize(1));
    } else {
      int64_t g = ShapedType::isDynamic(out[0]) || ShapedType::isDynamic(out[1])
                      ? kDynamic
                      : out[0] * out[1];
      fits = dimsAgree(g, finalType.getDimSize(0)) &&
             dimsAgree(out[2], finalType.getDimSize(1)) &&
             dimsAgree(out[3], finalType.getDimSize(2));
    }
    if (!fits)
      return match.reject(op, "has a result whose shape does not fit "
                              "[B, H, N, Dv]");
    return success();
  }

  LogicalResult rewrite(linalg::LinalgOp op, const Match &match,
                        PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    int64_t batch = match.split.b, heads = match.split.h;
    Value q = materializeLeaf(rewriter, loc, match.q, batch, heads);
    Value k = materializeLeaf(rewriter, loc, match.k, batch, heads);
    Value v = materializeLeaf(rewriter, loc, match.v, batch, heads);
    Value mask;
    if (match.mask)
      mask = materializeMask(rewriter, loc, *match.mask, batch, heads);

    // The raised op reproduces the scale found in the IR (1 when there is
    // none); the default 1/sqrt(D) is left implicit.
    ref::AttentionConfig cfg = config.toReference();
    float scale = static_cast<float>(match.factor);
    int64_t headDim = getTensorType(q).getDimSize(3);
    cfg.scale = static_cast<double>(scale);
    if (!ShapedType::isDynamic(headDim) &&
        ref::AttentionConfig().effectiveScale(headDim) == scale)
      cfg.scale = std::nullopt;
    auto configAttr = ConfigAttr::fromReference(op.getContext(), cfg);

    auto qType = getTensorType(q), kType = getTensorType(k),
         vType = getTensorType(v);
    auto outType = RankedTensorType::get(
        {mergeDims(mergeDims(qType.getDimSize(0), kType.getDimSize(0)),
                   vType.getDimSize(0)),
         mergeDims(mergeDims(qType.getDimSize(1), kType.getDimSize(1)),
                   vType.getDimSize(1)),
         qType.getDimSize(2), vType.getDimSize(3)},
        rewriter.getF32Type());
    auto attention = AttentionOp::create(rewriter, loc, TypeRange{outType}, q,
                                         k, v, mask, configAttr);
    Value result = attention.getOutput();
    if (!match.resultPerm.empty()) {
      SmallVector<OpFoldResult> sizes;
      for (int64_t d : match.resultPerm)
        sizes.push_back(getDim(rewriter, loc, result, d));
      Value init =
          tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF32Type());
      result = linalg::TransposeOp::create(rewriter, loc, result, init,
                                           match.resultPerm)
                   .getResult()[0];
    }
    if (getRank(match.finalValue) == 3)
      result = tensor::CollapseShapeOp::create(rewriter, loc, result,
                                               {{0, 1}, {2}, {3}});
    if (getRank(match.finalValue) == 2)
      result = tensor::CollapseShapeOp::create(rewriter, loc, result,
                                               {{0, 1, 2}, {3}});
    result = convertElements(rewriter, loc, result,
                             getTensorType(match.finalValue).getElementType());
    if (result.getType() != match.finalValue.getType())
      result = tensor::CastOp::create(rewriter, loc, match.finalValue.getType(),
                                      result);
    rewriter.replaceAllUsesWith(match.finalValue, result);
    // The walk driver may only erase the visited op: the pass erases the
    // rest of the chain once the walk is over.
    matched.push_back(match.chain);
    created.push_back(attention);
    return success();
  }

  ConfigAttr config;
  SmallVectorImpl<SmallVector<Operation *>> &matched;
  SmallVectorImpl<AttentionOp> &created;
  DenseMap<Operation *, Rejection> *rejections;
};

/// Erases the matched chains, then whatever only they used (inits, fills,
/// transposes and reshapes of Q, K and V) as long as it has no side effect.
void eraseMatched(RewriterBase &rewriter,
                  ArrayRef<SmallVector<Operation *>> chains) {
  llvm::SetVector<Operation *> candidates;
  DenseSet<Operation *> erased;
  auto erase = [&](Operation *op) {
    // Producers of operands, including values captured by bodies.
    op->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (Operation *def = operand.getDefiningOp();
            def && !op->isAncestor(def))
          candidates.insert(def);
    });
    candidates.remove(op);
    erased.insert(op);
    rewriter.eraseOp(op);
  };
  for (ArrayRef<Operation *> chain : chains) {
    SmallVector<Operation *> pending =
        llvm::SetVector<Operation *>(chain.begin(), chain.end()).takeVector();
    // Users before producers: repeat until nothing more goes.
    for (bool progress = true; progress;) {
      progress = false;
      for (Operation *&op : pending) {
        if (!op || !op->use_empty())
          continue;
        erase(op);
        op = nullptr;
        progress = true;
      }
    }
  }
  while (!candidates.empty()) {
    Operation *op = candidates.pop_back_val();
    if (!erased.contains(op) && isOpTriviallyDead(op))
      erase(op);
  }
}

/// Raises every recognised attention under `root`; with `rejections`, also
/// records why each contraction was not raised as the P·V of one.
SmallVector<AttentionOp>
raiseAll(RewriterBase &rewriter, Operation *root, ConfigAttr config,
         DenseMap<Operation *, Rejection> *rejections) {
  MLIRContext *ctx = root->getContext();
  SmallVector<SmallVector<Operation *>> matched;
  SmallVector<AttentionOp> created;
  RewritePatternSet patterns(ctx);
  patterns.add<RaiseAttention>(ctx, config, matched, created, rejections);
  // `rewriter`'s listener (e.g. the transform interpreter's handle
  // tracking) must see every replacement and erasure.
  walkAndApplyPatterns(root, std::move(patterns),
                       llvm::dyn_cast_if_present<RewriterBase::Listener>(
                           rewriter.getListener()));
  eraseMatched(rewriter, matched);
  return created;
}

/// The first contraction the values of `start` flow into, if any within a
/// few ops.
Operation *findConsumingContraction(Operation *start) {
  SmallVector<Operation *> frontier = {start};
  DenseSet<Operation *> seen = {start};
  for (int depth = 0; depth < 16 && !frontier.empty(); ++depth) {
    SmallVector<Operation *> next;
    for (Operation *op : frontier)
      for (Operation *user : op->getUsers()) {
        if (!seen.insert(user).second)
          continue;
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
            linalgOp && linalg::isaContractionOpInterface(linalgOp))
          return user;
        next.push_back(user);
      }
    frontier = std::move(next);
  }
  return nullptr;
}

/// The start of a softmax-shaped chain: a linalg.softmax, or an
/// elementwise generic computing an exp whose result is summed (exp(x - max) / Σ, the inner exp
/// of a log-sum-exp) or flows into a contraction.
bool startsSoftmax(Operation *op) {
  if (isa<linalg::SoftmaxOp>(op))
    return true;
  auto g = dyn_cast<linalg::GenericOp>(op);
  if (!isElementwise(g) || g.getBody()->getOps<math::ExpOp>().empty())
    return false;
  return llvm::any_of(g->getResult(0).getUsers(),
                      [](Operation *user) {
                        auto reduction = dyn_cast<linalg::LinalgOp>(user);
                        return reduction &&
                               reduction.getNumReductionLoops() > 0;
                      }) ||
         findConsumingContraction(op);
}

/// One remark per softmax-shaped chain left in `root`, naming the first op
/// that did not match and why.
void explainUnraised(Operation *root,
                     const DenseMap<Operation *, Rejection> &rejections) {
  std::set<std::pair<const void *, std::string>> emitted;
  root->walk([&](Operation *op) {
    if (!startsSoftmax(op))
      return;
    Rejection why;
    Operation *pv = findConsumingContraction(op);
    if (auto it = pv ? rejections.find(pv) : rejections.end();
        it != rejections.end()) {
      why = it->second;
    } else {
      (void)reject(
          why, op,
          "computes a softmax whose probabilities reach no contraction "
          "with V");
    }
    std::string message = "'" + why.opName + "' " + why.reason;
    if (!emitted.insert({why.loc.getAsOpaquePointer(), message}).second)
      return;
    emitRemark(why.loc) << "attention not raised: " << message;
  });
}

struct HDPRaiseAttentionPass
    : hdp::impl::HDPRaiseAttentionBase<HDPRaiseAttentionPass> {
  using HDPRaiseAttentionBase::HDPRaiseAttentionBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    HDPRaiseAttentionBase::getDependentDialects(registry);
    registry.insert<HDPDialect, linalg::LinalgDialect>();
  }

  /// Parses the option once, before any thread runs; a bad one is reported
  /// on the op the pass runs on.
  LogicalResult initialize(MLIRContext *ctx) override {
    parsedConfig = parseConfig(ctx, configError);
    return success();
  }

  void runOnOperation() override {
    if (!parsedConfig) {
      getOperation()->emitError() << configError;
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    if (!explain) {
      raiseAll(rewriter, getOperation(), parsedConfig, nullptr);
      return;
    }
    DenseMap<Operation *, Rejection> rejections;
    raiseAll(rewriter, getOperation(), parsedConfig, &rejections);
    explainUnraised(getOperation(), rejections);
  }

private:
  /// The `config` option as a #hdp.config, or null and a message.
  ConfigAttr parseConfig(MLIRContext *ctx, std::string &error) const {
    std::string parserMessage;
    Attribute attr;
    {
      // Keep the parser's own message for ours.
      ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
        if (parserMessage.empty())
          parserMessage = diag.str();
        return success();
      });
      attr = parseAttribute(config, ctx);
    }
    if (auto configAttr = dyn_cast_or_null<ConfigAttr>(attr))
      return configAttr;
    error = "hdp-raise-attention: option 'config' must be a #hdp.config<...> "
            "attribute, got '" +
            config + "'";
    if (!parserMessage.empty())
      error += ": " + parserMessage;
    return {};
  }

  ConfigAttr parsedConfig;
  std::string configError;
};

} // namespace

SmallVector<AttentionOp> hdp::raiseAttention(RewriterBase &rewriter,
                                             Operation *root,
                                             ConfigAttr config) {
  return raiseAll(rewriter, root, config, /*rejections=*/nullptr);
}
