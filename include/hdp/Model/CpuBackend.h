//===- CpuBackend.h - hdp attention JIT-compiled for the CPU ----*- C++ -*-===//
//
// An AttentionBackend that runs `hdp.attention` compiled by hdp-cpu-pipeline
// (hdp::runtime::JitModule). Modules have static shapes, and compiling one
// takes a fraction of a second, so sequences are padded to a multiple of
// `bucket` positions and compiled modules are cached by (padded length,
// configuration) in a JitCache that several backends may share.
//
// Padding does not change any result: padded query rows and key columns are
// removed by the mask (-inf), so they are invalid in every block they touch,
// contribute nothing to θ or θ_H, and the blocks of the real positions are
// cut exactly as without padding (blocks start at 0).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_CPUBACKEND_H
#define HDP_MODEL_CPUBACKEND_H

#include "hdp/Model/Attention.h"

#include <memory>

namespace hdp::runtime {
class JitModule;
} // namespace hdp::runtime

namespace hdp::model {

/// Compiled attention modules, keyed by shape and configuration.
class JitCache {
public:
  /// Modules are compiled with `numThreads` threads (hdp-cpu-pipeline's
  /// num-threads: 0 lets the OpenMP runtime choose, 1 is sequential code).
  explicit JitCache(int64_t numThreads = 0);
  ~JitCache();
  /// Modules compiled so far.
  int64_t compilations() const;
  /// Wall time spent compiling, in seconds.
  double compileSeconds() const;

private:
  friend class CpuBackend;
  struct Impl;
  std::unique_ptr<Impl> impl;
};

class CpuBackend : public AttentionBackend {
public:
  /// `configs` has one entry per layer or a single one for every layer.
  /// A null `cache` gives the backend a cache of its own.
  explicit CpuBackend(std::vector<ref::AttentionConfig> configs,
                      std::shared_ptr<JitCache> cache = nullptr,
                      int64_t bucket = 64);
  ~CpuBackend() override;

  std::string name() const override { return "cpu"; }
  llvm::Expected<ref::Tensor<float>> attend(unsigned layer,
                                            const ref::Tensor<float> &q,
                                            const ref::Tensor<float> &k,
                                            const ref::Tensor<float> &v,
                                            LayerStats *stats) override;
  llvm::Expected<ref::Tensor<float>>
  attendMasked(unsigned layer, const ref::Tensor<float> &q,
               const ref::Tensor<float> &k, const ref::Tensor<float> &v,
               const ref::Tensor<float> &mask, LayerStats *stats) override;

  const JitCache &cache() const { return *jit; }

private:
  /// The module for these operand shapes and configuration, compiled on
  /// first use.
  llvm::Expected<hdp::runtime::JitModule *> compiledModule(
      llvm::ArrayRef<int64_t> qkShape, llvm::ArrayRef<int64_t> vShape,
      const std::vector<int64_t> &maskShape, const ref::AttentionConfig &cfg);

  std::vector<ref::AttentionConfig> configs;
  std::shared_ptr<JitCache> jit;
  int64_t bucket;
};

} // namespace hdp::model

#endif // HDP_MODEL_CPUBACKEND_H
