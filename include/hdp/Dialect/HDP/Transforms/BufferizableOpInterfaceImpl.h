//===- BufferizableOpInterfaceImpl.h - hdp bufferization ---------*- C++
//-*-===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define HDP_DIALECT_HDP_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hdp {
/// Lets one-shot-bufferize turn the hdp stage ops on tensors into the same
/// ops on memrefs (destination-passing style: each result is its init).
void registerBufferizableOpInterfaceExternalModels(
    mlir::DialectRegistry &registry);
} // namespace hdp

#endif // HDP_DIALECT_HDP_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
