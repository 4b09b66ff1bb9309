//===- SparsePV.cpp - hdp.sparse_pv to scf loops --------------------------===//
//
// Stage 5b of docs/semantics.md, one row at a time over the kept blocks of
// its block row, with the reference's roundings (mul then add, no FMA).
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

void lowerSparsePV(LoopEmitter &e, SparsePVOp op, bool compressLists) {
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
  bool vectorRow =
      !ShapedType::isDynamic(staticDv) && staticDv <= kMaxVectorRowDv;
  auto rowType = VectorType::get({vectorRow ? staticDv : 1}, b.getF32Type());
  Value zeroRow = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(rowType, b.getF32FloatAttr(0.0f)));

  // The kept block columns of one block row, listed branch-free before the
  // rows walk them: the loop over them then has no unpredictable branch.
  Value list;
  if (vectorRow)
    list = allocKeptList(e, MB);
  auto listKept = [&](Value ib, Value ih, Value bi) {
    return emitKeptList(e, blockMask, {ib, ih, bi}, MB, list, compressLists);
  };

  // Output rows `rows` (all in block row `bi`) as vectors, over the kept
  // blocks of the block row.
  auto vectorRows = [&](Value ib, Value ih, Value headKept, Value bi,
                        ArrayRef<Value> rows) {
    SmallVector<Value> init(rows.size(), zeroRow);
    return e.ifThenElseValues(
        headKept,
        [&]() -> SmallVector<Value> {
          return emitKeptRowsPV(e, value, {ib, ih}, list, listKept(ib, ih, bi),
                                bn, M, rows.size(), rowType,
                                [&](int64_t r, Value, Value, Value j) {
                                  return e.load(probs, {ib, ih, rows[r], j});
                                });
        },
        [&]() -> SmallVector<Value> { return init; });
  };

  // One output row accumulated in memory, element by element (dynamic or
  // large Dv).
  auto scalarRow = [&](Value ib, Value ih, Value headKept, Value i) {
    e.loop(Dv, [&](Value c) { e.store(e.f32(0.0f), out, {ib, ih, i, c}); });
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
              Value prod = arith::MulFOp::create(b, loc, p,
                                                 e.load(value, {ib, ih, j, c}));
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
  if (list)
    memref::DeallocOp::create(b, loc, list);
}

struct SparsePVLowering : OpRewritePattern<SparsePVOp> {
  SparsePVLowering(MLIRContext *context, const FusionAnalysis &fusion,
                   IntKernels kernels)
      : OpRewritePattern(context), fusion(fusion), kernels(kernels) {}

  LogicalResult matchAndRewrite(SparsePVOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasPureBufferSemantics(op))
      return rewriter.notifyMatchFailure(
          op, "operands are not all memrefs: run one-shot-bufferize first");
    // Already lowered by the masked_softmax that computes its P.
    if (!fusion.isLoweredWithSoftmax(op)) {
      LoopEmitter e(rewriter, op.getLoc());
      lowerSparsePV(e, op, kernels == IntKernels::Avx512Vnni);
    }
    rewriter.eraseOp(op);
    return success();
  }

private:
  const FusionAnalysis &fusion;
  IntKernels kernels;
};

} // namespace

void hdp::loops::populateSparsePVLowering(RewritePatternSet &patterns,
                                          const FusionAnalysis &fusion,
                                          IntKernels kernels) {
  patterns.add<SparsePVLowering>(patterns.getContext(), fusion, kernels);
}
