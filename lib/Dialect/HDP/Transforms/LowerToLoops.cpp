//===- LowerToLoops.cpp - hdp stage ops on memrefs → scf loops ------------===//
//
// hdp-lower-to-loops: each stage op on memrefs becomes an scf.for nest that
// computes docs/semantics.md exactly. Integer stages use the same integer
// formulas as the reference (i64 sums, i128 threshold products), so masks
// agree bit for bit. Work of pruned blocks and heads is skipped with scf.if.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Semantics/FixedPoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace hdp {
#define GEN_PASS_DEF_HDPLOWERTOLOOPS
#include "hdp/Dialect/HDP/Transforms/Passes.h.inc"
} // namespace hdp

using namespace mlir;
using namespace hdp;

namespace {

/// Small IR-building vocabulary shared by the lowerings: constants, dims,
/// loops with and without loop-carried values, and conditionals.
class LoopEmitter {
public:
  LoopEmitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &builder() { return b; }
  Location location() { return loc; }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i64(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
  }
  Value i128(int64_t v) {
    // Signless IntegerAttr::get(type, int64_t) would zero-extend negatives.
    Type type = b.getIntegerType(128);
    return arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(type, llvm::APInt(128, v, /*isSigned=*/true)));
  }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                          llvm::APFloat(v));
  }
  Value boolean(bool v) {
    return arith::ConstantIntOp::create(b, loc, b.getI1Type(), v);
  }

  /// Size of dimension `d` of a memref, as an index.
  Value dim(Value memref, int64_t d) {
    auto type = cast<MemRefType>(memref.getType());
    if (!type.isDynamicDim(d))
      return index(type.getDimSize(d));
    return memref::DimOp::create(b, loc, memref, d);
  }

  Value load(Value memref, ValueRange ivs) {
    return memref::LoadOp::create(b, loc, memref, ivs);
  }
  void store(Value value, Value memref, ValueRange ivs) {
    memref::StoreOp::create(b, loc, value, memref, ivs);
  }

  /// for (iv = lb; iv < ub; ++iv) body(iv)
  void loop(Value lb, Value ub, function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, lb, ub, index(1), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPoint(nested.getInsertionBlock(),
                                             nested.getInsertionPoint());
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }
  void loop(Value ub, function_ref<void(Value)> body) {
    loop(index(0), ub, body);
  }

  /// for (iv = lb; iv < ub; ++iv) acc = body(iv, acc); returns acc.
  SmallVector<Value>
  loopAcc(Value lb, Value ub, ValueRange init,
          function_ref<SmallVector<Value>(Value, ValueRange)> body,
          int64_t step = 1) {
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, index(step), init,
        [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nested.getInsertionBlock(),
                              nested.getInsertionPoint());
          SmallVector<Value> next = body(iv, args);
          scf::YieldOp::create(b, loc, next);
        });
    return SmallVector<Value>(forOp.getResults().begin(),
                              forOp.getResults().end());
  }

  /// if (cond) thenBody() else elseBody(), no results.
  void ifThenElse(Value cond, function_ref<void()> thenBody,
                  function_ref<void()> elseBody = nullptr) {
    auto emitRegion = [&](function_ref<void()> body) {
      return [&, body](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        if (body)
          body();
        scf::YieldOp::create(b, loc);
      };
    };
    if (elseBody)
      scf::IfOp::create(b, loc, cond, emitRegion(thenBody),
                        emitRegion(elseBody));
    else
      scf::IfOp::create(b, loc, cond, emitRegion(thenBody));
  }

  /// if (cond) yield thenBody() else yield elseBody().
  SmallVector<Value>
  ifThenElseValues(Value cond, function_ref<SmallVector<Value>()> thenBody,
                   function_ref<SmallVector<Value>()> elseBody) {
    auto emitRegion = [&](function_ref<SmallVector<Value>()> body) {
      return [&, body](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        scf::YieldOp::create(b, loc, body());
      };
    };
    auto ifOp = scf::IfOp::create(b, loc, cond, emitRegion(thenBody),
                                  emitRegion(elseBody));
    return SmallVector<Value>(ifOp.getResults().begin(),
                              ifOp.getResults().end());
  }

  /// min(a, b) on indices.
  Value minIndex(Value x, Value y) {
    return arith::MinSIOp::create(b, loc, x, y);
  }
  Value mulIndex(Value x, int64_t c) {
    return arith::MulIOp::create(b, loc, x, index(c));
  }
  Value addIndex(Value x, Value y) {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value ceilDiv(Value x, int64_t c) {
    return arith::CeilDivUIOp::create(b, loc, x, index(c));
  }
  Value divIndex(Value x, int64_t c) {
    return arith::DivUIOp::create(b, loc, x, index(c));
  }

  /// Sign-extends (or keeps) an integer to `width` bits.
  Value sext(Value v, unsigned width) {
    auto type = cast<IntegerType>(v.getType());
    if (type.getWidth() == width)
      return v;
    Type wide = b.getIntegerType(width);
    if (type.getWidth() > width)
      return arith::TruncIOp::create(b, loc, wide, v);
    return arith::ExtSIOp::create(b, loc, wide, v);
  }
  Value truncTo(Value v, Type type) {
    if (v.getType() == type)
      return v;
    return arith::TruncIOp::create(b, loc, type, v);
  }

private:
  OpBuilder &b;
  Location loc;
};

/// Reads the additive mask at (b, h, i, j) of the [B,H,N,M] score matrix,
/// broadcasting by numpy rules: a mask dimension of size 1 reads index 0.
class MaskReader {
public:
  MaskReader(LoopEmitter &e, Value mask) : e(e), mask(mask) {}

  explicit operator bool() const { return static_cast<bool>(mask); }

  Value read(ValueRange bhij) {
    auto type = cast<MemRefType>(mask.getType());
    int64_t rank = type.getRank();
    SmallVector<Value> ivs;
    for (int64_t k = 0; k < rank; ++k) {
      Value iv = bhij[4 - rank + k];
      if (type.isDynamicDim(k)) {
        OpBuilder &b = e.builder();
        Value isOne =
            arith::CmpIOp::create(b, e.location(), arith::CmpIPredicate::eq,
                                  e.dim(mask, k), e.index(1));
        iv = arith::SelectOp::create(b, e.location(), isOne, e.index(0), iv);
      } else if (type.getDimSize(k) == 1) {
        iv = e.index(0);
      }
      ivs.push_back(iv);
    }
    return e.load(mask, ivs);
  }

  /// mask ≤ -10000 removes the element.
  Value isRemoved(Value value) {
    return arith::CmpFOp::create(e.builder(), e.location(),
                                 arith::CmpFPredicate::OLE, value,
                                 e.f32(hdp::kRemovedThreshold));
  }

private:
  LoopEmitter &e;
  Value mask;
};

/// Lanes of the vectorised reductions along D (and Dv): 16 x i32 or f32 is
/// one AVX-512 register or two AVX2 registers; LLVM legalises it for any
/// x86-64.
constexpr int64_t kLanes = 16;

/// Σ over `pairs` of Σ_d ext(a[aIdx.., d])·ext(b[bIdx.., d]) in an integer of
/// `accWidth` bits. Vectorised along d when D is static (the memrefs'
/// innermost dimension is contiguous after bufferization); the tail and
/// dynamic D use scalar loops. Integer sums are exact, so the order of the
/// additions does not matter.
struct DotOperand {
  Value memref;
  SmallVector<Value> prefix; // indices before d
};
Value emitDotSum(LoopEmitter &e,
                 ArrayRef<std::pair<DotOperand, DotOperand>> pairs, Value D,
                 int64_t staticD, unsigned accWidth) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Type accType = b.getIntegerType(accWidth);
  auto at = [](const DotOperand &op, Value d) {
    SmallVector<Value> idx = op.prefix;
    idx.push_back(d);
    return idx;
  };
  Value zero = arith::ConstantIntOp::create(b, loc, accType, 0);
  Value total = zero;
  Value tailStart = e.index(0);
  if (!ShapedType::isDynamic(staticD) && staticD >= kLanes) {
    int64_t full = staticD / kLanes * kLanes;
    auto vecType = VectorType::get({kLanes}, accType);
    Value vzero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vecType, b.getIntegerAttr(accType, 0)));
    SmallVector<Value> acc = e.loopAcc(
        e.index(0), e.index(full), {vzero},
        [&](Value d, ValueRange a) -> SmallVector<Value> {
          Value sum = a[0];
          for (const auto &[x, y] : pairs) {
            auto load = [&](const DotOperand &op) {
              Type elt = cast<MemRefType>(op.memref.getType()).getElementType();
              Value v = vector::LoadOp::create(
                  b, loc, VectorType::get({kLanes}, elt), op.memref, at(op, d));
              if (elt == accType)
                return v;
              if (elt.getIntOrFloatBitWidth() > accWidth)
                return arith::TruncIOp::create(b, loc, vecType, v).getResult();
              return arith::ExtSIOp::create(b, loc, vecType, v).getResult();
            };
            sum = arith::AddIOp::create(
                b, loc, sum, arith::MulIOp::create(b, loc, load(x), load(y)));
          }
          return {sum};
        },
        kLanes);
    total =
        vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, acc[0]);
    tailStart = e.index(full);
  }
  SmallVector<Value> tail = e.loopAcc(
      tailStart, D, {total}, [&](Value d, ValueRange a) -> SmallVector<Value> {
        Value sum = a[0];
        for (const auto &[x, y] : pairs) {
          Value xv = e.sext(e.load(x.memref, at(x, d)), accWidth);
          Value yv = e.sext(e.load(y.memref, at(y, d)), accWidth);
          sum = arith::AddIOp::create(b, loc, sum,
                                      arith::MulIOp::create(b, loc, xv, yv));
        }
        return {sum};
      });
  return tail[0];
}

/// Whether Σ_d over `terms` products each bounded by 2^productBits fits i32.
bool fitsI32(int64_t staticD, int64_t terms, int64_t productBits) {
  if (ShapedType::isDynamic(staticD))
    return false;
  double bits = std::log2(static_cast<double>(staticD * terms)) +
                static_cast<double>(productBits);
  return bits < 31.0;
}

bool hasPureBufferSemantics(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return isa<MemRefType>(t); });
}

//===----------------------------------------------------------------------===//
// Register-blocked integer kernels
//
// Q·Kᵀ tiles of kTileRows query rows × VL keys are computed as outer
// products: per d, one vector of VL keys from a transposed copy Kᵀ[d][j]
// of the K operand times a broadcast Q scalar per row, accumulated in
// vectors of i16 (when D·max|product| < 2^15) or i32. Integer sums are
// exact, so any order and any (sufficiently wide) accumulator gives the same
// integers as the reference. No horizontal reductions are needed; LLVM
// legalises the generic vector ops for any x86-64.
//===----------------------------------------------------------------------===//

constexpr int64_t kTileRows = 4;

/// Width (16 or 32) of an accumulator holding Σ_d of `terms` products each
/// of magnitude ≤ maxProduct, 0 when i32 is not enough or D is dynamic.
unsigned accumulatorWidth(int64_t staticD, int64_t terms, int64_t maxProduct) {
  if (ShapedType::isDynamic(staticD))
    return 0;
  double total = static_cast<double>(staticD) * static_cast<double>(terms) *
                 static_cast<double>(maxProduct);
  if (total < 32768.0)
    return 16;
  if (total < 2147483648.0)
    return 32;
  return 0;
}

/// 512 bits of accumulators per row: 32 × i16 or 16 × i32.
int64_t lanesFor(unsigned width) { return width == 16 ? 32 : 16; }

Value splat(LoopEmitter &e, VectorType type, Attribute value) {
  return arith::ConstantOp::create(e.builder(), e.location(),
                                   DenseElementsAttr::get(type, value));
}

/// kT[d, j] = k[prefix..., j, d] for j < M, d < D.
void emitTranspose(LoopEmitter &e, Value k, ValueRange prefix, Value kT,
                   Value M, Value D) {
  e.loop(M, [&](Value j) {
    e.loop(D, [&](Value d) {
      SmallVector<Value> idx(prefix.begin(), prefix.end());
      idx.push_back(j);
      idx.push_back(d);
      e.store(e.load(k, idx), kT, {d, j});
    });
  });
}

/// A [D, M] buffer for a transposed K operand.
Value allocTransposed(LoopEmitter &e, Value k) {
  auto type = cast<MemRefType>(k.getType());
  int64_t rank = type.getRank();
  int64_t m = type.getDimSize(rank - 2), d = type.getDimSize(rank - 1);
  SmallVector<Value> dynSizes;
  if (ShapedType::isDynamic(d))
    dynSizes.push_back(e.dim(k, rank - 1));
  if (ShapedType::isDynamic(m))
    dynSizes.push_back(e.dim(k, rank - 2));
  auto kTType = MemRefType::get({d, m}, type.getElementType());
  return memref::AllocOp::create(e.builder(), e.location(), kTType, dynSizes);
}

/// One product term: Q operand (rows read as scalars at
/// qPrefix..., row, d), a transposed K operand, and the accumulator it adds
/// into.
struct OuterTerm {
  Value q;
  SmallVector<Value> qPrefix;
  Value kT;
  unsigned acc;
};

/// Returns accs[acc * kTileRows + r] = Σ_d over the terms of acc of
/// q[row0 + r, d] · kT[d, j0 .. j0+VL) as vector<VL x accElt>.
SmallVector<Value> emitOuterProducts(LoopEmitter &e, ArrayRef<OuterTerm> terms,
                                     unsigned numAcc, int64_t VL, Type accElt,
                                     Value row0, Value j0, Value D) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  auto vecType = VectorType::get({VL}, accElt);
  Value zero = splat(e, vecType, b.getIntegerAttr(accElt, 0));
  SmallVector<Value> init(numAcc * kTileRows, zero);
  SmallVector<Value> rows;
  for (int64_t r = 0; r < kTileRows; ++r)
    rows.push_back(e.addIndex(row0, e.index(r)));
  auto widen = [&](Value v, Type to) -> Value {
    if (v.getType() == to)
      return v;
    return arith::ExtSIOp::create(b, loc, to, v);
  };
  return e.loopAcc(
      e.index(0), D, init, [&](Value d, ValueRange acc) -> SmallVector<Value> {
        SmallVector<Value> next(acc.begin(), acc.end());
        llvm::DenseMap<Value, Value> kVecs;
        llvm::DenseMap<std::pair<Value, int64_t>, Value> qVecs;
        for (const OuterTerm &t : terms) {
          Value kv = kVecs.lookup(t.kT);
          if (!kv) {
            Type elt = cast<MemRefType>(t.kT.getType()).getElementType();
            kv = vector::LoadOp::create(b, loc, VectorType::get({VL}, elt),
                                        t.kT, ValueRange{d, j0});
            kv = widen(kv, vecType);
            kVecs[t.kT] = kv;
          }
          for (int64_t r = 0; r < kTileRows; ++r) {
            Value qv = qVecs.lookup({t.q, r});
            if (!qv) {
              SmallVector<Value> idx = t.qPrefix;
              idx.push_back(rows[r]);
              idx.push_back(d);
              Value s = widen(e.load(t.q, idx), accElt);
              qv = vector::BroadcastOp::create(b, loc, vecType, s);
              qVecs[{t.q, r}] = qv;
            }
            unsigned slot = t.acc * kTileRows + r;
            next[slot] = arith::AddIOp::create(
                b, loc, next[slot], arith::MulIOp::create(b, loc, qv, kv));
          }
        }
        return next;
      });
}

/// Whether the scores written into `buffer` (block_score's S_int) are read
/// by anything but approx_combine, which recomputes them from the integer
/// parts, and deallocation.
bool scoresNeeded(Value buffer, Operation *writer) {
  for (Operation *user : buffer.getUsers()) {
    if (user == writer || isa<ApproxCombineOp, memref::DeallocOp>(user))
      continue;
    if (isa<memref::SubViewOp, memref::CastOp>(user)) {
      if (scoresNeeded(user->getResult(0), writer))
        return true;
      continue;
    }
    return true;
  }
  return false;
}

/// The innermost scf.for around `op` when `values` are all defined outside
/// it (a loop over tiles whose K operands do not change), else null.
scf::ForOp invariantLoop(Operation *op, ValueRange values) {
  auto loop = op->getParentOfType<scf::ForOp>();
  if (!loop)
    return {};
  for (Value v : values)
    if (loop->isAncestor(v.getParentBlock()->getParentOp()) ||
        v.getParentBlock()->getParentOp() == loop.getOperation())
      return {};
  return loop;
}

//===----------------------------------------------------------------------===//
// Stage 1: split_quantize (elementwise, any rank)
//===----------------------------------------------------------------------===//

void lowerSplitQuantize(LoopEmitter &e, SplitQuantizeOp op) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  ConfigAttr config = op.getEffectiveConfig();
  int64_t F = config.getFracBits(), I = config.getIntBits();
  Value input = op.getInput(), hiOut = op.getInits()[0],
        loOut = op.getInits()[1];
  Type partType = cast<MemRefType>(hiOut.getType()).getElementType();
  int64_t rank = cast<MemRefType>(input.getType()).getRank();

  // Both bounds are exact in f32 (|bound| <= 2^15).
  float minRaw = -std::ldexp(1.0f, static_cast<int>(I + F - 1));
  float maxRaw = std::ldexp(1.0f, static_cast<int>(I + F - 1)) - 1.0f;
  float preScale = std::ldexp(1.0f, static_cast<int>(F + config.getShift()));

  std::function<void(SmallVector<Value>)> nest = [&](SmallVector<Value> ivs) {
    if (static_cast<int64_t>(ivs.size()) < rank) {
      e.loop(e.dim(input, ivs.size()), [&](Value iv) {
        SmallVector<Value> next = ivs;
        next.push_back(iv);
        nest(next);
      });
      return;
    }
    Value x = e.load(input, ivs);
    Value scaled = arith::MulFOp::create(b, loc, x, e.f32(preScale));
    // NaN quantises to 0 (docs/semantics.md).
    Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                        scaled, scaled);
    scaled = arith::SelectOp::create(b, loc, isNan, e.f32(0.0f), scaled);
    // Clamping before rounding equals clamping after: the bounds are
    // integers. Clamping first keeps the f32→int conversion in range.
    scaled = arith::MaximumFOp::create(b, loc, scaled, e.f32(minRaw));
    scaled = arith::MinimumFOp::create(b, loc, scaled, e.f32(maxRaw));
    Value rounded = math::RoundEvenOp::create(b, loc, scaled);
    Value raw = arith::FPToSIOp::create(b, loc, b.getI32Type(), rounded);
    Value fBits = arith::ConstantIntOp::create(b, loc, b.getI32Type(), F);
    Value hi = arith::ShRSIOp::create(b, loc, raw, fBits);
    Value lo = arith::SubIOp::create(b, loc, raw,
                                     arith::ShLIOp::create(b, loc, hi, fBits));
    e.store(e.sext(hi, partType.getIntOrFloatBitWidth()), hiOut, ivs);
    e.store(e.sext(lo, partType.getIntOrFloatBitWidth()), loOut, ivs);
  };
  nest({});
}

//===----------------------------------------------------------------------===//
// Stage 3a: prune_mask of one block row
//===----------------------------------------------------------------------===//

/// Prunes one block row (docs/semantics.md, stage 3a) whose θ `thetaAt(bj)`
/// reads; `storeKept(bj, kept)` writes its block mask. Under importance =
/// abs θ ≥ 0 for a valid block and -1 for an invalid one, and
/// `magnitudeAt` is null. Under importance = signed θ has any sign and
/// `magnitudeAt(bj)` reads the block's Σ|S_int| (-1: invalid). Returns the
/// sum of the row's valid magnitudes: the row's share of its head's θ_H.
Value emitPruneRow(LoopEmitter &e, const hdp::AttentionConfig &cfg, Value MB,
                   function_ref<Value(Value)> thetaAt,
                   function_ref<Value(Value)> magnitudeAt,
                   function_ref<void(Value, Value)> storeKept) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Type i64 = b.getI64Type();
  auto wide = [&](Value v) { return e.sext(v, 128); };
  auto mul = [&](Value x, Value y) {
    return arith::MulIOp::create(b, loc, x, y).getResult();
  };
  auto add = [&](Value x, Value y) {
    return arith::AddIOp::create(b, loc, x, y).getResult();
  };
  auto sub = [&](Value x, Value y) {
    return arith::SubIOp::create(b, loc, x, y).getResult();
  };
  auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y).getResult();
  };
  auto select = [&](Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y).getResult();
  };
  const bool signedRanking = static_cast<bool>(magnitudeAt);
  // The block's Σ|S_int|, -1 when invalid.
  auto magnitude = [&](Value bj) {
    return signedRanking ? magnitudeAt(bj) : thetaAt(bj);
  };
  auto isValidAt = [&](Value bj, Value theta) {
    return cmp(arith::CmpIPredicate::sge, signedRanking ? magnitudeAt(bj) : theta,
               e.i64(0));
  };
  Value zero = e.i64(0);
  // Σ of the row's valid magnitudes (invalid blocks hold -1).
  auto validSum = [&] {
    return e.loopAcc(e.index(0), MB, {zero},
                     [&](Value bj, ValueRange s) -> SmallVector<Value> {
                       return {add(s[0], arith::MaxSIOp::create(
                                             b, loc, magnitude(bj), zero))};
                     })[0];
  };

  if (cfg.policy == hdp::Policy::Dense) {
    return e.loopAcc(e.index(0), MB, {zero},
                     [&](Value bj, ValueRange s) -> SmallVector<Value> {
                       Value m = magnitude(bj);
                       Value valid = cmp(arith::CmpIPredicate::sge, m, zero);
                       storeKept(bj, valid);
                       return {select(valid, add(s[0], m), s[0])};
                     })[0];
  }
  if (cfg.policy == hdp::Policy::TopK) {
    // Kept ⇔ valid and fewer than k valid blocks rank above it (larger θ,
    // or equal θ at a lower column).
    e.loop(MB, [&](Value bj) {
      Value theta = thetaAt(bj);
      Value column = arith::IndexCastOp::create(b, loc, i64, bj);
      SmallVector<Value> above = e.loopAcc(
          e.index(0), MB, {zero},
          [&](Value other, ValueRange count) -> SmallVector<Value> {
            Value t = thetaAt(other);
            Value larger = cmp(arith::CmpIPredicate::sgt, t, theta);
            Value tieBefore = arith::AndIOp::create(
                b, loc, cmp(arith::CmpIPredicate::eq, t, theta),
                cmp(arith::CmpIPredicate::ult,
                    arith::IndexCastOp::create(b, loc, i64, other), column));
            Value ranksAbove = arith::AndIOp::create(
                b, loc, isValidAt(other, t),
                arith::OrIOp::create(b, loc, larger, tieBefore));
            return {
                add(count[0], arith::ExtUIOp::create(b, loc, i64, ranksAbove))};
          });
      storeKept(bj, arith::AndIOp::create(b, loc, isValidAt(bj, theta),
                                          cmp(arith::CmpIPredicate::slt,
                                              above[0], e.i64(cfg.topk))));
    });
    return validSum();
  }

  // policy = hdp: statistics of the row's valid blocks, as plain
  // add/max/min reductions (which LLVM vectorises). Under importance = abs
  // invalid blocks have θ = -1 and valid ones θ ≥ 0, so Σ max(θ, 0) is the
  // valid sum and the maximum over all blocks is the valid maximum whenever
  // nb > 0; with nb = 0 the maximum and minimum are multiplied by nb and do
  // not matter. Under importance = signed validity selects each term.
  int64_t r = fixed::rhoToQ16(cfg.rho);
  Value maxI64 = e.i64(std::numeric_limits<int64_t>::max());
  Value minI64 = e.i64(std::numeric_limits<int64_t>::min());
  SmallVector<Value> init = {zero, zero, minI64, maxI64};
  if (signedRanking)
    init.push_back(zero); // Σ valid magnitudes
  SmallVector<Value> stats = e.loopAcc(
      e.index(0), MB, init, [&](Value bj, ValueRange s) -> SmallVector<Value> {
        Value theta = thetaAt(bj);
        Value valid = isValidAt(bj, theta);
        Value nb = add(s[0], arith::ExtUIOp::create(b, loc, i64, valid));
        if (!signedRanking) {
          Value sum = add(s[1], arith::MaxSIOp::create(b, loc, theta, zero));
          Value mx = arith::MaxSIOp::create(b, loc, s[2], theta);
          Value mn = arith::MinSIOp::create(b, loc, s[3],
                                            select(valid, theta, maxI64));
          return {nb, sum, mx, mn};
        }
        Value sum = add(s[1], select(valid, theta, zero));
        Value mx =
            arith::MaxSIOp::create(b, loc, s[2], select(valid, theta, minI64));
        Value mn =
            arith::MinSIOp::create(b, loc, s[3], select(valid, theta, maxI64));
        Value mag = add(s[4], arith::MaxSIOp::create(b, loc, magnitudeAt(bj),
                                                     zero));
        return {nb, sum, mx, mn, mag};
      });
  Value nb = wide(stats[0]), sum = wide(stats[1]), mx = wide(stats[2]),
        mn = wide(stats[3]);
  Value q16 = e.i128(65536), rr = e.i128(r);
  // Kept ⇔ valid and 65536·nb·θ ≥ T, with (i128)
  //   T = 65536·S + r·(nb·mx − S)  (r ≥ 0)
  //   T = 65536·S + r·(S − nb·mn)  (r < 0).
  Value spread = r >= 0 ? sub(mul(nb, mx), sum) : sub(sum, mul(nb, mn));
  Value threshold = add(mul(q16, sum), mul(rr, spread));
  // For ρ ∈ [-1, 1], 65536·nb·mn ≤ T ≤ 65536·nb·mx (0 ≤ T under abs). When
  // T fits i64 the test is θ ≥ ⌈T / (65536·nb)⌉ (exact for integers, the
  // divisor being positive): one i64 division per row instead of an i128
  // product per block.
  Value fitsI64 = cmp(arith::CmpIPredicate::sle, threshold,
                      e.i128(std::numeric_limits<int64_t>::max()));
  if (signedRanking)
    fitsI64 = arith::AndIOp::create(
        b, loc, fitsI64,
        cmp(arith::CmpIPredicate::sge, threshold,
            e.i128(std::numeric_limits<int64_t>::min())));
  e.ifThenElse(
      fitsI64,
      [&] {
        Value divisor = arith::MaxSIOp::create(
            b, loc, mul(e.i64(65536), stats[0]), e.i64(1));
        Value cutoff =
            arith::CeilDivSIOp::create(b, loc, e.sext(threshold, 64), divisor);
        e.loop(MB, [&](Value bj) {
          Value theta = thetaAt(bj);
          storeKept(bj, arith::AndIOp::create(
                            b, loc, isValidAt(bj, theta),
                            cmp(arith::CmpIPredicate::sge, theta, cutoff)));
        });
      },
      [&] {
        Value scaleNb = mul(q16, nb);
        e.loop(MB, [&](Value bj) {
          Value theta = thetaAt(bj);
          Value reaches = cmp(arith::CmpIPredicate::sge,
                              mul(scaleNb, wide(theta)), threshold);
          storeKept(bj, arith::AndIOp::create(b, loc, isValidAt(bj, theta),
                                              reaches));
        });
      });
  return signedRanking ? stats[4] : stats[1];
}

void lowerPruneMask(LoopEmitter &e, PruneMaskOp op) {
  hdp::AttentionConfig cfg = op.getEffectiveConfig().toReference();
  Value thetaIn = op.getTheta(), maskOut = op.getInits()[0];
  Value magnitudeIn = op.getMagnitude();
  Value B = e.dim(thetaIn, 0), H = e.dim(thetaIn, 1), NB = e.dim(thetaIn, 2),
        MB = e.dim(thetaIn, 3);
  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      e.loop(NB, [&](Value bi) {
        auto magnitudeAt = [&](Value bj) {
          return e.load(magnitudeIn, {ib, ih, bi, bj});
        };
        emitPruneRow(
            e, cfg, MB,
            [&](Value bj) {
              return e.load(thetaIn, {ib, ih, bi, bj});
            },
            magnitudeIn ? function_ref<Value(Value)>(magnitudeAt) : nullptr,
            [&](Value bj, Value kept) {
              e.store(kept, maskOut, {ib, ih, bi, bj});
            });
      });
    });
  });
}

//===----------------------------------------------------------------------===//
// Stage 3b: head_mask, one batch item at a time
//===----------------------------------------------------------------------===//

/// The head mask of batch item `ib` from its θ_H, already in `thetaH`, and
/// their sum `total`: kept ⇔ H·65536·θ_H ≥ t·Σθ_H', in i128.
void emitHeadMask(LoopEmitter &e, const hdp::AttentionConfig &cfg, Value ib,
                  Value H, Value total, Value thetaH, Value headOut) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  // The capped Q16 τ_H every implementation uses (a large τ_H would make a
  // plain double->int64 conversion undefined).
  auto t = static_cast<int64_t>(fixed::tauHToQ16(cfg.tauH));
  Value heads128 =
      e.sext(arith::IndexCastOp::create(b, loc, b.getI64Type(), H), 128);
  Value rhs = arith::MulIOp::create(b, loc, e.i128(t), e.sext(total, 128));
  e.loop(H, [&](Value ih) {
    Value th = e.sext(e.load(thetaH, {ib, ih}), 128);
    Value lhs = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, heads128, e.i128(65536)), th);
    Value kept =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, lhs, rhs);
    e.store(kept, headOut, {ib, ih});
  });
}

void lowerHeadMask(LoopEmitter &e, HeadMaskOp op) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  hdp::AttentionConfig cfg = op.getEffectiveConfig().toReference();
  Value thetaIn = op.getTheta(), headOut = op.getInits()[0],
        thetaHOut = op.getInits()[1];
  Value B = e.dim(thetaIn, 0), H = e.dim(thetaIn, 1), NB = e.dim(thetaIn, 2),
        MB = e.dim(thetaIn, 3);
  e.loop(B, [&](Value ib) {
    SmallVector<Value> total = e.loopAcc(
        e.index(0), H, {e.i64(0)},
        [&](Value ih, ValueRange tot) -> SmallVector<Value> {
          SmallVector<Value> head = e.loopAcc(
              e.index(0), NB, {e.i64(0)}, [&](Value bi, ValueRange s) {
                return e.loopAcc(
                    e.index(0), MB, s,
                    [&](Value bj, ValueRange s2) -> SmallVector<Value> {
                      Value theta = e.load(thetaIn, {ib, ih, bi, bj});
                      Value valid = arith::CmpIOp::create(
                          b, loc, arith::CmpIPredicate::sge, theta, e.i64(0));
                      Value added = arith::AddIOp::create(b, loc, s2[0], theta);
                      return {
                          arith::SelectOp::create(b, loc, valid, added, s2[0])};
                    });
              });
          e.store(head[0], thetaHOut, {ib, ih});
          return {arith::AddIOp::create(b, loc, tot[0], head[0])};
        });
    emitHeadMask(e, cfg, ib, H, total[0], thetaHOut, headOut);
  });
}

//===----------------------------------------------------------------------===//
// Stage 2: block_score, one tile of block rows at a time; fused with
// prune_mask and head_mask when they are its only readers of θ
//===----------------------------------------------------------------------===//

/// A block_score whose θ buffer is private to one prune_mask and one
/// head_mask that follow it with nothing but allocations in between: the
/// three are lowered together at the later of the two, θ existing one tile
/// of block rows at a time instead of [B, H, N/bm, M/bn].
struct FusedScoring {
  PruneMaskOp prune;
  HeadMaskOp head;
  Operation *last;
};

std::optional<FusedScoring> findFusedScoring(BlockScoreOp op) {
  // θ (and, under importance = signed, the block magnitudes) must be private
  // buffers read by exactly one prune_mask and one head_mask: the prune mask
  // reads θ (and the magnitudes), the head mask the magnitudes (θ itself
  // under abs).
  Value theta = op.getInits()[1];
  Value magnitude = op.getInits().size() > 2 ? op.getInits()[2] : Value();
  FusedScoring fused{};
  for (Value buffer : {theta, magnitude}) {
    if (!buffer)
      continue;
    if (!buffer.getDefiningOp<memref::AllocOp>())
      return std::nullopt;
    for (Operation *user : buffer.getUsers()) {
      if (user == op.getOperation() || isa<memref::DeallocOp>(user))
        continue;
      if (user->getBlock() != op->getBlock() || !op->isBeforeInBlock(user) ||
          llvm::count(user->getOperands(), buffer) != 1)
        return std::nullopt;
      if (auto pm = dyn_cast<PruneMaskOp>(user);
          pm && pm.getTheta() == theta &&
          (!magnitude || pm.getMagnitude() == magnitude) &&
          (!fused.prune || fused.prune == pm))
        fused.prune = pm;
      else if (auto hm = dyn_cast<HeadMaskOp>(user);
               hm && hm.getTheta() == (magnitude ? magnitude : theta) &&
               (!fused.head || fused.head == hm))
        fused.head = hm;
      else
        return std::nullopt;
    }
  }
  if (!fused.prune || !fused.head)
    return std::nullopt;
  fused.last = fused.prune->isBeforeInBlock(fused.head)
                   ? fused.head.getOperation()
                   : fused.prune.getOperation();
  // Moving block_score down to `last` must not reorder memory accesses.
  for (Operation *it = op->getNextNode(); it != fused.last;
       it = it->getNextNode()) {
    if (it == fused.prune.getOperation() || it == fused.head.getOperation() ||
        isa<memref::AllocOp>(it) || isMemoryEffectFree(it))
      continue;
    return std::nullopt;
  }
  return fused;
}

void lowerBlockScore(LoopEmitter &e, BlockScoreOp op, FusedScoring *fused) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  ConfigAttr config = op.getEffectiveConfig();
  int64_t bm = config.getBlockRows(), bn = config.getBlockCols();
  Value qHi = op.getQueryHi(), kHi = op.getKeyHi();
  Value scoresOut = op.getInits()[0], thetaOut = op.getInits()[1];
  // importance = signed: θ is Σ S_int and the block magnitudes (Σ|S_int|,
  // -1 for an invalid block) go to a third buffer.
  const bool signedRanking =
      config.getImportance() == hdp::Importance::Signed;
  Value magnitudeOut = signedRanking ? op.getInits()[2] : Value();
  Type scoreType = cast<MemRefType>(scoresOut.getType()).getElementType();
  Type i64 = b.getI64Type();
  MaskReader mask(e, op.getMask());
  // S_int is written only when something other than approx_combine reads
  // it; otherwise its buffer is dead and goes away.
  bool writeScores = scoresNeeded(scoresOut, op);

  Value B = e.dim(qHi, 0), H = e.dim(qHi, 1), N = e.dim(qHi, 2),
        D = e.dim(qHi, 3), M = e.dim(kHi, 2);
  // Fused, θ's buffer goes away: block counts come from the block mask.
  Value blockShaped = fused ? fused->prune.getInits()[0] : thetaOut;
  Value NB = e.dim(blockShaped, 2), MB = e.dim(blockShaped, 3);
  int64_t staticD = cast<MemRefType>(qHi.getType()).getDimSize(3);

  // θ of one block, scalar (edges, masks, dynamic D), and under importance
  // = signed its magnitude (second value).
  auto blockTheta = [&](Value ib, Value ih, Value bi,
                        Value bj) -> SmallVector<Value> {
    Value i0 = e.mulIndex(bi, bm);
    Value i1 = e.minIndex(e.addIndex(i0, e.index(bm)), N);
    Value j0 = e.mulIndex(bj, bn);
    Value j1 = e.minIndex(e.addIndex(j0, e.index(bn)), M);
    // Loop-carried: θ, whether any element is kept (valid) and, signed, the
    // magnitude.
    SmallVector<Value> init = {e.i64(0), e.boolean(false)};
    if (signedRanking)
      init.push_back(e.i64(0));
    SmallVector<Value> acc = e.loopAcc(
        i0, i1, init, [&](Value i, ValueRange rowAcc) {
          return e.loopAcc(j0, j1, rowAcc, [&](Value j, ValueRange elemAcc) {
            // |hi| <= 2^(I-1): products are below 2^(2I-2).
            unsigned width =
                fitsI32(staticD, 1, 2 * (config.getIntBits() - 1)) ? 32 : 64;
            Value dot = emitDotSum(
                e,
                {{DotOperand{qHi, {ib, ih, i}}, DotOperand{kHi, {ib, ih, j}}}},
                D, staticD, width);
            Value s = e.sext(dot, 64);
            if (writeScores)
              e.store(e.truncTo(s, scoreType), scoresOut, {ib, ih, i, j});
            Value absS = math::AbsIOp::create(b, loc, s);
            Value kept = e.boolean(true);
            if (mask)
              kept = arith::XOrIOp::create(
                  b, loc, mask.isRemoved(mask.read({ib, ih, i, j})),
                  e.boolean(true));
            Value added = arith::AddIOp::create(b, loc, elemAcc[0],
                                                signedRanking ? s : absS);
            Value theta =
                arith::SelectOp::create(b, loc, kept, added, elemAcc[0]);
            Value valid = arith::OrIOp::create(b, loc, elemAcc[1], kept);
            if (!signedRanking)
              return SmallVector<Value>{theta, valid};
            Value mag = arith::SelectOp::create(
                b, loc, kept, arith::AddIOp::create(b, loc, elemAcc[2], absS),
                elemAcc[2]);
            return SmallVector<Value>{theta, valid, mag};
          });
        });
    // A magnitude of -1 marks a block whose every element is removed (θ
    // itself under abs).
    if (!signedRanking)
      return {arith::SelectOp::create(b, loc, acc[1], acc[0], e.i64(-1))};
    return {acc[0],
            arith::SelectOp::create(b, loc, acc[1], acc[2], e.i64(-1))};
  };

  int64_t maxHi = int64_t(1) << (config.getIntBits() - 1);
  unsigned accWidth = accumulatorWidth(staticD, 1, maxHi * maxHi);
  int64_t VL = lanesFor(accWidth);
  bool fast = !mask && accWidth && kTileRows % bm == 0 && VL % bn == 0;
  // Block rows per step of the traversal below.
  int64_t rowsPerStep = fast ? kTileRows / bm : 1;

  // Where θ goes: θOut[ib, ih, bi, bj], or, fused, row `bi mod rowsPerStep`
  // of a small buffer that the step's pruning reads.
  Value thetaRows, magnitudeRows;
  if (fused) {
    SmallVector<Value> dynSizes;
    auto blockType = cast<MemRefType>(blockShaped.getType());
    if (blockType.isDynamicDim(3))
      dynSizes.push_back(MB);
    auto rowsType =
        MemRefType::get({rowsPerStep, blockType.getDimSize(3)}, i64);
    thetaRows = memref::AllocOp::create(b, loc, rowsType, dynSizes);
    if (signedRanking)
      magnitudeRows = memref::AllocOp::create(b, loc, rowsType, dynSizes);
  }
  auto storeBlock = [&](Value v, Value rowsBuffer, Value out, Value ib,
                        Value ih, Value bi, Value row, Value bj) {
    SmallVector<Value> idx = fused ? SmallVector<Value>{row, bj}
                                   : SmallVector<Value>{ib, ih, bi, bj};
    if (isa<VectorType>(v.getType()))
      vector::StoreOp::create(b, loc, v, fused ? rowsBuffer : out, idx);
    else
      e.store(v, fused ? rowsBuffer : out, idx);
  };
  // θ and, signed, the magnitude of a block (scalars) or of consecutive
  // blocks (vectors).
  auto storeTheta = [&](ArrayRef<Value> values, Value ib, Value ih, Value bi,
                        Value row, Value bj) {
    storeBlock(values[0], thetaRows, thetaOut, ib, ih, bi, row, bj);
    if (signedRanking)
      storeBlock(values[1], magnitudeRows, magnitudeOut, ib, ih, bi, row, bj);
  };
  // After a step's θ is complete: prune its `rows` block rows from `bi0`
  // and add their θ to the head's θ_H.
  hdp::AttentionConfig pruneCfg, headCfg;
  if (fused) {
    pruneCfg = fused->prune.getEffectiveConfig().toReference();
    headCfg = fused->head.getEffectiveConfig().toReference();
  }
  auto finishRows = [&](Value ib, Value ih, Value bi0, int64_t rows,
                        Value headSum) {
    if (!fused)
      return headSum;
    Value maskOut = fused->prune.getInits()[0];
    for (int64_t row = 0; row < rows; ++row) {
      Value r = e.index(row);
      Value bi = e.addIndex(bi0, r);
      auto magnitudeAt = [&](Value bj) {
        return e.load(magnitudeRows, {r, bj});
      };
      Value rowSum = emitPruneRow(
          e, pruneCfg, MB,
          [&](Value bj) {
            return e.load(thetaRows, {r, bj});
          },
          signedRanking ? function_ref<Value(Value)>(magnitudeAt) : nullptr,
          [&](Value bj, Value kept) {
            e.store(kept, maskOut, {ib, ih, bi, bj});
          });
      headSum = arith::AddIOp::create(b, loc, headSum, rowSum);
    }
    return headSum;
  };
  // One block row the scalar way, from column `bj0`.
  auto scalarRow = [&](Value ib, Value ih, Value bi, Value row, Value bj0) {
    e.loop(bj0, MB, [&](Value bj) {
      storeTheta(blockTheta(ib, ih, bi, bj), ib, ih, bi, row, bj);
    });
  };

  // Per head: the main part in steps of rowsPerStep block rows (vector
  // tiles of kTileRows × VL scores, θ of their blocks from lane shuffles,
  // then the right edge), then the bottom edge one block row at a time.
  Value kT = fast ? allocTransposed(e, kHi) : Value();
  Value nMain =
      fast ? e.mulIndex(e.divIndex(N, kTileRows), kTileRows) : e.index(0);
  Value mMain = fast ? e.mulIndex(e.divIndex(M, VL), VL) : e.index(0);
  Value nbMain = e.divIndex(nMain, bm), mbMain = e.divIndex(mMain, bn);
  Type accElt = b.getIntegerType(fast ? accWidth : 32);
  auto wideType = VectorType::get({VL}, i64);
  auto scoreVecType = VectorType::get({VL}, scoreType);
  int64_t colBlocks = VL / bn;
  auto emitTile = [&](Value ib, Value ih, Value i0, Value j0) {
    SmallVector<Value> acc = emitOuterProducts(
        e, {OuterTerm{qHi, {ib, ih}, kT, 0}}, 1, VL, accElt, i0, j0, D);
    // Per score row: what θ sums (|S_int| or, signed, S_int) and, signed,
    // the magnitudes.
    SmallVector<Value> absRows, signedRows;
    for (int64_t r = 0; r < kTileRows; ++r) {
      Value row = e.addIndex(i0, e.index(r));
      if (writeScores) {
        Value s = acc[r];
        if (scoreVecType != s.getType())
          s = arith::ExtSIOp::create(b, loc, scoreVecType, s);
        vector::StoreOp::create(b, loc, s, scoresOut,
                                ValueRange{ib, ih, row, j0});
      }
      Value wide = arith::ExtSIOp::create(b, loc, wideType, acc[r]);
      absRows.push_back(math::AbsIOp::create(b, loc, wide));
      signedRows.push_back(wide);
    }
    // The blocks' sums of `rows` over one block row `br`: bm rows added,
    // then the bn lanes of each block gathered and added.
    auto blockSums = [&](ArrayRef<Value> rows, int64_t br) {
      Value sum = rows[br * bm];
      for (int64_t t = 1; t < bm; ++t)
        sum = arith::AddIOp::create(b, loc, sum, rows[br * bm + t]);
      Value total;
      for (int64_t t = 0; t < bn; ++t) {
        SmallVector<int64_t> lanes;
        for (int64_t c = 0; c < colBlocks; ++c)
          lanes.push_back(c * bn + t);
        Value part = bn == 1
                         ? sum
                         : vector::ShuffleOp::create(b, loc, sum, sum, lanes)
                               .getResult();
        total = total ? arith::AddIOp::create(b, loc, total, part).getResult()
                      : part;
      }
      return total;
    };
    Value bj0 = e.divIndex(j0, bn);
    for (int64_t br = 0; br < kTileRows / bm; ++br) {
      // No mask on this path: every block is valid.
      SmallVector<Value> values = {
          blockSums(signedRanking ? signedRows : absRows, br)};
      if (signedRanking)
        values.push_back(blockSums(absRows, br));
      Value bi = e.addIndex(e.divIndex(i0, bm), e.index(br));
      storeTheta(values, ib, ih, bi, e.index(br), bj0);
    }
  };

  e.loop(B, [&](Value ib) {
    SmallVector<Value> total = e.loopAcc(
        e.index(0), H, {e.i64(0)},
        [&](Value ih, ValueRange tot) -> SmallVector<Value> {
          SmallVector<Value> mainSum = {e.i64(0)};
          if (fast) {
            emitTranspose(e, kHi, {ib, ih}, kT, M, D);
            mainSum = e.loopAcc(
                e.index(0), nMain, {e.i64(0)},
                [&](Value i0, ValueRange s) -> SmallVector<Value> {
                  e.loopAcc(
                      e.index(0), mMain, {},
                      [&](Value j0, ValueRange) -> SmallVector<Value> {
                        emitTile(ib, ih, i0, j0);
                        return {};
                      },
                      VL);
                  Value bi0 = e.divIndex(i0, bm);
                  for (int64_t row = 0; row < rowsPerStep; ++row)
                    scalarRow(ib, ih, e.addIndex(bi0, e.index(row)),
                              e.index(row), mbMain);
                  return {finishRows(ib, ih, bi0, rowsPerStep, s[0])};
                },
                kTileRows);
          }
          SmallVector<Value> headSum =
              e.loopAcc(nbMain, NB, mainSum,
                        [&](Value bi, ValueRange s) -> SmallVector<Value> {
                          scalarRow(ib, ih, bi, e.index(0), e.index(0));
                          return {finishRows(ib, ih, bi, 1, s[0])};
                        });
          if (!fused)
            return {tot[0]};
          e.store(headSum[0], fused->head.getInits()[1], {ib, ih});
          return {arith::AddIOp::create(b, loc, tot[0], headSum[0])};
        });
    if (fused)
      emitHeadMask(e, headCfg, ib, H, total[0], fused->head.getInits()[1],
                   fused->head.getInits()[0]);
  });
  if (kT)
    memref::DeallocOp::create(b, loc, kT);
  if (thetaRows)
    memref::DeallocOp::create(b, loc, thetaRows);
  if (magnitudeRows)
    memref::DeallocOp::create(b, loc, magnitudeRows);
}

//===----------------------------------------------------------------------===//
// Stage 4: approx_combine, one block at a time; pruned blocks skip the
// fraction products entirely.
//===----------------------------------------------------------------------===//

/// Tiles of the vector kernel with at most this many kept scores (kept blocks
/// times bm·bn) compute only their kept blocks, one block at a time: below
/// it that is cheaper than the kTileRows × VL outer products (measured at
/// D = 64 with 2×2 blocks: 16 of 32 blocks is faster, all 32 slower).
constexpr int64_t kFewKeptScores = 64;

/// The sums of the lanes of each of `vs` (n vectors of L lanes, n a power of
/// two dividing L), as one vector<n>: a shuffle tree that halves the segments
/// of two vectors at a time and so shares its adds, instead of n separate
/// horizontal reductions.
Value emitSumsOfLanes(LoopEmitter &e, ArrayRef<Value> vs) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  int64_t L = cast<VectorType>(vs.front().getType()).getNumElements();
  SmallVector<Value> cur(vs.begin(), vs.end());
  // Each vector of `cur` holds `segs` segments of g = L/segs lanes, one per
  // input vector; adding the first and second halves of every segment of two
  // vectors gives one vector of 2·segs segments.
  int64_t segs = 1;
  auto halves = [&](Value x, Value y, int64_t segsX, int64_t g) {
    SmallVector<int64_t> lo, hi;
    for (int64_t src = 0; src < (y ? 2 : 1); ++src)
      for (int64_t i = 0; i < segsX; ++i)
        for (int64_t t = 0; t < g / 2; ++t) {
          lo.push_back(src * L + i * g + t);
          hi.push_back(src * L + i * g + g / 2 + t);
        }
    Value other = y ? y : x;
    return arith::AddIOp::create(
               b, loc, vector::ShuffleOp::create(b, loc, x, other, lo),
               vector::ShuffleOp::create(b, loc, x, other, hi))
        .getResult();
  };
  while (cur.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i < cur.size(); i += 2)
      next.push_back(halves(cur[i], cur[i + 1], segs, L / segs));
    cur = std::move(next);
    segs *= 2;
  }
  // One vector of n segments: halve them in place down to one lane each.
  Value v = cur.front();
  for (int64_t g = L / segs; g > 1; g /= 2) {
    v = halves(v, Value(), segs, g);
    L = cast<VectorType>(v.getType()).getNumElements();
  }
  return v;
}

void lowerApproxCombine(LoopEmitter &e, ApproxCombineOp op) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  ConfigAttr config = op.getEffectiveConfig();
  hdp::AttentionConfig cfg = config.toReference();
  int64_t bm = cfg.blockRows, bn = cfg.blockCols, F = cfg.fracBits;
  Value qHi = op.getQueryHi(), qLo = op.getQueryLo(), kHi = op.getKeyHi(),
        kLo = op.getKeyLo(), blockMask = op.getBlockMask(),
        headMask = op.getHeadMask(), out = op.getInits()[0];
  // S_int (the scores operand) equals Σ_d hiQ·hiK by definition: it is
  // recomputed here, next to the fraction products, so that block_score
  // need not keep the whole N×M integer matrix.
  MaskReader mask(e, op.getMask());
  Value B = e.dim(qHi, 0), H = e.dim(qHi, 1), N = e.dim(qHi, 2),
        D = e.dim(qHi, 3), M = e.dim(kHi, 2);
  Value NB = e.dim(blockMask, 2), MB = e.dim(blockMask, 3);
  int64_t staticD = cast<MemRefType>(qHi.getType()).getDimSize(3);

  // The softmax scale: 1/sqrt(D) rounded to f32 unless configured.
  Value scale;
  if (cfg.scale || !ShapedType::isDynamic(staticD)) {
    scale = e.f32(cfg.effectiveScale(staticD));
  } else {
    Value d64 = arith::UIToFPOp::create(
        b, loc, b.getF64Type(),
        arith::IndexCastOp::create(b, loc, b.getI64Type(), D));
    Value one = arith::ConstantFloatOp::create(b, loc, b.getF64Type(),
                                               llvm::APFloat(1.0));
    Value inv =
        arith::DivFOp::create(b, loc, one, math::SqrtOp::create(b, loc, d64));
    scale = arith::TruncFOp::create(b, loc, b.getF32Type(), inv);
  }
  // 2^-(2F+2shift) is exact in f32 for every valid configuration.
  float rescaleValue = std::ldexp(1.0f, -static_cast<int>(2 * F + 2 * cfg.shift));
  Value rescale = e.f32(rescaleValue);
  Value negInf = e.f32(-std::numeric_limits<float>::infinity());

  // The scalar lowering of one block (edges, masks, dynamic D); pruned
  // blocks skip every product.
  auto emitBlock = [&](Value ib, Value ih, Value headKept, Value bi,
                       Value bj) {
    Value i0 = e.mulIndex(bi, bm);
    Value i1 = e.minIndex(e.addIndex(i0, e.index(bm)), N);
    Value j0 = e.mulIndex(bj, bn);
    Value j1 = e.minIndex(e.addIndex(j0, e.index(bn)), M);
    Value kept = arith::AndIOp::create(b, loc, headKept,
                                       e.load(blockMask, {ib, ih, bi, bj}));
    e.ifThenElse(
        kept,
        [&] {
          e.loop(i0, i1, [&](Value i) {
            e.loop(j0, j1, [&](Value j) {
              Value maskValue;
              Value removed;
              if (mask) {
                maskValue = mask.read({ib, ih, i, j});
                removed = mask.isRemoved(maskValue);
              }
              auto compute = [&] {
                // |lo| < 2^F and |hi| <= 2^(I-1).
                int64_t crossBits = F + cfg.intBits - 1;
                unsigned crossWidth = fitsI32(staticD, 2, crossBits) ? 32 : 64;
                DotOperand ql{qLo, {ib, ih, i}}, qh{qHi, {ib, ih, i}},
                    kl{kLo, {ib, ih, j}}, kh{kHi, {ib, ih, j}};
                Value cross = e.sext(
                    emitDotSum(e, {{ql, kh}, {qh, kl}}, D, staticD, crossWidth),
                    64);
                Value ff;
                if (!cfg.approx)
                  ff = e.sext(emitDotSum(e, {{ql, kl}}, D, staticD,
                                         fitsI32(staticD, 1, 2 * F) ? 32 : 64),
                              64);
                Value s = e.sext(
                    emitDotSum(e, {{qh, kh}}, D, staticD,
                               fitsI32(staticD, 1, 2 * (cfg.intBits - 1)) ? 32
                                                                          : 64),
                    64);
                // A = S·2^(2F) + cross·2^F [+ ff]
                Value a = arith::AddIOp::create(
                    b, loc, arith::ShLIOp::create(b, loc, s, e.i64(2 * F)),
                    arith::ShLIOp::create(b, loc, cross, e.i64(F)));
                if (!cfg.approx)
                  a = arith::AddIOp::create(b, loc, a, ff);
                Value score = arith::SIToFPOp::create(b, loc, b.getF32Type(), a);
                score = arith::MulFOp::create(b, loc, score, rescale);
                score = arith::MulFOp::create(b, loc, score, scale);
                if (mask)
                  score = arith::AddFOp::create(b, loc, score, maskValue);
                e.store(score, out, {ib, ih, i, j});
              };
              if (mask)
                e.ifThenElse(
                    removed, [&] { e.store(negInf, out, {ib, ih, i, j}); },
                    compute);
              else
                compute();
            });
          });
        },
        [&] {
          e.loop(i0, i1, [&](Value i) {
            e.loop(j0, j1,
                   [&](Value j) { e.store(negInf, out, {ib, ih, i, j}); });
          });
        });
  };

  // The vector kernel: S, the cross term (and Frac·Frac) of kTileRows × VL
  // scores at once, for tiles with at least one kept block; pruned blocks
  // of the tile are replaced by -inf with a lane select.
  int64_t maxHi = int64_t(1) << (cfg.intBits - 1);
  int64_t maxLo = (int64_t(1) << F) - 1;
  unsigned sWidth = accumulatorWidth(staticD, 1, maxHi * maxHi);
  unsigned cWidth = accumulatorWidth(staticD, 2, maxLo * maxHi);
  unsigned fWidth =
      cfg.approx ? 16 : accumulatorWidth(staticD, 1, maxLo * maxLo);
  unsigned accWidth = std::max({sWidth, cWidth, fWidth});
  if (!sWidth || !cWidth || !fWidth)
    accWidth = 0;
  int64_t VL = lanesFor(accWidth);
  bool fast = !mask && accWidth && kTileRows % bm == 0 && VL % bn == 0;
  if (!fast) {
    e.loop(B, [&](Value ib) {
      e.loop(H, [&](Value ih) {
        Value headKept = e.load(headMask, {ib, ih});
        e.loop(NB, [&](Value bi) {
          e.loop(MB, [&](Value bj) { emitBlock(ib, ih, headKept, bi, bj); });
        });
      });
    });
    return;
  }
  // |A| bound: i32 when it fits, else i64.
  double aBound = static_cast<double>(staticD) *
                  (static_cast<double>(maxHi * maxHi) * std::ldexp(1.0, 2 * F) +
                   2.0 * static_cast<double>(maxLo * maxHi) * std::ldexp(1.0, F) +
                   (cfg.approx ? 0.0 : static_cast<double>(maxLo * maxLo)));
  Type aElt = b.getIntegerType(aBound < 2147483648.0 ? 32 : 64);
  Type accElt = b.getIntegerType(accWidth);
  auto aType = VectorType::get({VL}, aElt);
  auto fType = VectorType::get({VL}, b.getF32Type());
  auto maskType = VectorType::get({VL}, b.getI1Type());

  // Kᵀ copies of the integer and fraction parts. In the tiled pipeline the
  // K operands do not change along the loop over block-row tiles: they are
  // transposed once before it.
  bool hoist = false;
  scf::ForOp tileLoop = invariantLoop(op, {kHi, kLo});
  auto kType = cast<MemRefType>(kHi.getType());
  if (tileLoop && kType.getDimSize(0) == 1 && kType.getDimSize(1) == 1)
    hoist = true;
  Value kTHi, kTLo;
  {
    OpBuilder::InsertionGuard guard(b);
    if (hoist)
      b.setInsertionPoint(tileLoop);
    kTHi = allocTransposed(e, kHi);
    kTLo = allocTransposed(e, kLo);
    if (hoist) {
      Value zero = e.index(0);
      emitTranspose(e, kHi, {zero, zero}, kTHi, e.dim(kHi, 2), e.dim(kHi, 3));
      emitTranspose(e, kLo, {zero, zero}, kTLo, e.dim(kLo, 2), e.dim(kLo, 3));
      b.setInsertionPointAfter(tileLoop);
      memref::DeallocOp::create(b, loc, kTHi);
      memref::DeallocOp::create(b, loc, kTLo);
    }
  }

  Value nMain = e.mulIndex(e.divIndex(N, kTileRows), kTileRows);
  Value mMain = e.mulIndex(e.divIndex(M, VL), VL);
  Value nbMain = e.divIndex(nMain, bm), mbMain = e.divIndex(mMain, bn);
  Value negInfVec = splat(e, fType, b.getF32FloatAttr(
                                        -std::numeric_limits<float>::infinity()));
  Value rescaleVec = splat(e, fType, b.getF32FloatAttr(rescaleValue));
  Value scaleVec = vector::BroadcastOp::create(b, loc, fType, scale);
  Value shift2F = splat(e, aType, b.getIntegerAttr(aElt, 2 * F));
  Value shiftF = splat(e, aType, b.getIntegerAttr(aElt, F));
  int64_t rowBlocks = kTileRows / bm, colBlocks = VL / bn;
  auto blockKept = [&](Value ib, Value ih, Value bi0, Value bj0, int64_t br,
                       int64_t c) {
    return e.load(blockMask, {ib, ih, e.addIndex(bi0, e.index(br)),
                              e.addIndex(bj0, e.index(c))});
  };
  auto ext = [&](Value v) -> Value {
    if (v.getType() == aType)
      return v;
    return arith::ExtSIOp::create(b, loc, aType, v);
  };

  // A whole tile from the outer products; lanes of pruned blocks become
  // -inf (no select needed when all `count` blocks are kept).
  auto emitWholeTile = [&](Value ib, Value ih, Value i0, Value j0, Value bi0,
                           Value bj0, Value count) {
    Value all = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                                      e.index(rowBlocks * colBlocks));
    SmallVector<Value> laneMasks = e.ifThenElseValues(
        all,
        [&]() -> SmallVector<Value> {
          return SmallVector<Value>(rowBlocks,
                                    splat(e, maskType, b.getBoolAttr(true)));
        },
        [&]() -> SmallVector<Value> {
          SmallVector<Value> masks;
          for (int64_t br = 0; br < rowBlocks; ++br) {
            SmallVector<Value> lanes;
            for (int64_t c = 0; c < colBlocks; ++c)
              lanes.append(bn, blockKept(ib, ih, bi0, bj0, br, c));
            masks.push_back(
                vector::FromElementsOp::create(b, loc, maskType, lanes));
          }
          return masks;
        });
    SmallVector<OuterTerm> terms = {{qHi, {ib, ih}, kTHi, 0},
                                    {qLo, {ib, ih}, kTHi, 1},
                                    {qHi, {ib, ih}, kTLo, 1}};
    if (!cfg.approx)
      terms.push_back({qLo, {ib, ih}, kTLo, 2});
    SmallVector<Value> acc =
        emitOuterProducts(e, terms, cfg.approx ? 2 : 3, VL, accElt, i0, j0, D);
    for (int64_t r = 0; r < kTileRows; ++r) {
      Value a = arith::AddIOp::create(
          b, loc, arith::ShLIOp::create(b, loc, ext(acc[r]), shift2F),
          arith::ShLIOp::create(b, loc, ext(acc[kTileRows + r]), shiftF));
      if (!cfg.approx)
        a = arith::AddIOp::create(b, loc, a, ext(acc[2 * kTileRows + r]));
      Value s = arith::SIToFPOp::create(b, loc, fType, a);
      s = arith::MulFOp::create(b, loc, s, rescaleVec);
      s = arith::MulFOp::create(b, loc, s, scaleVec);
      s = arith::SelectOp::create(b, loc, laneMasks[r / bm], s, negInfVec);
      vector::StoreOp::create(
          b, loc, s, out, ValueRange{ib, ih, e.addIndex(i0, e.index(r)), j0});
    }
  };

  // Tiles with few kept blocks: each kept block's bm×bn scores from dot
  // products along D (W lanes of accElt per load), their lane sums taken
  // together by one shuffle tree. The same integers as the outer products,
  // then the same f32 operations, so the same bits.
  int64_t numAcc = cfg.approx ? 2 : 3, blockScores = bm * bn;
  int64_t numSums = llvm::PowerOf2Ceil(numAcc * blockScores);
  int64_t W = VL;
  while (W > numSums && staticD % W != 0)
    W /= 2;
  int64_t fewBlocks = kFewKeptScores / blockScores;
  if (W < numSums || staticD % W != 0)
    fewBlocks = 0;
  auto scoreType = VectorType::get({blockScores}, aElt);
  auto scoreFType = VectorType::get({blockScores}, b.getF32Type());
  Value blockList;
  {
    OpBuilder::InsertionGuard guard(b);
    if (hoist)
      b.setInsertionPoint(tileLoop);
    blockList = memref::AllocOp::create(
        b, loc, MemRefType::get({rowBlocks * colBlocks}, b.getIndexType()));
    if (hoist) {
      b.setInsertionPointAfter(tileLoop);
      memref::DeallocOp::create(b, loc, blockList);
    }
  }
  auto vType = VectorType::get({W}, accElt);
  int64_t chunks = fewBlocks ? staticD / W : 0;
  auto loadRow = [&](Value memref, Value ib, Value ih, Value row,
                     int64_t chunk) -> Value {
    Type elt = cast<MemRefType>(memref.getType()).getElementType();
    Value v =
        vector::LoadOp::create(b, loc, VectorType::get({W}, elt), memref,
                               ValueRange{ib, ih, row, e.index(chunk * W)});
    if (elt == accElt)
      return v;
    if (elt.getIntOrFloatBitWidth() > accElt.getIntOrFloatBitWidth())
      return arith::TruncIOp::create(b, loc, vType, v);
    return arith::ExtSIOp::create(b, loc, vType, v);
  };
  // The bm query rows of a block row (hi and lo, `chunks` vectors per row),
  // loaded once for all its kept blocks.
  auto loadQueryRows = [&](Value ib, Value ih, Value row0,
                           SmallVector<Value> &qh, SmallVector<Value> &ql) {
    for (int64_t r = 0; r < bm; ++r)
      for (int64_t ch = 0; ch < chunks; ++ch) {
        Value row = e.addIndex(row0, e.index(r));
        qh.push_back(loadRow(qHi, ib, ih, row, ch));
        ql.push_back(loadRow(qLo, ib, ih, row, ch));
      }
  };
  auto emitKeptBlock = [&](Value ib, Value ih, Value row0, Value col0,
                           ArrayRef<Value> qh, ArrayRef<Value> ql) {
    SmallVector<Value> kh, kl;
    for (int64_t l = 0; l < bn; ++l)
      for (int64_t ch = 0; ch < chunks; ++ch) {
        Value key = e.addIndex(col0, e.index(l));
        kh.push_back(loadRow(kHi, ib, ih, key, ch));
        kl.push_back(loadRow(kLo, ib, ih, key, ch));
      }
    Value zero = splat(e, vType, b.getIntegerAttr(accElt, 0));
    SmallVector<Value> sums(numSums, zero);
    auto mac = [&](Value &sum, Value x, Value y) {
      Value p = arith::MulIOp::create(b, loc, x, y);
      sum = sum == zero ? p : arith::AddIOp::create(b, loc, sum, p);
    };
    for (int64_t r = 0; r < bm; ++r)
      for (int64_t l = 0; l < bn; ++l)
        for (int64_t ch = 0; ch < chunks; ++ch) {
          int64_t s = r * bn + l, qi = r * chunks + ch, ki = l * chunks + ch;
          mac(sums[s], qh[qi], kh[ki]);
          mac(sums[blockScores + s], ql[qi], kh[ki]);
          mac(sums[blockScores + s], qh[qi], kl[ki]);
          if (!cfg.approx)
            mac(sums[2 * blockScores + s], ql[qi], kl[ki]);
        }
    Value totals = emitSumsOfLanes(e, sums);
    // A 1-D shuffle: the CPU pipeline does not lower extract_strided_slice.
    auto slice = [&](Value v, int64_t offset, int64_t size) -> Value {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < size; ++i)
        lanes.push_back(offset + i);
      return vector::ShuffleOp::create(b, loc, v, v, lanes);
    };
    auto part = [&](int64_t k) -> Value {
      Value v = slice(totals, k * blockScores, blockScores);
      if (accElt == aElt)
        return v;
      return arith::ExtSIOp::create(b, loc, scoreType, v);
    };
    Value a = arith::AddIOp::create(
        b, loc,
        arith::ShLIOp::create(
            b, loc, part(0),
            splat(e, scoreType, b.getIntegerAttr(aElt, 2 * F))),
        arith::ShLIOp::create(b, loc, part(1),
                              splat(e, scoreType, b.getIntegerAttr(aElt, F))));
    if (!cfg.approx)
      a = arith::AddIOp::create(b, loc, a, part(2));
    Value s = arith::SIToFPOp::create(b, loc, scoreFType, a);
    s = arith::MulFOp::create(
        b, loc, s, splat(e, scoreFType, b.getF32FloatAttr(rescaleValue)));
    s = arith::MulFOp::create(
        b, loc, s, vector::BroadcastOp::create(b, loc, scoreFType, scale));
    for (int64_t r = 0; r < bm; ++r)
      vector::StoreOp::create(
          b, loc, slice(s, r * bn, bn), out,
          ValueRange{ib, ih, e.addIndex(row0, e.index(r)), col0});
  };
  // Lists the kept blocks of a tile by block row (their column c) and returns
  // where each block row's list ends; the last is the count.
  auto listKeptBlocks = [&](Value ib, Value ih, Value bi0, Value bj0) {
    Value n = e.index(0), one = e.index(1), none = e.index(0);
    SmallVector<Value> ends;
    for (int64_t br = 0; br < rowBlocks; ++br) {
      for (int64_t c = 0; c < colBlocks; ++c) {
        e.store(e.index(c), blockList, {n});
        n = e.addIndex(
            n, arith::SelectOp::create(
                   b, loc, blockKept(ib, ih, bi0, bj0, br, c), one, none));
      }
      ends.push_back(n);
    }
    return ends;
  };
  // The listed kept blocks of a tile, one at a time.
  auto emitKeptBlocks = [&](Value ib, Value ih, Value i0, Value j0,
                            ArrayRef<Value> ends) {
    for (int64_t br = 0; br < rowBlocks; ++br) {
      Value row0 = e.addIndex(i0, e.index(br * bm));
      SmallVector<Value> qh, ql;
      loadQueryRows(ib, ih, row0, qh, ql);
      e.loop(br ? ends[br - 1] : e.index(0), ends[br], [&](Value k) {
        Value col = e.mulIndex(e.load(blockList, {k}), bn);
        emitKeptBlock(ib, ih, row0, e.addIndex(j0, col), qh, ql);
      });
    }
  };

  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      Value headKept = e.load(headMask, {ib, ih});
      if (!hoist) {
        emitTranspose(e, kHi, {ib, ih}, kTHi, M, D);
        emitTranspose(e, kLo, {ib, ih}, kTLo, M, D);
      }
      e.loopAcc(
          e.index(0), nMain, {},
          [&](Value i0, ValueRange) -> SmallVector<Value> {
            e.loopAcc(
                e.index(0), mMain, {},
                [&](Value j0, ValueRange) -> SmallVector<Value> {
                  Value bi0 = e.divIndex(i0, bm), bj0 = e.divIndex(j0, bn);
                  // The kept blocks listed with scalar loads and a
                  // branch-free running count (a plain sum of the 32 i1
                  // loads is SLP-vectorised into slow k-register chains);
                  // lane masks are built only for tiles computed whole.
                  SmallVector<Value> ends = listKeptBlocks(ib, ih, bi0, bj0);
                  Value count = ends.back();
                  Value any = arith::AndIOp::create(
                      b, loc,
                      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                            count, e.index(0)),
                      headKept);
                  auto negInfTile = [&] {
                    for (int64_t r = 0; r < kTileRows; ++r)
                      vector::StoreOp::create(
                          b, loc, negInfVec, out,
                          ValueRange{ib, ih, e.addIndex(i0, e.index(r)), j0});
                  };
                  e.ifThenElse(
                      any,
                      [&] {
                        if (!fewBlocks) {
                          emitWholeTile(ib, ih, i0, j0, bi0, bj0, count);
                          return;
                        }
                        Value few = arith::CmpIOp::create(
                            b, loc, arith::CmpIPredicate::ule, count,
                            e.index(fewBlocks));
                        e.ifThenElse(
                            few,
                            [&] {
                              negInfTile();
                              emitKeptBlocks(ib, ih, i0, j0, ends);
                            },
                            [&] {
                              emitWholeTile(ib, ih, i0, j0, bi0, bj0, count);
                            });
                      },
                      negInfTile);
                  return {};
                },
                VL);
            return {};
          },
          kTileRows);
      // Edge blocks.
      e.loop(nbMain, NB, [&](Value bi) {
        e.loop(MB, [&](Value bj) { emitBlock(ib, ih, headKept, bi, bj); });
      });
      e.loop(nbMain, [&](Value bi) {
        e.loop(mbMain, MB,
               [&](Value bj) { emitBlock(ib, ih, headKept, bi, bj); });
      });
    });
  });
  if (!hoist) {
    memref::DeallocOp::create(b, loc, kTHi);
    memref::DeallocOp::create(b, loc, kTLo);
    if (blockList)
      memref::DeallocOp::create(b, loc, blockList);
  }
}


//===----------------------------------------------------------------------===//
// Stage 5a: masked_softmax, one row at a time
//===----------------------------------------------------------------------===//

/// 2^(±k) for an i32 k, built from f32 bits; 0 when below the normal
/// range.
Value emitPow2(LoopEmitter &e, Value k, bool negate) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Type i32 = b.getI32Type();
  auto c32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
  };
  Value biased = negate
                     ? arith::SubIOp::create(b, loc, c32(127), k).getResult()
                     : arith::AddIOp::create(b, loc, c32(127), k).getResult();
  Value inRange = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, biased, c32(1)),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, biased,
                            c32(254)));
  Value bits = arith::ShLIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, biased, c32(1)), c32(23));
  Value pow2 = arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
  return arith::SelectOp::create(b, loc, inRange, pow2, e.f32(0.0f));
}

/// The hardware's exp for x ≤ 0 (docs/semantics.md): 2^-z times a
/// second-order polynomial of the remainder.
Value emitPolyExp(LoopEmitter &e, Value x) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  const float ln2 = 0.693147180559945309f;
  Value t = arith::DivFOp::create(b, loc, arith::NegFOp::create(b, loc, x),
                                  e.f32(ln2));
  Value underflows = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, t,
                                           e.f32(256.0f));
  Value tc = arith::MinimumFOp::create(b, loc, t, e.f32(256.0f));
  Value z = math::FloorOp::create(b, loc, tc);
  Value p = arith::AddFOp::create(b, loc, x,
                                  arith::MulFOp::create(b, loc, z, e.f32(ln2)));
  Value u = arith::AddFOp::create(b, loc, p, e.f32(1.353f));
  Value poly = arith::AddFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, e.f32(0.3585f),
                            arith::MulFOp::create(b, loc, u, u)),
      e.f32(0.344f));
  // 2^-z from its f32 bits; z ∈ [0, 256) here and 2^-z below 2^-126 is
  // flushed to 0 (those terms vanish next to the row maximum's 1).
  Value zi = arith::FPToSIOp::create(b, loc, b.getI32Type(), z);
  Value result = arith::MulFOp::create(b, loc, poly, emitPow2(e, zi, true));
  return arith::SelectOp::create(b, loc, underflows, e.f32(0.0f), result);
}

/// The hardware's reciprocal of σ > 0: σ = m·2^e with m ∈ [1, 2),
/// y0 = 24/17 − (8/17)·m, one Newton step, times 2^-e. The exponent and
/// mantissa are read from the f32 bits.
Value emitPolyReciprocal(LoopEmitter &e, Value sigma) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Type i32 = b.getI32Type();
  auto c32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
  };
  Value bits = arith::BitcastOp::create(b, loc, i32, sigma);
  // Row sums are ≥ 1 (the row maximum contributes exp(0) = 1), so σ is a
  // normal number: exponent field minus the bias is e.
  Value expField = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c32(23)), c32(0xff));
  Value exponent = arith::SubIOp::create(b, loc, expField, c32(127));
  Value mantBits = arith::OrIOp::create(
      b, loc, arith::AndIOp::create(b, loc, bits, c32(0x007fffff)),
      c32(127 << 23));
  Value m = arith::BitcastOp::create(b, loc, b.getF32Type(), mantBits);
  Value y0 = arith::SubFOp::create(
      b, loc, e.f32(24.0f / 17.0f),
      arith::MulFOp::create(b, loc, e.f32(8.0f / 17.0f), m));
  Value y1 = arith::MulFOp::create(
      b, loc, y0,
      arith::SubFOp::create(b, loc, e.f32(2.0f),
                            arith::MulFOp::create(b, loc, m, y0)));
  Value pow2 = emitPow2(e, exponent, true);
  return arith::MulFOp::create(b, loc, y1, pow2);
}

/// out[bhi..., j] = 0 for j < M: whole vectors of zeroVec's width up to
/// mMain (M rounded down to that width), scalars after.
void emitZeroRow(LoopEmitter &e, Value out, ValueRange bhi, Value M,
                 Value mMain, Value zeroVec) {
  auto at = [&](Value j) {
    SmallVector<Value> idx(bhi.begin(), bhi.end());
    idx.push_back(j);
    return idx;
  };
  e.loopAcc(
      e.index(0), mMain, {},
      [&](Value j, ValueRange) -> SmallVector<Value> {
        vector::StoreOp::create(e.builder(), e.location(), zeroVec, out,
                                at(j));
        return {};
      },
      cast<VectorType>(zeroVec.getType()).getNumElements());
  e.loop(mMain, M, [&](Value j) { e.store(e.f32(0.0f), out, at(j)); });
}

/// Exact softmax of one row, 16 lanes at a time (tails scalar): the row
/// maximum over finite entries, exp(x − max) (math.exp; the CPU pipeline
/// turns vector exps into a polynomial), the sum in 16 partial sums, then
/// one division per entry as in the reference.
void emitExactSoftmaxRow(LoopEmitter &e, Value in, Value out, ValueRange bhi,
                         Value M) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  constexpr int64_t VL = 16;
  auto vType = VectorType::get({VL}, b.getF32Type());
  float inf = std::numeric_limits<float>::infinity();
  Value negInf = e.f32(-inf), posInf = e.f32(inf);
  Value negInfVec = splat(e, vType, b.getF32FloatAttr(-inf));
  Value posInfVec = splat(e, vType, b.getF32FloatAttr(inf));
  Value zeroVec = splat(e, vType, b.getF32FloatAttr(0.0f));
  auto isFinite = [&](Value x, Value inf) {
    Value absX = math::AbsFOp::create(b, loc, x);
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, absX, inf)
        .getResult();
  };
  auto at = [&](Value j) {
    SmallVector<Value> idx(bhi.begin(), bhi.end());
    idx.push_back(j);
    return idx;
  };
  Value mMain = e.mulIndex(e.divIndex(M, VL), VL);
  Value vmax = e.loopAcc(
                    e.index(0), mMain, {negInfVec},
                    [&](Value j, ValueRange acc) -> SmallVector<Value> {
                      Value x = vector::LoadOp::create(b, loc, vType, in, at(j));
                      Value bigger = arith::AndIOp::create(
                          b, loc, isFinite(x, posInfVec),
                          arith::CmpFOp::create(b, loc,
                                                arith::CmpFPredicate::OGT, x,
                                                acc[0]));
                      return {arith::SelectOp::create(b, loc, bigger, x, acc[0])};
                    },
                    VL)[0];
  Value mx0 = vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXNUMF,
                                          vmax);
  Value mx = e.loopAcc(mMain, M, {mx0},
                       [&](Value j, ValueRange acc) -> SmallVector<Value> {
                         Value x = e.load(in, at(j));
                         Value bigger = arith::AndIOp::create(
                             b, loc, isFinite(x, posInf),
                             arith::CmpFOp::create(
                                 b, loc, arith::CmpFPredicate::OGT, x, acc[0]));
                         return {arith::SelectOp::create(b, loc, bigger, x,
                                                         acc[0])};
                       })[0];
  // A row with a finite entry has a finite maximum.
  Value any =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, mx, negInf);
  e.ifThenElse(
      any,
      [&] {
        Value mxVec = vector::BroadcastOp::create(b, loc, vType, mx);
        Value vsum =
            e.loopAcc(
                 e.index(0), mMain, {zeroVec},
                 [&](Value j, ValueRange acc) -> SmallVector<Value> {
                   Value x = vector::LoadOp::create(b, loc, vType, in, at(j));
                   Value ex = math::ExpOp::create(
                       b, loc, arith::SubFOp::create(b, loc, x, mxVec));
                   ex = arith::SelectOp::create(b, loc, isFinite(x, posInfVec),
                                                ex, zeroVec);
                   vector::StoreOp::create(b, loc, ex, out, at(j));
                   return {arith::AddFOp::create(b, loc, acc[0], ex)};
                 },
                 VL)[0];
        Value sum0 = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, vsum);
        Value sum = e.loopAcc(
            mMain, M, {sum0}, [&](Value j, ValueRange acc) -> SmallVector<Value> {
              Value x = e.load(in, at(j));
              Value ex = math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, x, mx));
              ex = arith::SelectOp::create(b, loc, isFinite(x, posInf), ex,
                                           e.f32(0.0f));
              e.store(ex, out, at(j));
              return {arith::AddFOp::create(b, loc, acc[0], ex)};
            })[0];
        Value sumVec = vector::BroadcastOp::create(b, loc, vType, sum);
        e.loopAcc(
            e.index(0), mMain, {},
            [&](Value j, ValueRange) -> SmallVector<Value> {
              Value ex = vector::LoadOp::create(b, loc, vType, out, at(j));
              vector::StoreOp::create(
                  b, loc, arith::DivFOp::create(b, loc, ex, sumVec), out,
                  at(j));
              return {};
            },
            VL);
        e.loop(mMain, M, [&](Value j) {
          Value ex = e.load(out, at(j));
          e.store(arith::DivFOp::create(b, loc, ex, sum), out, at(j));
        });
      },
      [&] { emitZeroRow(e, out, bhi, M, mMain, zeroVec); });
}

/// Where a masked_softmax reads scores that an hdp.approx_combine wrote: the
/// block and head masks that approx_combine used (its pruned blocks and
/// pruned heads are -inf in the scores), and whether the entries of pruned
/// blocks of P must still be written (0) because something other than a
/// sparse_pv with the same masks may read them.
struct SoftmaxBlocks {
  Value blockMask, headMask;
  int64_t bm = 0, bn = 0;
  bool zeroPruned = true;
};

/// Exact softmax over the kept blocks of each row only (bn lanes per block):
/// a row's finite entries all lie in kept blocks of its block row, so this is
/// the softmax over the row's finite entries. The kept block columns of a
/// block row are listed once (branch-free) and shared by its bm rows.
/// Rows of pruned heads, and the entries of pruned blocks, are written 0
/// only when `zeroPruned` (otherwise no reader looks at them).
void emitExactSoftmaxBlocks(LoopEmitter &e, Value in, Value out,
                            const SoftmaxBlocks &sb) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  int64_t bm = sb.bm, bn = sb.bn;
  constexpr int64_t VL = 16;
  auto vType = VectorType::get({bn}, b.getF32Type());
  auto rowVType = VectorType::get({VL}, b.getF32Type());
  float inf = std::numeric_limits<float>::infinity();
  Value negInf = e.f32(-inf);
  Value negInfVec = splat(e, vType, b.getF32FloatAttr(-inf));
  Value posInfVec = splat(e, vType, b.getF32FloatAttr(inf));
  Value zeroVec = splat(e, vType, b.getF32FloatAttr(0.0f));
  Value zeroRowVec = splat(e, rowVType, b.getF32FloatAttr(0.0f));
  Value B = e.dim(in, 0), H = e.dim(in, 1), N = e.dim(in, 2), M = e.dim(in, 3);
  Value MB = e.dim(sb.blockMask, 3);
  Value NB = e.ceilDiv(N, bm);
  Value list = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getIndexType()),
      ValueRange{MB});
  auto isFinite = [&](Value x) {
    Value absX = math::AbsFOp::create(b, loc, x);
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, absX,
                                 posInfVec)
        .getResult();
  };
  Value mMain = e.mulIndex(e.divIndex(M, VL), VL);
  auto zeroRow = [&](ValueRange bhi) {
    emitZeroRow(e, out, bhi, M, mMain, zeroRowVec);
  };
  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      Value headKept = e.load(sb.headMask, {ib, ih});
      e.ifThenElse(
          headKept,
          [&] {
            e.loop(NB, [&](Value bi) {
              Value one = e.index(1), zero = e.index(0);
              Value cnt = e.loopAcc(
                  zero, MB, {zero},
                  [&](Value bj, ValueRange acc) -> SmallVector<Value> {
                    Value k = e.load(sb.blockMask, {ib, ih, bi, bj});
                    e.store(bj, list, {acc[0]});
                    Value inc = arith::SelectOp::create(b, loc, k, one, zero);
                    return {e.addIndex(acc[0], inc)};
                  })[0];
              Value i0 = e.mulIndex(bi, bm);
              Value i1 = e.minIndex(e.addIndex(i0, e.index(bm)), N);
              // More than half of the columns kept: the 16-lane whole-row
              // softmax is faster (pruned entries are -inf there).
              Value mostlyKept =
                  arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                        e.mulIndex(cnt, 2 * bn), M);
              e.ifThenElse(
                  mostlyKept,
                  [&] {
                    e.loop(i0, i1, [&](Value i) {
                      emitExactSoftmaxRow(e, in, out, {ib, ih, i}, M);
                    });
                  },
                  [&] {
                    e.loop(i0, i1, [&](Value i) {
                      if (sb.zeroPruned)
                        zeroRow({ib, ih, i});
                      // One block's bn entries; the last block may be cut by M.
                      auto loadBlock = [&](Value j0) -> Value {
                        Value full = arith::CmpIOp::create(
                            b, loc, arith::CmpIPredicate::sle,
                            e.addIndex(j0, e.index(bn)), M);
                        return e.ifThenElseValues(
                            full,
                            [&]() -> SmallVector<Value> {
                              return {vector::LoadOp::create(
                                  b, loc, vType, in,
                                  ValueRange{ib, ih, i, j0})};
                            },
                            [&]() -> SmallVector<Value> {
                              SmallVector<Value> lanes;
                              Value last =
                                  arith::SubIOp::create(b, loc, M, one);
                              for (int64_t l = 0; l < bn; ++l) {
                                Value j = e.addIndex(j0, e.index(l));
                                Value valid = arith::CmpIOp::create(
                                    b, loc, arith::CmpIPredicate::slt, j, M);
                                Value x = e.load(
                                    in, {ib, ih, i, e.minIndex(j, last)});
                                lanes.push_back(arith::SelectOp::create(
                                    b, loc, valid, x, negInf));
                              }
                              return {vector::FromElementsOp::create(
                                  b, loc, vType, lanes)};
                            })[0];
                      };
                      auto storeBlock = [&](Value v, Value j0) {
                        Value full = arith::CmpIOp::create(
                            b, loc, arith::CmpIPredicate::sle,
                            e.addIndex(j0, e.index(bn)), M);
                        e.ifThenElse(
                            full,
                            [&] {
                              vector::StoreOp::create(
                                  b, loc, v, out, ValueRange{ib, ih, i, j0});
                            },
                            [&] {
                              for (int64_t l = 0; l < bn; ++l) {
                                Value j = e.addIndex(j0, e.index(l));
                                Value valid = arith::CmpIOp::create(
                                    b, loc, arith::CmpIPredicate::slt, j, M);
                                e.ifThenElse(valid, [&] {
                                  e.store(
                                      vector::ExtractOp::create(b, loc, v, l),
                                      out, {ib, ih, i, j});
                                });
                              }
                            });
                      };
                      auto colOf = [&](Value k) {
                        return e.mulIndex(e.load(list, {k}), bn);
                      };
                      Value vmax = e.loopAcc(
                          zero, cnt, {negInfVec},
                          [&](Value k, ValueRange acc) -> SmallVector<Value> {
                            Value x = loadBlock(colOf(k));
                            Value bigger = arith::AndIOp::create(
                                b, loc, isFinite(x),
                                arith::CmpFOp::create(b, loc,
                                                      arith::CmpFPredicate::OGT,
                                                      x, acc[0]));
                            return {arith::SelectOp::create(b, loc, bigger, x,
                                                            acc[0])};
                          })[0];
                      Value mx = vector::ReductionOp::create(
                          b, loc, vector::CombiningKind::MAXNUMF, vmax);
                      Value any = arith::CmpFOp::create(
                          b, loc, arith::CmpFPredicate::OGT, mx, negInf);
                      e.ifThenElse(
                          any,
                          [&] {
                            Value mxVec =
                                vector::BroadcastOp::create(b, loc, vType, mx);
                            Value vsum = e.loopAcc(
                                zero, cnt, {zeroVec},
                                [&](Value k,
                                    ValueRange acc) -> SmallVector<Value> {
                                  Value j0 = colOf(k);
                                  Value x = loadBlock(j0);
                                  Value ex = math::ExpOp::create(
                                      b, loc,
                                      arith::SubFOp::create(b, loc, x, mxVec));
                                  ex = arith::SelectOp::create(
                                      b, loc, isFinite(x), ex, zeroVec);
                                  storeBlock(ex, j0);
                                  return {arith::AddFOp::create(b, loc, acc[0],
                                                                ex)};
                                })[0];
                            Value sum = vector::ReductionOp::create(
                                b, loc, vector::CombiningKind::ADD, vsum);
                            Value sumVec =
                                vector::BroadcastOp::create(b, loc, vType, sum);
                            e.loop(cnt, [&](Value k) {
                              Value j0 = colOf(k);
                              Value full = arith::CmpIOp::create(
                                  b, loc, arith::CmpIPredicate::sle,
                                  e.addIndex(j0, e.index(bn)), M);
                              e.ifThenElse(
                                  full,
                                  [&] {
                                    Value ex = vector::LoadOp::create(
                                        b, loc, vType, out,
                                        ValueRange{ib, ih, i, j0});
                                    vector::StoreOp::create(
                                        b, loc,
                                        arith::DivFOp::create(b, loc, ex,
                                                              sumVec),
                                        out, ValueRange{ib, ih, i, j0});
                                  },
                                  [&] {
                                    e.loop(j0, M, [&](Value j) {
                                      Value ex = e.load(out, {ib, ih, i, j});
                                      e.store(arith::DivFOp::create(b, loc, ex,
                                                                    sum),
                                              out, {ib, ih, i, j});
                                    });
                                  });
                            });
                          },
                          [&] {
                            // No finite entry: the kept blocks' entries are 0.
                            e.loop(cnt, [&](Value k) {
                              storeBlock(zeroVec, colOf(k));
                            });
                          });
                    });
                  });
            });
          },
          [&] {
            if (sb.zeroPruned)
              e.loop(N, [&](Value i) { zeroRow({ib, ih, i}); });
          });
    });
  });
  memref::DeallocOp::create(b, loc, list);
}

void lowerMaskedSoftmax(LoopEmitter &e, MaskedSoftmaxOp op,
                        const SoftmaxBlocks *blocks) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  bool poly = op.getEffectiveConfig().getSoftmax() == hdp::SoftmaxKind::Poly;
  Value in = op.getInput(), out = op.getInits()[0];
  Value B = e.dim(in, 0), H = e.dim(in, 1), N = e.dim(in, 2), M = e.dim(in, 3);
  Value negInf = e.f32(-std::numeric_limits<float>::infinity());
  Value posInf = e.f32(std::numeric_limits<float>::infinity());
  auto isFinite = [&](Value x) {
    Value absX = math::AbsFOp::create(b, loc, x);
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, absX,
                                 posInf)
        .getResult();
  };
  if (!poly && blocks) {
    emitExactSoftmaxBlocks(e, in, out, *blocks);
    return;
  }
  if (!poly) {
    e.loop(B, [&](Value ib) {
      e.loop(H, [&](Value ih) {
        e.loop(N, [&](Value i) {
          emitExactSoftmaxRow(e, in, out, {ib, ih, i}, M);
        });
      });
    });
    return;
  }
  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      e.loop(N, [&](Value i) {
        SmallVector<Value> mx = e.loopAcc(
            e.index(0), M, {negInf, e.boolean(false)},
            [&](Value j, ValueRange acc) -> SmallVector<Value> {
              Value x = e.load(in, {ib, ih, i, j});
              Value fin = isFinite(x);
              Value bigger = arith::MaximumFOp::create(b, loc, acc[0], x);
              return {arith::SelectOp::create(b, loc, fin, bigger, acc[0]),
                      arith::OrIOp::create(b, loc, acc[1], fin)};
            });
        e.ifThenElse(
            mx[1],
            [&] {
              SmallVector<Value> sum = e.loopAcc(
                  e.index(0), M, {e.f32(0.0f)},
                  [&](Value j, ValueRange acc) -> SmallVector<Value> {
                    Value x = e.load(in, {ib, ih, i, j});
                    Value shifted = arith::SubFOp::create(b, loc, x, mx[0]);
                    Value ex =
                        poly ? emitPolyExp(e, shifted)
                             : math::ExpOp::create(b, loc, shifted).getResult();
                    ex = arith::SelectOp::create(b, loc, isFinite(x), ex,
                                                 e.f32(0.0f));
                    e.store(ex, out, {ib, ih, i, j});
                    return {arith::AddFOp::create(b, loc, acc[0], ex)};
                  });
              Value recip = poly ? emitPolyReciprocal(e, sum[0]) : Value();
              e.loop(M, [&](Value j) {
                Value ex = e.load(out, {ib, ih, i, j});
                Value p =
                    poly
                        ? arith::MulFOp::create(b, loc, ex, recip).getResult()
                        : arith::DivFOp::create(b, loc, ex, sum[0]).getResult();
                e.store(p, out, {ib, ih, i, j});
              });
            },
            [&] {
              e.loop(M, [&](Value j) {
                e.store(e.f32(0.0f), out, {ib, ih, i, j});
              });
            });
      });
    });
  });
}

//===----------------------------------------------------------------------===//
// Stage 5b: sparse_pv, one row at a time over the kept blocks of its row
//===----------------------------------------------------------------------===//

void lowerSparsePV(LoopEmitter &e, SparsePVOp op) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  ConfigAttr config = op.getEffectiveConfig();
  int64_t bm = config.getBlockRows(), bn = config.getBlockCols();
  Value probs = op.getProbs(), value = op.getValue(),
        blockMask = op.getBlockMask(), headMask = op.getHeadMask(),
        out = op.getInits()[0];
  Value B = e.dim(probs, 0), H = e.dim(probs, 1), N = e.dim(probs, 2),
        M = e.dim(probs, 3), Dv = e.dim(value, 3), MB = e.dim(blockMask, 3);
  int64_t staticDv = cast<MemRefType>(value.getType()).getDimSize(3);
  // A whole output row lives in registers when Dv is static and not huge.
  bool vectorRow = !ShapedType::isDynamic(staticDv) && staticDv <= 256;
  auto rowType = VectorType::get({vectorRow ? staticDv : 1}, b.getF32Type());
  Value zeroRow = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(rowType, b.getF32FloatAttr(0.0f)));

  // Output rows `rows` (all in block row `bi`) as vectors: Σ over the kept
  // blocks of the row, in ascending key order, of p[i, j]·V[j] with a
  // separate mul and add (no FMA): the same roundings as the reference. The
  // rows share the kept blocks, so each V row is loaded once for all of them.
  auto vectorRows = [&](Value ib, Value ih, Value headKept, Value bi,
                        ArrayRef<Value> rows) {
    SmallVector<Value> init(rows.size(), zeroRow);
    return e.ifThenElseValues(
        headKept,
        [&]() -> SmallVector<Value> {
          return e.loopAcc(
              e.index(0), MB, init,
              [&](Value bj, ValueRange acc) -> SmallVector<Value> {
                return e.ifThenElseValues(
                    e.load(blockMask, {ib, ih, bi, bj}),
                    [&]() -> SmallVector<Value> {
                      Value j0 = e.mulIndex(bj, bn);
                      Value j1 = e.minIndex(e.addIndex(j0, e.index(bn)), M);
                      return e.loopAcc(
                          j0, j1, acc,
                          [&](Value j, ValueRange a) -> SmallVector<Value> {
                            Value vrow = vector::LoadOp::create(
                                b, loc, rowType, value,
                                ValueRange{ib, ih, j, e.index(0)});
                            SmallVector<Value> next;
                            for (auto [r, i] : llvm::enumerate(rows)) {
                              Value p = e.load(probs, {ib, ih, i, j});
                              Value pv = vector::BroadcastOp::create(
                                  b, loc, rowType, p);
                              Value prod =
                                  arith::MulFOp::create(b, loc, pv, vrow);
                              next.push_back(
                                  arith::AddFOp::create(b, loc, a[r], prod));
                            }
                            return next;
                          });
                    },
                    [&]() -> SmallVector<Value> {
                      return SmallVector<Value>(acc.begin(), acc.end());
                    });
              });
        },
        [&]() -> SmallVector<Value> { return init; });
  };

  // One output row accumulated in memory, element by element (dynamic or
  // large Dv).
  auto scalarRow = [&](Value ib, Value ih, Value headKept, Value i) {
    e.loop(Dv,
           [&](Value c) { e.store(e.f32(0.0f), out, {ib, ih, i, c}); });
    e.ifThenElse(headKept, [&] {
      Value bi = e.divIndex(i, bm);
      e.loop(MB, [&](Value bj) {
        e.ifThenElse(e.load(blockMask, {ib, ih, bi, bj}), [&] {
          Value j0 = e.mulIndex(bj, bn);
          Value j1 = e.minIndex(e.addIndex(j0, e.index(bn)), M);
          e.loop(j0, j1, [&](Value j) {
            Value p = e.load(probs, {ib, ih, i, j});
            e.loop(Dv, [&](Value c) {
              Value o = e.load(out, {ib, ih, i, c});
              Value prod = arith::MulFOp::create(
                  b, loc, p, e.load(value, {ib, ih, j, c}));
              e.store(arith::AddFOp::create(b, loc, o, prod), out,
                      {ib, ih, i, c});
            });
          });
        });
      });
    });
  };

  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      Value headKept = e.load(headMask, {ib, ih});
      if (!vectorRow) {
        e.loop(N, [&](Value i) { scalarRow(ib, ih, headKept, i); });
        return;
      }
      auto storeRows = [&](ArrayRef<Value> rows, ArrayRef<Value> sums) {
        for (auto [i, sum] : llvm::zip(rows, sums))
          vector::StoreOp::create(b, loc, sum, out,
                                  ValueRange{ib, ih, i, e.index(0)});
      };
      // Whole block rows, bm output rows at a time; then the rows of a
      // partial last block row one at a time.
      Value fullBlockRows = e.divIndex(N, bm);
      e.loop(fullBlockRows, [&](Value bi) {
        Value i0 = e.mulIndex(bi, bm);
        SmallVector<Value> rows;
        for (int64_t r = 0; r < bm; ++r)
          rows.push_back(e.addIndex(i0, e.index(r)));
        storeRows(rows, vectorRows(ib, ih, headKept, bi, rows));
      });
      e.loop(e.mulIndex(fullBlockRows, bm), N, [&](Value i) {
        storeRows({i}, vectorRows(ib, ih, headKept, e.divIndex(i, bm), {i}));
      });
    });
  });
}

/// The scores a masked_softmax reads come from an approx_combine in the same
/// block, through a buffer nothing else touches (it is allocated, written by
/// that approx_combine, read by the softmax, deallocated). P's pruned entries
/// need no writes when P is likewise private to the softmax and sparse_pv ops
/// with the same masks (they never read pruned blocks or pruned heads).
std::optional<SoftmaxBlocks> findSoftmaxBlocks(MaskedSoftmaxOp sm) {
  Value in = sm.getInput();
  if (sm.getInits().size() != 1 || !in.getDefiningOp<memref::AllocOp>())
    return std::nullopt;
  ApproxCombineOp writer;
  for (Operation *user : in.getUsers()) {
    if (user == sm.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    auto ac = dyn_cast<ApproxCombineOp>(user);
    if (!ac || writer || ac.getInits().size() != 1 ||
        ac.getInits()[0] != in || llvm::count(ac->getOperands(), in) != 1 ||
        ac->getBlock() != sm->getBlock() || !ac->isBeforeInBlock(sm))
      return std::nullopt;
    writer = ac;
  }
  if (!writer)
    return std::nullopt;
  ConfigAttr config = writer.getEffectiveConfig();
  SoftmaxBlocks sb;
  sb.blockMask = writer.getBlockMask();
  sb.headMask = writer.getHeadMask();
  sb.bm = config.getBlockRows();
  sb.bn = config.getBlockCols();
  if (sb.bm <= 0 || sb.bn <= 0 || sb.bn > 64)
    return std::nullopt;
  Value out = sm.getInits()[0];
  bool privateP = out.getDefiningOp<memref::AllocOp>() != nullptr;
  for (Operation *user : out.getUsers()) {
    if (!privateP)
      break;
    if (user == sm.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    auto pv = dyn_cast<SparsePVOp>(user);
    privateP = pv && pv.getProbs() == out && pv.getBlockMask() == sb.blockMask &&
               pv.getHeadMask() == sb.headMask &&
               llvm::count(pv->getOperands(), out) == 1;
  }
  sb.zeroPruned = !privateP;
  return sb;
}

struct HDPLowerToLoopsPass
    : hdp::impl::HDPLowerToLoopsBase<HDPLowerToLoopsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> stageOps;
    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (isa<AttentionOp>(op)) {
        op->emitError("hdp-lower-to-loops expects the stage ops: run "
                      "hdp-decompose and one-shot-bufferize first");
        failedAny = true;
        return;
      }
      if (op->getDialect() && isa<HDPDialect>(op->getDialect())) {
        if (!hasPureBufferSemantics(op)) {
          op->emitError("hdp-lower-to-loops expects stage ops on memrefs: "
                        "run one-shot-bufferize first");
          failedAny = true;
          return;
        }
        stageOps.push_back(op);
      }
    });
    if (failedAny)
      return signalPassFailure();

    // Softmaxes of scores written by an approx_combine: only kept blocks.
    llvm::DenseMap<Operation *, SoftmaxBlocks> softmaxBlocks;
    for (Operation *op : stageOps)
      if (auto sm = dyn_cast<MaskedSoftmaxOp>(op))
        if (std::optional<SoftmaxBlocks> sb = findSoftmaxBlocks(sm))
          softmaxBlocks[op] = *sb;

    // Block scores whose θ only feeds their prune and head masks.
    llvm::DenseMap<Operation *, FusedScoring> fusedScoring;
    llvm::SmallPtrSet<Operation *, 4> loweredWithScoring;
    for (Operation *op : stageOps)
      if (auto bs = dyn_cast<BlockScoreOp>(op))
        if (std::optional<FusedScoring> fused = findFusedScoring(bs)) {
          fusedScoring[op] = *fused;
          loweredWithScoring.insert(fused->prune);
          loweredWithScoring.insert(fused->head);
        }

    IRRewriter rewriter(&getContext());
    SmallVector<Value> fusedTheta;
    for (Operation *op : stageOps) {
      if (loweredWithScoring.contains(op)) {
        rewriter.eraseOp(op);
        continue;
      }
      rewriter.setInsertionPoint(op);
      auto fused = fusedScoring.find(op);
      if (fused != fusedScoring.end())
        rewriter.setInsertionPoint(fused->second.last);
      LoopEmitter e(rewriter, op->getLoc());
      llvm::TypeSwitch<Operation *>(op)
          .Case([&](SplitQuantizeOp o) { lowerSplitQuantize(e, o); })
          .Case([&](BlockScoreOp o) {
            lowerBlockScore(
                e, o, fused == fusedScoring.end() ? nullptr : &fused->second);
          })
          .Case([&](PruneMaskOp o) { lowerPruneMask(e, o); })
          .Case([&](HeadMaskOp o) { lowerHeadMask(e, o); })
          .Case([&](ApproxCombineOp o) { lowerApproxCombine(e, o); })
          .Case([&](MaskedSoftmaxOp o) {
            auto it = softmaxBlocks.find(op);
            lowerMaskedSoftmax(
                e, o, it == softmaxBlocks.end() ? nullptr : &it->second);
          })
          .Case([&](SparsePVOp o) { lowerSparsePV(e, o); });
      if (fused != fusedScoring.end())
        for (Value block : cast<BlockScoreOp>(op).getInits().drop_front())
          fusedTheta.push_back(block);
      rewriter.eraseOp(op);
    }
    // A fused θ (or magnitude) buffer has no reader left but its
    // deallocation: it goes.
    for (Value theta : fusedTheta) {
      for (Operation *user : llvm::make_early_inc_range(theta.getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(theta.getDefiningOp());
    }
  }
};

} // namespace
