/*===- hdp-c/Dialects.h - hdp in the MLIR C API -------------------*- C -*-===*\
 *
 * The hdp and hdp_accel dialects, the #hdp.config attribute and the hdp
 * passes for users of MLIR's C API (mlir-c/IR.h) and its bindings. Link
 * libHDPCAPI.so together with MLIR's C API (libMLIRCAPIIR.a and libMLIR.so
 * on Debian).
\*===----------------------------------------------------------------------===*/

#ifndef HDP_C_DIALECTS_H
#define HDP_C_DIALECTS_H

#include "mlir-c/IR.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* mlirGetDialectHandle__hdp__() and mlirGetDialectHandle__hdp_accel__(). */
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(HDP, hdp);
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(HDPAccel, hdp_accel);

/*===----------------------------------------------------------------------===*
 * #hdp.config
 *===----------------------------------------------------------------------===*/

/** Block selection policy (`policy = hdp | topk | dense`). */
typedef enum hdpPolicy {
  HDP_POLICY_HDP = 0,
  HDP_POLICY_TOPK = 1,
  HDP_POLICY_DENSE = 2,
} hdpPolicy;

/** Block ranking (`importance = abs | signed`): θ = Σ|S_int| or Σ S_int. */
typedef enum hdpImportance {
  HDP_IMPORTANCE_ABS = 0,
  HDP_IMPORTANCE_SIGNED = 1,
} hdpImportance;

/** Softmax evaluation (`softmax = exact | poly`). */
typedef enum hdpSoftmax {
  HDP_SOFTMAX_EXACT = 0,
  HDP_SOFTMAX_POLY = 1,
} hdpSoftmax;

/** Every parameter of #hdp.config (docs/semantics.md). Start from
 * hdpConfigParamsGetDefault() and change what you need. */
typedef struct hdpConfigParams {
  int64_t intBits;
  int64_t fracBits;
  int64_t shift;
  int64_t blockRows;
  int64_t blockCols;
  double rho;
  double tauH;
  hdpPolicy policy;
  int64_t topk;
  bool approx;
  hdpSoftmax softmax;
  bool hasScale; /**< false: scale = 1/sqrt(D) */
  double scale;
  hdpImportance importance; /**< last, so older layouts keep their offsets */
} hdpConfigParams;

/** The defaults (what #hdp.config<> means). */
MLIR_CAPI_EXPORTED hdpConfigParams hdpConfigParamsGetDefault(void);

/** A #hdp.config with `params`; a null attribute (mlirAttributeIsNull) if
 * they are invalid, after emitting an error diagnostic in `ctx` that names
 * the parameter. */
MLIR_CAPI_EXPORTED MlirAttribute
hdpConfigAttrGet(MlirContext ctx, const hdpConfigParams *params);

MLIR_CAPI_EXPORTED bool hdpAttributeIsAConfig(MlirAttribute attr);

/** All parameters of a #hdp.config at once. */
MLIR_CAPI_EXPORTED hdpConfigParams hdpConfigAttrGetParams(MlirAttribute attr);

MLIR_CAPI_EXPORTED double hdpConfigAttrGetRho(MlirAttribute attr);
MLIR_CAPI_EXPORTED double hdpConfigAttrGetTauH(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t hdpConfigAttrGetIntBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t hdpConfigAttrGetFracBits(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t hdpConfigAttrGetBlockRows(MlirAttribute attr);
MLIR_CAPI_EXPORTED int64_t hdpConfigAttrGetBlockCols(MlirAttribute attr);
MLIR_CAPI_EXPORTED hdpPolicy hdpConfigAttrGetPolicy(MlirAttribute attr);
MLIR_CAPI_EXPORTED hdpImportance
hdpConfigAttrGetImportance(MlirAttribute attr);
MLIR_CAPI_EXPORTED bool hdpConfigAttrGetApprox(MlirAttribute attr);
MLIR_CAPI_EXPORTED hdpSoftmax hdpConfigAttrGetSoftmax(MlirAttribute attr);

/*===----------------------------------------------------------------------===*
 * Passes and extensions
 *===----------------------------------------------------------------------===*/

/** Registers the hdp and hdp_accel passes and hdp-cpu-pipeline, so that
 * mlirParsePassPipeline / mlirOpPassManagerAddPipeline find them by name. */
MLIR_CAPI_EXPORTED void hdpRegisterPasses(void);

/** Adds what hdp's passes need from other dialects (bufferization and tiling
 * models) and the transform.hdp.* ops to `registry`. */
MLIR_CAPI_EXPORTED void hdpRegisterExtensions(MlirDialectRegistry registry);

#ifdef __cplusplus
}
#endif

#endif /* HDP_C_DIALECTS_H */
