//===- KernelBuilder.cpp - IR vocabulary of the hdp loop kernels ----------===//
//
// Definitions of the loop, mask and integer-kernel helpers that the
// hdp-lower-to-loops patterns share (see KernelBuilder.h).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "hdp/Dialect/HDP/Transforms/Transforms.h"
#include "hdp/Semantics/Masking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace hdp::loops;

//===----------------------------------------------------------------------===//
// LoopEmitter
//===----------------------------------------------------------------------===//

Value LoopEmitter::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value LoopEmitter::i64(int64_t v) {
  return arith::ConstantIntOp::create(b, b.getI64Type(), v);
}

Value LoopEmitter::i128(int64_t v) {
  // Signless IntegerAttr::get(type, int64_t) would zero-extend negatives.
  Type type = b.getIntegerType(128);
  return arith::ConstantOp::create(
      b, b.getIntegerAttr(type, llvm::APInt(128, v, /*isSigned=*/true)));
}

Value LoopEmitter::f32(float v) {
  return arith::ConstantFloatOp::create(b, b.getF32Type(), llvm::APFloat(v));
}

Value LoopEmitter::boolean(bool v) {
  return arith::ConstantIntOp::create(b, b.getI1Type(), v);
}

Value LoopEmitter::dim(Value memref, int64_t d) {
  auto type = cast<MemRefType>(memref.getType());
  if (!type.isDynamicDim(d))
    return index(type.getDimSize(d));
  return memref::DimOp::create(b, memref, d);
}

Value LoopEmitter::load(Value memref, ValueRange ivs) {
  return memref::LoadOp::create(b, memref, ivs);
}

void LoopEmitter::store(Value value, Value memref, ValueRange ivs) {
  memref::StoreOp::create(b, value, memref, ivs);
}

Operation *LoopEmitter::forLoop(Value lb, Value ub, int64_t step,
                                function_ref<void(Value)> body) {
  return scf::ForOp::create(
      b, lb, ub, index(step), ValueRange{},
      [&](OpBuilder &nested, Location, Value iv, ValueRange) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        body(iv);
        scf::YieldOp::create(b);
      });
}

void LoopEmitter::loop(Value lb, Value ub, function_ref<void(Value)> body) {
  forLoop(lb, ub, 1, body);
}

void LoopEmitter::parallelLoop(Value lb, Value ub,
                               function_ref<void(Value)> body, int64_t step) {
  forLoop(lb, ub, step, body)
      ->setAttr(hdp::kParallelLoopAttrName, b.getUnitAttr());
}

SmallVector<Value>
LoopEmitter::loopAcc(Value lb, Value ub, ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body,
                     int64_t step) {
  auto forOp = scf::ForOp::create(
      b, lb, ub, index(step), init,
      [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        SmallVector<Value> next = body(iv, args);
        scf::YieldOp::create(b, next);
      });
  return SmallVector<Value>(forOp.getResults().begin(),
                            forOp.getResults().end());
}

void LoopEmitter::ifThenElse(Value cond, function_ref<void()> thenBody,
                             function_ref<void()> elseBody) {
  auto emitRegion = [&](function_ref<void()> body) {
    return [&, body](OpBuilder &nested, Location) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(nested.getInsertionBlock(),
                          nested.getInsertionPoint());
      if (body)
        body();
      scf::YieldOp::create(b);
    };
  };
  if (elseBody)
    scf::IfOp::create(b, cond, emitRegion(thenBody), emitRegion(elseBody));
  else
    scf::IfOp::create(b, cond, emitRegion(thenBody));
}

SmallVector<Value>
LoopEmitter::ifThenElseValues(Value cond,
                              function_ref<SmallVector<Value>()> thenBody,
                              function_ref<SmallVector<Value>()> elseBody) {
  auto emitRegion = [&](function_ref<SmallVector<Value>()> body) {
    return [&, body](OpBuilder &nested, Location) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(nested.getInsertionBlock(),
                          nested.getInsertionPoint());
      scf::YieldOp::create(b, body());
    };
  };
  auto ifOp =
      scf::IfOp::create(b, cond, emitRegion(thenBody), emitRegion(elseBody));
  return SmallVector<Value>(ifOp.getResults().begin(), ifOp.getResults().end());
}

Value LoopEmitter::minIndex(Value x, Value y) {
  return arith::MinSIOp::create(b, x, y);
}

Value LoopEmitter::mulIndex(Value x, int64_t c) {
  return arith::MulIOp::create(b, x, index(c));
}

Value LoopEmitter::addIndex(Value x, Value y) {
  return arith::AddIOp::create(b, x, y);
}

Value LoopEmitter::ceilDiv(Value x, int64_t c) {
  return arith::CeilDivUIOp::create(b, x, index(c));
}

Value LoopEmitter::divIndex(Value x, int64_t c) {
  return arith::DivUIOp::create(b, x, index(c));
}

Value LoopEmitter::sext(Value v, unsigned width) {
  auto type = cast<IntegerType>(v.getType());
  if (type.getWidth() == width)
    return v;
  Type wide = b.getIntegerType(width);
  if (type.getWidth() > width)
    return arith::TruncIOp::create(b, wide, v);
  return arith::ExtSIOp::create(b, wide, v);
}

Value LoopEmitter::truncTo(Value v, Type type) {
  if (v.getType() == type)
    return v;
  return arith::TruncIOp::create(b, type, v);
}

//===----------------------------------------------------------------------===//
// MaskReader
//===----------------------------------------------------------------------===//

Value MaskReader::read(ValueRange bhij) {
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

Value MaskReader::isRemoved(Value value) {
  return arith::CmpFOp::create(e.builder(), e.location(),
                               arith::CmpFPredicate::OLE, value,
                               e.f32(hdp::kRemovedThreshold));
}

//===----------------------------------------------------------------------===//
// Block-mask lanes and kept-block lists
//===----------------------------------------------------------------------===//

namespace {
/// The address of memref[ivs] as an !llvm.ptr: the aligned base plus the
/// offset and the strided indices (in elements; i1 elements are bytes).
Value elementPointer(LoopEmitter &e, Value memref, ValueRange ivs) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value linear = meta.getOffset();
  for (auto [iv, stride] : llvm::zip(ivs, meta.getStrides()))
    linear = e.addIndex(linear, arith::MulIOp::create(b, loc, iv, stride));
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value address = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                             e.addIndex(base, linear));
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), address);
}
} // namespace

Value hdp::loops::loadBoolLanes(LoopEmitter &e, Value memref, ValueRange ivs,
                                int64_t lanes) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  auto bytesType = VectorType::get({lanes}, b.getI8Type());
  Value bytes =
      LLVM::LoadOp::create(b, loc, bytesType, elementPointer(e, memref, ivs),
                           /*alignment=*/1);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, bytes,
                               splat(e, bytesType, b.getI8IntegerAttr(0)));
}

void hdp::loops::storeBoolLanes(LoopEmitter &e, Value lanes, Value memref,
                                ValueRange ivs) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  auto bytesType = VectorType::get(
      {cast<VectorType>(lanes.getType()).getNumElements()}, b.getI8Type());
  Value bytes = arith::ExtUIOp::create(b, loc, bytesType, lanes);
  LLVM::StoreOp::create(b, loc, bytes, elementPointer(e, memref, ivs),
                        /*alignment=*/1);
}

Value hdp::loops::allocKeptList(LoopEmitter &e, Value n) {
  OpBuilder &b = e.builder();
  return memref::AllocOp::create(
      b, e.location(), MemRefType::get({ShapedType::kDynamic}, b.getI32Type()),
      ValueRange{n});
}

Value hdp::loops::loadListEntry(LoopEmitter &e, Value list, Value k) {
  return arith::IndexCastOp::create(
      e.builder(), e.location(), e.builder().getIndexType(), e.load(list, {k}));
}

Value hdp::loops::emitKeptList(LoopEmitter &e, Value mask, ValueRange prefix,
                               Value count, Value list, bool compress) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Type i32 = b.getI32Type();
  Value zero = e.index(0), one = e.index(1);
  auto at = [&](Value c) {
    SmallVector<Value> idx(prefix.begin(), prefix.end());
    idx.push_back(c);
    return idx;
  };
  // One column at a time: its number is stored, and the count moves past
  // it when it is kept.
  auto scalarColumns = [&](Value lb, Value n0) {
    return e.loopAcc(
        lb, count, {n0}, [&](Value c, ValueRange acc) -> SmallVector<Value> {
          e.store(arith::IndexCastOp::create(b, loc, i32, c), list, {acc[0]});
          Value kept = e.load(mask, at(c));
          return {e.addIndex(acc[0],
                             arith::SelectOp::create(b, loc, kept, one, zero))};
        })[0];
  };
  if (!compress)
    return scalarColumns(zero, zero);
  // kListLanes columns at a time: their numbers compressed to the kept
  // ones (vpcompressd) and stored, the count moving by the popcount.
  constexpr int64_t L = kListLanes;
  auto laneType = VectorType::get({L}, i32);
  SmallVector<int32_t> iota(L);
  std::iota(iota.begin(), iota.end(), 0);
  Value lanes = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(laneType, ArrayRef<int32_t>(iota)));
  Value main = e.mulIndex(e.divIndex(count, L), L);
  Value n = e.loopAcc(
      zero, main, {zero},
      [&](Value c0, ValueRange acc) -> SmallVector<Value> {
        Value kept = loadBoolLanes(e, mask, at(c0), L);
        Value columns = arith::AddIOp::create(
            b, loc, lanes,
            vector::BroadcastOp::create(
                b, loc, laneType, arith::IndexCastOp::create(b, loc, i32, c0)));
        // The IntegerAttr overload: the MaybeAlign one passes the mask and
        // the value swapped (MLIR 22).
        vector::CompressStoreOp::create(b, loc, list, ValueRange{acc[0]}, kept,
                                        columns, IntegerAttr());
        Value bits = LLVM::BitcastOp::create(b, loc, b.getIntegerType(L), kept);
        Value keptCount = arith::IndexCastUIOp::create(
            b, loc, b.getIndexType(), LLVM::CtPopOp::create(b, loc, bits));
        return {e.addIndex(acc[0], keptCount)};
      },
      L)[0];
  return scalarColumns(main, n);
}

//===----------------------------------------------------------------------===//
// Integer kernels
//===----------------------------------------------------------------------===//

bool hdp::loops::hasPureBufferSemantics(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return isa<MemRefType>(t); });
}

Value hdp::loops::emitDotSum(LoopEmitter &e,
                             ArrayRef<std::pair<DotOperand, DotOperand>> pairs,
                             Value D, int64_t staticD, unsigned accWidth) {
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

bool hdp::loops::fitsI32(int64_t staticD, int64_t terms, int64_t productBits) {
  if (ShapedType::isDynamic(staticD))
    return false;
  double bits = std::log2(static_cast<double>(staticD * terms)) +
                static_cast<double>(productBits);
  return bits < 31.0;
}

unsigned hdp::loops::accumulatorWidth(int64_t staticD, int64_t terms,
                                      int64_t maxProduct) {
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

int64_t hdp::loops::lanesFor(unsigned width) { return width == 16 ? 32 : 16; }

Value hdp::loops::splat(LoopEmitter &e, VectorType type, Attribute value) {
  return arith::ConstantOp::create(e.builder(), e.location(),
                                   DenseElementsAttr::get(type, value));
}

void hdp::loops::emitTranspose(LoopEmitter &e, Value k, ValueRange prefix,
                               Value kT, Value M, Value D) {
  // Each j writes its own column of kT.
  e.parallelLoop(e.index(0), M, [&](Value j) {
    e.loop(D, [&](Value d) {
      SmallVector<Value> idx(prefix.begin(), prefix.end());
      idx.push_back(j);
      idx.push_back(d);
      e.store(e.load(k, idx), kT, {d, j});
    });
  });
}

Value hdp::loops::allocTransposed(LoopEmitter &e, Value k) {
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

SmallVector<Value> hdp::loops::emitOuterProducts(LoopEmitter &e,
                                                 ArrayRef<OuterTerm> terms,
                                                 unsigned numAcc, int64_t VL,
                                                 Type accElt, Value row0,
                                                 Value j0, Value D) {
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

SmallVector<Value> hdp::loops::emitKeptRowsPV(
    LoopEmitter &e, Value value, ValueRange bh, Value list, Value count,
    int64_t bn, Value M, int64_t numRows, VectorType rowType,
    function_ref<Value(int64_t, Value, Value, Value)> probAt) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  Value zeroRow = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(rowType, b.getF32FloatAttr(0.0f)));
  SmallVector<Value> init(numRows, zeroRow);
  // acc[r] += P[r, j]·V[j] for key j of list entry k (first key j0).
  auto addKey = [&](Value k, Value j0, Value j, ValueRange acc) {
    SmallVector<Value> idx(bh.begin(), bh.end());
    idx.push_back(j);
    idx.push_back(e.index(0));
    Value vrow = vector::LoadOp::create(b, loc, rowType, value, idx);
    SmallVector<Value> next;
    for (int64_t r = 0; r < numRows; ++r) {
      Value pv =
          vector::BroadcastOp::create(b, loc, rowType, probAt(r, k, j0, j));
      Value prod = arith::MulFOp::create(b, loc, pv, vrow);
      next.push_back(arith::AddFOp::create(b, loc, acc[r], prod));
    }
    return next;
  };
  // Only the last block column can be cut by M, and the list is ascending:
  // every entry but the last is a whole block of bn keys, unrolled.
  Value one = e.index(1);
  Value last = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, count, one), e.index(0));
  SmallVector<Value> whole =
      e.loopAcc(e.index(0), last, init,
                [&](Value k, ValueRange acc) -> SmallVector<Value> {
                  Value j0 = e.mulIndex(loadListEntry(e, list, k), bn);
                  SmallVector<Value> a(acc.begin(), acc.end());
                  for (int64_t l = 0; l < bn; ++l)
                    a = addKey(k, j0, e.addIndex(j0, e.index(l)), a);
                  return a;
                });
  return e.loopAcc(
      last, count, whole, [&](Value k, ValueRange acc) -> SmallVector<Value> {
        Value j0 = e.mulIndex(loadListEntry(e, list, k), bn);
        Value j1 = e.minIndex(e.addIndex(j0, e.index(bn)), M);
        return e.loopAcc(j0, j1, acc,
                         [&](Value j, ValueRange a) -> SmallVector<Value> {
                           return addKey(k, j0, j, a);
                         });
      });
}

//===----------------------------------------------------------------------===//
// VNNI integer kernels
//===----------------------------------------------------------------------===//

std::optional<IntKernels> hdp::loops::parseIntKernels(StringRef name) {
  if (name == "generic")
    return IntKernels::Generic;
  if (name == "avx512-vnni")
    return IntKernels::Avx512Vnni;
  if (name == "avx-vnni")
    return IntKernels::AvxVnni;
  return std::nullopt;
}

int64_t hdp::loops::vnniLanes(IntKernels kernels) {
  return kernels == IntKernels::Avx512Vnni ? 16 : 8;
}

bool hdp::loops::useVnni(IntKernels kernels, int64_t staticD, int64_t intBits,
                         int64_t fracBits) {
  return kernels != IntKernels::Generic && !ShapedType::isDynamic(staticD) &&
         staticD % 4 == 0 && intBits <= 8 && fracBits <= 7;
}

SmallVector<Value> hdp::loops::packedSizes(LoopEmitter &e, Value k,
                                           int64_t tileKeys) {
  auto type = cast<MemRefType>(k.getType());
  int64_t rank = type.getRank();
  int64_t m = type.getDimSize(rank - 2), d = type.getDimSize(rank - 1);
  Value tiles = ShapedType::isDynamic(m)
                    ? e.divIndex(e.dim(k, rank - 2), tileKeys)
                    : e.index(m / tileKeys);
  return {tiles, e.index(d / 4), e.index(4 * tileKeys)};
}

PackedKey hdp::loops::allocPacked(LoopEmitter &e, Value k, int64_t tileKeys) {
  auto type = cast<MemRefType>(k.getType());
  int64_t rank = type.getRank();
  int64_t m = type.getDimSize(rank - 2), d = type.getDimSize(rank - 1);
  OpBuilder &b = e.builder();
  SmallVector<Value> tileSizes, sumSizes;
  if (ShapedType::isDynamic(m)) {
    tileSizes.push_back(packedSizes(e, k, tileKeys)[0]);
    sumSizes.push_back(e.dim(k, rank - 2));
  }
  int64_t tiles = ShapedType::isDynamic(m) ? m : m / tileKeys;
  auto packedType =
      MemRefType::get({tiles, d / 4, 4 * tileKeys}, b.getI8Type());
  auto sumType = MemRefType::get({m}, b.getI32Type());
  return {memref::AllocOp::create(b, e.location(), packedType, tileSizes),
          memref::AllocOp::create(b, e.location(), sumType, sumSizes),
          tileKeys};
}

void hdp::loops::deallocPacked(LoopEmitter &e, const PackedKey &p) {
  memref::DeallocOp::create(e.builder(), e.location(), p.packed);
  memref::DeallocOp::create(e.builder(), e.location(), p.sums);
}

void hdp::loops::emitPack(LoopEmitter &e, Value k, ValueRange prefix,
                          const PackedKey &p, Value M, Value D) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  // Each j writes its own 4 bytes per row of the packed operand (keys of
  // whole tiles only: no kernel reads the others) and its sum.
  int64_t W = p.tileKeys;
  Value wholeTiles = e.mulIndex(e.divIndex(M, W), W);
  e.parallelLoop(e.index(0), M, [&](Value j) {
    Value packedKey =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, j, wholeTiles);
    Value tile = e.divIndex(j, W);
    Value col0 = e.mulIndex(arith::RemUIOp::create(b, loc, j, e.index(W)), 4);
    SmallVector<Value> sum = e.loopAcc(
        e.index(0), D,
        {arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0)},
        [&](Value d, ValueRange acc) -> SmallVector<Value> {
          SmallVector<Value> idx(prefix.begin(), prefix.end());
          idx.push_back(j);
          idx.push_back(d);
          Value v = e.sext(e.load(k, idx), 8);
          e.ifThenElse(packedKey, [&] {
            Value col =
                e.addIndex(col0, arith::RemUIOp::create(b, loc, d, e.index(4)));
            e.store(v, p.packed, {tile, e.divIndex(d, 4), col});
          });
          return {arith::AddIOp::create(b, loc, acc[0], e.sext(v, 32))};
        });
    e.store(sum[0], p.sums, {j});
  });
}

SmallVector<Value> hdp::loops::emitVnniOuterProducts(
    LoopEmitter &e, ArrayRef<VnniTerm> terms, unsigned numAcc,
    IntKernels kernels, Value row0, Value j0, Value D, int64_t colVecs) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  int64_t VL = vnniLanes(kernels);
  Type i32 = b.getI32Type(), i8 = b.getI8Type();
  auto accType = VectorType::get({VL}, i32);
  auto bytesType = VectorType::get({4 * VL}, i8);
  auto quadType = VectorType::get({4}, i8);
  StringAttr intrinsic = b.getStringAttr(kernels == IntKernels::Avx512Vnni
                                             ? "llvm.x86.avx512.vpdpbusd.512"
                                             : "llvm.x86.avx512.vpdpbusd.256");
  Value zero = splat(e, accType, b.getI32IntegerAttr(0));
  // acc[(a * kTileRows + r) * colVecs + c]
  SmallVector<Value> init(numAcc * kTileRows * colVecs, zero);
  SmallVector<Value> rows;
  for (int64_t r = 0; r < kTileRows; ++r)
    rows.push_back(e.addIndex(row0, e.index(r)));
  // The tile of keys j0 .. j0 + colVecs·VL.
  Value tile;
  for (const VnniTerm &t : terms) {
    assert(t.k.tileKeys == colVecs * VL && "packed for another tile width");
    (void)t;
  }
  tile = e.divIndex(j0, colVecs * VL);
  SmallVector<Value> acc = e.loopAcc(
      e.index(0), D, init,
      [&](Value d, ValueRange acc) -> SmallVector<Value> {
        SmallVector<Value> next(acc.begin(), acc.end());
        Value d4 = e.divIndex(d, 4);
        llvm::DenseMap<std::pair<Value, int64_t>, Value> kVecs;
        llvm::DenseMap<std::pair<Value, int64_t>, Value> qVecs;
        for (const VnniTerm &t : terms) {
          for (int64_t r = 0; r < kTileRows; ++r) {
            Value qv = qVecs.lookup({t.q, r * 2 + (t.qOffset != 0)});
            if (!qv) {
              SmallVector<Value> idx = t.qPrefix;
              idx.push_back(rows[r]);
              idx.push_back(d);
              Value quad = vector::LoadOp::create(b, loc, quadType, t.q, idx);
              if (t.qOffset && !t.qOffsetApplied)
                quad = arith::AddIOp::create(
                    b, loc, quad,
                    splat(e, quadType, b.getI8IntegerAttr(t.qOffset)));
              Value word = vector::ExtractOp::create(
                  b, loc,
                  vector::BitCastOp::create(b, loc, VectorType::get({1}, i32),
                                            quad),
                  ArrayRef<int64_t>{0});
              qv = vector::BitCastOp::create(
                  b, loc, bytesType,
                  vector::BroadcastOp::create(b, loc, accType, word));
              qVecs[{t.q, r * 2 + (t.qOffset != 0)}] = qv;
            }
            for (int64_t c = 0; c < colVecs; ++c) {
              Value kv = kVecs.lookup({t.k.packed, c});
              if (!kv) {
                kv = vector::LoadOp::create(
                    b, loc, bytesType, t.k.packed,
                    ValueRange{tile, d4, e.index(c * 4 * VL)});
                kVecs[{t.k.packed, c}] = kv;
              }
              unsigned slot = (t.acc * kTileRows + r) * colVecs + c;
              // a (u8): the offset Q values; b (s8): the packed keys.
              next[slot] =
                  LLVM::CallIntrinsicOp::create(b, loc, accType, intrinsic,
                                                ValueRange{next[slot], qv, kv})
                      .getResult(0);
            }
          }
        }
        return next;
      },
      /*step=*/4);
  // Σ_d (q + off)·k = Σ_d q·k + off·Σ_d k.
  for (const VnniTerm &t : terms) {
    if (!t.qOffset)
      continue;
    for (int64_t c = 0; c < colVecs; ++c) {
      Value sums =
          vector::LoadOp::create(b, loc, accType, t.k.sums,
                                 ValueRange{e.addIndex(j0, e.index(c * VL))});
      Value share = arith::MulIOp::create(
          b, loc, sums, splat(e, accType, b.getI32IntegerAttr(t.qOffset)));
      for (int64_t r = 0; r < kTileRows; ++r) {
        unsigned slot = (t.acc * kTileRows + r) * colVecs + c;
        acc[slot] = arith::SubIOp::create(b, loc, acc[slot], share);
      }
    }
  }
  if (colVecs == 1)
    return acc;
  // The colVecs vectors of a row side by side.
  SmallVector<Value> joined;
  for (unsigned slot = 0; slot < numAcc * kTileRows; ++slot) {
    SmallVector<Value> parts(acc.begin() + slot * colVecs,
                             acc.begin() + (slot + 1) * colVecs);
    while (parts.size() > 1) {
      SmallVector<Value> pairs;
      for (size_t i = 0; i < parts.size(); i += 2) {
        int64_t n = cast<VectorType>(parts[i].getType()).getNumElements();
        SmallVector<int64_t> lanes(2 * n);
        std::iota(lanes.begin(), lanes.end(), 0);
        pairs.push_back(
            vector::ShuffleOp::create(b, loc, parts[i], parts[i + 1], lanes));
      }
      parts = std::move(pairs);
    }
    joined.push_back(parts.front());
  }
  return joined;
}
