//===- LowerToAccel.cpp - hdp.attention → hdp_accel programs --------------===//
//
// hdp-lower-to-accel: compiles each hdp.attention with static shapes to a
// command stream with the C++ stream builder (the same code `hdp-sim
// --compile` runs, so both paths emit the same stream) and emits it as an
// hdp_accel.program launched in place of the attention.
//
//===----------------------------------------------------------------------===//

#include "hdp/Accel/AccelConfig.h"
#include "hdp/Accel/StreamBuilder.h"
#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/IR/ProgramConversion.h"
#include "hdp/Dialect/Accel/Transforms/Passes.h"
#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace hdp {
#define GEN_PASS_DEF_HDPLOWERTOACCEL
#include "hdp/Dialect/Accel/Transforms/Passes.h.inc"
} // namespace hdp

using namespace mlir;
using namespace hdp;

namespace {

/// The accelerator shape of an attention: Q [B,H,N,D], K [B,H,M,D],
/// V [B,H,M,Dv], all static. Emits an error at the op otherwise.
FailureOr<accel::AttentionShape> shapeOf(AttentionOp op) {
  auto q = cast<RankedTensorType>(op.getQuery().getType());
  auto k = cast<RankedTensorType>(op.getKey().getType());
  auto v = cast<RankedTensorType>(op.getValue().getType());
  const char *names[] = {"query", "key", "value"};
  RankedTensorType types[] = {q, k, v};
  for (unsigned i = 0; i < 3; ++i) {
    if (types[i].getRank() != 4)
      return op.emitOpError()
             << "cannot be lowered to the accelerator: the " << names[i]
             << " must have rank 4, got " << types[i];
    if (!types[i].hasStaticShape())
      return op.emitOpError() << "cannot be lowered to the accelerator: the "
                              << names[i] << " has a dynamic shape " << types[i]
                              << "; a command stream needs static shapes";
  }
  if (auto mask = op.getMask())
    if (!cast<RankedTensorType>(mask.getType()).hasStaticShape())
      return op.emitOpError() << "cannot be lowered to the accelerator: the "
                                 "mask has a dynamic shape "
                              << mask.getType();
  for (Value result : op.getResults())
    if (!cast<RankedTensorType>(result.getType()).hasStaticShape())
      return op.emitOpError() << "cannot be lowered to the accelerator: "
                                 "result type "
                              << result.getType() << " is dynamic";
  // The op verifier checked that the dimensions agree.
  auto dim = [](RankedTensorType t, unsigned i) -> int64_t {
    return t.getDimSize(i);
  };
  int64_t dims[6] = {dim(q, 0), dim(q, 1), dim(q, 2),
                     dim(k, 2), dim(q, 3), dim(v, 3)};
  const char *dimNames[6] = {"B", "H", "N", "M", "D", "Dv"};
  for (unsigned i = 0; i < 6; ++i) {
    int64_t limit = i < 2 ? 65535 : 0xffffffffll;
    if (dims[i] < 1 || dims[i] > limit)
      return op.emitOpError()
             << "cannot be lowered to the accelerator: " << dimNames[i] << " = "
             << dims[i] << " is outside [1, " << limit << "]";
  }
  accel::AttentionShape shape;
  shape.B = dims[0];
  shape.H = dims[1];
  shape.N = dims[2];
  shape.M = dims[3];
  shape.D = dims[4];
  shape.Dv = dims[5];
  shape.hasMask = static_cast<bool>(op.getMask());
  return shape;
}

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
    SmallVector<AttentionOp> attentions;
    module.walk([&](AttentionOp op) { attentions.push_back(op); });
    if (attentions.empty())
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

    SymbolTable symbols(module);
    bool failedAny = false;
    llvm::DenseMap<Operation *, Emitted> emitted;
    for (AttentionOp op : attentions) {
      if (failed(lower(op, *config, symbols, emitted)))
        failedAny = true;
    }
    if (failedAny)
      signalPassFailure();
  }

  LogicalResult lower(AttentionOp op, const accel::AccelConfig &config,
                      SymbolTable &symbols,
                      llvm::DenseMap<Operation *, Emitted> &emitted) {
    FailureOr<accel::AttentionShape> shape = shapeOf(op);
    if (failed(shape))
      return failure();
    accel::BuildOptions options;
    options.stripRows = stripRows;
    llvm::Expected<accel::Program> program = accel::buildProgram(
        *shape, op.getEffectiveConfig().toReference(), config, options);
    if (!program)
      return op.emitOpError()
             << "cannot be compiled for accelerator '" << config.name
             << "': " << llvm::toString(program.takeError());

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
        accel_ir::buildProgramOp(builder, op.getLoc(), name, *program);
    if (failed(programOp))
      return failure();
    // Renames on a clash, keeping names unique.
    symbols.insert(*programOp);
    done.last = *programOp;

    builder.setInsertionPoint(op);
    SmallVector<Value> inputs = {op.getQuery(), op.getKey(), op.getValue()};
    if (Value mask = op.getMask())
      inputs.push_back(mask);
    auto launch = accel_ir::LaunchOp::create(
        builder, op.getLoc(), op.getResultTypes(),
        FlatSymbolRefAttr::get(programOp->getSymNameAttr()), inputs);
    op.replaceAllUsesWith(launch.getResults());
    op.erase();
    return success();
  }
};

} // namespace
