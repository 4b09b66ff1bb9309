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

#include "hdp/Dialect/HDP/IR/ConfigText.h"
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

#include <cfloat>
#include <cmath>

namespace hdp {
#define GEN_PASS_DEF_HDPRAISEATTENTION
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

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

bool isF32Tensor(Value v) {
  auto type = getTensorType(v);
  return type && type.getElementType().isF32();
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
         isF32Tensor(g->getResult(0)) &&
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
  if (type.isF32())
    return static_cast<double>(static_cast<float>(x));
  if (type.isF64())
    return x;
  return std::nullopt;
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
    if (!elt.isF64())
      return std::nullopt;
    return isa<arith::AddFOp>(def)   ? *a + *b
           : isa<arith::SubFOp>(def) ? *a - *b
           : isa<arith::MulFOp>(def) ? *a * *b
                                     : *a / *b;
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
    if (!fill || !(*fill <= static_cast<double>(hdp::kRemovedThreshold)))
      continue;
    return SelectGeneric{*scores, *cond, *fill, fillWhen};
  }
  return std::nullopt;
}

/// A contraction C[batch.., m, n] = Σ_k A·B accumulating into a zero-filled
/// init, on f32 tensors, with up to two batch dimensions.
struct Contraction {
  linalg::LinalgOp op;
  SmallVector<unsigned> batch;
  unsigned m, n, k;
  /// A as [batch.., m, k] and B as [batch.., k, n]: dim i is operand dim
  /// perm[i].
  SmallVector<int64_t> permA, permB;
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

std::optional<Contraction> matchContraction(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.getNumDpsInputs() != 2 || linalgOp.getNumDpsInits() != 1 ||
      op->getNumResults() != 1 || !linalg::isaContractionOpInterface(linalgOp))
    return std::nullopt;
  for (Value v : op->getOperands())
    if (!isF32Tensor(v))
      return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(linalgOp);
  if (failed(dims) || dims->batch.size() > 2 || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  Contraction c;
  c.op = linalgOp;
  c.batch = llvm::to_vector_of<unsigned>(dims->batch);
  c.m = dims->m[0];
  c.n = dims->n[0];
  c.k = dims->k[0];
  SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
  SmallVector<unsigned> outDims(c.batch), aDims(c.batch), bDims(c.batch);
  outDims.append({c.m, c.n});
  aDims.append({c.m, c.k});
  bDims.append({c.k, c.n});
  std::optional<SmallVector<int64_t>> outPerm = getPositions(maps[2], outDims);
  std::optional<SmallVector<int64_t>> permA = getPositions(maps[0], aDims);
  std::optional<SmallVector<int64_t>> permB = getPositions(maps[1], bDims);
  // The result must be laid out [batch.., m, n].
  if (!outPerm || !isIdentityPermutation(*outPerm) || !permA || !permB)
    return std::nullopt;
  // Accumulating into anything but zeros adds to the product.
  std::optional<double> init = evalUniform(linalgOp.getDpsInits()[0]);
  if (!init || *init != 0.0)
    return std::nullopt;
  c.permA = *permA;
  c.permB = *permB;
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

/// Peels single-use reshapes that add or drop a trailing unit dim.
Value peelRowReshapes(Value v, Match &match) {
  while (Operation *reshape = getTrailingUnitReshape(v)) {
    if (!v.hasOneUse())
      break;
    match.addChain(reshape);
    v = reshape->getOperand(0);
  }
  return v;
}

bool isMaxInit(Value init) {
  std::optional<double> x = evalUniform(init);
  if (!x)
    return false;
  // -inf, the quiet NaN 0xFFC00000 (maxnumf-style frontends) or -FLT_MAX.
  return (std::isinf(*x) && *x < 0) || std::isnan(*x) ||
         static_cast<float>(*x) == -FLT_MAX;
}

bool isMaxCombiner(Value yielded, Value in, Value out) {
  Operation *op = yielded.getDefiningOp();
  if (isa_and_nonnull<arith::MaximumFOp, arith::MaxNumFOp>(op))
    return (op->getOperand(0) == in && op->getOperand(1) == out) ||
           (op->getOperand(0) == out && op->getOperand(1) == in);
  // select(in > out, in, out)
  auto select = dyn_cast_or_null<arith::SelectOp>(op);
  if (!select || select.getTrueValue() != in || select.getFalseValue() != out)
    return false;
  auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!cmp)
    return false;
  using P = arith::CmpFPredicate;
  P p = cmp.getPredicate();
  bool greater = p == P::OGT || p == P::OGE || p == P::UGT || p == P::UGE;
  bool less = p == P::OLT || p == P::OLE || p == P::ULT || p == P::ULE;
  return (greater && cmp.getLhs() == in && cmp.getRhs() == out) ||
         (less && cmp.getLhs() == out && cmp.getRhs() == in);
}

/// `v` is the (first) result of a reduction over the last dim of its single
/// input; returns that input.
FailureOr<Value> matchRowReduction(Value v, Combiner kind, Match &match) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !g.hasPureTensorSemantics() || g.getNumDpsInputs() != 1 ||
      cast<OpResult>(v).getResultNumber() != 0 || !isF32Tensor(v))
    return failure();
  // Max may carry a second, unused, argmax result (torch.max(dim)).
  unsigned numInits = g.getNumDpsInits();
  if (numInits != 1 &&
      !(kind == Combiner::Max && numInits == 2 && g->getResult(1).use_empty()))
    return failure();
  Value input = g.getDpsInputOperand(0)->get();
  if (!isF32Tensor(input))
    return failure();
  int64_t rank = getRank(input);
  SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
  if (static_cast<int64_t>(iters.size()) != rank ||
      !linalg::isReductionIterator(iters.back()) ||
      !llvm::all_of(ArrayRef(iters).drop_back(), linalg::isParallelIterator))
    return failure();
  SmallVector<AffineMap> maps = getCanonicalMaps(g);
  if (!maps[0].isIdentity() ||
      !isRowMap(maps[1], rank, getTensorType(g.getDpsInits()[0])))
    return failure();
  Value init = g.getDpsInits()[0];
  Block *body = g.getBody();
  Value in = body->getArgument(0), out = body->getArgument(1);
  if (kind == Combiner::Sum) {
    std::optional<double> zero = evalUniform(init);
    auto add = getYielded(g).getDefiningOp<arith::AddFOp>();
    if (!zero || *zero != 0.0 || !add ||
        !((add.getLhs() == in && add.getRhs() == out) ||
          (add.getLhs() == out && add.getRhs() == in)))
      return failure();
  } else if (!isMaxInit(init) || !isMaxCombiner(getYielded(g), in, out)) {
    return failure();
  }
  match.addChain(g);
  return input;
}

/// True when the users of `v` are exactly `users` (one use each).
bool hasExactUsers(Value v, ArrayRef<Operation *> users) {
  SmallVector<Operation *> got;
  for (OpOperand &use : v.getUses())
    got.push_back(use.getOwner());
  if (got.size() != users.size())
    return false;
  for (Operation *u : users)
    if (llvm::count(got, u) != 1)
      return false;
  return true;
}

/// Matches the softmax over the last dim producing `p` (which has one use)
/// and returns its input.
FailureOr<Value> matchSoftmax(Value p, Match &match) {
  if (auto softmax = p.getDefiningOp<linalg::SoftmaxOp>()) {
    Value input = softmax.getInput();
    if (!isF32Tensor(input) ||
        softmax.getDimension() != static_cast<uint64_t>(getRank(input) - 1) ||
        !input.hasOneUse())
      return failure();
    match.addChain(softmax);
    return input;
  }

  // p = e / sum   or   p = e * (1 / sum)
  auto norm = p.getDefiningOp<linalg::GenericOp>();
  if (!isElementwise(norm) || norm.getNumDpsInputs() != 2 ||
      !initArgUnused(norm))
    return failure();
  int64_t rank = getRank(p);
  SmallVector<AffineMap> normMaps = getCanonicalMaps(norm);
  Operation *normBody = getYielded(norm).getDefiningOp();
  if (!isa_and_nonnull<arith::DivFOp, arith::MulFOp>(normBody))
    return failure();
  std::optional<unsigned> eIndex = getInputIndex(norm, normBody->getOperand(0));
  std::optional<unsigned> rowIndex =
      getInputIndex(norm, normBody->getOperand(1));
  if (isa<arith::MulFOp>(normBody) && eIndex && rowIndex &&
      !normMaps[*eIndex].isIdentity())
    std::swap(eIndex, rowIndex);
  if (!eIndex || !rowIndex || *eIndex == *rowIndex ||
      !normMaps[*eIndex].isIdentity())
    return failure();
  Value e = norm.getDpsInputOperand(*eIndex)->get();
  Value row = norm.getDpsInputOperand(*rowIndex)->get();
  if (!isRowMap(normMaps[*rowIndex], rank, getTensorType(row)) ||
      !row.hasOneUse())
    return failure();
  match.addChain(norm);

  Value sum = peelRowReshapes(row, match);
  if (isa<arith::MulFOp>(normBody)) {
    // The reciprocal 1/sum, elementwise over the row tensor.
    auto recip = sum.getDefiningOp<linalg::GenericOp>();
    if (!isElementwise(recip) || recip.getNumDpsInputs() != 1 ||
        !initArgUnused(recip) || !getCanonicalMap(recip, 0).isIdentity() ||
        !sum.hasOneUse())
      return failure();
    auto div = getYielded(recip).getDefiningOp<arith::DivFOp>();
    if (!div || div.getRhs() != recip.getBody()->getArgument(0))
      return failure();
    std::optional<double> one = evalUniform(div.getLhs());
    if (!one || *one != 1.0)
      return failure();
    match.addChain(recip);
    sum = peelRowReshapes(recip.getDpsInputOperand(0)->get(), match);
  }
  if (!sum.hasOneUse())
    return failure();
  FailureOr<Value> sumInput = matchRowReduction(sum, Combiner::Sum, match);
  if (failed(sumInput) || *sumInput != e)
    return failure();
  Operation *sumOp = sum.getDefiningOp();
  if (!hasExactUsers(e, {norm, sumOp}))
    return failure();

  // e = exp(x - max), as one generic or as sub then exp.
  auto expOp = e.getDefiningOp<linalg::GenericOp>();
  if (!isElementwise(expOp) || !initArgUnused(expOp))
    return failure();
  auto exp = getYielded(expOp).getDefiningOp<math::ExpOp>();
  if (!exp)
    return failure();
  match.addChain(expOp);
  linalg::GenericOp subOp = expOp;
  Value subValue = exp.getOperand();
  if (std::optional<unsigned> in = getInputIndex(expOp, exp.getOperand())) {
    // Separate exp: its single input is the difference.
    if (expOp.getNumDpsInputs() != 1 ||
        !getCanonicalMap(expOp, *in).isIdentity())
      return failure();
    Value diff = expOp.getDpsInputOperand(*in)->get();
    subOp = diff.getDefiningOp<linalg::GenericOp>();
    if (!diff.hasOneUse() || !isElementwise(subOp) || !initArgUnused(subOp))
      return failure();
    subValue = getYielded(subOp);
    match.addChain(subOp);
  }
  auto sub = subValue.getDefiningOp<arith::SubFOp>();
  if (!sub || sub->getParentOp() != subOp || subOp.getNumDpsInputs() != 2)
    return failure();
  std::optional<unsigned> xIndex = getInputIndex(subOp, sub.getLhs());
  std::optional<unsigned> maxIndex = getInputIndex(subOp, sub.getRhs());
  if (!xIndex || !maxIndex || *xIndex == *maxIndex)
    return failure();
  SmallVector<AffineMap> subMaps = getCanonicalMaps(subOp);
  Value x = subOp.getDpsInputOperand(*xIndex)->get();
  Value maxRow = subOp.getDpsInputOperand(*maxIndex)->get();
  if (!subMaps[*xIndex].isIdentity() ||
      !isRowMap(subMaps[*maxIndex], rank, getTensorType(maxRow)) ||
      !maxRow.hasOneUse())
    return failure();
  Value max = peelRowReshapes(maxRow, match);
  if (!max.hasOneUse())
    return failure();
  FailureOr<Value> maxInput = matchRowReduction(max, Combiner::Max, match);
  if (failed(maxInput) || *maxInput != x)
    return failure();
  if (!hasExactUsers(x, {max.getDefiningOp(), subOp}))
    return failure();
  return x;
}

//===----------------------------------------------------------------------===//
// Scores: softmax input back to Q·Kᵀ
//===----------------------------------------------------------------------===//

/// Walks from the softmax input `cur` back to the Q·Kᵀ contraction through
/// B·H reshapes, copies, scale generics and at most one mask add (which must
/// follow every scale on the scores). `checkUse` is false for the softmax
/// input, whose uses the softmax matcher checked.
LogicalResult matchScores(Value cur, Match &match, bool checkUse) {
  for (;; checkUse = true) {
    if ((checkUse && !cur.hasOneUse()) || !isF32Tensor(cur))
      return failure();
    match.split.add(cur.getType());
    Operation *def = cur.getDefiningOp();
    if (!def)
      return failure();
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
    if (std::optional<SmallVector<int64_t>> p = getCopyPermutation(def)) {
      if (!isIdentityPermutation(*p))
        return failure();
      match.addChain(def);
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
      if (match.mask || match.scoreScaleSeen)
        return failure();
      std::optional<Mask> m = traceMask(cast<linalg::GenericOp>(def), sel->cond,
                                        IntegerType::get(def->getContext(), 1));
      if (!m)
        return failure();
      m->fill = sel->fill;
      m->fillWhen = sel->fillWhen;
      match.addChain(def);
      match.mask = *m;
      cur = def->getOperand(sel->scores);
      continue;
    }
    if (std::optional<std::pair<unsigned, unsigned>> add =
            matchAddGeneric(def)) {
      // scale·(S + mask) is not what hdp.attention computes.
      if (match.mask || match.scoreScaleSeen)
        return failure();
      auto g = cast<linalg::GenericOp>(def);
      // Either side may be the scores; try both.
      for (auto [scores, mask] :
           {*add, std::make_pair(add->second, add->first)}) {
        if (!getCanonicalMap(g, scores).isIdentity())
          continue;
        std::optional<Mask> m =
            traceMask(g, mask, Float32Type::get(def->getContext()));
        if (!m)
          continue;
        Match attempt = match;
        attempt.addChain(def);
        attempt.mask = *m;
        if (succeeded(matchScores(def->getOperand(scores), attempt, true))) {
          match = std::move(attempt);
          return success();
        }
      }
      return failure();
    }
    break;
  }

  // Q·Kᵀ: Q as [batch.., N, D] and K as [batch.., M, D].
  std::optional<Contraction> qk = matchContraction(cur.getDefiningOp());
  if (!qk)
    return failure();
  match.addChain(qk->op);
  // permB reads B as [batch.., k, n]; K is wanted as [batch.., n, k].
  SmallVector<int64_t> permK = qk->permB;
  std::swap(permK[qk->batch.size()], permK[qk->batch.size() + 1]);
  match.q = traceLeaf(qk->op.getDpsInputOperand(0)->get(), qk->permA,
                      /*allowScale=*/true, match);
  match.k = traceLeaf(qk->op.getDpsInputOperand(1)->get(), permK,
                      /*allowScale=*/true, match);
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

/// Lays a leaf out as [B, H, x, y]: transpose if needed, split a rank-3
/// batch, give a rank-2 one unit batch and head dims.
Value materializeLeaf(OpBuilder &b, Location loc, const Leaf &leaf,
                      int64_t batch, int64_t heads) {
  Value x = leaf.value;
  if (!isIdentityPermutation(leaf.perm)) {
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : leaf.perm)
      sizes.push_back(getDim(b, loc, x, p));
    Value init = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
    x = linalg::TransposeOp::create(b, loc, x, init, leaf.perm).getResult()[0];
  }
  if (getRank(x) == 3)
    x = splitBatch(b, loc, x, batch, heads);
  if (getRank(x) == 2)
    x = addUnitBatch(b, loc, x);
  return x;
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
  return x;
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

struct RaiseAttention : OpInterfaceRewritePattern<linalg::LinalgOp> {
  RaiseAttention(MLIRContext *ctx, ConfigAttr config,
                 SmallVectorImpl<SmallVector<Operation *>> &matched,
                 SmallVectorImpl<AttentionOp> &created)
      : OpInterfaceRewritePattern(ctx), config(config), matched(matched),
        created(created) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Match> match = matchAttention(op);
    if (!match)
      return rewriter.notifyMatchFailure(op, "not a recognised attention");
    return rewrite(op, *match, rewriter);
  }

private:
  /// Everything the rewrite needs, or nothing if any check fails.
  std::optional<Match> matchAttention(linalg::LinalgOp op) const {
    // P·V: P as [batch.., N, M], V as [batch.., M, Dv].
    std::optional<Contraction> pv = matchContraction(op);
    if (!pv || !isIdentityPermutation(pv->permA))
      return std::nullopt;
    Match match;
    match.addChain(op);
    match.finalValue = op->getResult(0);
    // A B·H split of the result belongs to the attention.
    if (match.finalValue.hasOneUse())
      if (auto split = dyn_cast<tensor::ExpandShapeOp>(
              *match.finalValue.getUsers().begin());
          split && getBatchSplit(split.getResult())) {
        match.addChain(split);
        match.finalValue = split.getResult();
      }

    Value p = op.getDpsInputOperand(0)->get();
    for (;;) {
      if (!p.hasOneUse() || !isF32Tensor(p))
        return std::nullopt;
      match.split.add(p.getType());
      Operation *def = p.getDefiningOp();
      if (auto merge = getBatchMerge(p)) {
        match.addChain(merge);
        p = merge.getSrc();
      } else if (auto split = getBatchSplit(p)) {
        match.addChain(split);
        p = split.getSrc();
      } else if (std::optional<SmallVector<int64_t>> perm =
                     getCopyPermutation(def);
                 perm && isIdentityPermutation(*perm)) {
        match.addChain(def);
        p = getCopySource(def);
      } else {
        break;
      }
    }
    FailureOr<Value> x = matchSoftmax(p, match);
    if (failed(x) || failed(matchScores(*x, match, /*checkUse=*/false)))
      return std::nullopt;
    match.v = traceLeaf(op.getDpsInputOperand(1)->get(), pv->permB,
                        /*allowScale=*/false, match);
    // One block: the operands then dominate the P·V op, where the new ops go.
    if (llvm::any_of(match.chain, [&](Operation *chainOp) {
          return chainOp->getBlock() != op->getBlock();
        }))
      return std::nullopt;
    if (!checkShapes(match))
      return std::nullopt;
    return match;
  }

  /// Resolves the B·H split and checks that every operand fits
  /// hdp.attention and the result fits the value it replaces.
  static bool checkShapes(Match &match) {
    BatchSplit &split = match.split;
    for (Value v : {match.q.value, match.k.value, match.v.value})
      if (!isF32Tensor(v))
        return false;
    for (const Leaf *leaf : {&match.q, &match.k, &match.v})
      if (getRank(leaf->value) == 4)
        split.add(
            RankedTensorType::get(getPlannedShape(*leaf, kDynamic, kDynamic),
                                  getTensorType(leaf->value).getElementType()));
    split.add(match.finalValue.getType());
    if (split.conflict)
      return false;
    // A rank-2 (single-head) attention is all rank 2.
    bool rank2 = getRank(match.q.value) == 2;
    if (rank2 &&
        (split.known || getRank(match.k.value) != 2 ||
         getRank(match.v.value) != 2 || getRank(match.finalValue) != 2))
      return false;
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
      return false;
    // A static B·H must split evenly (and into the known B).
    auto splits = [&](int64_t g) {
      if (ShapedType::isDynamic(g) || ShapedType::isDynamic(split.h))
        return true;
      return g % split.h == 0 && dimsAgree(split.b, g / split.h);
    };
    for (const Leaf *leaf : {&match.q, &match.k, &match.v})
      if (getRank(leaf->value) == 3 &&
          !splits(getTensorType(leaf->value).getDimSize(leaf->perm[0])))
        return false;
    if (maskBatchDim &&
        !splits(getTensorType(match.mask->value).getDimSize(*maskBatchDim)))
      return false;

    SmallVector<int64_t> q = getPlannedShape(match.q, split.b, split.h);
    SmallVector<int64_t> k = getPlannedShape(match.k, split.b, split.h);
    SmallVector<int64_t> v = getPlannedShape(match.v, split.b, split.h);
    for (int i = 0; i < 2; ++i)
      if (!dimsAgree(q[i], k[i]) || !dimsAgree(q[i], v[i]))
        return false;
    if (!dimsAgree(q[3], k[3]) || !dimsAgree(k[2], v[2]))
      return false;

    // The scale must be a valid #hdp.config scale.
    float scale = static_cast<float>(match.factor);
    if (!(scale > 0.0f) || std::isinf(scale))
      return false;

    auto finalType = getTensorType(match.finalValue);
    SmallVector<int64_t> out = {mergeDims(mergeDims(q[0], k[0]), v[0]),
                                mergeDims(mergeDims(q[1], k[1]), v[1]), q[2],
                                v[3]};
    if (finalType.getRank() == 4)
      return llvm::all_of(llvm::seq(0, 4), [&](int i) {
        return dimsAgree(out[i], finalType.getDimSize(i));
      });
    if (finalType.getRank() == 2)
      return dimsAgree(out[2], finalType.getDimSize(0)) &&
             dimsAgree(out[3], finalType.getDimSize(1));
    int64_t g = ShapedType::isDynamic(out[0]) || ShapedType::isDynamic(out[1])
                    ? kDynamic
                    : out[0] * out[1];
    return dimsAgree(g, finalType.getDimSize(0)) &&
           dimsAgree(out[2], finalType.getDimSize(1)) &&
           dimsAgree(out[3], finalType.getDimSize(2));
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
    hdp::AttentionConfig cfg = config.toReference();
    float scale = static_cast<float>(match.factor);
    int64_t headDim = getTensorType(q).getDimSize(3);
    cfg.scale = static_cast<double>(scale);
    if (!ShapedType::isDynamic(headDim) &&
        hdp::AttentionConfig().effectiveScale(headDim) == scale)
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
    if (getRank(match.finalValue) == 3)
      result = tensor::CollapseShapeOp::create(rewriter, loc, result,
                                               {{0, 1}, {2}, {3}});
    if (getRank(match.finalValue) == 2)
      result = tensor::CollapseShapeOp::create(rewriter, loc, result,
                                               {{0, 1, 2}, {3}});
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
    raiseAttention(rewriter, getOperation(), parsedConfig);
  }

private:
  /// The `config` option as a #hdp.config, or null and a message.
  ConfigAttr parseConfig(MLIRContext *ctx, std::string &error) const {
    std::string parserMessage = configNestingProblem(config);
    Attribute attr;
    if (parserMessage.empty()) {
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
  MLIRContext *ctx = root->getContext();
  SmallVector<SmallVector<Operation *>> matched;
  SmallVector<AttentionOp> created;
  RewritePatternSet patterns(ctx);
  patterns.add<RaiseAttention>(ctx, config, matched, created);
  // `rewriter`'s listener (e.g. the transform interpreter's handle
  // tracking) must see every replacement and erasure.
  walkAndApplyPatterns(root, std::move(patterns),
                       llvm::dyn_cast_if_present<RewriterBase::Listener>(
                           rewriter.getListener()));
  eraseMatched(rewriter, matched);
  return created;
}
