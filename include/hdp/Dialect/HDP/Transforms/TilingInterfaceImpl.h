//===- TilingInterfaceImpl.h - TilingInterface for hdp stage ops -*- C++
//-*-===//

#ifndef HDP_DIALECT_HDP_TRANSFORMS_TILINGINTERFACEIMPL_H
#define HDP_DIALECT_HDP_TRANSFORMS_TILINGINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hdp {
/// Attaches TilingInterface to the hdp stage ops, so that upstream tiling
/// (scf tiling utilities, transform.structured.tile_using_for,
/// fuse_into_containing_op) and hdp-tile can tile and fuse them.
void registerTilingInterfaceExternalModels(mlir::DialectRegistry &registry);
} // namespace hdp

#endif // HDP_DIALECT_HDP_TRANSFORMS_TILINGINTERFACEIMPL_H
