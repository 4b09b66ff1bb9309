//===- Runtime.cpp - hdp-c/Runtime.h over the JIT -------------------------===//
//
// A CPU handle owns an MLIRContext and the JIT-compiled module for one
// config and shape (hdp::runtime::buildAttentionModule, compiled by
// hdp-cpu-pipeline), so that running is a call, not a compilation. A
// reference handle keeps the parsed config; a simulator handle the
// accelerator config and the command stream built for the shape.
//
//===----------------------------------------------------------------------===//

#include "hdp-c/Runtime.h"

#include "CEnum.h"

#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/ISA/AccelConfig.h"
#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Pipelines/Pipelines.h"
#include "hdp/Reference/Reference.h"
#include "hdp/Runtime/JitRunner.h"
#include "hdp/Sim/Simulator.h"
#include "hdp/Support/Npy.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace {
thread_local std::string lastError;
/// hdp_set_cpu_threads: read by every CPU handle compiled afterwards.
std::atomic<int64_t> cpuThreads{0};
/// hdp_set_cpu_int_kernels (guarded: a string).
std::mutex cpuIntKernelsMutex;
std::string cpuIntKernels = "host";

hdp_status fail(hdp_status status, const std::string &message) {
  lastError = message;
  return status;
}

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The reference and the simulator hold [B,H,N,M] score matrices.
constexpr int64_t kMaxScoreElements = int64_t(1) << 28;

hdp::ref::Tensor<float> copyTensor(const std::vector<int64_t> &shape,
                                   const float *data) {
  hdp::ref::Tensor<float> t;
  t.shape = shape;
  t.data.assign(data, data + product(shape));
  return t;
}
} // namespace

struct hdp_attention {
  hdp_backend backend = HDP_BACKEND_CPU;
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<hdp::runtime::JitModule> jit;
  hdp::ref::AttentionConfig config;
  std::optional<hdp::accel::AccelConfig> accel;
  std::optional<hdp::accel::Program> program;
  std::string statsJson;
  std::vector<int64_t> q, k, v, out, blocks, heads;
  bool hasMask = false;
  std::vector<int64_t> mask;
  /// JitModule::run is not meant to be re-entered.
  std::mutex mutex;
};

namespace {
/// Copies a result tensor into a caller's buffer (skipped when NULL).
template <typename T>
void copyOut(const hdp::ref::Tensor<T> &t, T *destination) {
  if (destination)
    std::memcpy(destination, t.data.data(), t.data.size() * sizeof(T));
}

/// hdp_attention_run on the reference or the simulator. Both take owned
/// tensors, so the inputs are copied once.
hdp_status runOffJit(hdp_attention &h, const float *q, const float *k,
                     const float *v, const float *mask, float *out,
                     uint8_t *blockMask, uint8_t *headMask, int64_t *thetaH) {
  hdp::ref::Tensor<float> qt = copyTensor(h.q, q), kt = copyTensor(h.k, k),
                          vt = copyTensor(h.v, v);
  std::optional<hdp::ref::Tensor<float>> maskTensor;
  if (h.hasMask)
    maskTensor = copyTensor(h.mask, mask);
  if (h.backend == HDP_BACKEND_REFERENCE) {
    hdp::ref::AttentionResult r = hdp::ref::attention(
        qt, kt, vt, maskTensor ? &*maskTensor : nullptr, h.config);
    copyOut(r.out, out);
    copyOut(r.blockMask, blockMask);
    copyOut(r.headMask, headMask);
    copyOut(r.thetaH, thetaH);
    return HDP_STATUS_OK;
  }
  hdp::sim::Inputs inputs{std::move(qt), std::move(kt), std::move(vt),
                          std::move(maskTensor)};
  std::lock_guard<std::mutex> lock(h.mutex);
  auto result = hdp::sim::simulate(*h.program, *h.accel, inputs);
  if (!result)
    return fail(HDP_STATUS_RUNTIME_ERROR,
                "hdp_attention_run: " + llvm::toString(result.takeError()));
  const hdp::sim::Outputs &o = result->outputs;
  copyOut(o.out, out);
  copyOut(o.blockMask, blockMask);
  copyOut(o.headMask, headMask);
  copyOut(o.thetaH, thetaH);
  h.statsJson = hdp::sim::statsToJson(*result, *h.program, *h.accel);
  return HDP_STATUS_OK;
}
} // namespace

extern "C" {

hdp_status hdp_set_cpu_threads(int threads) {
  lastError.clear();
  if (threads < 0 || threads > hdp::kMaxThreads)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_set_cpu_threads: threads must be in [0, " +
                    std::to_string(hdp::kMaxThreads) + "], got " +
                    std::to_string(threads));
  cpuThreads = threads;
  return HDP_STATUS_OK;
}

hdp_status hdp_set_cpu_int_kernels(const char *kernels) {
  lastError.clear();
  std::string name = kernels ? kernels : "";
  if (name != "host" && name != "generic" && name != "avx512-vnni" &&
      name != "avx-vnni")
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_set_cpu_int_kernels: expected host, generic, "
                "avx512-vnni or avx-vnni, got '" +
                    name + "'");
  if (name != "host" && !hdp::hostRunsIntKernels(name))
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_set_cpu_int_kernels: this CPU does not have the "
                "instructions of " +
                    name);
  std::lock_guard<std::mutex> lock(cpuIntKernelsMutex);
  cpuIntKernels = name;
  return HDP_STATUS_OK;
}

hdp_status hdp_attention_create(const char *config,
                                const hdp_attention_shape *shape,
                                hdp_attention **handle) {
  return hdp_attention_create_on_backend(config, shape, HDP_BACKEND_CPU,
                                         nullptr, handle);
}

hdp_status hdp_attention_create_on_backend(const char *config,
                                           const hdp_attention_shape *shape,
                                           hdp_backend backend,
                                           const char *accel_config,
                                           hdp_attention **handle) {
  lastError.clear();
  if (!handle)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: handle is NULL");
  *handle = nullptr;
  if (!shape)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: shape is NULL");
  // Checked as an integer: a C caller may pass any int (CEnum.h).
  const int backendValue = hdp::capi::enumBits(backend);
  if (backendValue != HDP_BACKEND_CPU &&
      backendValue != HDP_BACKEND_REFERENCE && backendValue != HDP_BACKEND_SIM)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: unknown backend " +
                    std::to_string(backendValue) +
                    "; expected HDP_BACKEND_CPU, _REFERENCE or _SIM");
  if (backend == HDP_BACKEND_SIM && !(accel_config && *accel_config))
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: the sim backend needs an accelerator "
                "configuration file (e.g. configs/hdp-edge.json)");
  if (backend != HDP_BACKEND_SIM && accel_config)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: an accelerator configuration is only "
                "for the sim backend");
  llvm::Expected<hdp::ref::AttentionConfig> parsed =
      hdp::parseConfigText(config && *config ? config : "#hdp.config<>");
  if (!parsed)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: config: " +
                    llvm::toString(parsed.takeError()));

  auto h = std::make_unique<hdp_attention>();
  const hdp_attention_shape &s = *shape;
  for (int64_t d :
       {s.batch, s.heads, s.query_len, s.key_len, s.head_dim, s.value_dim})
    if (d < 1)
      return fail(HDP_STATUS_INVALID_ARGUMENT,
                  "hdp_attention_create: every dimension of the shape must "
                  "be >= 1");
  h->q = {s.batch, s.heads, s.query_len, s.head_dim};
  h->k = {s.batch, s.heads, s.key_len, s.head_dim};
  h->v = {s.batch, s.heads, s.key_len, s.value_dim};
  if (s.mask_rank < -1 || s.mask_rank > 4)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: mask_rank must be -1 (no mask) or 0 "
                "to 4, got " +
                    std::to_string(s.mask_rank));
  h->hasMask = s.mask_rank >= 0;
  if (h->hasMask)
    h->mask.assign(s.mask_shape, s.mask_shape + s.mask_rank);
  for (const std::vector<int64_t> *t : {&h->q, &h->k, &h->v})
    if (hdp::npy::numElements(*t) < 0)
      return fail(HDP_STATUS_INVALID_ARGUMENT,
                  "hdp_attention_create: the shape is too large");
  std::string shapeError = hdp::ref::checkAttentionShapes(
      h->q, h->k, h->v, h->hasMask ? &h->mask : nullptr);
  if (!shapeError.empty())
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_create: " + shapeError);
  int64_t nb = (s.query_len + parsed->blockRows - 1) / parsed->blockRows;
  int64_t mb = (s.key_len + parsed->blockCols - 1) / parsed->blockCols;
  h->out = {s.batch, s.heads, s.query_len, s.value_dim};
  h->blocks = {s.batch, s.heads, nb, mb};
  h->heads = {s.batch, s.heads};
  h->backend = backend;
  h->config = *parsed;

  if (backend != HDP_BACKEND_CPU) {
    int64_t scores =
        hdp::npy::numElements({s.batch, s.heads, s.query_len, s.key_len});
    if (scores < 0 || scores > kMaxScoreElements)
      return fail(
          HDP_STATUS_INVALID_ARGUMENT,
          "hdp_attention_create: the score matrix [B,H,N,M] has more "
          "than 2^28 elements, too large for the " +
              std::string(backend == HDP_BACKEND_SIM ? "sim" : "reference") +
              " backend");
  }
  if (backend == HDP_BACKEND_REFERENCE) {
    *handle = h.release();
    return HDP_STATUS_OK;
  }
  if (backend == HDP_BACKEND_SIM) {
    try {
      auto accel = hdp::accel::loadAccelConfig(accel_config);
      if (!accel)
        return fail(HDP_STATUS_INVALID_ARGUMENT,
                    "hdp_attention_create: " +
                        llvm::toString(accel.takeError()));
      h->accel = std::move(*accel);
      // A handle may be asked for the masks on any run, and the dense engine
      // (policy = dense) computes none: always the HDP engine here.
      hdp::accel::BuildOptions options;
      options.engine = hdp::accel::Engine::Hdp;
      auto program =
          hdp::accel::buildProgram(hdp::accel::AttentionShape::fromDims(
                                       s.batch, s.heads, s.query_len, s.key_len,
                                       s.head_dim, s.value_dim, h->hasMask),
                                   h->config, *h->accel, options);
      if (!program)
        return fail(HDP_STATUS_COMPILE_ERROR,
                    "hdp_attention_create: " +
                        llvm::toString(program.takeError()));
      h->program = std::move(*program);
    } catch (const std::exception &e) {
      return fail(HDP_STATUS_COMPILE_ERROR,
                  std::string("hdp_attention_create: ") + e.what());
    }
    *handle = h.release();
    return HDP_STATUS_OK;
  }

  try {
    mlir::DialectRegistry registry;
    hdp::runtime::registerRunnerDialects(registry);
    h->context = std::make_unique<mlir::MLIRContext>(registry);
    // The runtime is called from the application's threads; the compiler
    // need not start its own.
    h->context->disableMultithreading();
    h->context->loadDialect<hdp::HDPDialect>();
    auto module = hdp::runtime::buildAttentionModule(
        *h->context, h->q, h->k, h->v, h->hasMask ? &h->mask : nullptr,
        hdp::ConfigAttr::fromReference(h->context.get(), *parsed),
        /*numResults=*/4);
    hdp::runtime::JitOptions options;
    options.numThreads = cpuThreads;
    // hdp_attention_run's buffers are the compiled code's results: no copy.
    options.resultsToOutParams = true;
    {
      std::lock_guard<std::mutex> lock(cpuIntKernelsMutex);
      options.intKernels = cpuIntKernels;
    }
    auto jit = hdp::runtime::JitModule::compile(std::move(module), options);
    if (!jit)
      return fail(HDP_STATUS_COMPILE_ERROR,
                  "hdp_attention_create: " + llvm::toString(jit.takeError()));
    h->jit = std::move(*jit);
  } catch (const std::exception &e) {
    return fail(HDP_STATUS_COMPILE_ERROR,
                std::string("hdp_attention_create: ") + e.what());
  }
  *handle = h.release();
  return HDP_STATUS_OK;
}

hdp_status hdp_attention_run(hdp_attention *handle, const float *q,
                             const float *k, const float *v, const float *mask,
                             float *out, uint8_t *block_mask,
                             uint8_t *head_mask, int64_t *theta_h) {
  lastError.clear();
  if (!handle)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_run: handle is NULL");
  if (!q || !k || !v || !out)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                std::string("hdp_attention_run: ") +
                    (!q   ? "q"
                     : !k ? "k"
                     : !v ? "v"
                          : "out") +
                    " is NULL");
  if (handle->hasMask && !mask)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_run: the attention was created with a mask, "
                "but mask is NULL");
  if (!handle->hasMask && mask)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_run: the attention was created without a "
                "mask (mask_rank = -1), but a mask was given");
  try {
    if (handle->backend != HDP_BACKEND_CPU)
      return runOffJit(*handle, q, k, v, mask, out, block_mask, head_mask,
                       theta_h);
    // The compiled function reads the caller's f32 buffers in place and
    // writes its results into the caller's (a copy of each input and two of
    // each output were about 150 MB of serial memory traffic per call at
    // N = M = 2048, H = 12; the one copy of the results left, 19 MB, was 8%
    // of a 1-thread call).
    std::vector<const void *> inputs = {q, k, v};
    if (handle->hasMask)
      inputs.push_back(mask);
    std::vector<void *> outputs = {out, block_mask, head_mask, theta_h};
    std::lock_guard<std::mutex> lock(handle->mutex);
    if (llvm::Error e = handle->jit->runDense("attention", inputs, outputs))
      return fail(HDP_STATUS_RUNTIME_ERROR,
                  "hdp_attention_run: " + llvm::toString(std::move(e)));
  } catch (const std::exception &e) {
    return fail(HDP_STATUS_RUNTIME_ERROR,
                std::string("hdp_attention_run: ") + e.what());
  }
  return HDP_STATUS_OK;
}

hdp_status hdp_attention_block_grid(const hdp_attention *handle,
                                    int64_t *num_block_rows,
                                    int64_t *num_block_cols) {
  lastError.clear();
  if (!handle || !num_block_rows || !num_block_cols)
    return fail(HDP_STATUS_INVALID_ARGUMENT,
                "hdp_attention_block_grid: NULL argument");
  *num_block_rows = handle->blocks[2];
  *num_block_cols = handle->blocks[3];
  return HDP_STATUS_OK;
}

const char *hdp_attention_stats_json(hdp_attention *handle) {
  if (!handle)
    return nullptr;
  return handle->statsJson.c_str();
}

void hdp_attention_destroy(hdp_attention *handle) { delete handle; }

hdp_status hdp_attention_run_once(const char *config,
                                  const hdp_attention_shape *shape,
                                  const float *q, const float *k,
                                  const float *v, const float *mask, float *out,
                                  uint8_t *block_mask, uint8_t *head_mask,
                                  int64_t *theta_h) {
  hdp_attention *handle = nullptr;
  hdp_status status = hdp_attention_create(config, shape, &handle);
  if (status != HDP_STATUS_OK)
    return status;
  status = hdp_attention_run(handle, q, k, v, mask, out, block_mask, head_mask,
                             theta_h);
  hdp_attention_destroy(handle);
  return status;
}

const char *hdp_last_error(void) { return lastError.c_str(); }

} // extern "C"
