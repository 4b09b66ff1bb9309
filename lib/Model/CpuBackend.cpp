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
  std::map<std::string, std::unique_ptr<hdp::runtime::JitModule>> modules;
  double compileSeconds = 0.0;
};

JitCache::JitCache() : impl(std::make_unique<Impl>()) {}
JitCache::~JitCache() = default;
int64_t JitCache::compilations() const { return impl->modules.size(); }
double JitCache::compileSeconds() const { return impl->compileSeconds; }

CpuBackend::CpuBackend(std::vector<ref::AttentionConfig> configs,
                       std::shared_ptr<JitCache> cache, int64_t bucket)
    : configs(std::move(configs)),
      jit(cache ? std::move(cache) : std::make_shared<JitCache>()),
      bucket(std::max<int64_t>(1, bucket)) {}

CpuBackend::~CpuBackend() = default;

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

  // The module for this padded shape and configuration.
  JitCache::Impl &cache = *jit->impl;
  hdp::ConfigAttr attr = hdp::ConfigAttr::fromReference(&cache.context, cfg);
  std::string key;
  {
    raw_string_ostream os(key);
    os << P << ' ' << H << ' ' << D << ' ' << Dv << ' ' << attr;
  }
  auto it = cache.modules.find(key);
  if (it == cache.modules.end()) {
    auto start = std::chrono::steady_clock::now();
    std::vector<int64_t> maskShape = {P, P};
    auto module = hdp::runtime::buildAttentionModule(
        cache.context, {1, H, P, D}, {1, H, P, D}, {1, H, P, Dv}, &maskShape,
        attr, /*numResults=*/3);
    Expected<std::unique_ptr<hdp::runtime::JitModule>> compiled =
        hdp::runtime::JitModule::compile(std::move(module));
    if (!compiled)
      return createStringError(inconvertibleErrorCode(),
                               ("compiling attention for " + Twine(P) +
                                " positions: " + toString(compiled.takeError()))
                                   .str());
    cache.compileSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    it = cache.modules.emplace(key, std::move(*compiled)).first;
  }

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
      it->second->run("attention", inputs, {"Q", "K", "V", "causal mask"});
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
    // The unpadded [H, NB, MB] corner of the padded block mask.
    const int64_t bm = cfg.blockRows, bn = cfg.blockCols;
    const int64_t nbP = (P + bm - 1) / bm, mbP = (P + bn - 1) / bn;
    const int64_t nb = (T + bm - 1) / bm, mb = (T + bn - 1) / bn;
    std::vector<uint8_t> cut(H * nb * mb);
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < nb; ++i)
        for (int64_t j = 0; j < mb; ++j)
          cut[(h * nb + i) * mb + j] = (*blocks)[(h * nbP + i) * mbP + j];
    countClamped(q, cfg, *stats);
    countClamped(k, cfg, *stats);
    countPruning(T, cfg, cut, *heads, H, *stats);
    countMassLost(q, k, cfg, cut, *heads, *stats);
  }
  return out;
}

} // namespace hdp::model
