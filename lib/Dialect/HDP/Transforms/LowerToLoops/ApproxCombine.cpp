//===- ApproxCombine.cpp - hdp.approx_combine to scf loops ----------------===//
//
// Stage 4 of docs/semantics.md, one block at a time: the scores of kept
// blocks from the integer and fraction parts, -inf elsewhere. Pruned blocks
// skip the fraction products entirely; tiles with few kept blocks compute
// only those.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>
#include <numeric>

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

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

/// Tiles of the vector kernel with at most this many kept scores (kept blocks
/// times bm·bn) compute only their kept blocks, one block at a time: below
/// it that is cheaper than the kTileRows × VL outer products (measured at
/// D = 64 with 2×2 blocks: 16 of 32 blocks is faster, all 32 slower).
constexpr int64_t kFewKeptScores = 64;

/// At most this many vector chunks of D are unrolled in the few-kept-blocks
/// kernel (D = 64 needs 2 to 4).
constexpr int64_t kMaxUnrolledChunks = 8;

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

void lowerApproxCombine(LoopEmitter &e, ApproxCombineOp op,
                        IntKernels kernels) {
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
  float rescaleValue =
      std::ldexp(1.0f, -static_cast<int>(2 * F + 2 * cfg.shift));
  Value rescale = e.f32(rescaleValue);
  Value negInf = e.f32(-std::numeric_limits<float>::infinity());

  // The scalar lowering of one block (edges, masks, dynamic D); pruned
  // blocks skip every product.
  auto emitBlock = [&](Value ib, Value ih, Value headKept, Value bi, Value bj) {
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
                Value score =
                    arith::SIToFPOp::create(b, loc, b.getF32Type(), a);
                score = arith::MulFOp::create(b, loc, score, rescale);
                score = arith::MulFOp::create(b, loc, score, scale);
                if (mask)
                  score = arith::AddFOp::create(b, loc, score, maskValue);
                e.store(score, out, {ib, ih, i, j});
              };
              if (mask)
                e.ifThenElse(
                    removed,
                    [&] {
                      e.store(negInf, out, {ib, ih, i, j});
                    },
                    compute);
              else
                compute();
            });
          });
        },
        [&] {
          e.loop(i0, i1, [&](Value i) {
            e.loop(j0, j1, [&](Value j) {
              e.store(negInf, out, {ib, ih, i, j});
            });
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
  // VNNI dot products accumulate in i32 lanes.
  const bool vnni =
      accWidth && useVnni(kernels, staticD, cfg.intBits, cfg.fracBits);
  if (vnni)
    accWidth = 32;
  int64_t VL = vnni ? vnniLanes(kernels) : lanesFor(accWidth);
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
  double aBound =
      static_cast<double>(staticD) *
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
  // Or, for the VNNI kernels, packed copies.
  Value kTHi, kTLo;
  PackedKey kPHi, kPLo;
  auto prepareKeys = [&](ValueRange prefix) {
    Value keys = e.dim(kHi, 2), d = e.dim(kHi, 3);
    if (vnni) {
      emitPack(e, kHi, prefix, kPHi, keys, d);
      emitPack(e, kLo, prefix, kPLo, keys, d);
    } else {
      emitTranspose(e, kHi, prefix, kTHi, keys, d);
      emitTranspose(e, kLo, prefix, kTLo, keys, d);
    }
  };
  auto freeKeys = [&] {
    if (vnni) {
      deallocPacked(e, kPHi);
      deallocPacked(e, kPLo);
    } else {
      memref::DeallocOp::create(b, loc, kTHi);
      memref::DeallocOp::create(b, loc, kTLo);
    }
  };
  Value nMain = e.mulIndex(e.divIndex(N, kTileRows), kTileRows);
  Value mMain = e.mulIndex(e.divIndex(M, VL), VL);
  Value nbMain = e.divIndex(nMain, bm), mbMain = e.divIndex(mMain, bn);
  Value negInfVec = splat(
      e, fType, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
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
    SmallVector<Value> acc;
    if (vnni) {
      SmallVector<VnniTerm> terms = {{qHi, {ib, ih}, maxHi, kPHi, 0},
                                     {qLo, {ib, ih}, 0, kPHi, 1},
                                     {qHi, {ib, ih}, maxHi, kPLo, 1}};
      if (!cfg.approx)
        terms.push_back({qLo, {ib, ih}, 0, kPLo, 2});
      acc = emitVnniOuterProducts(e, terms, cfg.approx ? 2 : 3, kernels, i0, j0,
                                  D);
    } else {
      SmallVector<OuterTerm> terms = {{qHi, {ib, ih}, kTHi, 0},
                                      {qLo, {ib, ih}, kTHi, 1},
                                      {qHi, {ib, ih}, kTLo, 1}};
      if (!cfg.approx)
        terms.push_back({qLo, {ib, ih}, kTLo, 2});
      acc = emitOuterProducts(e, terms, cfg.approx ? 2 : 3, VL, accElt, i0, j0,
                              D);
    }
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
  // The per-block kernel unrolls D / W vector chunks and keeps the query
  // rows' chunks live: only for small D, so that code size (and compile
  // time) stays linear in D.
  if (W < numSums || staticD % W != 0 || staticD / W > kMaxUnrolledChunks)
    fewBlocks = 0;
  auto scoreType = VectorType::get({blockScores}, aElt);
  auto scoreFType = VectorType::get({blockScores}, b.getF32Type());
  // Scratch of this tile (tiles may run in parallel): never hoisted.
  Value blockList = memref::AllocOp::create(
      b, loc, MemRefType::get({rowBlocks * colBlocks}, b.getIndexType()));
  auto vType = VectorType::get({W}, accElt);
  int64_t chunks = fewBlocks ? staticD / W : 0;
  // With VNNI, a kept block's scores come from byte dot products of the
  // whole fixed-point values: A = Σ_d rawQ·rawK − Σ_d loQ·loK under approx
  // (rawQ·rawK = hiQ·hiK·2^(2F) + (loQ·hiK + hiQ·loK)·2^F + loQ·loK),
  // A = Σ_d rawQ·rawK without, where raw = hi·2^F + lo fits s8 when
  // I + F ≤ 8. vpdpbusd multiplies u8 by s8: rawK + 128 (its sign bit
  // flipped) against rawQ, then loQ against −loK, into an accumulator that
  // starts at −128·Σ_d rawQ (per query row). The key bytes rawK + 128 and
  // −loK are made once per head (keyBytes), the query terms once per block
  // row. One chunk is 4·VL bytes of D.
  auto i8Type = b.getI8Type();
  int64_t chunkBytes = 4 * VL;
  auto elementOf = [](Value memref) {
    return cast<MemRefType>(memref.getType()).getElementType();
  };
  const bool vnniBlocks =
      vnni && fewBlocks && cfg.intBits + F <= 8 && aElt.isInteger(32) &&
      elementOf(qHi) == i8Type && elementOf(qLo) == i8Type &&
      elementOf(kHi) == i8Type && elementOf(kLo) == i8Type &&
      staticD % chunkBytes == 0 && staticD / chunkBytes <= kMaxUnrolledChunks;
  int64_t vnniChunks = vnniBlocks ? staticD / chunkBytes : 0;
  auto bytesType = VectorType::get({chunkBytes}, i8Type);
  auto laneType = VectorType::get({VL}, b.getI32Type());
  StringAttr dpbusd = b.getStringAttr(kernels == IntKernels::Avx512Vnni
                                          ? "llvm.x86.avx512.vpdpbusd.512"
                                          : "llvm.x86.avx512.vpdpbusd.256");
  auto dot = [&](Value acc, Value u8, Value s8) -> Value {
    return LLVM::CallIntrinsicOp::create(b, loc, laneType, dpbusd,
                                         ValueRange{acc, u8, s8})
        .getResult(0);
  };
  // raw = hi·2^F + lo of one chunk of a row (exact in i8: |raw| ≤ 128).
  auto loadBytes = [&](Value memref, Value ib, Value ih, Value row,
                       int64_t chunk) -> Value {
    return vector::LoadOp::create(
        b, loc, bytesType, memref,
        ValueRange{ib, ih, row, e.index(chunk * chunkBytes)});
  };
  auto rawOf = [&](Value hi, Value lo) -> Value {
    return arith::AddIOp::create(
        b, loc,
        arith::ShLIOp::create(b, loc, hi,
                              splat(e, bytesType, b.getI8IntegerAttr(F))),
        lo);
  };
  // keyBytes[j, 0, d] = rawK + 128 (u8), keyBytes[j, 1, d] = −loK (s8), for
  // the kept-block VNNI kernel; made per head (or once before the loop over
  // tiles, which does not change K).
  Value keyBytes;
  auto loadKeyBytes = [&](Value key, int64_t part, int64_t chunk) -> Value {
    return vector::LoadOp::create(
        b, loc, bytesType, keyBytes,
        ValueRange{key, e.index(part), e.index(chunk * chunkBytes)});
  };
  auto prepareKeyBytes = [&](ValueRange prefix) {
    Value signBit = splat(e, bytesType, b.getI8IntegerAttr(-128));
    Value zeroBytes = splat(e, bytesType, b.getI8IntegerAttr(0));
    e.loop(e.dim(kHi, 2), [&](Value j) {
      for (int64_t ch = 0; ch < vnniChunks; ++ch) {
        Value lo = loadBytes(kLo, prefix[0], prefix[1], j, ch);
        Value raw = rawOf(loadBytes(kHi, prefix[0], prefix[1], j, ch), lo);
        Value d0 = e.index(ch * chunkBytes);
        vector::StoreOp::create(b, loc,
                                arith::XOrIOp::create(b, loc, raw, signBit),
                                keyBytes, ValueRange{j, e.index(0), d0});
        vector::StoreOp::create(b, loc,
                                arith::SubIOp::create(b, loc, zeroBytes, lo),
                                keyBytes, ValueRange{j, e.index(1), d0});
      }
    });
  };
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
    if (vnniBlocks) {
      // qh: rawQ (s8), ql: loQ (u8); then per row the accumulator's start,
      // −128·Σ_d rawQ spread over the lanes.
      Value c128 = splat(e, bytesType, b.getI8IntegerAttr(-128));
      Value zero = splat(e, laneType, b.getI32IntegerAttr(0));
      SmallVector<Value> starts;
      for (int64_t r = 0; r < bm; ++r) {
        Value share = zero;
        for (int64_t ch = 0; ch < vnniChunks; ++ch) {
          Value row = e.addIndex(row0, e.index(r));
          Value lo = loadBytes(qLo, ib, ih, row, ch);
          qh.push_back(rawOf(loadBytes(qHi, ib, ih, row, ch), lo));
          ql.push_back(lo);
          share = dot(share, c128, qh.back());
        }
        starts.push_back(arith::SubIOp::create(b, loc, zero, share));
      }
      ql.append(starts);
      return;
    }
    for (int64_t r = 0; r < bm; ++r)
      for (int64_t ch = 0; ch < chunks; ++ch) {
        Value row = e.addIndex(row0, e.index(r));
        qh.push_back(loadRow(qHi, ib, ih, row, ch));
        ql.push_back(loadRow(qLo, ib, ih, row, ch));
      }
  };
  // A of a kept block's bm×bn scores (row-major), from VNNI dot products.
  auto vnniBlockScores = [&](Value col0, ArrayRef<Value> qh,
                             ArrayRef<Value> ql) -> Value {
    Value zero = splat(e, laneType, b.getI32IntegerAttr(0));
    SmallVector<Value> lanes(llvm::PowerOf2Ceil(blockScores), zero);
    for (int64_t l = 0; l < bn; ++l) {
      Value key = e.addIndex(col0, e.index(l));
      SmallVector<Value> rawU8, negLo;
      for (int64_t ch = 0; ch < vnniChunks; ++ch) {
        rawU8.push_back(loadKeyBytes(key, 0, ch));
        if (cfg.approx)
          negLo.push_back(loadKeyBytes(key, 1, ch));
      }
      for (int64_t r = 0; r < bm; ++r) {
        Value acc = ql[bm * vnniChunks + r];
        for (int64_t ch = 0; ch < vnniChunks; ++ch) {
          acc = dot(acc, rawU8[ch], qh[r * vnniChunks + ch]);
          if (cfg.approx)
            acc = dot(acc, ql[r * vnniChunks + ch], negLo[ch]);
        }
        lanes[r * bn + l] = acc;
      }
    }
    Value totals = emitSumsOfLanes(e, lanes);
    if (static_cast<int64_t>(lanes.size()) == blockScores)
      return totals;
    SmallVector<int64_t> first(blockScores);
    std::iota(first.begin(), first.end(), 0);
    return vector::ShuffleOp::create(b, loc, totals, totals, first).getResult();
  };
  auto emitKeptBlock = [&](Value ib, Value ih, Value row0, Value col0,
                           ArrayRef<Value> qh, ArrayRef<Value> ql) {
    // A 1-D shuffle: the CPU pipeline does not lower extract_strided_slice.
    auto slice = [&](Value v, int64_t offset, int64_t size) -> Value {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < size; ++i)
        lanes.push_back(offset + i);
      return vector::ShuffleOp::create(b, loc, v, v, lanes);
    };
    auto storeScores = [&](Value a) {
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
    if (vnniBlocks) {
      storeScores(vnniBlockScores(col0, qh, ql));
      return;
    }
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
    storeScores(a);
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

  // With the VNNI block kernel every tile would take the per-block path:
  // the kept blocks are walked by whole block rows instead (the query rows
  // prepared and the blocks listed once per block row, not per tile).
  const bool byBlockRows = vnniBlocks && fewBlocks >= rowBlocks * colBlocks;
  Value rowList;
  if (byBlockRows) {
    nbMain = e.divIndex(N, bm);
    mbMain = e.divIndex(M, bn);
    rowList = allocKeptList(e, MB);
  }
  if (vnniBlocks) {
    OpBuilder::InsertionGuard guard(b);
    if (hoist)
      b.setInsertionPoint(tileLoop);
    int64_t staticM = kType.getDimSize(2);
    SmallVector<Value> sizes;
    if (ShapedType::isDynamic(staticM))
      sizes.push_back(e.dim(kHi, 2));
    keyBytes = memref::AllocOp::create(
        b, loc, MemRefType::get({staticM, 2, staticD}, i8Type), sizes);
    if (hoist) {
      Value zero = e.index(0);
      prepareKeyBytes({zero, zero});
      b.setInsertionPointAfter(tileLoop);
      memref::DeallocOp::create(b, loc, keyBytes);
    }
  }
  // The Kᵀ or packed copies only the outer-product tiles read.
  const bool keyCopies = !byBlockRows;
  if (keyCopies) {
    OpBuilder::InsertionGuard guard(b);
    if (hoist)
      b.setInsertionPoint(tileLoop);
    if (vnni) {
      kPHi = allocPacked(e, kHi, VL);
      kPLo = allocPacked(e, kLo, VL);
    } else {
      kTHi = allocTransposed(e, kHi);
      kTLo = allocTransposed(e, kLo);
    }
    if (hoist) {
      Value zero = e.index(0);
      prepareKeys({zero, zero});
      b.setInsertionPointAfter(tileLoop);
      freeKeys();
    }
  }

  auto emitBlockRows = [&](Value ib, Value ih, Value headKept) {
    e.loop(nbMain, [&](Value bi) {
      Value row0 = e.mulIndex(bi, bm);
      // Pruned blocks (and pruned heads) are -inf; the edge blocks are
      // written below.
      for (int64_t r = 0; r < bm; ++r)
        e.loop(e.mulIndex(mbMain, bn), [&](Value j) {
          e.store(negInf, out, {ib, ih, e.addIndex(row0, e.index(r)), j});
        });
      e.ifThenElse(headKept, [&] {
        SmallVector<Value> qh, ql;
        loadQueryRows(ib, ih, row0, qh, ql);
        Value count = emitKeptList(e, blockMask, {ib, ih, bi}, mbMain, rowList,
                                   kernels == IntKernels::Avx512Vnni);
        e.loop(count, [&](Value k) {
          emitKeptBlock(ib, ih, row0,
                        e.mulIndex(loadListEntry(e, rowList, k), bn), qh, ql);
        });
      });
    });
  };

  e.loop(B, [&](Value ib) {
    e.loop(H, [&](Value ih) {
      Value headKept = e.load(headMask, {ib, ih});
      if (!hoist && keyCopies)
        prepareKeys({ib, ih});
      if (!hoist && keyBytes)
        prepareKeyBytes({ib, ih});
      if (byBlockRows)
        emitBlockRows(ib, ih, headKept);
      else
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
  if (!hoist && keyCopies)
    freeKeys();
  if (!hoist && keyBytes)
    memref::DeallocOp::create(b, loc, keyBytes);
  memref::DeallocOp::create(b, loc, blockList);
  if (rowList)
    memref::DeallocOp::create(b, loc, rowList);
}

struct ApproxCombineLowering : OpRewritePattern<ApproxCombineOp> {
  ApproxCombineLowering(MLIRContext *context, IntKernels kernels)
      : OpRewritePattern(context), kernels(kernels) {}

  LogicalResult matchAndRewrite(ApproxCombineOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    LoopEmitter e(rewriter, op.getLoc());
    lowerApproxCombine(e, op, kernels);
    rewriter.eraseOp(op);
    return success();
  }

private:
  IntKernels kernels;
};

} // namespace

void hdp::loops::populateApproxCombineLowering(RewritePatternSet &patterns,
                                               IntKernels kernels) {
  patterns.add<ApproxCombineLowering>(patterns.getContext(), kernels);
}
