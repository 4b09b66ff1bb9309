//===- Pruning.cpp - Block and head mask kernels of hdp loops -------------===//
//
// Integer formulas as in the reference (i64 sums, i128 threshold products),
// so the masks agree with it bit for bit.
//
//===----------------------------------------------------------------------===//

#include "Pruning.h"

#include "hdp/Semantics/FixedPoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace hdp::loops;

namespace {
/// The indices of block `bj` of `row`.
SmallVector<Value> blockAt(const BlockRow &row, Value bj) {
  SmallVector<Value> idx = row.prefix;
  idx.push_back(bj);
  return idx;
}

/// Whether vector loads and stores may run along `row` (unit innermost
/// stride).
bool hasUnitInnerStride(const BlockRow &row) {
  auto type = cast<MemRefType>(row.memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}
} // namespace

Value hdp::loops::emitPruneRow(LoopEmitter &e, const hdp::AttentionConfig &cfg,
                               Value MB, const BlockRow &thetaRow,
                               const BlockRow *magnitudeRow,
                               const BlockRow &mask) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Type i64 = b.getI64Type();
  auto thetaAt = [&](Value bj) {
    return e.load(thetaRow.memref, blockAt(thetaRow, bj));
  };
  auto magnitudeAt = [&](Value bj) {
    return e.load(magnitudeRow->memref, blockAt(*magnitudeRow, bj));
  };
  auto storeKept = [&](Value bj, Value kept) {
    e.store(kept, mask.memref, blockAt(mask, bj));
  };
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
  const bool signedRanking = magnitudeRow != nullptr;
  // The block's Σ|S_int|, -1 when invalid.
  auto magnitude = [&](Value bj) {
    return signedRanking ? magnitudeAt(bj) : thetaAt(bj);
  };
  auto isValidAt = [&](Value bj, Value theta) {
    return cmp(arith::CmpIPredicate::sge,
               signedRanking ? magnitudeAt(bj) : theta, e.i64(0));
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
        Value mag =
            add(s[4], arith::MaxSIOp::create(b, loc, magnitudeAt(bj), zero));
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
    fitsI64 =
        arith::AndIOp::create(b, loc, fitsI64,
                              cmp(arith::CmpIPredicate::sge, threshold,
                                  e.i128(std::numeric_limits<int64_t>::min())));
  e.ifThenElse(
      fitsI64,
      [&] {
        Value divisor = arith::MaxSIOp::create(
            b, loc, mul(e.i64(65536), stats[0]), e.i64(1));
        Value cutoff =
            arith::CeilDivSIOp::create(b, loc, e.sext(threshold, 64), divisor);
        // kPruneLanes blocks at a time, the mask bytes stored whole (a
        // scalar loop of i1 stores is vectorised by LLVM into one byte
        // extraction per block); the rest one by one.
        Value vectorEnd = e.index(0);
        if (hasUnitInnerStride(thetaRow) && hasUnitInnerStride(mask) &&
            (!magnitudeRow || hasUnitInnerStride(*magnitudeRow))) {
          constexpr int64_t L = 8;
          auto laneType = VectorType::get({L}, i64);
          auto loadLanes = [&](const BlockRow &row, Value bj) -> Value {
            return vector::LoadOp::create(b, loc, laneType, row.memref,
                                          blockAt(row, bj));
          };
          Value zeros = vector::BroadcastOp::create(b, loc, laneType, zero);
          Value cutoffs = vector::BroadcastOp::create(b, loc, laneType, cutoff);
          vectorEnd = e.mulIndex(e.divIndex(MB, L), L);
          e.loopAcc(
              e.index(0), vectorEnd, {},
              [&](Value bj, ValueRange) -> SmallVector<Value> {
                Value t = loadLanes(thetaRow, bj);
                Value valid =
                    cmp(arith::CmpIPredicate::sge,
                        magnitudeRow ? loadLanes(*magnitudeRow, bj) : t, zeros);
                storeBoolLanes(e,
                               arith::AndIOp::create(
                                   b, loc, valid,
                                   cmp(arith::CmpIPredicate::sge, t, cutoffs)),
                               mask.memref, blockAt(mask, bj));
                return {};
              },
              L);
        }
        e.loop(vectorEnd, MB, [&](Value bj) {
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
          storeKept(
              bj, arith::AndIOp::create(b, loc, isValidAt(bj, theta), reaches));
        });
      });
  return signedRanking ? stats[4] : stats[1];
}

void hdp::loops::emitHeadMask(LoopEmitter &e, const hdp::AttentionConfig &cfg,
                              Value ib, Value H, Value total, Value thetaH,
                              Value headOut) {
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
