//===- FusionAnalysis.cpp - Which hdp stages lower together ---------------===//
//
// The IR conditions under which the hdp-lower-to-loops patterns lower
// producers and consumers together (see FusionAnalysis.h).
//
//===----------------------------------------------------------------------===//

#include "FusionAnalysis.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "hdp-lower-to-loops"

using namespace mlir;
using namespace hdp;
using namespace hdp::loops;

namespace {

/// Whether the scores written into `buffer` (block_score's S_int) are read
/// by anything but approx_combine, which recomputes them from the integer
/// parts, and deallocation.
bool scoresNeededBy(Value buffer, Operation *writer) {
  for (Operation *user : buffer.getUsers()) {
    if (user == writer || isa<ApproxCombineOp, memref::DeallocOp>(user))
      continue;
    if (isa<memref::SubViewOp, memref::CastOp>(user)) {
      if (scoresNeededBy(user->getResult(0), writer))
        return true;
      continue;
    }
    return true;
  }
  return false;
}

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

/// Whether two block-mask operands read the same blocks: the same value, or
/// views of one buffer at the same offsets and strides (the ops of a tile
/// may view different numbers of its block rows).
bool sameBlocks(Value a, Value b) {
  if (a == b)
    return true;
  auto va = a.getDefiningOp<memref::SubViewOp>();
  auto vb = b.getDefiningOp<memref::SubViewOp>();
  if (!va || !vb || va.getSource() != vb.getSource())
    return false;
  auto equal = [](ArrayRef<OpFoldResult> x, ArrayRef<OpFoldResult> y) {
    return x.size() == y.size() && llvm::all_of(llvm::zip(x, y), [](auto pair) {
             return isEqualConstantIntOrValue(std::get<0>(pair),
                                              std::get<1>(pair));
           });
  };
  return equal(va.getMixedOffsets(), vb.getMixedOffsets()) &&
         equal(va.getMixedStrides(), vb.getMixedStrides());
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
    if (!ac || writer || ac.getInits().size() != 1 || ac.getInits()[0] != in ||
        llvm::count(ac->getOperands(), in) != 1 ||
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
  SmallVector<SparsePVOp> readers;
  for (Operation *user : out.getUsers()) {
    if (!privateP)
      break;
    if (user == sm.getOperation() || isa<memref::DeallocOp>(user))
      continue;
    auto pv = dyn_cast<SparsePVOp>(user);
    privateP = pv && pv.getProbs() == out &&
               sameBlocks(pv.getBlockMask(), sb.blockMask) &&
               pv.getHeadMask() == sb.headMask &&
               llvm::count(pv->getOperands(), out) == 1;
    if (privateP)
      readers.push_back(pv);
  }
  sb.zeroPruned = !privateP;
  // One sparse_pv reads P, after the softmax, with nothing between them that
  // touches memory: the softmax is lowered at the sparse_pv, with it, and P
  // never exists.
  if (!privateP || readers.size() != 1 ||
      sm.getEffectiveConfig().getSoftmax() != hdp::SoftmaxKind::Exact)
    return sb;
  SparsePVOp pv = readers.front();
  int64_t dv = cast<MemRefType>(pv.getValue().getType()).getDimSize(3);
  if (pv->getBlock() != sm->getBlock() || !sm->isBeforeInBlock(pv) ||
      ShapedType::isDynamic(dv) || dv > kMaxVectorRowDv)
    return sb;
  for (Operation *it = sm->getNextNode(); it != pv.getOperation();
       it = it->getNextNode())
    if (!isa<memref::AllocOp>(it) && !isMemoryEffectFree(it))
      return sb;
  sb.pv = pv;
  return sb;
}

} // namespace

FusionAnalysis::FusionAnalysis(Operation *root) {
  root->walk([&](Operation *op) {
    if (auto bs = dyn_cast<BlockScoreOp>(op)) {
      if (scoresNeededBy(bs.getInits()[0], op))
        scoresNeeded.insert(op);
      else if (bs.getInits()[0].getDefiningOp<memref::AllocOp>())
        unwrittenScoreBuffers.push_back(bs.getInits()[0]);
      if (std::optional<FusedScoring> fused = findFusedScoring(bs)) {
        LLVM_DEBUG(llvm::dbgs() << "fused scoring at " << bs.getLoc()
                                << ": lowered with its prune and head masks\n");
        fusedScoring[op] = *fused;
        loweredWithScoring.insert(fused->prune);
        loweredWithScoring.insert(fused->head);
        for (Value block : bs.getInits().drop_front())
          fusedBlockBuffers.push_back(block);
      }
    } else if (auto sm = dyn_cast<MaskedSoftmaxOp>(op)) {
      if (std::optional<SoftmaxBlocks> sb = findSoftmaxBlocks(sm)) {
        LLVM_DEBUG(llvm::dbgs()
                   << "kept-block softmax at " << sm.getLoc()
                   << (sb->zeroPruned ? "" : ", pruned P unwritten") << "\n");
        softmaxBlocks[op] = *sb;
        if (sb->pv)
          loweredWithSoftmax.insert(sb->pv);
      }
    }
  });
}

const FusedScoring *FusionAnalysis::getFusedScoring(BlockScoreOp op) const {
  auto it = fusedScoring.find(op);
  return it == fusedScoring.end() ? nullptr : &it->second;
}

bool FusionAnalysis::isLoweredWithScoring(Operation *op) const {
  return loweredWithScoring.contains(op);
}

bool FusionAnalysis::needsScores(BlockScoreOp op) const {
  return scoresNeeded.contains(op);
}

bool FusionAnalysis::isLoweredWithSoftmax(SparsePVOp op) const {
  return loweredWithSoftmax.contains(op);
}

const SoftmaxBlocks *
FusionAnalysis::getSoftmaxBlocks(MaskedSoftmaxOp op) const {
  auto it = softmaxBlocks.find(op);
  return it == softmaxBlocks.end() ? nullptr : &it->second;
}
