//===- ParallelizeLoops.cpp - hdp-parallelize-loops -----------------------===//
//
// The outermost loops marked hdp.parallel become scf.parallel, which
// convert-scf-to-openmp hands to the OpenMP runtime; a marked loop that is
// all its marked parent does (besides side-effect-free ops) joins it as a
// further dimension; other marked loops inside stay sequential (no nested
// parallel regions). See Passes.td.
//
// The marker is a promise made on tensors; bufferization can break it by
// letting every iteration reuse one buffer from outside the loop. So the
// pass checks, before it parallelizes, that every write to a buffer defined
// outside the nest lands at an address that depends on each of the nest's
// induction variables, and otherwise keeps the loop (or its inner
// dimensions) sequential.
//
//===----------------------------------------------------------------------===//

#include "hdp/Pipelines/Passes.h"

#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "hdp-parallelize-loops"

namespace hdp {
#define GEN_PASS_DEF_HDPPARALLELIZELOOPS
#include "hdp/Pipelines/Passes.h.inc"
} // namespace hdp

using namespace mlir;

namespace {

bool isParallelCandidate(scf::ForOp loop) {
  return loop->hasAttr(hdp::kParallelLoopAttrName) && loop.getNumResults() == 0;
}

/// The marked loop that `loop`'s body consists of, besides side-effect-free
/// ops, when its bounds do not depend on `loop`: the two can be one
/// rectangular parallel loop.
scf::ForOp innerDimension(scf::ForOp loop) {
  scf::ForOp inner;
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto nested = dyn_cast<scf::ForOp>(&op);
        nested && isParallelCandidate(nested) && !inner) {
      inner = nested;
      continue;
    }
    if (!isMemoryEffectFree(&op) || op.getNumRegions() != 0)
      return {};
  }
  if (!inner)
    return {};
  for (Value bound :
       {inner.getLowerBound(), inner.getUpperBound(), inner.getStep()})
    if (!loop.isDefinedOutsideOfLoop(bound))
      return {};
  return inner;
}

/// The indices a store-like op writes `buffer` at; nullopt for a writer whose
/// address the pass cannot read.
std::optional<SmallVector<Value>> writeIndices(Operation *op) {
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return SmallVector<Value>(store.getIndices());
  if (auto store = dyn_cast<vector::StoreOp>(op))
    return SmallVector<Value>(store.getIndices());
  if (auto store = dyn_cast<vector::MaskedStoreOp>(op))
    return SmallVector<Value>(store.getIndices());
  if (auto write = dyn_cast<vector::TransferWriteOp>(op))
    return SmallVector<Value>(write.getIndices());
  return std::nullopt;
}

/// The buffer `view` is a view of, after every view-like op; the operands
/// that place each view (subview offsets, say) are added to `placement`.
Value viewedBuffer(Value view, SmallVectorImpl<Value> &placement) {
  while (auto viewOp = view.getDefiningOp<ViewLikeOpInterface>()) {
    Value source = viewOp.getViewSource();
    for (Value operand : viewOp->getOperands())
      if (operand != source)
        placement.push_back(operand);
    view = source;
  }
  return view;
}

/// Which of `ivs` the values in `roots` are computed from, following operands
/// and, for block arguments of loops inside `outer`, the loop's operands
/// (bounds and inits).
llvm::SmallPtrSet<Value, 4> inductionVariablesUsed(ArrayRef<Value> roots,
                                                   ArrayRef<Value> ivs,
                                                   Operation *outer) {
  llvm::SmallPtrSet<Value, 4> used;
  llvm::SmallPtrSet<Value, 32> seen;
  SmallVector<Value> worklist(roots);
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    if (llvm::is_contained(ivs, value)) {
      used.insert(value);
      continue;
    }
    Operation *owner =
        isa<BlockArgument>(value)
            ? cast<BlockArgument>(value).getOwner()->getParentOp()
            : value.getDefiningOp();
    if (!owner || !outer->isAncestor(owner))
      continue;
    llvm::append_range(worklist, owner->getOperands());
  }
  return used;
}

/// Unless `address` (what places a write of `writer` to memory from outside
/// the nest) depends on every one of `ivs`, why not.
std::string missingInductionVariable(Operation *writer, ArrayRef<Value> address,
                                     ArrayRef<Value> ivs, Operation *outer) {
  llvm::SmallPtrSet<Value, 4> used =
      inductionVariablesUsed(address, ivs, outer);
  for (auto [depth, iv] : llvm::enumerate(ivs))
    if (!used.contains(iv))
      return "'" + writer->getName().getStringRef().str() +
             "' writes a buffer defined outside the loop at an address that "
             "does not depend on induction variable " +
             std::to_string(depth) + " of the nest";
  return "";
}

/// Whether the pointer `pointer` may point into memory from outside `outer`:
/// unless it is computed, inside `outer`, from a buffer allocated in the body
/// alone (through GEPs, integer casts, the aligned pointer of a memref, ...),
/// the pass cannot tell, and assumes it does.
bool pointsOutside(Value pointer, Operation *outer) {
  llvm::SmallPtrSet<Value, 32> seen;
  SmallVector<Value> worklist = {pointer};
  bool allocatedInside = false;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    Operation *owner =
        isa<BlockArgument>(value)
            ? cast<BlockArgument>(value).getOwner()->getParentOp()
            : value.getDefiningOp();
    if (!owner || !outer->isAncestor(owner)) {
      if (isa<MemRefType, LLVM::LLVMPointerType>(value.getType()))
        return true;
      continue;
    }
    if (isa<OpResult>(value) &&
        hasEffect<MemoryEffects::Allocate>(owner, value)) {
      allocatedInside = true;
      continue;
    }
    llvm::append_range(worklist, owner->getOperands());
  }
  return !allocatedInside;
}

/// Whether LLVM's own table says an intrinsic touches no memory (the x86 dot
/// products of the VNNI kernels, say: vectors in, a vector out); one answer
/// per name.
class IntrinsicMemory {
public:
  bool accessesNoMemory(StringRef name) {
    auto [it, inserted] = answers.try_emplace(name, false);
    if (!inserted)
      return it->second;
    llvm::Intrinsic::ID id = llvm::Intrinsic::lookupIntrinsicID(name);
    if (id != llvm::Intrinsic::not_intrinsic)
      it->second = llvm::Intrinsic::getFnAttributes(context, id)
                       .getMemoryEffects()
                       .doesNotAccessMemory();
    return it->second;
  }

private:
  llvm::LLVMContext context;
  llvm::StringMap<bool> answers;
};

/// Why running the iterations of `nest` at once could race, or the empty
/// string: an op in the body writes a buffer defined outside the nest at an
/// address that does not depend on every induction variable, or has effects
/// the pass cannot read.
std::string sharedWriteProblem(ArrayRef<scf::ForOp> nest,
                               IntrinsicMemory &intrinsics,
                               Operation *&culprit) {
  scf::ForOp outer = nest.front();
  SmallVector<Value> ivs;
  for (scf::ForOp loop : nest)
    ivs.push_back(loop.getInductionVar());
  std::string problem;
  outer.getBody()->walk([&](Operation *op) {
    if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    if (auto call = dyn_cast<LLVM::CallIntrinsicOp>(op)) {
      if (intrinsics.accessesNoMemory(call.getIntrin()))
        return WalkResult::advance();
      problem = "intrinsic '" + call.getIntrin().str() + "' may access memory";
      culprit = op;
      return WalkResult::interrupt();
    }
    auto effecting = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effecting) {
      problem = "'" + op->getName().getStringRef().str() +
                "' has effects the pass cannot read";
      culprit = op;
      return WalkResult::interrupt();
    }
    SmallVector<MemoryEffects::EffectInstance> effects;
    effecting.getEffects(effects);
    for (const MemoryEffects::EffectInstance &effect : effects) {
      if (!isa<MemoryEffects::Write, MemoryEffects::Free>(effect.getEffect()))
        continue;
      Value written = effect.getValue();
      if (!written) {
        problem = "'" + op->getName().getStringRef().str() +
                  "' writes memory it does not name";
        culprit = op;
        return WalkResult::interrupt();
      }
      SmallVector<Value> address;
      // Raw pointers: where they point and their address are one slice.
      if (isa<LLVM::LLVMPointerType>(written.getType())) {
        if (!pointsOutside(written, outer))
          continue;
        address.push_back(written);
        if (std::string missing =
                missingInductionVariable(op, address, ivs, outer);
            !missing.empty()) {
          problem = missing;
          culprit = op;
          return WalkResult::interrupt();
        }
        continue;
      }
      Value buffer = viewedBuffer(written, address);
      Operation *definer =
          isa<BlockArgument>(buffer)
              ? cast<BlockArgument>(buffer).getOwner()->getParentOp()
              : buffer.getDefiningOp();
      // A buffer allocated in the body is the iteration's own.
      if (definer && outer->isProperAncestor(definer))
        continue;
      std::optional<SmallVector<Value>> indices = writeIndices(op);
      if (!indices || isa<MemoryEffects::Free>(effect.getEffect())) {
        problem = "'" + op->getName().getStringRef().str() +
                  "' writes a buffer defined outside the loop";
        culprit = op;
        return WalkResult::interrupt();
      }
      llvm::append_range(address, *indices);
      if (std::string missing =
              missingInductionVariable(op, address, ivs, outer);
          !missing.empty()) {
        problem = missing;
        culprit = op;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return problem;
}

struct ParallelizeLoopsPass
    : hdp::impl::HDPParallelizeLoopsBase<ParallelizeLoopsPass> {
  using HDPParallelizeLoopsBase::HDPParallelizeLoopsBase;

  /// The outermost marked loops under `root` (not `root` itself).
  static void collectOutermost(Operation *root,
                               SmallVectorImpl<scf::ForOp> &loops) {
    root->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (loop.getOperation() == root || !isParallelCandidate(loop))
        return WalkResult::advance();
      loops.push_back(loop);
      return WalkResult::skip();
    });
  }

  void explainSequential(scf::ForOp loop, size_t dims, size_t kept,
                         StringRef problem, Operation *culprit) {
    LLVM_DEBUG(llvm::dbgs() << "hdp-parallelize-loops: " << problem << "\n");
    if (!explain)
      return;
    InFlightDiagnostic remark = loop.emitRemark();
    if (kept == 0)
      remark << "loop stays sequential: ";
    else
      remark << "only " << kept << " of " << dims
             << " loop dimensions run in parallel: ";
    remark << problem;
    remark.attachNote(culprit->getLoc()) << "written here";
  }

  void parallelize(IRRewriter &rewriter, MutableArrayRef<scf::ForOp> nest) {
    scf::ForOp loop = nest.front();
    SmallVector<Value> lbs, ubs, steps;
    for (scf::ForOp l : nest) {
      lbs.push_back(l.getLowerBound());
      ubs.push_back(l.getUpperBound());
      steps.push_back(l.getStep());
    }
    rewriter.setInsertionPoint(loop);
    auto parallel =
        scf::ParallelOp::create(rewriter, loop.getLoc(), lbs, ubs, steps,
                                ValueRange{}, /*bodyBuilderFn=*/nullptr);
    Block *body = parallel.getBody();
    // The side-effect-free ops of the outer loops are cloned in front of
    // the innermost body, with the outer induction variables mapped.
    IRMapping mapping;
    rewriter.setInsertionPoint(body->getTerminator());
    for (auto [depth, l] : llvm::enumerate(nest)) {
      mapping.map(l.getInductionVar(), body->getArgument(depth));
      if (depth + 1 == nest.size())
        break;
      for (Operation &op : l.getBody()->without_terminator())
        if (&op != nest[depth + 1].getOperation())
          rewriter.clone(op, mapping);
    }
    scf::ForOp innermost = nest.back();
    for (Operation &op : innermost.getBody()->without_terminator())
      rewriter.clone(op, mapping);
    rewriter.eraseOp(loop);
  }

  void runOnOperation() override {
    // In program order: the last loop of the worklist is processed first.
    SmallVector<scf::ForOp> worklist;
    collectOutermost(getOperation(), worklist);
    std::reverse(worklist.begin(), worklist.end());
    IRRewriter rewriter(&getContext());
    IntrinsicMemory intrinsics;
    while (!worklist.empty()) {
      scf::ForOp loop = worklist.pop_back_val();
      SmallVector<scf::ForOp> nest = {loop};
      while (scf::ForOp inner = innerDimension(nest.back()))
        nest.push_back(inner);
      // The most dimensions whose iterations write disjoint addresses.
      size_t dims = nest.size();
      std::string firstProblem;
      Operation *firstCulprit = nullptr;
      while (!nest.empty()) {
        Operation *culprit = nullptr;
        std::string problem = sharedWriteProblem(nest, intrinsics, culprit);
        if (problem.empty())
          break;
        if (firstProblem.empty()) {
          firstProblem = problem;
          firstCulprit = culprit;
        }
        nest.pop_back();
      }
      if (!firstProblem.empty())
        explainSequential(loop, dims, nest.size(), firstProblem, firstCulprit);
      if (nest.empty()) {
        // Marked loops inside may still be safe on their own.
        SmallVector<scf::ForOp> inner;
        collectOutermost(loop, inner);
        worklist.append(inner.rbegin(), inner.rend());
        continue;
      }
      parallelize(rewriter, nest);
    }
  }
};
} // namespace
