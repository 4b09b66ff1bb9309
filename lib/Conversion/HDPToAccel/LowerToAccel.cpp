//===- LowerToAccel.cpp - hdp.attention → hdp_accel programs --------------===//
//
// hdp-lower-to-accel: compiles each attention with static shapes to a
// command stream with the C++ stream builder (the same code `hdp-sim
// --compile` runs, so both paths emit the same stream) and emits it as an
// hdp_accel.program launched in place of the attention. An attention is
// either one hdp.attention or the chain of stage ops hdp-decompose makes of
// it, possibly tiled along block rows (hdp-tile; the tile becomes the
// accelerator's strip) and bufferized (the launch then writes into the
// output buffers).
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/IR/ProgramConversion.h"
#include "hdp/Dialect/Accel/Transforms/Passes.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/ISA/AccelConfig.h"
#include "hdp/ISA/StreamBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

namespace hdp {
#define GEN_PASS_DEF_HDPLOWERTOACCEL
#include "hdp/Dialect/Accel/Transforms/Passes.h.inc"
} // namespace hdp

using namespace mlir;
using namespace hdp;

namespace {

/// One attention to compile: an hdp.attention, or the stage-op chain
/// hdp-decompose makes of it (possibly tiled and bufferized).
struct AttentionWork {
  Operation *anchor = nullptr; ///< diagnostics; the launch replaces `last`
  Operation *last = nullptr;   ///< the launch goes before this op
  Value query, key, value, mask;
  ConfigAttr config;
  /// Tensor form: the values the launch replaces, a prefix of (output,
  /// block mask, head mask, θ_H).
  SmallVector<Value> replaced;
  /// Buffer form: the buffers the launch writes, in the same order, and the
  /// values that stood for the output buffer (the tile loop's results).
  SmallVector<Value> outBuffers;
  SmallVector<Value> aliasesOfOutput;
  bool bufferForm = false;
  uint32_t stripRows = 0;       ///< query rows per tile, when the IR is tiled
  SmallVector<Operation *> ops; ///< what the launch replaces, in order
};

/// The accelerator shape of an attention: Q [B,H,N,D], K [B,H,M,D],
/// V [B,H,M,Dv], all static. Emits an error at the anchor otherwise.
FailureOr<accel::AttentionShape> shapeOf(const AttentionWork &work) {
  Operation *op = work.anchor;
  auto q = cast<ShapedType>(work.query.getType());
  auto k = cast<ShapedType>(work.key.getType());
  auto v = cast<ShapedType>(work.value.getType());
  const char *names[] = {"query", "key", "value"};
  ShapedType types[] = {q, k, v};
  for (unsigned i = 0; i < 3; ++i) {
    if (types[i].getRank() != 4)
      return op->emitOpError()
             << "cannot be lowered to the accelerator: the " << names[i]
             << " must have rank 4, got " << types[i];
    if (!types[i].hasStaticShape())
      return op->emitOpError()
             << "cannot be lowered to the accelerator: the " << names[i]
             << " has a dynamic shape " << types[i]
             << "; a command stream needs static shapes";
  }
  if (work.mask && !cast<ShapedType>(work.mask.getType()).hasStaticShape())
    return op->emitOpError() << "cannot be lowered to the accelerator: the "
                                "mask has a dynamic shape "
                             << work.mask.getType();
  for (Value result : work.bufferForm ? work.outBuffers : work.replaced)
    if (!cast<ShapedType>(result.getType()).hasStaticShape())
      return op->emitOpError() << "cannot be lowered to the accelerator: "
                                  "result type "
                               << result.getType() << " is dynamic";
  // The op verifiers checked that the dimensions agree.
  int64_t dims[6] = {q.getDimSize(0), q.getDimSize(1), q.getDimSize(2),
                     k.getDimSize(2), q.getDimSize(3), v.getDimSize(3)};
  const char *dimNames[6] = {"B", "H", "N", "M", "D", "Dv"};
  for (unsigned i = 0; i < 6; ++i) {
    int64_t limit = i < 2 ? 65535 : 0xffffffffll;
    if (dims[i] < 1 || dims[i] > limit)
      return op->emitOpError()
             << "cannot be lowered to the accelerator: " << dimNames[i] << " = "
             << dims[i] << " is outside [1, " << limit << "]";
  }
  return accel::AttentionShape::fromDims(dims[0], dims[1], dims[2], dims[3],
                                         dims[4], dims[5],
                                         static_cast<bool>(work.mask));
}

AttentionWork fromAttention(AttentionOp op) {
  AttentionWork work;
  work.anchor = work.last = op;
  work.query = op.getQuery();
  work.key = op.getKey();
  work.value = op.getValue();
  work.mask = op.getMask();
  work.config = op.getEffectiveConfig();
  llvm::append_range(work.replaced, op.getResults());
  work.ops.push_back(op);
  return work;
}

//===----------------------------------------------------------------------===//
// Matching the stage-op chain
//===----------------------------------------------------------------------===//

/// The i-th value a destination-style stage op writes: its i-th result on
/// tensors, its i-th init on buffers.
Value written(DestinationStyleOpInterface op, unsigned i) {
  if (op.hasPureBufferSemantics())
    return op.getDpsInits()[i];
  return op->getResult(i);
}

/// The value under any chain of subviews / slices (tiling takes them).
Value throughSlices(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto subview = dyn_cast<memref::SubViewOp>(def))
      v = subview.getSource();
    else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def))
      v = slice.getSource();
    else
      break;
  }
  return v;
}

/// The op of `block` that is or contains `op`, or null.
Operation *ancestorIn(Block *block, Operation *op) {
  return block->findAncestorOpInBlock(*op);
}

/// Reads the stage-op chain of one attention from its hdp.block_score.
class ChainMatcher {
public:
  explicit ChainMatcher(BlockScoreOp score) : score(score) {}

  FailureOr<AttentionWork> match();

private:
  /// The stage op of type OpTy that writes `v` (defines it on tensors,
  /// has it as an init on buffers), in the block of the block_score.
  template <typename OpTy> OpTy writerOf(Value v);
  /// The unique user of `v` of type OpTy reading it as `operandOf(op)`.
  template <typename OpTy>
  OpTy readerOf(Value v, function_ref<Value(OpTy)> operandOf);
  /// Every use of `v` (or of a slice of it) is inside the chain.
  bool internal(Value v) const;
  /// Uses of `v` outside the chain, which come after it.
  FailureOr<bool> escapes(Value v, StringRef what) const;
  LogicalResult fail(const Twine &why) const {
    return const_cast<BlockScoreOp &>(score).emitOpError()
           << "cannot be lowered to the accelerator: " << why
           << " (expected the stage ops of one attention as hdp-decompose "
              "emits them, optionally tiled by hdp-tile and bufferized)";
  }

  BlockScoreOp score;
  llvm::SmallPtrSet<Operation *, 8> chain;
  Operation *top = nullptr; // the last op of the chain in the block
};

template <typename OpTy> OpTy ChainMatcher::writerOf(Value v) {
  if (isa<TensorType>(v.getType()))
    return v.getDefiningOp<OpTy>();
  OpTy found;
  for (Operation *user : v.getUsers()) {
    auto op = dyn_cast<OpTy>(user);
    if (!op || op->getBlock() != score->getBlock())
      continue;
    auto dps = cast<DestinationStyleOpInterface>(op.getOperation());
    if (!llvm::is_contained(dps.getDpsInits(), v))
      continue;
    if (found)
      return nullptr; // two writers: not a chain we understand
    found = op;
  }
  return found;
}

template <typename OpTy>
OpTy ChainMatcher::readerOf(Value v, function_ref<Value(OpTy)> operandOf) {
  OpTy found;
  for (Operation *user : v.getUsers())
    if (auto op = dyn_cast<OpTy>(user); op && operandOf(op) == v) {
      if (found)
        return nullptr;
      found = op;
    }
  return found;
}

bool ChainMatcher::internal(Value v) const {
  for (Operation *user : v.getUsers()) {
    if (isa<memref::SubViewOp, tensor::ExtractSliceOp>(user)) {
      if (!internal(user->getResult(0)))
        return false;
      continue;
    }
    if (isa<memref::DeallocOp>(user))
      continue;
    Operation *owner = ancestorIn(score->getBlock(), user);
    if (!owner || !chain.contains(owner))
      return false;
  }
  return true;
}

FailureOr<bool> ChainMatcher::escapes(Value v, StringRef what) const {
  bool escaped = false;
  for (Operation *user : v.getUsers()) {
    if (isa<memref::DeallocOp>(user))
      continue;
    Operation *owner = ancestorIn(score->getBlock(), user);
    if (owner && chain.contains(owner))
      continue;
    if (!owner || !top->isBeforeInBlock(owner)) {
      (void)fail("the " + what +
                 " is used before the attention's last "
                 "stage op");
      return failure();
    }
    escaped = true;
  }
  return escaped;
}

FailureOr<AttentionWork> ChainMatcher::match() {
  AttentionWork work;
  work.anchor = score;
  work.bufferForm = score.hasPureBufferSemantics();
  work.config = score.getEffectiveConfig();
  Block *block = score->getBlock();

  auto splitQ = writerOf<SplitQuantizeOp>(score.getQueryHi());
  auto splitK = writerOf<SplitQuantizeOp>(score.getKeyHi());
  if (!splitQ || !splitK)
    return fail("the integer parts of Q and K do not come from "
                "hdp.split_quantize ops in the same block");
  Value theta = written(score, 1);
  // importance = signed: the block magnitudes (third result) give validity
  // to the prune mask and feed the head mask.
  Value magnitude = score.getInits().size() > 2 ? written(score, 2) : Value();
  Value headInput = magnitude ? magnitude : theta;
  auto prune = readerOf<PruneMaskOp>(
      theta, [](PruneMaskOp op) { return op.getTheta(); });
  auto heads = readerOf<HeadMaskOp>(
      headInput, [](HeadMaskOp op) { return op.getTheta(); });
  if (!prune || !heads || prune->getBlock() != block ||
      heads->getBlock() != block)
    return fail(magnitude ? "θ and the block magnitudes do not feed one "
                            "hdp.prune_mask and one hdp.head_mask"
                          : "θ does not feed one hdp.prune_mask and one "
                            "hdp.head_mask");
  if (magnitude && prune.getMagnitude() != magnitude)
    return fail("hdp.prune_mask does not read the block magnitudes of "
                "hdp.block_score");
  Value blockMask = written(prune, 0);
  Value headMask = written(heads, 0);
  Value thetaH = written(heads, 1);

  // The P·V stage reads the block mask, directly or through a tile's slice.
  SparsePVOp pv;
  SmallVector<Value> worklist = {blockMask};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (isa<memref::SubViewOp, tensor::ExtractSliceOp>(user))
        worklist.push_back(user->getResult(0));
      else if (auto op = dyn_cast<SparsePVOp>(user)) {
        if (pv && pv != op)
          return fail("the block mask feeds more than one hdp.sparse_pv");
        pv = op;
      }
    }
  }
  if (!pv)
    return fail("the block mask feeds no hdp.sparse_pv");
  top = ancestorIn(block, pv);
  if (!top)
    return fail("hdp.sparse_pv is not nested in the block of hdp.block_score");

  // The output and, when tiled, the strip: the innermost loop around P·V
  // walks block rows with a constant step.
  Value output;
  if (top == pv.getOperation()) {
    output = written(pv, 0);
    auto softmax = writerOf<MaskedSoftmaxOp>(pv.getProbs());
    auto combine =
        softmax ? writerOf<ApproxCombineOp>(softmax.getInput()) : nullptr;
    if (!softmax || !combine)
      return fail("the probabilities of hdp.sparse_pv do not come from "
                  "hdp.masked_softmax of hdp.approx_combine");
    work.ops = {splitQ, splitK, score, prune, heads, combine, softmax, pv};
  } else {
    auto loop = dyn_cast<scf::ForOp>(top);
    if (!loop || loop->getNumResults() != 1)
      return fail("hdp.sparse_pv is tiled, but not by a loop nest of "
                  "scf.for with one result (as hdp-tile makes)");
    output = loop->getResult(0);
    if (work.bufferForm) {
      work.aliasesOfOutput.push_back(output);
      output = loop.getInitArgs()[0];
    }
    auto inner = pv->getParentOfType<scf::ForOp>();
    std::optional<int64_t> step = getConstantIntValue(inner.getStep());
    std::optional<int64_t> upper = getConstantIntValue(inner.getUpperBound());
    std::optional<int64_t> lower = getConstantIntValue(inner.getLowerBound());
    int64_t n = cast<ShapedType>(splitQ.getInput().getType()).getDimSize(2);
    int64_t bm = work.config.getBlockRows();
    if (step && upper && lower && *lower == 0 && !ShapedType::isDynamic(n) &&
        *upper == static_cast<int64_t>(llvm::divideCeil(n, bm)))
      work.stripRows = static_cast<uint32_t>(*step * bm);
    work.ops = {splitQ, splitK, score, prune, heads, top};
  }
  for (Operation *op : work.ops)
    chain.insert(op);
  for (Operation *op : work.ops) {
    ConfigAttr config =
        llvm::TypeSwitch<Operation *, ConfigAttr>(op)
            .Case<SplitQuantizeOp, BlockScoreOp, PruneMaskOp, HeadMaskOp,
                  ApproxCombineOp, MaskedSoftmaxOp, SparsePVOp>(
                [](auto stage) { return stage.getEffectiveConfig(); })
            .Default([&](Operation *) { return work.config; });
    if (config != work.config)
      return fail("its stage ops disagree on the configuration");
  }
  for (Operation *op : work.ops)
    if (op != score.getOperation() && op != top &&
        !score->isBeforeInBlock(op) && !isa<SplitQuantizeOp>(op))
      return fail("the stage ops are out of order");

  // Intermediate values live on the accelerator only.
  SmallVector<Value> internals = {written(splitQ, 0), written(splitQ, 1),
                                  written(splitK, 0), written(splitK, 1),
                                  written(score, 0),  theta};
  if (magnitude)
    internals.push_back(magnitude);
  for (Value v : internals)
    if (!internal(v))
      return fail("an intermediate value (the split parts of Q or K, S_int "
                  "or θ) is used outside the attention");

  // Results wanted outside: a prefix of (output, block mask, head mask,
  // θ_H), as hdp.attention has.
  FailureOr<bool> wantBlocks = escapes(blockMask, "block mask");
  FailureOr<bool> wantHeads = escapes(headMask, "head mask");
  FailureOr<bool> wantTheta = escapes(thetaH, "θ_H");
  if (failed(wantBlocks) || failed(wantHeads) || failed(wantTheta))
    return failure();
  unsigned count = *wantTheta ? 4 : *wantHeads ? 3 : *wantBlocks ? 2 : 1;
  Value results[] = {output, blockMask, headMask, thetaH};
  if (work.bufferForm)
    work.outBuffers.assign(results, results + count);
  else
    work.replaced.assign(results, results + count);

  work.query = splitQ.getInput();
  work.key = splitK.getInput();
  work.value = throughSlices(pv.getValue());
  work.mask = score.getMask();
  if (Operation *def = work.value.getDefiningOp(); def && top->isAncestor(def))
    return fail("V is computed inside the tile loop");
  work.last = top;
  return work;
}

/// Whether `op` only allocated or viewed memory (or was a constant, such as
/// a loop bound) and nothing but its deallocation uses it any more: what an
/// erased chain leaves behind.
bool isDeadStorage(Operation *op) {
  if (!isa<tensor::EmptyOp, memref::AllocOp, memref::SubViewOp,
           tensor::ExtractSliceOp, arith::ConstantOp>(op))
    return false;
  return llvm::all_of(op->getUsers(), [](Operation *user) {
    return isa<memref::DeallocOp>(user);
  });
}

/// Erases the dead storage among `candidates` and, transitively, among the
/// ops that defined their operands.
void eraseDeadStorage(SmallVector<Operation *> candidates) {
  llvm::SmallPtrSet<Operation *, 16> erased;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Operation *op = candidates[i];
    if (erased.contains(op) || !isDeadStorage(op))
      continue;
    for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
      user->erase();
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        candidates.push_back(def);
    erased.insert(op);
    op->erase();
  }
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

/// The programs emitted for one top-level op (a function).
struct Emitted {
  unsigned count = 0;
  Operation *last = nullptr;
};

struct LowerToAccelPass
    : public hdp::impl::HDPLowerToAccelBase<LowerToAccelPass> {
  using HDPLowerToAccelBase::HDPLowerToAccelBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> anchors;
    module.walk([&](Operation *op) {
      if (isa<AttentionOp, BlockScoreOp>(op))
        anchors.push_back(op);
    });
    if (anchors.empty())
      return;
    if (accelConfig.empty()) {
      module.emitError() << "hdp-lower-to-accel needs the accelerator: "
                            "accel-config=PATH (e.g. configs/hdp-edge.json)";
      return signalPassFailure();
    }
    llvm::Expected<accel::AccelConfig> config =
        accel::loadAccelConfig(accelConfig);
    if (!config) {
      module.emitError() << "hdp-lower-to-accel: accel-config: "
                         << llvm::toString(config.takeError());
      return signalPassFailure();
    }

    // Match every attention before changing anything, so that a chain
    // that cannot be lowered leaves the module as it was. Lowering then
    // matches again: an earlier launch may have replaced an operand.
    auto match = [](Operation *anchor) -> FailureOr<AttentionWork> {
      if (auto attention = dyn_cast<AttentionOp>(anchor))
        return fromAttention(attention);
      return ChainMatcher(cast<BlockScoreOp>(anchor)).match();
    };
    bool failedAny = false;
    for (Operation *anchor : anchors)
      if (failed(match(anchor)))
        failedAny = true;
    if (failedAny)
      return signalPassFailure();

    SymbolTable symbols(module);
    llvm::DenseMap<Operation *, Emitted> emitted;
    for (Operation *anchor : anchors) {
      FailureOr<AttentionWork> work = match(anchor);
      if (failed(work) || failed(lower(*work, *config, symbols, emitted)))
        failedAny = true;
    }
    if (failedAny)
      signalPassFailure();
  }

  LogicalResult lower(AttentionWork &work, const accel::AccelConfig &config,
                      SymbolTable &symbols,
                      llvm::DenseMap<Operation *, Emitted> &emitted) {
    Operation *op = work.anchor;
    FailureOr<accel::AttentionShape> shape = shapeOf(work);
    if (failed(shape))
      return failure();
    std::optional<accel::MaskForm> form = accel::parseMaskForm(maskForm);
    if (!form)
      return op->emitOpError()
             << "mask-form must be additive, bits or lengths (got '" << maskForm
             << "')";
    if (shape->hasMask)
      shape->maskForm = *form;
    accel::BuildOptions options;
    options.stripRows = stripRows;
    options.fusePhases = fusePhases;
    // The dense engine computes the output only: masks asked for need the
    // HDP engine (with policy = dense, pruning off).
    if (std::max(work.replaced.size(), work.outBuffers.size()) > 1)
      options.engine = accel::Engine::Hdp;
    if (work.stripRows) {
      if (stripRows && stripRows != work.stripRows)
        return op->emitOpError()
               << "is tiled into strips of " << work.stripRows
               << " query rows, but the pass option asks for strip-rows="
               << static_cast<unsigned>(stripRows);
      options.stripRows = work.stripRows;
    }
    llvm::Expected<accel::Program> program =
        accel::buildProgram(*shape, work.config.toReference(), config, options);
    if (!program) {
      InFlightDiagnostic diag = op->emitOpError();
      diag << "cannot be compiled for accelerator '" << config.name << "'";
      if (work.stripRows)
        diag << " with its tiles of " << work.stripRows
             << " query rows as strips";
      return diag << ": " << llvm::toString(program.takeError());
    }

    // The program goes into the module, after the top-level op that holds
    // the attention and the programs already emitted for it, in order.
    Operation *top = op;
    while (top->getParentOp() && !isa<ModuleOp>(top->getParentOp()))
      top = top->getParentOp();
    Emitted &done = emitted[top];
    std::string base = "attn";
    if (auto symbol = dyn_cast<SymbolOpInterface>(top))
      base = (symbol.getName() + "_attn").str();
    std::string name = base + std::to_string(done.count++);

    OpBuilder builder(top->getContext());
    builder.setInsertionPointAfter(done.last ? done.last : top);
    FailureOr<accel_ir::ProgramOp> programOp =
        accel_ir::buildProgramOp(builder, op->getLoc(), name, *program);
    if (failed(programOp))
      return failure();
    // Renames on a clash, keeping names unique.
    symbols.insert(*programOp);
    done.last = *programOp;

    // On tensors the launch returns the results; on buffers it writes them.
    builder.setInsertionPoint(work.last);
    SmallVector<Value> inputs = {work.query, work.key, work.value};
    if (work.mask)
      inputs.push_back(work.mask);
    llvm::append_range(inputs, work.outBuffers);
    SmallVector<Type> resultTypes;
    for (Value v : work.replaced)
      resultTypes.push_back(v.getType());
    auto launch = accel_ir::LaunchOp::create(
        builder, op->getLoc(), resultTypes,
        FlatSymbolRefAttr::get(programOp->getSymNameAttr()), inputs);
    for (auto [from, to] : llvm::zip(work.replaced, launch.getResults()))
      from.replaceAllUsesWith(to);
    for (Value alias : work.aliasesOfOutput)
      alias.replaceAllUsesWith(work.outBuffers.front());

    // Erase the chain last to first, then the storage only it used.
    SmallVector<Operation *> leftovers;
    llvm::SmallPtrSet<Operation *, 8> chain(work.ops.begin(), work.ops.end());
    for (Operation *dead : work.ops)
      dead->walk([&](Operation *nested) {
        for (Value operand : nested->getOperands())
          if (Operation *def = operand.getDefiningOp();
              def && !chain.contains(def) && !dead->isAncestor(def))
            leftovers.push_back(def);
      });
    for (Operation *dead : llvm::reverse(work.ops)) {
      dead->dropAllUses();
      dead->erase();
    }
    eraseDeadStorage(std::move(leftovers));
    return success();
  }
};

} // namespace
