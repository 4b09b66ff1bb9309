//===- RaiseAttention.cpp - linalg attention → hdp.attention --------------===//
//
// hdp-raise-attention: recognises softmax(scale·Q·Kᵀ [+ mask])·V written in
// linalg the way frontends emit it and rewrites it into one hdp.attention.
//
// The pattern is anchored on the P·V contraction and walks the use-def chain
// backwards: P·V ← [reshapes, copies, casts] ← softmax (RaiseAttention-
// Softmax.cpp) ← [mask add or masked fill] ← [scale] ← [reshapes, copies,
// casts] ← Q·Kᵀ, then follows Q, K and V back through copies, transposes,
// B·H collapses and (Q, K) constant scaling (RaiseAttentionScores.cpp).
// Matching only reads the IR; the rewrite starts once every check has
// passed, so unrecognised IR stays exactly as it was, and a failed match
// knows the first op that did not fit, which explain=true reports. The walk
// driver only lets a pattern erase the op it visits, so the pass erases the
// matched chains after the walk.
//
//===----------------------------------------------------------------------===//

#include "RaiseAttentionMatch.h"

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
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#include <cmath>
#include <set>

namespace hdp {
#define GEN_PASS_DEF_HDPRAISEATTENTION
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

#define DEBUG_TYPE "hdp-raise-attention"

using namespace mlir;
using namespace hdp;
using namespace hdp::raise;

namespace {

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
/// The addend of a fused mask add, computed by a generic of its own over
/// the add's loops from the add's inputs it reads.
Value buildFusedAddend(OpBuilder &b, Location loc, const Mask &mask) {
  linalg::GenericOp add = mask.fusedAdd;
  Block *body = add.getBody();
  // The body ops the addend depends on, and the inputs they read.
  llvm::SetVector<Operation *> needed;
  llvm::SetVector<unsigned> inputArgs;
  SmallVector<Value> pending = {mask.addend};
  while (!pending.empty()) {
    Value v = pending.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v); arg && arg.getOwner() == body) {
      inputArgs.insert(arg.getArgNumber());
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != body || !needed.insert(def))
      continue;
    llvm::append_range(pending, def->getOperands());
  }
  SmallVector<unsigned> args = llvm::to_vector(inputArgs);
  llvm::sort(args);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (unsigned arg : args) {
    OpOperand *input = add.getDpsInputOperand(arg);
    inputs.push_back(input->get());
    maps.push_back(add.getMatchingIndexingMap(input));
  }
  Value init = mask.value;
  auto initType = getTensorType(init);
  SmallVector<OpFoldResult> sizes;
  for (int64_t i = 0; i < initType.getRank(); ++i)
    sizes.push_back(getDim(b, loc, init, i));
  Value empty =
      tensor::EmptyOp::create(b, loc, sizes, initType.getElementType());
  maps.push_back(add.getMatchingIndexingMap(add.getDpsInitOperand(0)));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{empty.getType()}, inputs, ValueRange{empty}, maps,
      add.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location nloc, ValueRange blockArgs) {
        IRMapping mapping;
        for (auto [i, arg] : llvm::enumerate(args))
          mapping.map(body->getArgument(arg), blockArgs[i]);
        for (Operation &op : body->without_terminator())
          if (needed.contains(&op))
            nb.clone(op, mapping);
        linalg::YieldOp::create(nb, nloc, mapping.lookup(mask.addend));
      });
  return generic.getResult(0);
}

Value materializeMask(OpBuilder &b, Location loc, const Mask &mask,
                      int64_t batch, int64_t heads) {
  Value x = mask.fusedAdd ? buildFusedAddend(b, loc, mask) : mask.value;
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
/// elementwise generic computing an exp whose result is summed (exp(x - max) /
/// Σ, the inner exp of a log-sum-exp) or flows into a contraction.
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

  /// Parses the option once, before any thread runs; a bad one fails the
  /// pipeline with one line (no op to print: the IR is not at fault).
  LogicalResult initialize(MLIRContext *ctx) override {
    std::string configError;
    parsedConfig = parseConfig(ctx, configError);
    if (!parsedConfig)
      return emitError(UnknownLoc::get(ctx)) << configError;
    return success();
  }

  void runOnOperation() override {
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
};

} // namespace

SmallVector<AttentionOp> hdp::raiseAttention(RewriterBase &rewriter,
                                             Operation *root,
                                             ConfigAttr config) {
  return raiseAll(rewriter, root, config, /*rejections=*/nullptr);
}
