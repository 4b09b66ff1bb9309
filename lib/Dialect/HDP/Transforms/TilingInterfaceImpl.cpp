//===- TilingInterfaceImpl.cpp - TilingInterface for the hdp stage ops ----===//
//
// Iteration domains, in the units the stages work in:
//   split_quantize  the input's dims (elements)
//   block_score     [B, H, NB, MB]   blocks
//   prune_mask      [B, H, NB]       block rows (a row's threshold needs all
//                                    of it)
//   head_mask       [B]              batch items (needs every head)
//   approx_combine  [B, H, NB, MB]   blocks
//   masked_softmax  [B, H, N]        rows
//   sparse_pv       [B, H, NB]       block rows
// Each op maps a domain tile to a slice of every operand; element rows of a
// block-row tile are [I·bm, min((I+s)·bm, N)). Tiles along block rows are
// what fusion needs: the score matrix of a head then exists one tile of
// block rows at a time.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/Transforms/TilingInterfaceImpl.h"
#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace hdp;

namespace {

using OFR = OpFoldResult;

/// Offsets and sizes of one operand's slice.
struct Slice {
  SmallVector<OFR> offsets, sizes;
};

OFR dimOf(OpBuilder &b, Location loc, Value v, int64_t d) {
  if (isa<RankedTensorType>(v.getType()))
    return tensor::getMixedSize(b, loc, v, d);
  return memref::getMixedSize(b, loc, v, d);
}

OFR mulConst(OpBuilder &b, Location loc, OFR x, int64_t c) {
  AffineExpr d0 = b.getAffineDimExpr(0);
  return affine::makeComposedFoldedAffineApply(b, loc, d0 * c, {x});
}

/// Element range [o·blk, min((o+s)·blk, n)) of the block range [o, o+s).
std::pair<OFR, OFR> elementsOfBlocks(OpBuilder &b, Location loc, OFR o, OFR s,
                                     int64_t blk, OFR n) {
  AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1),
             d2 = b.getAffineDimExpr(2);
  OFR offset = mulConst(b, loc, o, blk);
  // min(s·blk, n − o·blk)
  AffineMap sizeMap =
      AffineMap::get(3, 0, {d1 * blk, d2 - d0 * blk}, b.getContext());
  OFR size = affine::makeComposedFoldedAffineMin(b, loc, sizeMap, {o, s, n});
  return {offset, size};
}

/// Block range [o div blk, ceildiv(o+s, blk)) covering the element range
/// [o, o+s) (exact when o is a multiple of blk, as block-row tiles are).
std::pair<OFR, OFR> blocksOfElements(OpBuilder &b, Location loc, OFR o, OFR s,
                                     int64_t blk) {
  AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1);
  OFR offset =
      affine::makeComposedFoldedAffineApply(b, loc, d0.floorDiv(blk), {o});
  OFR size = affine::makeComposedFoldedAffineApply(
      b, loc, (d0 + d1).ceilDiv(blk) - d0.floorDiv(blk), {o, s});
  return {offset, size};
}

/// The slice of an additive mask (numpy broadcasting to [B,H,N,M]) for the
/// score tile `tile`; a mask dimension of size 1 keeps [0, 1).
FailureOr<Slice> maskSlice(OpBuilder &b, Value mask, const Slice &tile) {
  auto type = cast<ShapedType>(mask.getType());
  Slice s;
  int64_t rank = type.getRank();
  for (int64_t k = 0; k < rank; ++k) {
    int64_t full = 4 - rank + k;
    if (type.isDynamicDim(k))
      return failure(); // size-1 broadcast is unknown until run time
    if (type.getDimSize(k) == 1) {
      s.offsets.push_back(b.getIndexAttr(0));
      s.sizes.push_back(b.getIndexAttr(1));
    } else {
      s.offsets.push_back(tile.offsets[full]);
      s.sizes.push_back(tile.sizes[full]);
    }
  }
  return s;
}

/// Whether the range [offset, offset+size) is provably all of `dim`.
bool coversAll(OFR offset, OFR size, OFR dim) {
  return isZeroInteger(offset) && isEqualConstantIntOrValue(size, dim);
}

//===----------------------------------------------------------------------===//
// Per-op domain and operand slices
//===----------------------------------------------------------------------===//

/// The domain of `op` and, given a domain tile, the slice of each operand
/// in operand order.
struct StageTiling {
  virtual ~StageTiling() = default;
  virtual SmallVector<Range> domain(OpBuilder &b, Operation *op) const = 0;
  virtual FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const = 0;
  /// The domain tile whose result `resultNumber` is exactly `tile`.
  virtual LogicalResult resultTileToDomain(OpBuilder &b, Operation *op,
                                           unsigned resultNumber,
                                           const Slice &tile,
                                           Slice &domainTile) const = 0;
};

Range fullRange(OpBuilder &b, Location loc, Value v, int64_t d) {
  return Range{b.getIndexAttr(0), dimOf(b, loc, v, d), b.getIndexAttr(1)};
}

/// split_quantize: elementwise; every operand slice is the domain tile.
struct SplitQuantizeTiling : StageTiling {
  SmallVector<Range> domain(OpBuilder &b, Operation *op) const override {
    auto split = cast<SplitQuantizeOp>(op);
    SmallVector<Range> r;
    int64_t rank = cast<ShapedType>(split.getInput().getType()).getRank();
    for (int64_t d = 0; d < rank; ++d)
      r.push_back(fullRange(b, op->getLoc(), split.getInput(), d));
    return r;
  }
  FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const override {
    Slice s{SmallVector<OFR>(offsets), SmallVector<OFR>(sizes)};
    return SmallVector<Slice>(op->getNumOperands(), s);
  }
  LogicalResult resultTileToDomain(OpBuilder &, Operation *, unsigned,
                                   const Slice &tile,
                                   Slice &domainTile) const override {
    domainTile = tile;
    return success();
  }
};

/// Shared by block_score and approx_combine: domain [B, H, NB, MB] over the
/// blocks of the score matrix.
template <typename OpTy> struct BlockDomainTiling : StageTiling {
  SmallVector<Range> domain(OpBuilder &b, Operation *op) const override {
    auto o = cast<OpTy>(op);
    Location loc = op->getLoc();
    Value grid = blockGrid(o);
    return {fullRange(b, loc, grid, 0), fullRange(b, loc, grid, 1),
            fullRange(b, loc, grid, 2), fullRange(b, loc, grid, 3)};
  }

  /// Element rows and columns of a domain tile.
  static Slice scoreTile(OpBuilder &b, OpTy op, ArrayRef<OFR> offsets,
                         ArrayRef<OFR> sizes) {
    Location loc = op->getLoc();
    ConfigAttr config = op.getEffectiveConfig();
    OFR N = dimOf(b, loc, op.getQueryHi(), 2);
    OFR M = dimOf(b, loc, op.getKeyHi(), 2);
    auto [r0, rs] = elementsOfBlocks(b, loc, offsets[2], sizes[2],
                                     config.getBlockRows(), N);
    auto [c0, cs] = elementsOfBlocks(b, loc, offsets[3], sizes[3],
                                     config.getBlockCols(), M);
    return Slice{{offsets[0], offsets[1], r0, c0},
                 {sizes[0], sizes[1], rs, cs}};
  }

  static Slice rowsOf(OpBuilder &b, Value v, const Slice &score, bool columns) {
    OFR D = dimOf(b, v.getLoc(), v, 3);
    int64_t d = columns ? 3 : 2;
    return Slice{{score.offsets[0], score.offsets[1], score.offsets[d],
                  b.getIndexAttr(0)},
                 {score.sizes[0], score.sizes[1], score.sizes[d], D}};
  }

  LogicalResult resultTileToDomain(OpBuilder &b, Operation *op,
                                   unsigned resultNumber, const Slice &tile,
                                   Slice &domainTile) const override {
    auto o = cast<OpTy>(op);
    ConfigAttr config = o.getEffectiveConfig();
    if (isBlockResult(resultNumber)) {
      domainTile = tile;
      return success();
    }
    Location loc = op->getLoc();
    auto [bi, bs] = blocksOfElements(b, loc, tile.offsets[2], tile.sizes[2],
                                     config.getBlockRows());
    auto [bj, bjs] = blocksOfElements(b, loc, tile.offsets[3], tile.sizes[3],
                                      config.getBlockCols());
    domainTile = Slice{{tile.offsets[0], tile.offsets[1], bi, bj},
                       {tile.sizes[0], tile.sizes[1], bs, bjs}};
    return success();
  }

  virtual Value blockGrid(OpTy op) const = 0;
  virtual bool isBlockResult(unsigned resultNumber) const = 0;
};

struct BlockScoreTiling : BlockDomainTiling<BlockScoreOp> {
  Value blockGrid(BlockScoreOp op) const override { return op.getInits()[1]; }
  // θ and, under importance = signed, the block magnitudes.
  bool isBlockResult(unsigned r) const override { return r >= 1; }
  FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const override {
    auto o = cast<BlockScoreOp>(op);
    Slice score = scoreTile(b, o, offsets, sizes);
    SmallVector<Slice> slices = {rowsOf(b, o.getQueryHi(), score, false),
                                 rowsOf(b, o.getKeyHi(), score, true)};
    if (o.getMask()) {
      FailureOr<Slice> m = maskSlice(b, o.getMask(), score);
      if (failed(m))
        return failure();
      slices.push_back(*m);
    }
    slices.push_back(score);
    for (size_t i = 1; i < o.getInits().size(); ++i)
      slices.push_back(
          Slice{SmallVector<OFR>(offsets), SmallVector<OFR>(sizes)});
    return slices;
  }
};

struct ApproxCombineTiling : BlockDomainTiling<ApproxCombineOp> {
  Value blockGrid(ApproxCombineOp op) const override {
    return op.getBlockMask();
  }
  bool isBlockResult(unsigned) const override { return false; }
  FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const override {
    auto o = cast<ApproxCombineOp>(op);
    Slice score = scoreTile(b, o, offsets, sizes);
    Slice blocks{SmallVector<OFR>(offsets), SmallVector<OFR>(sizes)};
    Slice heads{{offsets[0], offsets[1]}, {sizes[0], sizes[1]}};
    SmallVector<Slice> slices = {rowsOf(b, o.getQueryHi(), score, false),
                                 rowsOf(b, o.getQueryLo(), score, false),
                                 rowsOf(b, o.getKeyHi(), score, true),
                                 rowsOf(b, o.getKeyLo(), score, true),
                                 score,
                                 blocks,
                                 heads};
    if (o.getMask()) {
      FailureOr<Slice> m = maskSlice(b, o.getMask(), score);
      if (failed(m))
        return failure();
      slices.push_back(*m);
    }
    slices.push_back(score);
    return slices;
  }
};

/// Shared by prune_mask and masked_softmax: domain [B, H, R] over the rows of
/// a 4-d operand, each row whole; every operand is sliced by the same rows.
template <typename OpTy> struct WholeRowTiling : StageTiling {
  SmallVector<Range> domain(OpBuilder &b, Operation *op) const override {
    Value rows = rowSource(cast<OpTy>(op));
    Location loc = op->getLoc();
    return {fullRange(b, loc, rows, 0), fullRange(b, loc, rows, 1),
            fullRange(b, loc, rows, 2)};
  }
  FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const override {
    Value rows = rowSource(cast<OpTy>(op));
    Slice s{{offsets[0], offsets[1], offsets[2], b.getIndexAttr(0)},
            {sizes[0], sizes[1], sizes[2], dimOf(b, op->getLoc(), rows, 3)}};
    return SmallVector<Slice>(op->getNumOperands(), s);
  }
  LogicalResult resultTileToDomain(OpBuilder &b, Operation *op, unsigned,
                                   const Slice &tile,
                                   Slice &domainTile) const override {
    Value rows = rowSource(cast<OpTy>(op));
    if (!coversAll(tile.offsets[3], tile.sizes[3],
                   dimOf(b, op->getLoc(), rows, 3)))
      return failure(); // see rowSource: the rule needs whole rows
    domainTile = Slice{{tile.offsets[0], tile.offsets[1], tile.offsets[2]},
                       {tile.sizes[0], tile.sizes[1], tile.sizes[2]}};
    return success();
  }
  virtual Value rowSource(OpTy op) const = 0;
};

/// prune_mask: domain [B, H, NB]; each block row whole (its threshold ranks
/// the whole row). θ, the block magnitudes (importance = signed) and the mask
/// are sliced by the same block rows.
struct PruneMaskTiling : WholeRowTiling<PruneMaskOp> {
  Value rowSource(PruneMaskOp op) const override { return op.getTheta(); }
};

/// head_mask: domain [B]; every head of a batch item together.
struct HeadMaskTiling : StageTiling {
  SmallVector<Range> domain(OpBuilder &b, Operation *op) const override {
    return {fullRange(b, op->getLoc(), cast<HeadMaskOp>(op).getTheta(), 0)};
  }
  FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const override {
    Value theta = cast<HeadMaskOp>(op).getTheta();
    Location loc = op->getLoc();
    OFR zero = b.getIndexAttr(0);
    OFR H = dimOf(b, loc, theta, 1);
    Slice t{{offsets[0], zero, zero, zero},
            {sizes[0], H, dimOf(b, loc, theta, 2), dimOf(b, loc, theta, 3)}};
    Slice head{{offsets[0], zero}, {sizes[0], H}};
    return SmallVector<Slice>{t, head, head};
  }
  LogicalResult resultTileToDomain(OpBuilder &b, Operation *op, unsigned,
                                   const Slice &tile,
                                   Slice &domainTile) const override {
    Value theta = cast<HeadMaskOp>(op).getTheta();
    if (!coversAll(tile.offsets[1], tile.sizes[1],
                   dimOf(b, op->getLoc(), theta, 1)))
      return failure(); // the decision compares every head
    domainTile = Slice{{tile.offsets[0]}, {tile.sizes[0]}};
    return success();
  }
};

/// masked_softmax: domain [B, H, N]; each row whole (its maximum and sum).
struct MaskedSoftmaxTiling : WholeRowTiling<MaskedSoftmaxOp> {
  Value rowSource(MaskedSoftmaxOp op) const override { return op.getInput(); }
};

/// sparse_pv: domain [B, H, NB]; a block row of P against all of V.
struct SparsePVTiling : StageTiling {
  SmallVector<Range> domain(OpBuilder &b, Operation *op) const override {
    Value grid = cast<SparsePVOp>(op).getBlockMask();
    Location loc = op->getLoc();
    return {fullRange(b, loc, grid, 0), fullRange(b, loc, grid, 1),
            fullRange(b, loc, grid, 2)};
  }
  FailureOr<SmallVector<Slice>>
  operandSlices(OpBuilder &b, Operation *op, ArrayRef<OFR> offsets,
                ArrayRef<OFR> sizes) const override {
    auto pv = cast<SparsePVOp>(op);
    Location loc = op->getLoc();
    OFR zero = b.getIndexAttr(0);
    int64_t bm = pv.getEffectiveConfig().getBlockRows();
    auto [r0, rs] = elementsOfBlocks(b, loc, offsets[2], sizes[2], bm,
                                     dimOf(b, loc, pv.getProbs(), 2));
    OFR M = dimOf(b, loc, pv.getProbs(), 3);
    OFR Dv = dimOf(b, loc, pv.getValue(), 3);
    Slice probs{{offsets[0], offsets[1], r0, zero},
                {sizes[0], sizes[1], rs, M}};
    Slice value{{offsets[0], offsets[1], zero, zero},
                {sizes[0], sizes[1], M, Dv}};
    Slice blocks{
        {offsets[0], offsets[1], offsets[2], zero},
        {sizes[0], sizes[1], sizes[2], dimOf(b, loc, pv.getBlockMask(), 3)}};
    Slice heads{{offsets[0], offsets[1]}, {sizes[0], sizes[1]}};
    Slice out{{offsets[0], offsets[1], r0, zero}, {sizes[0], sizes[1], rs, Dv}};
    return SmallVector<Slice>{probs, value, blocks, heads, out};
  }
  LogicalResult resultTileToDomain(OpBuilder &b, Operation *op, unsigned,
                                   const Slice &tile,
                                   Slice &domainTile) const override {
    auto pv = cast<SparsePVOp>(op);
    Location loc = op->getLoc();
    if (!coversAll(tile.offsets[3], tile.sizes[3],
                   dimOf(b, loc, pv.getValue(), 3)))
      return failure();
    auto [bi, bs] = blocksOfElements(b, loc, tile.offsets[2], tile.sizes[2],
                                     pv.getEffectiveConfig().getBlockRows());
    domainTile = Slice{{tile.offsets[0], tile.offsets[1], bi},
                       {tile.sizes[0], tile.sizes[1], bs}};
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The interface, shared by all stage ops
//===----------------------------------------------------------------------===//

template <typename OpTy, typename Tiling>
struct StageTilingInterface
    : TilingInterface::ExternalModel<StageTilingInterface<OpTy, Tiling>, OpTy> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    OpBuilder b(op);
    return SmallVector<utils::IteratorType>(Tiling().domain(b, op).size(),
                                            utils::IteratorType::parallel);
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    return Tiling().domain(b, op);
  }

  FailureOr<TilingResult> getTiledImplementation(Operation *op, OpBuilder &b,
                                                 ArrayRef<OFR> offsets,
                                                 ArrayRef<OFR> sizes) const {
    FailureOr<SmallVector<Slice>> slices =
        Tiling().operandSlices(b, op, offsets, sizes);
    if (failed(slices))
      return failure();
    Location loc = op->getLoc();
    SmallVector<Value> operands;
    SmallVector<Operation *> generatedSlices;
    for (auto [operand, slice] : llvm::zip(op->getOperands(), *slices)) {
      SmallVector<OFR> strides(slice.offsets.size(), b.getIndexAttr(1));
      if (isa<RankedTensorType>(operand.getType())) {
        auto extract = tensor::ExtractSliceOp::create(
            b, loc, operand, slice.offsets, slice.sizes, strides);
        generatedSlices.push_back(extract);
        operands.push_back(extract);
      } else {
        auto subview = memref::SubViewOp::create(b, loc, operand, slice.offsets,
                                                 slice.sizes, strides);
        generatedSlices.push_back(subview);
        operands.push_back(subview);
      }
    }
    auto dps = cast<DestinationStyleOpInterface>(op);
    SmallVector<Type> resultTypes;
    for (OpOperand &init : dps.getDpsInitsMutable())
      if (isa<RankedTensorType>(init.get().getType()))
        resultTypes.push_back(operands[init.getOperandNumber()].getType());
    OperationState state(loc, op->getName());
    state.addOperands(operands);
    state.addAttributes(op->getAttrs());
    state.addTypes(resultTypes);
    Operation *tiled = b.create(state);
    return TilingResult{
        {tiled}, SmallVector<Value>(tiled->getResults()), generatedSlices};
  }

  LogicalResult getResultTilePosition(Operation *op, OpBuilder &b,
                                      unsigned resultNumber,
                                      ArrayRef<OFR> offsets,
                                      ArrayRef<OFR> sizes,
                                      SmallVector<OFR> &resultOffsets,
                                      SmallVector<OFR> &resultSizes) const {
    FailureOr<SmallVector<Slice>> slices =
        Tiling().operandSlices(b, op, offsets, sizes);
    if (failed(slices))
      return failure();
    auto dps = cast<DestinationStyleOpInterface>(op);
    const Slice &s =
        (*slices)[dps.getDpsInitOperand(resultNumber)->getOperandNumber()];
    resultOffsets = s.offsets;
    resultSizes = s.sizes;
    return success();
  }

  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber, ArrayRef<OFR> offsets,
      ArrayRef<OFR> sizes, SmallVectorImpl<OFR> &domainOffsets,
      SmallVectorImpl<OFR> &domainSizes) const {
    Slice tile{SmallVector<OFR>(offsets), SmallVector<OFR>(sizes)}, domain;
    if (failed(Tiling().resultTileToDomain(b, op, resultNumber, tile, domain)))
      return failure();
    domainOffsets.assign(domain.offsets.begin(), domain.offsets.end());
    domainSizes.assign(domain.sizes.begin(), domain.sizes.end());
    return success();
  }

  FailureOr<TilingResult> generateResultTileValue(Operation *op, OpBuilder &b,
                                                  unsigned resultNumber,
                                                  ArrayRef<OFR> offsets,
                                                  ArrayRef<OFR> sizes) const {
    SmallVector<OFR> domainOffsets, domainSizes;
    if (failed(getIterationDomainTileFromResultTile(
            op, b, resultNumber, offsets, sizes, domainOffsets, domainSizes)))
      return failure();
    FailureOr<TilingResult> tiled =
        getTiledImplementation(op, b, domainOffsets, domainSizes);
    if (failed(tiled))
      return failure();
    return TilingResult{tiled->tiledOps,
                        {tiled->tiledValues[resultNumber]},
                        tiled->generatedSlices};
  }
};
} // namespace

void hdp::registerTilingInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, HDPDialect *) {
    SplitQuantizeOp::attachInterface<
        StageTilingInterface<SplitQuantizeOp, SplitQuantizeTiling>>(*ctx);
    BlockScoreOp::attachInterface<
        StageTilingInterface<BlockScoreOp, BlockScoreTiling>>(*ctx);
    PruneMaskOp::attachInterface<
        StageTilingInterface<PruneMaskOp, PruneMaskTiling>>(*ctx);
    HeadMaskOp::attachInterface<
        StageTilingInterface<HeadMaskOp, HeadMaskTiling>>(*ctx);
    ApproxCombineOp::attachInterface<
        StageTilingInterface<ApproxCombineOp, ApproxCombineTiling>>(*ctx);
    MaskedSoftmaxOp::attachInterface<
        StageTilingInterface<MaskedSoftmaxOp, MaskedSoftmaxTiling>>(*ctx);
    SparsePVOp::attachInterface<
        StageTilingInterface<SparsePVOp, SparsePVTiling>>(*ctx);
  });
}
