/* hdp through MLIR's C API (hdp-c/Dialects.h): load the dialect, parse IR
 * with hdp.attention, build and read #hdp.config, run pass pipelines.
 * Prints what it sees for FileCheck (capi.test). Built as C. */
#include "hdp-c/Dialects.h"

#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/RegisterEverything.h"

#include <stdio.h>
#include <string.h>

static void printToStdout(MlirStringRef s, void *userData) {
  (void)userData;
  fwrite(s.data, 1, s.length, stdout);
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic d, void *userData) {
  (void)userData;
  printf("diagnostic: ");
  mlirDiagnosticPrint(d, printToStdout, NULL);
  printf("\n");
  return mlirLogicalResultSuccess();
}

static void printAttr(const char *what, MlirAttribute attr) {
  printf("%s: ", what);
  mlirAttributePrint(attr, printToStdout, NULL);
  printf("\n");
}

static const char *kModule =
    "func.func @attention(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x6x4xf32>,"
    "                     %v: tensor<1x2x6x4xf32>) -> tensor<1x2x8x4xf32> {\n"
    "  %0 = hdp.attention config #hdp.config<rho = 0.3, block = [4, 2]>"
    "      %q, %k, %v : tensor<1x2x8x4xf32>, tensor<1x2x6x4xf32>,"
    "      tensor<1x2x6x4xf32> -> tensor<1x2x8x4xf32>\n"
    "  return %0 : tensor<1x2x8x4xf32>\n"
    "}\n";

/* Runs `pipeline` on the module; prints the outcome. */
static int runPipeline(MlirContext ctx, MlirModule module,
                       const char *pipeline) {
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirLogicalResult parsed = mlirParsePassPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString(pipeline), printToStdout, NULL);
  if (mlirLogicalResultIsFailure(parsed)) {
    printf("\npipeline '%s': parse failed\n", pipeline);
    mlirPassManagerDestroy(pm);
    return 0;
  }
  MlirLogicalResult ran =
      mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module));
  printf("pipeline '%s': %s\n", pipeline,
         mlirLogicalResultIsSuccess(ran) ? "success" : "failure");
  mlirPassManagerDestroy(pm);
  return mlirLogicalResultIsSuccess(ran);
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry);
  mlirDialectHandleInsertDialect(mlirGetDialectHandle__hdp__(), registry);
  mlirDialectHandleInsertDialect(mlirGetDialectHandle__hdp_accel__(), registry);
  hdpRegisterExtensions(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);
  MlirDialect hdp =
      mlirDialectHandleLoadDialect(mlirGetDialectHandle__hdp__(), ctx);
  MlirStringRef ns = mlirDialectGetNamespace(hdp);
  printf("loaded dialect: %.*s\n", (int)ns.length, ns.data);

  /* Build a config, read it back. */
  hdpConfigParams params = hdpConfigParamsGetDefault();
  printf("defaults: rho %g int_bits %lld frac_bits %lld block %lldx%lld\n",
         params.rho, (long long)params.intBits, (long long)params.fracBits,
         (long long)params.blockRows, (long long)params.blockCols);
  params.rho = 0.25;
  params.policy = HDP_POLICY_TOPK;
  params.topk = 3;
  params.blockRows = 4;
  params.softmax = HDP_SOFTMAX_POLY;
  params.approx = false;
  MlirAttribute config = hdpConfigAttrGet(ctx, &params);
  printAttr("built", config);
  printf("is a config: %d, rho %g, policy %d, block %lldx%lld, softmax %d, "
         "approx %d, tau_h %g\n",
         hdpAttributeIsAConfig(config), hdpConfigAttrGetRho(config),
         (int)hdpConfigAttrGetPolicy(config),
         (long long)hdpConfigAttrGetBlockRows(config),
         (long long)hdpConfigAttrGetBlockCols(config),
         (int)hdpConfigAttrGetSoftmax(config), hdpConfigAttrGetApprox(config),
         hdpConfigAttrGetTauH(config));
  /* The same attribute parsed from text is the same (uniqued) attribute. */
  MlirAttribute parsedConfig = mlirAttributeParseGet(
      ctx, mlirStringRefCreateFromCString(
               "#hdp.config<rho = 0.25, block = [4, 2], policy = topk, "
               "topk = 3, approx = false, softmax = poly>"));
  printf("parsed equals built: %d\n", mlirAttributeEqual(config, parsedConfig));
  MlirAttribute notConfig =
      mlirAttributeParseGet(ctx, mlirStringRefCreateFromCString("42 : i32"));
  printf("i32 is a config: %d\n", hdpAttributeIsAConfig(notConfig));
  /* The signed block ranking. */
  hdpConfigParams signedParams = hdpConfigParamsGetDefault();
  printf("default importance: %d\n", (int)signedParams.importance);
  signedParams.importance = HDP_IMPORTANCE_SIGNED;
  signedParams.rho = 0.5;
  MlirAttribute signedConfig = hdpConfigAttrGet(ctx, &signedParams);
  printAttr("signed", signedConfig);
  printf("importance %d, params importance %d\n",
         (int)hdpConfigAttrGetImportance(signedConfig),
         (int)hdpConfigAttrGetParams(signedConfig).importance);
  signedParams.importance = (hdpImportance)7;
  printf("unknown importance gives null: %d\n",
         mlirAttributeIsNull(hdpConfigAttrGet(ctx, &signedParams)));
  params.rho = 3.0;
  MlirAttribute bad = hdpConfigAttrGet(ctx, &params);
  printf("invalid params give null: %d\n", mlirAttributeIsNull(bad));
  /* Beyond the documented bounds (docs/limits.md). */
  hdpConfigParams beyond = params;
  beyond.rho = 0.25;
  beyond.blockRows = 16385;
  printf("block beyond 16384 gives null: %d\n",
         mlirAttributeIsNull(hdpConfigAttrGet(ctx, &beyond)));
  beyond.blockRows = 4;
  beyond.hasScale = true;
  beyond.scale = 4e38; /* +inf as an f32 */
  printf("scale beyond FLT_MAX gives null: %d\n",
         mlirAttributeIsNull(hdpConfigAttrGet(ctx, &beyond)));

  /* Parse IR with hdp.attention; read the op's config. */
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module)) {
    printf("parse failed\n");
    return 1;
  }
  MlirOperation func = mlirBlockGetFirstOperation(mlirModuleGetBody(module));
  MlirOperation attention = mlirBlockGetFirstOperation(
      mlirRegionGetFirstBlock(mlirOperationGetRegion(func, 0)));
  MlirIdentifier name = mlirOperationGetName(attention);
  MlirStringRef nameRef = mlirIdentifierStr(name);
  printf("op: %.*s\n", (int)nameRef.length, nameRef.data);
  MlirAttribute opConfig = mlirOperationGetAttributeByName(
      attention, mlirStringRefCreateFromCString("config"));
  printf("op config rho %g block %lldx%lld\n", hdpConfigAttrGetRho(opConfig),
         (long long)hdpConfigAttrGetBlockRows(opConfig),
         (long long)hdpConfigAttrGetBlockCols(opConfig));

  /* Pass pipelines by name. */
  hdpRegisterPasses();
  hdpRegisterPasses(); /* harmless twice */
  runPipeline(ctx, module, "builtin.module(no-such-pass)");
  if (!runPipeline(ctx, module, "builtin.module(hdp-decompose)"))
    return 1;
  printf("--- decomposed\n");
  mlirOperationPrint(mlirModuleGetOperation(module), printToStdout, NULL);
  printf("\n");
  if (!runPipeline(ctx, module, "builtin.module(hdp-cpu-pipeline)"))
    return 1;
  printf("--- lowered\n");
  mlirOperationPrint(mlirModuleGetOperation(module), printToStdout, NULL);
  printf("\n");

  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return 0;
}
