//===- RaiseAttentionScores.cpp - scores back to Q·Kᵀ --------------------===//
//
// From the softmax input back to the Q·Kᵀ contraction (scales, a mask,
// reshapes, copies, casts, a transpose of K·Qᵀ) and from the contractions'
// operands back to Q, K and V.
//
//===----------------------------------------------------------------------===//

#include "RaiseAttentionMatch.h"

#include "mlir/Dialect/Linalg/Utils/Utils.h"

namespace hdp::raise {

//===----------------------------------------------------------------------===//
// Leaves and the mask
//===----------------------------------------------------------------------===//

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

namespace {

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

} // namespace

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
    if (std::optional<FusedAdd> fused = matchFusedAddGeneric(def)) {
      if (match.mask)
        return match.reject(def, "adds a second mask to the scores");
      if (match.scoreScaleSeen)
        return match.reject(def, "adds the mask before the scores are "
                                 "scaled, which hdp.attention does not "
                                 "compute");
      if (match.scoresTransposed)
        return match.reject(def, "adds the mask before the scores are "
                                 "transposed");
      auto g = cast<linalg::GenericOp>(def);
      int64_t rank = g.getNumLoops();
      Mask m{g.getDpsInits()[0], llvm::to_vector(llvm::seq<int64_t>(0, rank)),
             rank};
      m.fusedAdd = g;
      m.addend = fused->addend;
      match.addChain(def);
      match.mask = m;
      // A scale in the same body comes before the add: scale·S + mask.
      if (fused->factor) {
        match.factor *= *fused->factor;
        match.scoreScaleSeen = true;
      }
      cur = def->getOperand(fused->scores);
      continue;
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

} // namespace hdp::raise
