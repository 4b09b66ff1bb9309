//===- HDPTransformOps.cpp - transform.hdp.* ops --------------------------===//
//
// Thin wrappers: each op checks its payload and calls the rewrite its pass
// uses (hdp/Dialect/HDP/Transforms/Transforms.h), with the interpreter's
// rewriter so that handles follow the payload.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.h"

#include "hdp/Dialect/HDP/Transforms/Transforms.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace hdp;

//===----------------------------------------------------------------------===//
// RaiseAttentionOp
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure
transform::HDPRaiseAttentionOp::apply(transform::TransformRewriter &rewriter,
                                      transform::TransformResults &results,
                                      transform::TransformState &state) {
  ConfigAttr config = getConfigAttr();
  if (!config)
    config = ConfigAttr::get(getContext());
  SmallVector<Operation *> created;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    if (target->getNumRegions() == 0) {
      DiagnosedSilenceableFailure diag =
          emitSilenceableError()
          << "expects targets with regions to raise attention in (e.g. "
             "func.func), got '"
          << target->getName() << "'";
      diag.attachNote(target->getLoc()) << "target";
      return diag;
    }
    for (AttentionOp op : raiseAttention(rewriter, target, config))
      created.push_back(op);
  }
  if (created.empty())
    return emitSilenceableError()
           << "found no attention to raise in the targets";
  results.set(cast<OpResult>(getAttention()), created);
  return DiagnosedSilenceableFailure::success();
}

void transform::HDPRaiseAttentionOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  onlyReadsHandle(getTargetMutable(), effects);
  producesHandle(getOperation()->getOpResults(), effects);
  modifiesPayload(effects);
}

//===----------------------------------------------------------------------===//
// DecomposeOp
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure
transform::HDPDecomposeOp::apply(transform::TransformRewriter &rewriter,
                                 transform::TransformResults &results,
                                 transform::TransformState &state) {
  // Check every target before rewriting any: a failure leaves the payload
  // as it was.
  SmallVector<AttentionOp> targets;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    auto attention = dyn_cast<AttentionOp>(target);
    if (!attention) {
      DiagnosedSilenceableFailure diag = emitSilenceableError()
                                         << "expects hdp.attention ops, got '"
                                         << target->getName() << "'";
      diag.attachNote(target->getLoc()) << "target";
      return diag;
    }
    targets.push_back(attention);
  }
  SmallVector<SmallVector<Operation *>> stages(getNumResults());
  for (AttentionOp attention : targets) {
    DecomposedAttention d = decomposeAttention(rewriter, attention);
    stages[0].append({d.splitQuery, d.splitKey});
    stages[1].push_back(d.blockScore);
    stages[2].push_back(d.pruneMask);
    stages[3].push_back(d.headMask);
    stages[4].push_back(d.approxCombine);
    stages[5].push_back(d.maskedSoftmax);
    stages[6].push_back(d.sparsePV);
  }
  for (auto [result, ops] :
       llvm::zip_equal(getOperation()->getOpResults(), stages))
    results.set(result, ops);
  return DiagnosedSilenceableFailure::success();
}

//===----------------------------------------------------------------------===//
// TileAndFuseOp
//===----------------------------------------------------------------------===//

LogicalResult transform::HDPTileAndFuseOp::verify() {
  ArrayRef<int64_t> sizes = getTileSizes();
  if (sizes.size() != 3)
    return emitOpError("expects 3 tile sizes (batch, head, block rows), got ")
           << sizes.size();
  for (auto [i, size] : llvm::enumerate(sizes))
    if (size < 1)
      return emitOpError("expects tile sizes >= 1, got ")
             << size << " for the "
             << (i == 0   ? "batch"
                 : i == 1 ? "head"
                          : "block row")
             << " dimension";
  return success();
}

DiagnosedSilenceableFailure
transform::HDPTileAndFuseOp::apply(transform::TransformRewriter &rewriter,
                                   transform::TransformResults &results,
                                   transform::TransformState &state) {
  SmallVector<SparsePVOp> targets;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    auto pv = dyn_cast<SparsePVOp>(target);
    if (!pv || !pv.hasPureTensorSemantics()) {
      DiagnosedSilenceableFailure diag =
          emitSilenceableError()
          << "expects hdp.sparse_pv ops on tensors, got '" << target->getName()
          << "'";
      diag.attachNote(target->getLoc()) << "target";
      return diag;
    }
    targets.push_back(pv);
  }
  SmallVector<Operation *> tiled, loops;
  for (SparsePVOp pv : targets) {
    FailureOr<TiledFloatPass> result =
        tileAndFuseBlockRows(rewriter, pv, getTileSizes());
    // The rewrite has reported the error on the payload op.
    if (failed(result))
      return DiagnosedSilenceableFailure::definiteFailure();
    tiled.push_back(result->tiledOps.front());
    loops.push_back(result->loops.front());
  }
  results.set(cast<OpResult>(getTiled()), tiled);
  results.set(cast<OpResult>(getLoop()), loops);
  return DiagnosedSilenceableFailure::success();
}

//===----------------------------------------------------------------------===//
// Extension
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.cpp.inc"

namespace {
class HDPTransformDialectExtension
    : public transform::TransformDialectExtension<
          HDPTransformDialectExtension> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(HDPTransformDialectExtension)

  void init() {
    // What the payload rewrites create: these must be loaded before the
    // interpreter runs, as no pass loads them then.
    declareGeneratedDialect<HDPDialect>();
    declareGeneratedDialect<affine::AffineDialect>();
    declareGeneratedDialect<arith::ArithDialect>();
    declareGeneratedDialect<scf::SCFDialect>();
    declareGeneratedDialect<tensor::TensorDialect>();
    // The config attribute is parsed with the script.
    declareDependentDialect<HDPDialect>();
    registerTransformOps<
#define GET_OP_LIST
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.cpp.inc"
        >();
  }
};
} // namespace

void hdp::registerTransformDialectExtension(DialectRegistry &registry) {
  registry.addExtensions<HDPTransformDialectExtension>();
}
