//===- Dialects.cpp - hdp-c/Dialects.h ------------------------------------===//
//
// Wrappers over the C++ dialects, #hdp.config (through its
// hdp::AttentionConfig round trip, which also validates) and registration.
//
//===----------------------------------------------------------------------===//

#include "hdp-c/Dialects.h"

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/Dialect/Accel/Transforms/Passes.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.h"
#include "hdp/Dialect/HDP/Transforms/BufferizableOpInterfaceImpl.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/TilingInterfaceImpl.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"

#include <cstring>
#include <mutex>
#include <type_traits>

using namespace mlir;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(HDP, hdp, hdp::HDPDialect)
MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(HDPAccel, hdp_accel,
                                      hdp::accel_ir::AccelDialect)

namespace {
/// The value a C caller stored in an enum field, read as its underlying
/// integer: any int may arrive, and loading a C++ enum outside its range of
/// values is undefined (UBSan's -fsanitize=enum).
template <typename Enum> int enumBits(const Enum &field) {
  std::underlying_type_t<Enum> bits;
  std::memcpy(&bits, &field, sizeof bits);
  return static_cast<int>(bits);
}

hdpConfigParams toParams(const hdp::AttentionConfig &c) {
  hdpConfigParams p;
  p.intBits = c.intBits;
  p.fracBits = c.fracBits;
  p.shift = c.shift;
  p.blockRows = c.blockRows;
  p.blockCols = c.blockCols;
  p.rho = c.rho;
  p.tauH = c.tauH;
  p.policy = c.policy == hdp::Policy::TopK    ? HDP_POLICY_TOPK
             : c.policy == hdp::Policy::Dense ? HDP_POLICY_DENSE
                                                   : HDP_POLICY_HDP;
  p.topk = c.topk;
  p.approx = c.approx;
  p.softmax = c.softmax == hdp::SoftmaxKind::Poly ? HDP_SOFTMAX_POLY
                                                       : HDP_SOFTMAX_EXACT;
  p.hasScale = c.scale.has_value();
  p.scale = c.scale.value_or(0.0);
  p.importance = c.importance == hdp::Importance::Signed ? HDP_IMPORTANCE_SIGNED
                                                         : HDP_IMPORTANCE_ABS;
  return p;
}

hdp::AttentionConfig get(MlirAttribute attr) {
  return cast<hdp::ConfigAttr>(unwrap(attr)).toReference();
}
} // namespace

extern "C" {

hdpConfigParams hdpConfigParamsGetDefault(void) {
  return toParams(hdp::AttentionConfig());
}

MlirAttribute hdpConfigAttrGet(MlirContext ctx, const hdpConfigParams *p) {
  MLIRContext *context = unwrap(ctx);
  if (!p) {
    emitError(UnknownLoc::get(context), "hdpConfigAttrGet: params is NULL");
    return MlirAttribute{nullptr};
  }
  hdp::AttentionConfig c;
  c.intBits = p->intBits;
  c.fracBits = p->fracBits;
  c.shift = p->shift;
  c.blockRows = p->blockRows;
  c.blockCols = p->blockCols;
  c.rho = p->rho;
  c.tauH = p->tauH;
  // A C caller may pass any int, hence enumBits and the default.
  switch (enumBits(p->policy)) {
  case HDP_POLICY_HDP:
    c.policy = hdp::Policy::Hdp;
    break;
  case HDP_POLICY_TOPK:
    c.policy = hdp::Policy::TopK;
    break;
  case HDP_POLICY_DENSE:
    c.policy = hdp::Policy::Dense;
    break;
  default:
    emitError(UnknownLoc::get(context), "hdpConfigAttrGet: unknown policy ")
        << enumBits(p->policy);
    return MlirAttribute{nullptr};
  }
  switch (enumBits(p->importance)) {
  case HDP_IMPORTANCE_ABS:
    c.importance = hdp::Importance::Abs;
    break;
  case HDP_IMPORTANCE_SIGNED:
    c.importance = hdp::Importance::Signed;
    break;
  default:
    emitError(UnknownLoc::get(context), "hdpConfigAttrGet: unknown importance ")
        << enumBits(p->importance);
    return MlirAttribute{nullptr};
  }
  c.topk = p->topk;
  c.approx = p->approx;
  c.softmax = enumBits(p->softmax) == HDP_SOFTMAX_POLY
                  ? hdp::SoftmaxKind::Poly
                  : hdp::SoftmaxKind::Exact;
  if (p->hasScale)
    c.scale = p->scale;
  if (std::string error = c.validate(); !error.empty()) {
    emitError(UnknownLoc::get(context), "hdpConfigAttrGet: invalid config: ")
        << error;
    return MlirAttribute{nullptr};
  }
  context->getOrLoadDialect<hdp::HDPDialect>();
  return wrap(Attribute(hdp::ConfigAttr::fromReference(context, c)));
}

bool hdpAttributeIsAConfig(MlirAttribute attr) {
  return isa<hdp::ConfigAttr>(unwrap(attr));
}

hdpConfigParams hdpConfigAttrGetParams(MlirAttribute attr) {
  return toParams(get(attr));
}

double hdpConfigAttrGetRho(MlirAttribute attr) { return get(attr).rho; }
double hdpConfigAttrGetTauH(MlirAttribute attr) { return get(attr).tauH; }
int64_t hdpConfigAttrGetIntBits(MlirAttribute attr) {
  return get(attr).intBits;
}
int64_t hdpConfigAttrGetFracBits(MlirAttribute attr) {
  return get(attr).fracBits;
}
int64_t hdpConfigAttrGetBlockRows(MlirAttribute attr) {
  return get(attr).blockRows;
}
int64_t hdpConfigAttrGetBlockCols(MlirAttribute attr) {
  return get(attr).blockCols;
}
hdpPolicy hdpConfigAttrGetPolicy(MlirAttribute attr) {
  return toParams(get(attr)).policy;
}
hdpImportance hdpConfigAttrGetImportance(MlirAttribute attr) {
  return toParams(get(attr)).importance;
}
bool hdpConfigAttrGetApprox(MlirAttribute attr) { return get(attr).approx; }
hdpSoftmax hdpConfigAttrGetSoftmax(MlirAttribute attr) {
  return toParams(get(attr)).softmax;
}

void hdpRegisterPasses(void) {
  // Registering a name twice aborts: make repeated calls harmless.
  static std::once_flag once;
  std::call_once(once, [] {
    hdp::registerHDPPasses();
    hdp::registerHDPAccelPasses();
    hdp::registerPipelines();
  });
}

void hdpRegisterExtensions(MlirDialectRegistry registry) {
  DialectRegistry &r = *unwrap(registry);
  hdp::registerBufferizableOpInterfaceExternalModels(r);
  hdp::registerTilingInterfaceExternalModels(r);
  hdp::registerTransformDialectExtension(r);
}

} // extern "C"
