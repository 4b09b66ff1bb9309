//===- BlockScore.cpp - hdp.block_score to scf loops ----------------------===//
//
// Stage 2 of docs/semantics.md, one tile of block rows at a time: S_int by
// register-blocked outer products (scalar dot products at edges, under masks
// and for dynamic D) and θ of each block. Under fused scoring the prune and
// head masks are computed here too, after each step, where the later of the
// two stood.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"
#include "Pruning.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <optional>

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

void lowerBlockScore(LoopEmitter &e, BlockScoreOp op, FusedScoring *fused,
                     bool writeScores, IntKernels kernels) {
  OpBuilder &b = e.builder();
  Location loc = e.location();
  ConfigAttr config = op.getEffectiveConfig();
  int64_t bm = config.getBlockRows(), bn = config.getBlockCols();
  Value qHi = op.getQueryHi(), kHi = op.getKeyHi();
  Value scoresOut = op.getInits()[0], thetaOut = op.getInits()[1];
  // importance = signed: θ is Σ S_int and the block magnitudes (Σ|S_int|,
  // -1 for an invalid block) go to a third buffer.
  const bool signedRanking = config.getImportance() == hdp::Importance::Signed;
  Value magnitudeOut = signedRanking ? op.getInits()[2] : Value();
  Type scoreType = cast<MemRefType>(scoresOut.getType()).getElementType();
  Type i64 = b.getI64Type();
  Type i8Type = b.getI8Type();
  MaskReader mask(e, op.getMask());
  // S_int is written only when something other than approx_combine reads
  // it (`writeScores`); otherwise its buffer is dead and goes away.

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
    SmallVector<Value> acc =
        e.loopAcc(i0, i1, init, [&](Value i, ValueRange rowAcc) {
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
    return {acc[0], arith::SelectOp::create(b, loc, acc[1], acc[2], e.i64(-1))};
  };

  int64_t maxHi = int64_t(1) << (config.getIntBits() - 1);
  unsigned accWidth = accumulatorWidth(staticD, 1, maxHi * maxHi);
  // VNNI dot products accumulate in i32 lanes.
  const bool vnni = accWidth && useVnni(kernels, staticD, config.getIntBits(),
                                        config.getFracBits());
  if (vnni)
    accWidth = 32;
  // VNNI tiles are two dot-product vectors wide: each broadcast Q value
  // feeds two vpdpbusd.
  constexpr int64_t kVnniColVecs = 2;
  int64_t VL = vnni ? kVnniColVecs * vnniLanes(kernels) : lanesFor(accWidth);
  bool fast = !mask && accWidth && kTileRows % bm == 0 && VL % bn == 0;
  // Block rows per step of the traversal below.
  int64_t rowsPerStep = fast ? kTileRows / bm : 1;

  // Where θ goes: θOut[ib, ih, bi, bj], or, fused, row `bi mod rows` of a
  // small buffer that the step's pruning reads. Steps run in parallel: each
  // allocates its own (allocRows at its start, freeRows at its end).
  Value thetaRows, magnitudeRows;
  auto allocRows = [&](int64_t rows) {
    if (!fused)
      return;
    SmallVector<Value> dynSizes;
    auto blockType = cast<MemRefType>(blockShaped.getType());
    if (blockType.isDynamicDim(3))
      dynSizes.push_back(MB);
    auto rowsType = MemRefType::get({rows, blockType.getDimSize(3)}, i64);
    thetaRows = memref::AllocOp::create(b, loc, rowsType, dynSizes);
    if (signedRanking)
      magnitudeRows = memref::AllocOp::create(b, loc, rowsType, dynSizes);
  };
  auto freeRows = [&] {
    if (thetaRows)
      memref::DeallocOp::create(b, loc, thetaRows);
    if (magnitudeRows)
      memref::DeallocOp::create(b, loc, magnitudeRows);
  };
  // Fused: each block row's share of θ_H, written by the parallel steps and
  // summed once they are done.
  // The per-head buffers below exist for every head at once (heads run in
  // parallel); `headView` gives head ih's part of one: rows [ih·n, (ih+1)·n)
  // of its first dimension.
  auto allocHeads = [&](ArrayRef<Value> perHeadSizes, Type elt) -> Value {
    SmallVector<int64_t> shape;
    SmallVector<Value> dynSizes;
    for (auto [d, size] : llvm::enumerate(perHeadSizes)) {
      std::optional<int64_t> c = getConstantIntValue(size);
      std::optional<int64_t> heads = getConstantIntValue(H);
      if (d == 0 && c && heads) {
        shape.push_back(*c * *heads);
      } else if (d == 0) {
        shape.push_back(ShapedType::kDynamic);
        dynSizes.push_back(arith::MulIOp::create(b, loc, size, H));
      } else {
        shape.push_back(c ? *c : ShapedType::kDynamic);
        if (!c)
          dynSizes.push_back(size);
      }
    }
    return memref::AllocOp::create(b, loc, MemRefType::get(shape, elt),
                                   dynSizes);
  };
  auto headView = [&](Value all, Value ih,
                      ArrayRef<Value> perHeadSizes) -> Value {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (auto [d, size] : llvm::enumerate(perHeadSizes)) {
      offsets.push_back(
          d ? OpFoldResult(b.getIndexAttr(0))
            : OpFoldResult(
                  arith::MulIOp::create(b, loc, ih, size).getResult()));
      sizes.push_back(getAsOpFoldResult(size));
      strides.push_back(b.getIndexAttr(1));
    }
    return memref::SubViewOp::create(b, loc, all, offsets, sizes, strides);
  };
  Value rowSums, rowSumsAll;
  if (fused)
    rowSumsAll = allocHeads({NB}, i64);
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
  auto finishRows = [&](Value ib, Value ih, Value bi0, int64_t rows) {
    if (!fused)
      return;
    Value maskOut = fused->prune.getInits()[0];
    for (int64_t row = 0; row < rows; ++row) {
      Value r = e.index(row);
      Value bi = e.addIndex(bi0, r);
      BlockRow magnitude{magnitudeRows, {r}};
      Value rowSum = emitPruneRow(e, pruneCfg, MB, BlockRow{thetaRows, {r}},
                                  signedRanking ? &magnitude : nullptr,
                                  BlockRow{maskOut, {ib, ih, bi}});
      e.store(rowSum, rowSums, {bi});
    }
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
  // Per head: a Kᵀ copy (generic kernels), or K packed with its key sums
  // and hiQ + 2^(I-1) as u8 (VNNI: the kernel broadcasts the Q values
  // straight from memory); made for every head first.
  Value kT, kTAll, qOffset, qOffsetAll;
  PackedKey kP, kPAll;
  auto kTSizes = [&] { return SmallVector<Value>{D, M}; };

  auto packedKeySizes = [&] { return packedSizes(e, kHi, VL); };
  auto qSizes = [&] { return SmallVector<Value>{N, D}; };
  if (fast && !vnni)
    kTAll =
        allocHeads(kTSizes(), cast<MemRefType>(kHi.getType()).getElementType());
  if (fast && vnni) {
    kPAll.packed = allocHeads(packedKeySizes(), i8Type);
    kPAll.tileKeys = VL;
    kPAll.sums = allocHeads({M}, b.getI32Type());
    qOffsetAll = allocHeads(qSizes(), i8Type);
  }
  // Head ih's views of them (side-effect free: the loops over heads and
  // steps stay one parallel region).
  auto viewHead = [&](Value ih) {
    if (kTAll)
      kT = headView(kTAll, ih, kTSizes());
    if (kPAll.packed) {
      kP.packed = headView(kPAll.packed, ih, packedKeySizes());
      kP.tileKeys = VL;
      kP.sums = headView(kPAll.sums, ih, {M});
      qOffset = headView(qOffsetAll, ih, qSizes());
    }
    if (rowSumsAll)
      rowSums = headView(rowSumsAll, ih, {NB});
  };
  Value nMain =
      fast ? e.mulIndex(e.divIndex(N, kTileRows), kTileRows) : e.index(0);
  Value mMain = fast ? e.mulIndex(e.divIndex(M, VL), VL) : e.index(0);
  Value nbMain = e.divIndex(nMain, bm), mbMain = e.divIndex(mMain, bn);
  Type accElt = b.getIntegerType(fast ? accWidth : 32);
  auto wideType = VectorType::get({VL}, i64);
  auto scoreVecType = VectorType::get({VL}, scoreType);
  int64_t colBlocks = VL / bn;
  auto emitTile = [&](Value ib, Value ih, Value i0, Value j0) {
    SmallVector<Value> acc =
        vnni
            ? emitVnniOuterProducts(e,
                                    {VnniTerm{qOffset, {}, maxHi, kP, 0, true}},
                                    1, kernels, i0, j0, D, kVnniColVecs)
            : emitOuterProducts(e, {OuterTerm{qHi, {ib, ih}, kT, 0}}, 1, VL,
                                accElt, i0, j0, D);
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
    if (fast) {
      // Heads are independent: their copies first, ...
      e.parallelLoop(e.index(0), H, [&](Value ih) {
        viewHead(ih);
        if (vnni) {
          emitPack(e, kHi, {ib, ih}, kP, M, D);
          Value offset = arith::ConstantIntOp::create(
              b, loc, cast<MemRefType>(qHi.getType()).getElementType(), maxHi);
          e.loop(N, [&](Value i) {
            e.loop(D, [&](Value d) {
              Value q = arith::AddIOp::create(
                  b, loc, e.load(qHi, {ib, ih, i, d}), offset);
              e.store(e.truncTo(q, i8Type), qOffset, {i, d});
            });
          });
        } else {
          emitTranspose(e, kHi, {ib, ih}, kT, M, D);
        }
      });
      // ... then the steps of block rows of every head, independent too.
      e.parallelLoop(e.index(0), H, [&](Value ih) {
        viewHead(ih);
        e.parallelLoop(
            e.index(0), nMain,
            [&](Value i0) {
              allocRows(rowsPerStep);
              e.loopAcc(
                  e.index(0), mMain, {},
                  [&](Value j0, ValueRange) -> SmallVector<Value> {
                    emitTile(ib, ih, i0, j0);
                    return {};
                  },
                  VL);
              Value bi0 = e.divIndex(i0, bm);
              for (int64_t row = 0; row < rowsPerStep; ++row)
                scalarRow(ib, ih, e.addIndex(bi0, e.index(row)), e.index(row),
                          mbMain);
              finishRows(ib, ih, bi0, rowsPerStep);
              freeRows();
            },
            kTileRows);
      });
    }
    // The bottom edge (or, on the scalar path, everything), one block row
    // at a time.
    e.parallelLoop(e.index(0), H, [&](Value ih) {
      viewHead(ih);
      e.parallelLoop(nbMain, NB, [&](Value bi) {
        allocRows(1);
        scalarRow(ib, ih, bi, e.index(0), e.index(0));
        finishRows(ib, ih, bi, 1);
        freeRows();
      });
    });
    if (!fused)
      return;
    SmallVector<Value> total =
        e.loopAcc(e.index(0), H, {e.i64(0)},
                  [&](Value ih, ValueRange tot) -> SmallVector<Value> {
                    viewHead(ih);
                    SmallVector<Value> headSum = e.loopAcc(
                        e.index(0), NB, {e.i64(0)},
                        [&](Value bi, ValueRange s) -> SmallVector<Value> {
                          return {arith::AddIOp::create(b, loc, s[0],
                                                        e.load(rowSums, {bi}))};
                        });
                    e.store(headSum[0], fused->head.getInits()[1], {ib, ih});
                    return {arith::AddIOp::create(b, loc, tot[0], headSum[0])};
                  });
    emitHeadMask(e, headCfg, ib, H, total[0], fused->head.getInits()[1],
                 fused->head.getInits()[0]);
  });
  for (Value all : {kTAll, kPAll.packed, kPAll.sums, qOffsetAll, rowSumsAll})
    if (all)
      memref::DeallocOp::create(b, loc, all);
}

struct BlockScoreLowering : OpRewritePattern<BlockScoreOp> {
  BlockScoreLowering(MLIRContext *context, const FusionAnalysis &fusion,
                     IntKernels kernels)
      : OpRewritePattern(context), fusion(fusion), kernels(kernels) {}

  LogicalResult matchAndRewrite(BlockScoreOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    // Fused, the three stages are lowered where the later mask stood.
    std::optional<FusedScoring> fused;
    if (const FusedScoring *decided = fusion.getFusedScoring(op)) {
      fused = *decided;
      rewriter.setInsertionPoint(fused->last);
    }
    LoopEmitter e(rewriter, op.getLoc());
    lowerBlockScore(e, op, fused ? &*fused : nullptr, fusion.needsScores(op),
                    kernels);
    rewriter.eraseOp(op);
    return success();
  }

private:
  const FusionAnalysis &fusion;
  IntKernels kernels;
};

} // namespace

void hdp::loops::populateBlockScoreLowering(RewritePatternSet &patterns,
                                            const FusionAnalysis &fusion,
                                            IntKernels kernels) {
  patterns.add<BlockScoreLowering>(patterns.getContext(), fusion, kernels);
}
