//===- CpuBackend.cpp - hdp attention JIT-compiled for the CPU ------------===//
//
// See CpuBackend.h.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/CpuBackend.h"

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Runtime/JitRunner.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <limits>
#include <map>

using namespace llvm;

namespace hdp::model {

struct JitCache::Impl {
  Impl() : context(makeRegistry(), mlir::MLIRContext::Threading::DISABLED) {
    context.loadDialect<hdp::HDPDialect>();
  }
  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    hdp::runtime::registerRunnerDialects(registry);
    return registry;
  }

  mlir::MLIRContext context;
  hdp::runtime::JitOptions options;
  std::map<std::string, std::unique_ptr<hdp::runtime::JitModule>> modules;
  double compileSeconds = 0.0;
};

namespace {
/// The unpadded [heads, NB, MB] corner of a block mask computed for a
/// sequence padded from T to P positions (`heads` counts batch x heads).
std::vector<uint8_t> unpaddedBlocks(const std::vector<uint8_t> &blocks,
                                    int64_t heads, int64_t P, int64_t T,
                                    const ref::AttentionConfig &cfg) {
  const int64_t bm = cfg.blockRows, bn = cfg.blockCols;
  const int64_t nbP = (P + bm - 1) / bm, mbP = (P + bn - 1) / bn;
  const int64_t nb = (T + bm - 1) / bm, mb = (T + bn - 1) / bn;
  std::vector<uint8_t> cut(heads * nb * mb);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < nb; ++i)
      for (int64_t j = 0; j < mb; ++j)
        cut[(h * nb + i) * mb + j] = blocks[(h * nbP + i) * mbP + j];
  return cut;
}
} // namespace

JitCache::JitCache(int64_t numThreads) : impl(std::make_unique<Impl>()) {
  impl->options.numThreads = numThreads;
}
JitCache::~JitCache() = default;
int64_t JitCache::compilations() const { return impl->modules.size(); }
double JitCache::compileSeconds() const { return impl->compileSeconds; }

CpuBackend::CpuBackend(std::vector<ref::AttentionConfig> configs,
                       std::shared_ptr<JitCache> cache, int64_t bucket)
    : configs(std::move(configs)),
      jit(cache ? std::move(cache) : std::make_shared<JitCache>()),
      bucket(std::max<int64_t>(1, bucket)) {}

CpuBackend::~CpuBackend() = default;

Expected<hdp::runtime::JitModule *>
CpuBackend::compiledModule(ArrayRef<int64_t> qkShape, ArrayRef<int64_t> vShape,
                           const std::vector<int64_t> &maskShape,
                           const ref::AttentionConfig &cfg) {
  JitCache::Impl &cache = *jit->impl;
  hdp::ConfigAttr attr = hdp::ConfigAttr::fromReference(&cache.context, cfg);
  std::string key;
  {
    raw_string_ostream os(key);
    for (int64_t d : qkShape)
      os << d << ' ';
    for (int64_t d : vShape)
      os << d << ' ';
    os << "mask";
    for (int64_t d : maskShape)
      os << ' ' << d;
    os << ' ' << attr;
  }
  auto it = cache.modules.find(key);
  if (it == cache.modules.end()) {
    auto start = std::chrono::steady_clock::now();
    auto module = hdp::runtime::buildAttentionModule(
        cache.context, qkShape, qkShape, vShape, &maskShape, attr,
        /*numResults=*/3);
    Expected<std::unique_ptr<hdp::runtime::JitModule>> compiled =
        hdp::runtime::JitModule::compile(std::move(module), cache.options);
    if (!compiled)
      return createStringError(inconvertibleErrorCode(),
                               ("compiling attention for " + Twine(qkShape[2]) +
                                " positions: " + toString(compiled.takeError()))
                                   .str());
    cache.compileSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    it = cache.modules.emplace(key, std::move(*compiled)).first;
  }
  return it->second.get();
}

Expected<ref::Tensor<float>> CpuBackend::attend(unsigned layer,
                                                const ref::Tensor<float> &q,
                                                const ref::Tensor<float> &k,
                                                const ref::Tensor<float> &v,
                                                LayerStats *stats) {
  const ref::AttentionConfig &cfg = configForLayer(configs, layer);
  if (std::string err = cfg.validate(); !err.empty())
    return createStringError(inconvertibleErrorCode(),
                             ("layer " + Twine(layer) + ": " + err).str());
  const int64_t H = q.dim(1), T = q.dim(2), D = q.dim(3), Dv = v.dim(3);
  const int64_t P = (T + bucket - 1) / bucket * bucket;

  std::vector<int64_t> maskShape = {P, P};
  Expected<hdp::runtime::JitModule *> module =
      compiledModule({1, H, P, D}, {1, H, P, Dv}, maskShape, cfg);
  if (!module)
    return module.takeError();

  // Zero-padded operands; padded rows and columns are removed by the mask.
  auto pad = [&](const ref::Tensor<float> &t, int64_t width) {
    std::vector<float> out(H * P * width, 0.0f);
    for (int64_t h = 0; h < H; ++h)
      std::copy_n(&t.at(0, h, 0, 0), T * width, &out[h * P * width]);
    return out;
  };
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> mask(P * P, -inf);
  for (int64_t i = 0; i < T; ++i)
    std::fill_n(&mask[i * P], i + 1, 0.0f);
  std::vector<npy::Array> inputs = {npy::fromF32({1, H, P, D}, pad(q, D)),
                                    npy::fromF32({1, H, P, D}, pad(k, D)),
                                    npy::fromF32({1, H, P, Dv}, pad(v, Dv)),
                                    npy::fromF32({P, P}, mask)};
  Expected<std::vector<npy::Array>> results =
      (*module)->run("attention", inputs, {"Q", "K", "V", "causal mask"});
  if (!results)
    return results.takeError();
  Expected<std::vector<float>> outP = npy::toF32((*results)[0], "out");
  if (!outP)
    return outP.takeError();

  ref::Tensor<float> out({1, H, T, Dv});
  for (int64_t h = 0; h < H; ++h)
    std::copy_n(&(*outP)[h * P * Dv], T * Dv, &out.at(0, h, 0, 0));

  if (stats) {
    Expected<std::vector<uint8_t>> blocks =
        npy::toBool((*results)[1], "blocks");
    if (!blocks)
      return blocks.takeError();
    Expected<std::vector<uint8_t>> heads = npy::toBool((*results)[2], "heads");
    if (!heads)
      return heads.takeError();
    std::vector<uint8_t> cut = unpaddedBlocks(*blocks, H, P, T, cfg);
    countClamped(q, cfg, *stats);
    countClamped(k, cfg, *stats);
    countPruning(T, cfg, cut, *heads, H, *stats);
    countMassLost(q, k, cfg, cut, *heads, *stats);
  }
  return out;
}

Expected<ref::Tensor<float>>
CpuBackend::attendMasked(unsigned layer, const ref::Tensor<float> &q,
                         const ref::Tensor<float> &k,
                         const ref::Tensor<float> &v,
                         const ref::Tensor<float> &mask, LayerStats *stats) {
  const ref::AttentionConfig &cfg = configForLayer(configs, layer);
  if (std::string err = cfg.validate(); !err.empty())
    return createStringError(inconvertibleErrorCode(),
                             ("layer " + Twine(layer) + ": " + err).str());
  const int64_t B = q.dim(0), H = q.dim(1), T = q.dim(2), D = q.dim(3);
  const int64_t Dv = v.dim(3);
  const int64_t P = (T + bucket - 1) / bucket * bucket;

  std::vector<int64_t> maskShape = {B, 1, P, P};
  Expected<hdp::runtime::JitModule *> module =
      compiledModule({B, H, P, D}, {B, H, P, Dv}, maskShape, cfg);
  if (!module)
    return module.takeError();

  // Zero-padded operands; padded rows and columns are removed by the mask.
  auto pad = [&](const ref::Tensor<float> &t, int64_t width) {
    std::vector<float> out(B * H * P * width, 0.0f);
    for (int64_t bh = 0; bh < B * H; ++bh)
      std::copy_n(&t.data[bh * T * width], T * width, &out[bh * P * width]);
    return out;
  };
  std::vector<float> paddedMask(B * P * P,
                                -std::numeric_limits<float>::infinity());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j < T; ++j)
        paddedMask[(b * P + i) * P + j] = ref::maskAt(&mask, b, 0, i, j);
  std::vector<npy::Array> inputs = {npy::fromF32({B, H, P, D}, pad(q, D)),
                                    npy::fromF32({B, H, P, D}, pad(k, D)),
                                    npy::fromF32({B, H, P, Dv}, pad(v, Dv)),
                                    npy::fromF32({B, 1, P, P}, paddedMask)};
  Expected<std::vector<npy::Array>> results =
      (*module)->run("attention", inputs, {"Q", "K", "V", "mask"});
  if (!results)
    return results.takeError();
  Expected<std::vector<float>> outP = npy::toF32((*results)[0], "out");
  if (!outP)
    return outP.takeError();

  ref::Tensor<float> out({B, H, T, Dv});
  for (int64_t bh = 0; bh < B * H; ++bh)
    std::copy_n(&(*outP)[bh * P * Dv], T * Dv, &out.data[bh * T * Dv]);

  if (stats) {
    Expected<std::vector<uint8_t>> blocks =
        npy::toBool((*results)[1], "blocks");
    if (!blocks)
      return blocks.takeError();
    Expected<std::vector<uint8_t>> heads = npy::toBool((*results)[2], "heads");
    if (!heads)
      return heads.takeError();
    std::vector<uint8_t> cut = unpaddedBlocks(*blocks, B * H, P, T, cfg);
    countMaskedStats(q, k, mask, cfg, cut, *heads, /*withQuantization=*/true,
                     *stats);
  }
  return out;
}

} // namespace hdp::model
