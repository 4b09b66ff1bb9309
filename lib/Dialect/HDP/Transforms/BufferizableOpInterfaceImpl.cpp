//===- BufferizableOpInterfaceImpl.cpp - hdp stage ops bufferize ----------===//
//
// The stage ops are destination-passing style: each tensor result is written
// into its init. Bufferized, the op reads its input buffers, writes its init
// buffers and has no results.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/Transforms/BufferizableOpInterfaceImpl.h"
#include "hdp/Dialect/HDP/IR/HDP.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {
template <typename OpTy>
struct StageOpBufferization
    : DstBufferizableOpInterfaceExternalModel<StageOpBufferization<OpTy>,
                                              OpTy> {
  /// Inits are overwritten whole, never read: tensor.empty inits need no
  /// copy.
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    if (dps.hasPureBufferSemantics())
      return success();
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<TensorType>(operand.get().getType())) {
        operands.push_back(operand.get());
        continue;
      }
      FailureOr<Value> buffer =
          getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    SmallVector<Value> initBuffers;
    for (OpOperand &init : dps.getDpsInitsMutable())
      initBuffers.push_back(operands[init.getOperandNumber()]);

    rewriter.setInsertionPoint(op);
    OperationState newState(op->getLoc(), op->getName());
    newState.addOperands(operands);
    newState.addAttributes(op->getAttrs());
    rewriter.create(newState);
    replaceOpWithBufferizedValues(rewriter, op, initBuffers);
    return success();
  }
};

template <typename... Ops> void attachAll(MLIRContext *ctx) {
  (Ops::template attachInterface<StageOpBufferization<Ops>>(*ctx), ...);
}
} // namespace

void hdp::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, HDPDialect *) {
    attachAll<SplitQuantizeOp, BlockScoreOp, PruneMaskOp, HeadMaskOp,
              ApproxCombineOp, MaskedSoftmaxOp, SparsePVOp>(ctx);
  });
}
