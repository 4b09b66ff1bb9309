//===- MaskedSoftmax.cpp - hdp.masked_softmax to scf loops ----------------===//
//
// Stage 5a of docs/semantics.md, one row at a time: exact (math.exp, one
// division per entry) or the hardware's polynomial softmax. Over scores that
// an approx_combine wrote, only the kept blocks of each row are visited.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

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
        vector::StoreOp::create(e.builder(), e.location(), zeroVec, out, at(j));
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
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                  acc[0]));
        return {arith::SelectOp::create(b, loc, bigger, x, acc[0])};
      },
      VL)[0];
  Value mx0 =
      vector::ReductionOp::create(b, loc, vector::CombiningKind::MAXNUMF, vmax);
  Value mx = e.loopAcc(
      mMain, M, {mx0}, [&](Value j, ValueRange acc) -> SmallVector<Value> {
        Value x = e.load(in, at(j));
        Value bigger = arith::AndIOp::create(
            b, loc, isFinite(x, posInf),
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                  acc[0]));
        return {arith::SelectOp::create(b, loc, bigger, x, acc[0])};
      })[0];
  // A row with a finite entry has a finite maximum.
  Value any =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, mx, negInf);
  e.ifThenElse(
      any,
      [&] {
        Value mxVec = vector::BroadcastOp::create(b, loc, vType, mx);
        Value vsum = e.loopAcc(
            e.index(0), mMain, {zeroVec},
            [&](Value j, ValueRange acc) -> SmallVector<Value> {
              Value x = vector::LoadOp::create(b, loc, vType, in, at(j));
              Value ex = math::ExpOp::create(
                  b, loc, arith::SubFOp::create(b, loc, x, mxVec));
              ex = arith::SelectOp::create(b, loc, isFinite(x, posInfVec), ex,
                                           zeroVec);
              vector::StoreOp::create(b, loc, ex, out, at(j));
              return {arith::AddFOp::create(b, loc, acc[0], ex)};
            },
            VL)[0];
        Value sum0 = vector::ReductionOp::create(
            b, loc, vector::CombiningKind::ADD, vsum);
        Value sum =
            e.loopAcc(mMain, M, {sum0},
                      [&](Value j, ValueRange acc) -> SmallVector<Value> {
                        Value x = e.load(in, at(j));
                        Value ex = math::ExpOp::create(
                            b, loc, arith::SubFOp::create(b, loc, x, mx));
                        ex = arith::SelectOp::create(
                            b, loc, isFinite(x, posInf), ex, e.f32(0.0f));
                        e.store(ex, out, at(j));
                        return {arith::AddFOp::create(b, loc, acc[0], ex)};
                      })[0];
        Value sumVec = vector::BroadcastOp::create(b, loc, vType, sum);
        e.loopAcc(
            e.index(0), mMain, {},
            [&](Value j, ValueRange) -> SmallVector<Value> {
              Value ex = vector::LoadOp::create(b, loc, vType, out, at(j));
              vector::StoreOp::create(b, loc,
                                      arith::DivFOp::create(b, loc, ex, sumVec),
                                      out, at(j));
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

/// Exact softmax over the kept blocks of each row only (bn lanes per block):
/// a row's finite entries all lie in kept blocks of its block row, so this is
/// the softmax over the row's finite entries. The kept block columns of a
/// block row are listed once (branch-free) and shared by its bm rows.
/// Rows of pruned heads, and the entries of pruned blocks, are written 0
/// only when `zeroPruned` (otherwise no reader looks at them).
void emitExactSoftmaxBlocks(LoopEmitter &e, Value in, Value out,
                            const SoftmaxBlocks &sb, bool compressLists) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  int64_t bm = sb.bm, bn = sb.bn;
  constexpr int64_t VL = 16;
  auto vType = VectorType::get({bn}, b.getF32Type());
  auto rowVType = VectorType::get({VL}, b.getF32Type());
  float inf = std::numeric_limits<float>::infinity();
  Value negInf = e.f32(-inf);
  Value zeroRowVec = splat(e, rowVType, b.getF32FloatAttr(0.0f));
  Value B = e.dim(in, 0), H = e.dim(in, 1), N = e.dim(in, 2), M = e.dim(in, 3);
  Value MB = e.dim(sb.blockMask, 3);
  Value NB = e.ceilDiv(N, bm);
  Value list = allocKeptList(e, MB);
  // The kept entries of each row of a block row, packed, each with room to
  // pad them to whole vectors.
  Value stride = e.addIndex(e.mulIndex(MB, bn), e.index(VL));
  Value packedRows = memref::AllocOp::create(
      b, loc, MemRefType::get({ShapedType::kDynamic}, b.getF32Type()),
      ValueRange{e.mulIndex(stride, bm)});
  auto packedRow = [&](Value r) -> Value {
    OpFoldResult offset = arith::MulIOp::create(b, loc, r, stride).getResult();
    OpFoldResult size = stride;
    return memref::SubViewOp::create(b, loc, packedRows,
                                     ArrayRef<OpFoldResult>{offset},
                                     ArrayRef<OpFoldResult>{size},
                                     ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  };
  // Fused with the sparse_pv that reads P (FusionAnalysis): its operands.
  Value value, pvOut;
  VectorType pvRowType;
  if (SparsePVOp pv = sb.pv) {
    value = pv.getValue();
    pvOut = pv.getInits()[0];
    pvRowType = VectorType::get(
        {cast<MemRefType>(value.getType()).getDimSize(3)}, b.getF32Type());
  }
  auto storePVRow = [&](Value v, ValueRange bhi) {
    SmallVector<Value> idx(bhi.begin(), bhi.end());
    idx.push_back(e.index(0));
    vector::StoreOp::create(b, loc, v, pvOut, idx);
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
              Value one = e.index(1);
              Value cnt = emitKeptList(e, sb.blockMask, {ib, ih, bi}, MB, list,
                                       compressLists);
              Value i0 = e.mulIndex(bi, bm);
              Value i1 = e.minIndex(e.addIndex(i0, e.index(bm)), N);
              // More than half of the columns kept: the 16-lane whole-row
              // softmax is faster (pruned entries are -inf there).
              Value mostlyKept =
                  arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                        e.mulIndex(cnt, 2 * bn), M);
              // P·V of the block row (fused): rows i0..i1 over the listed
              // blocks, P read by probAt(row offset, list entry, j0, j).
              auto blockRowPV =
                  [&](function_ref<Value(Value, Value, Value, Value)> probAt) {
                    Value full = arith::CmpIOp::create(
                        b, loc, arith::CmpIPredicate::eq,
                        arith::SubIOp::create(b, loc, i1, i0), e.index(bm));
                    e.ifThenElse(
                        full,
                        [&] {
                          SmallVector<Value> rows = emitKeptRowsPV(
                              e, value, {ib, ih}, list, cnt, bn, M, bm,
                              pvRowType,
                              [&](int64_t r, Value k, Value j0, Value j) {
                                return probAt(e.index(r), k, j0, j);
                              });
                          for (int64_t r = 0; r < bm; ++r)
                            storePVRow(rows[r],
                                       {ib, ih, e.addIndex(i0, e.index(r))});
                        },
                        [&] {
                          e.loop(i0, i1, [&](Value i) {
                            Value r = arith::SubIOp::create(b, loc, i, i0);
                            SmallVector<Value> row = emitKeptRowsPV(
                                e, value, {ib, ih}, list, cnt, bn, M, 1,
                                pvRowType,
                                [&](int64_t, Value k, Value j0, Value j) {
                                  return probAt(r, k, j0, j);
                                });
                            storePVRow(row[0], {ib, ih, i});
                          });
                        });
                  };
              e.ifThenElse(
                  mostlyKept,
                  [&] {
                    e.loop(i0, i1, [&](Value i) {
                      emitExactSoftmaxRow(e, in, out, {ib, ih, i}, M);
                    });
                    if (sb.pv)
                      blockRowPV([&](Value r, Value, Value, Value j) {
                        return e.load(out, {ib, ih, e.addIndex(i0, r), j});
                      });
                  },
                  [&] {
                    e.loop(i0, i1, [&](Value i) {
                      if (sb.zeroPruned)
                        zeroRow({ib, ih, i});
                      Value packed =
                          packedRow(arith::SubIOp::create(b, loc, i, i0));
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
                        return e.mulIndex(loadListEntry(e, list, k), bn);
                      };
                      // The kept entries side by side, padded with -inf to
                      // whole vectors: the row's softmax then runs 16 lanes
                      // at a time (-inf is not finite: it adds exp = 0).
                      e.loop(cnt, [&](Value k) {
                        vector::StoreOp::create(b, loc, loadBlock(colOf(k)),
                                                packed,
                                                ValueRange{e.mulIndex(k, bn)});
                      });
                      Value n = e.mulIndex(cnt, bn);
                      Value nPadded = e.mulIndex(e.ceilDiv(n, VL), VL);
                      e.loop(n, nPadded,
                             [&](Value j) { e.store(negInf, packed, {j}); });
                      emitExactSoftmaxRow(e, packed, packed, {}, nPadded);
                      // Fused, P·V reads the packed rows: P is not written.
                      if (sb.pv)
                        return;
                      e.loop(cnt, [&](Value k) {
                        storeBlock(vector::LoadOp::create(
                                       b, loc, vType, packed,
                                       ValueRange{e.mulIndex(k, bn)}),
                                   colOf(k));
                      });
                    });
                    if (sb.pv)
                      blockRowPV([&](Value r, Value k, Value j0, Value j) {
                        Value at = e.addIndex(
                            e.addIndex(arith::MulIOp::create(b, loc, r, stride),
                                       e.mulIndex(k, bn)),
                            arith::SubIOp::create(b, loc, j, j0));
                        return e.load(packedRows, {at});
                      });
                  });
            });
          },
          [&] {
            if (sb.zeroPruned)
              e.loop(N, [&](Value i) { zeroRow({ib, ih, i}); });
            // A pruned head outputs 0.
            if (sb.pv) {
              Value zeroPV = arith::ConstantOp::create(
                  b, loc,
                  DenseElementsAttr::get(pvRowType, b.getF32FloatAttr(0.0f)));
              e.loop(N, [&](Value i) { storePVRow(zeroPV, {ib, ih, i}); });
            }
          });
    });
  });
  memref::DeallocOp::create(b, loc, packedRows);
  memref::DeallocOp::create(b, loc, list);
}

void lowerMaskedSoftmax(LoopEmitter &e, MaskedSoftmaxOp op,
                        const SoftmaxBlocks *blocks, bool compressLists) {
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
    emitExactSoftmaxBlocks(e, in, out, *blocks, compressLists);
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

struct MaskedSoftmaxLowering : OpRewritePattern<MaskedSoftmaxOp> {
  MaskedSoftmaxLowering(MLIRContext *context, const FusionAnalysis &fusion,
                        IntKernels kernels)
      : OpRewritePattern(context), fusion(fusion), kernels(kernels) {}

  LogicalResult matchAndRewrite(MaskedSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    const SoftmaxBlocks *blocks = fusion.getSoftmaxBlocks(op);
    // Lowered with its sparse_pv, at the sparse_pv: its operands are defined
    // by then, and nothing in between touches memory.
    if (blocks && blocks->pv)
      rewriter.setInsertionPoint(blocks->pv);
    LoopEmitter e(rewriter, op.getLoc());
    lowerMaskedSoftmax(e, op, blocks, kernels == IntKernels::Avx512Vnni);
    rewriter.eraseOp(op);
    return success();
  }

private:
  const FusionAnalysis &fusion;
  IntKernels kernels;
};

} // namespace

void hdp::loops::populateMaskedSoftmaxLowering(RewritePatternSet &patterns,
                                               const FusionAnalysis &fusion,
                                               IntKernels kernels) {
  patterns.add<MaskedSoftmaxLowering>(patterns.getContext(), fusion, kernels);
}
