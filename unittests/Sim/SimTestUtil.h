//===- SimTestUtil.h - Helpers shared by the simulator tests ----*- C++ -*-===//

#ifndef HDP_UNITTESTS_SIM_SIMTESTUTIL_H
#define HDP_UNITTESTS_SIM_SIMTESTUTIL_H

#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Sim/Simulator.h"

#include "gtest/gtest.h"

#include <map>

#include <cmath>
#include <random>

namespace hdp::simtest {

/// A shipped configuration as it is (precision.* bf16).
inline accel::AccelConfig loadShippedConfig(llvm::StringRef name) {
  llvm::Expected<accel::AccelConfig> c = accel::loadAccelConfig(
      std::string(HDP_SOURCE_DIR) + "/configs/" + name.str());
  EXPECT_TRUE(bool(c)) << (c ? "" : llvm::toString(c.takeError()));
  return *c;
}

/// A shipped configuration with an f32 P·V datapath: the simulator then
/// rounds exactly as the reference, which most tests compare with at 1e-5.
inline accel::AccelConfig loadConfig(llvm::StringRef name) {
  accel::AccelConfig c = loadShippedConfig(name);
  c.vPrecision = c.pPrecision = c.outPrecision = accel::Precision::F32;
  return c;
}

/// Attention-like data: a shared low-rank structure between Q and K (so
/// scores have structure to prune), per-head temperature, plus noise.
inline sim::Inputs structuredInputs(const accel::AttentionShape &s,
                                    unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  sim::Inputs in;
  in.q = ref::Tensor<float>({s.B, s.H, s.N, s.D});
  in.k = ref::Tensor<float>({s.B, s.H, s.M, s.D});
  in.v = ref::Tensor<float>({s.B, s.H, s.M, s.Dv});
  for (uint32_t b = 0; b < s.B; ++b)
    for (uint32_t h = 0; h < s.H; ++h) {
      float temp = 0.4f + 0.3f * float(h % 5);
      for (uint32_t i = 0; i < s.N; ++i)
        for (uint32_t d = 0; d < s.D; ++d)
          in.q.at(b, h, i, d) =
              temp *
              (std::sin(0.05f * float(i) * float(d + 1)) + 0.5f * normal(rng));
      for (uint32_t j = 0; j < s.M; ++j)
        for (uint32_t d = 0; d < s.D; ++d)
          in.k.at(b, h, j, d) =
              std::sin(0.05f * float(j) * float(d + 1)) + 0.5f * normal(rng);
      for (uint32_t j = 0; j < s.M; ++j)
        for (uint32_t d = 0; d < s.Dv; ++d)
          in.v.at(b, h, j, d) = normal(rng);
    }
  return in;
}

/// Compiles and simulates; fails the test on any error.
inline sim::SimResult compileAndRun(const accel::AttentionShape &shape,
                                    const ref::AttentionConfig &config,
                                    const accel::AccelConfig &accel,
                                    const sim::Inputs &inputs,
                                    const accel::BuildOptions &options = {}) {
  llvm::Expected<accel::Program> program =
      accel::buildProgram(shape, config, accel, options);
  EXPECT_TRUE(bool(program))
      << (program ? "" : llvm::toString(program.takeError()));
  if (!program)
    return {};
  llvm::Expected<sim::SimResult> result =
      sim::simulate(*program, accel, inputs);
  EXPECT_TRUE(bool(result))
      << (result ? "" : llvm::toString(result.takeError()));
  if (!result)
    return {};
  return std::move(*result);
}

} // namespace hdp::simtest

#endif // HDP_UNITTESTS_SIM_SIMTESTUTIL_H
