//===- RaiseAttentionMatch.h - hdp-raise-attention matching -*- C++ -*-===//
//
// Internal to hdp-raise-attention: what its matchers find in frontend
// linalg and the recognisers they share. RaiseAttentionUtils.cpp recognises
// single ops and values, RaiseAttentionSoftmax.cpp the softmax,
// RaiseAttentionScores.cpp the scores back to Q·Kᵀ and the leaves,
// RaiseAttention.cpp anchors the match on P·V, rewrites and runs the pass.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_DIALECT_HDP_TRANSFORMS_RAISEATTENTIONMATCH_H
#define HDP_LIB_DIALECT_HDP_TRANSFORMS_RAISEATTENTIONMATCH_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace hdp::raise {

using namespace mlir;

constexpr int64_t kDynamic = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Values and single ops (RaiseAttentionUtils.cpp)
//===----------------------------------------------------------------------===//

RankedTensorType getTensorType(Value v);
/// A tensor of a floating-point type attention is written in (f32, and f16
/// or bf16 programs, whose raised attention computes in f32).
bool isFloatTensor(Value v);
int64_t getRank(Value v);
bool isIdentityPermutation(ArrayRef<int64_t> perm);
/// The permutation swapping the last two of `rank` dims.
SmallVector<int64_t> swapLastTwo(int64_t rank);
/// Two sizes that may be the same at run time.
bool dimsAgree(int64_t a, int64_t b);
/// The more static of two agreeing sizes.
int64_t mergeDims(int64_t a, int64_t b);
bool isAllParallel(linalg::LinalgOp op);
/// The value yielded for result `i` of `g`.
Value getYielded(linalg::GenericOp g, unsigned i = 0);
/// The index of the input whose block argument is `v`, if any.
std::optional<unsigned> getInputIndex(linalg::GenericOp g, Value v);
bool initArgUnused(linalg::GenericOp g, unsigned i = 0);
/// The indexing maps of `op` with each constant-0 result replaced, where it
/// can be, by an otherwise unused loop dimension of size 1.
SmallVector<AffineMap> getCanonicalMaps(linalg::LinalgOp op);
/// Map of `operand` in `g` after canonicalisation.
AffineMap getCanonicalMap(linalg::GenericOp g, unsigned operandIndex);
/// An all-parallel generic on float tensors with one result whose init is
/// read through the identity, i.e. an elementwise op over its result.
bool isElementwise(linalg::GenericOp g);
/// `map` reads one row value per element, broadcast along the last of `rank`
/// loops.
bool isRowMap(AffineMap map, int64_t rank, RankedTensorType operandType);

/// The value of every element of `v` when it is known at compile time;
/// `env` binds block arguments of enclosing generic bodies being evaluated.
std::optional<double> evalUniform(Value v, const DenseMap<Value, double> &env,
                                  unsigned depth = 0);
std::optional<double> evalUniform(Value v);
/// Binds the block arguments of the uniform inputs of `g`, leaving out
/// input `except`.
DenseMap<Value, double> bindUniformInputs(linalg::GenericOp g,
                                          std::optional<unsigned> except);

/// A copy of the single input, possibly permuting dimensions: returns p with
/// result dim k = input dim p[k].
std::optional<SmallVector<int64_t>> getCopyPermutation(Operation *op);
Value getCopySource(Operation *op);
/// The source of an op that passes values through, changing at most their
/// precision.
Value getPassThroughSource(Operation *op);
/// collapse_shape [[0, 1], [2], [3]] from rank 4 to rank 3 (B·H merged).
tensor::CollapseShapeOp getBatchMerge(Value v);
/// expand_shape [[0, 1], [2], [3]] from rank 3 to rank 4 (B·H split).
tensor::ExpandShapeOp getBatchSplit(Value v);
/// A reshape that only adds or drops a trailing unit dimension.
Operation *getTrailingUnitReshape(Value v);

/// An elementwise generic multiplying (or dividing) one input by a uniform
/// value. Returns the input index and the factor applied (1/c, in f32, for a
/// division by c).
struct ScaleGeneric {
  unsigned input;
  double factor;
};

/// A masked fill, select(cond, fill, scores) or select(cond, scores, fill),
/// with a uniform fill value that removes the element (<= -10000, e.g.
/// -inf): the same as adding `fill` where the mask applies and 0 elsewhere.
struct SelectGeneric {
  unsigned scores, cond;
  double fill;
  bool fillWhen;
};

/// Why a chain was not raised: the first op that did not match and what
/// was expected of it (the latest rejection wins, so that of alternatives
/// tried in turn the last one is reported).
struct Rejection {
  Location loc = UnknownLoc();
  std::string opName, reason;
  bool set = false;
};

std::optional<ScaleGeneric> matchScaleGeneric(Operation *op);
/// An elementwise generic adding two tensors; returns the two inputs.
std::optional<std::pair<unsigned, unsigned>> matchAddGeneric(Operation *op);
/// An elementwise generic adding to one input (identity map), possibly
/// scaled by a uniform value in the same body, a value its body computes
/// from the other inputs only: the input, the addend and the scale.
struct FusedAdd {
  unsigned scores;
  Value addend;
  std::optional<double> factor;
};
std::optional<FusedAdd> matchFusedAddGeneric(Operation *op);
std::optional<SelectGeneric> matchSelectGeneric(Operation *op);

/// Records why `op` did not match and returns failure.
LogicalResult reject(Rejection &r, Operation *op, const Twine &reason);

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

FailureOr<Contraction> matchContraction(Operation *op, Rejection &why);

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
  /// For a mask computed in the body of the add itself (elementwise fusion
  /// of e.g. (1 - m)·c into it), the add and the addend: the raised op reads
  /// a generic computing the addend over the add's loops, and `value` is the
  /// add's init, of the loops' shape.
  linalg::GenericOp fusedAdd = {};
  Value addend = {};
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
    return raise::reject(why, op, reason);
  }

  void addChain(Operation *op) {
    chain.push_back(op);
    for (Value r : op->getResults())
      split.add(r.getType());
  }
};

//===----------------------------------------------------------------------===//
// Stages of the chain
//===----------------------------------------------------------------------===//

/// Matches the softmax over the last dim producing `p` and returns its
/// input (RaiseAttentionSoftmax.cpp). `user` reads `p`.
FailureOr<Value> matchSoftmax(Value p, Match &match, Operation *user);

/// Walks from the softmax input back to Q·Kᵀ and traces Q and K
/// (RaiseAttentionScores.cpp).
LogicalResult matchScores(Value cur, Match &match);

/// Follows a leaf operand (Q, K or V) back to the value the raised op reads.
Leaf traceLeaf(Value value, SmallVector<int64_t> perm, bool allowScale,
               Match &match);

} // namespace hdp::raise

#endif // HDP_LIB_DIALECT_HDP_TRANSFORMS_RAISEATTENTIONMATCH_H
