//===- RaiseAttentionUtils.cpp - values and single ops of attention -----===//
//
// The recognisers of single ops and values hdp-raise-attention's matchers
// share: maps, uniform values (constants, splats and what frontends compute
// from them), copies, reshapes, scale/add/select generics, contractions.
//
//===----------------------------------------------------------------------===//

#include "RaiseAttentionMatch.h"

#include "hdp/Reference/Reference.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "hdp-raise-attention"

namespace hdp::raise {

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
Value getYielded(linalg::GenericOp g, unsigned i) {
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

bool initArgUnused(linalg::GenericOp g, unsigned i) {
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

namespace {
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
} // namespace

/// The value of every element of `v` when it is known at compile time: a
/// scalar or splat constant, or a chain of casts, arithmetic, fills, reshapes
/// and elementwise generics over such values (torch-mlir computes
/// 1/sqrt(64) as sqrt(sitofp(dense<64>)) on rank-0 tensors). `env` binds
/// block arguments of enclosing generic bodies being evaluated.
std::optional<double> evalUniform(Value v, const DenseMap<Value, double> &env,
                                  unsigned depth) {
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

std::optional<FusedAdd> matchFusedAddGeneric(Operation *op) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!isElementwise(g) || !initArgUnused(g) ||
      !g.getBody()->getOps<linalg::IndexOp>().empty())
    return std::nullopt;
  auto add = getYielded(g).getDefiningOp<arith::AddFOp>();
  if (!add || add->getParentOp() != g)
    return std::nullopt;
  for (auto [scoresSide, addend] : {std::pair(add.getLhs(), add.getRhs()),
                                    std::pair(add.getRhs(), add.getLhs())}) {
    // The scores, or the scores scaled in the same body: s·c or s/c.
    std::optional<double> factor;
    Operation *scale = scoresSide.getDefiningOp();
    if (isa_and_nonnull<arith::MulFOp, arith::DivFOp>(scale) &&
        scale->getParentOp() == g) {
      for (unsigned side = 0; side < 2 && !factor; ++side) {
        if (isa<arith::DivFOp>(scale) && side == 1)
          break;
        std::optional<unsigned> input =
            getInputIndex(g, scale->getOperand(side));
        if (!input)
          continue;
        std::optional<double> c = evalUniform(scale->getOperand(1 - side),
                                              bindUniformInputs(g, input));
        if (!c)
          continue;
        factor = isa<arith::DivFOp>(scale)
                     ? static_cast<double>(1.0f / static_cast<float>(*c))
                     : *c;
        scoresSide = scale->getOperand(side);
      }
      if (!factor)
        continue;
    }
    std::optional<unsigned> scores = getInputIndex(g, scoresSide);
    Operation *def = addend.getDefiningOp();
    // A mask input added as it is belongs to matchAddGeneric, unless the
    // scale is fused too.
    if (!scores || !getCanonicalMaps(g)[*scores].isIdentity() ||
        (def && def->getParentOp() != g) || (!def && !factor) ||
        addend == scoresSide)
      continue;
    // The addend must not depend on the scores (nor have effects): walk
    // its operands in the body.
    Value scoresArg = g.getBody()->getArgument(*scores);
    SmallVector<Value> pending = {addend};
    DenseSet<Value> seen;
    bool readsScores = false;
    while (!pending.empty() && !readsScores) {
      Value v = pending.pop_back_val();
      if (!seen.insert(v).second)
        continue;
      readsScores = v == scoresArg;
      if (Operation *d = v.getDefiningOp(); d && d->getParentOp() == g) {
        if (d->getNumRegions() != 0 || !isPure(d))
          readsScores = true;
        llvm::append_range(pending, d->getOperands());
      }
    }
    if (!readsScores)
      return FusedAdd{*scores, addend, factor};
  }
  return std::nullopt;
}

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
    if (!fill || !(*fill <= static_cast<double>(hdp::kRemovedThreshold)))
      continue;
    return SelectGeneric{*scores, *cond, *fill, fillWhen};
  }
  return std::nullopt;
}

LogicalResult reject(Rejection &r, Operation *op, const Twine &reason) {
  r.loc = op->getLoc();
  r.opName = op->getName().getStringRef().str();
  r.reason = reason.str();
  r.set = true;
  LLVM_DEBUG(llvm::dbgs() << "hdp-raise-attention: '" << r.opName << "' at "
                          << r.loc << ": " << r.reason << "\n");
  return failure();
}

namespace {
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
} // namespace

namespace {
bool isZeroInit(Value init) {
  if (init.getDefiningOp<tensor::EmptyOp>())
    return true;
  std::optional<double> x = evalUniform(init);
  return x && *x == 0.0;
}
} // namespace

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
    return reject(why, op,
                  "reads or writes an operand through a map that is "
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

} // namespace hdp::raise
