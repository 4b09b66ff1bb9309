//===- RaiseAttentionSoftmax.cpp - softmax as frontends write it ---------===//
//
// The softmax over the last dim of the scores: linalg.softmax, the chain
// max → x - max → exp → sum → normalise, and the log-sum-exp form.
//
//===----------------------------------------------------------------------===//

#include "RaiseAttentionMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

namespace hdp::raise {

namespace {

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

enum class Combiner { Max, Sum };

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

} // namespace

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

} // namespace hdp::raise
