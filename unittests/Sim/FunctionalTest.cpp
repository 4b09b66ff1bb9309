//===- FunctionalTest.cpp - The simulator against the reference -----------===//
//
// Many random cases, each compiled for one of several accelerators (the two
// shipped ones, one with tiny buffers that forces streamed K/V in several
// chunks and many strips, one with 3 cores and odd tiles that forces row
// groups), simulated, and compared with hdp::ref::attention: block masks,
// head masks and θ_H bit for bit, outputs within 1e-5.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Reference/Reference.h"
#include "hdp/Sim/MaskEncoding.h"

#include <cstring>
#include <limits>

using namespace hdp;
using namespace hdp::simtest;
using namespace llvm;

namespace {

const float kInf = std::numeric_limits<float>::infinity();

/// Buffers just big enough for strips of 2·bm rows and chunks of 3·bn keys
/// (rounded up to what the shape needs): many strips, many chunks.
accel::AccelConfig tinyConfigFor(const accel::AttentionShape &s,
                                 const accel::AttentionParams &p) {
  accel::AccelConfig c = loadConfig("hdp-edge.json");
  c.name = "tiny";
  c.cores = 2;
  uint64_t rows = std::min<uint64_t>(2 * p.blockRows, s.N);
  uint64_t keys = std::min<uint64_t>(3 * p.blockCols, s.M);
  auto both = [](uint64_t slot) { return 2 * std::max<uint64_t>(slot, 1); };
  c.qBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::Q, rows, 0, s, p));
  c.scoreBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::Score, rows, 0, s, p));
  c.maskBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::Mask, rows, s.M, s, p));
  c.thetaBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::Theta, rows, 0, s, p));
  c.blockMaskBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::BlockMask, rows, 0, s, p));
  c.outBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::Out, rows, 0, s, p));
  c.kBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::K, 0, keys, s, p));
  c.vBufferBytes =
      both(accel::slotBytesNeeded(accel::Buffer::V, 0, keys, s, p));
  return c;
}

accel::AccelConfig oddConfig() {
  accel::AccelConfig c = loadConfig("hdp-edge.json");
  c.name = "odd";
  c.cores = 3;
  c.peArraysPerCore = 1;
  c.tileRows = 3;
  c.tileK = 2;
  c.tileCols = 5;
  return c;
}

struct RandomCase {
  accel::AttentionShape shape;
  ref::AttentionConfig config;
  sim::Inputs inputs;
  std::string description;
};

RandomCase makeCase(unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  auto uniform = [&](float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(rng);
  };
  RandomCase rc;
  accel::AttentionShape &s = rc.shape;
  s.B = pick(1, 2);
  s.H = pick(1, 4);
  s.N = pick(1, 23);
  s.M = pick(1, 23);
  s.D = pick(1, 12);
  s.Dv = pick(1, 7);
  int maskKind = pick(0, 4); // none, causal, padding, random, rank-1
  s.hasMask = maskKind != 0;

  ref::AttentionConfig &c = rc.config;
  static const int bits[][2] = {{4, 4}, {3, 5}, {8, 0}, {6, 10}, {2, 2}};
  int b = pick(0, 4);
  c.intBits = bits[b][0];
  c.fracBits = bits[b][1];
  c.shift = pick(-1, 2);
  c.blockRows = pick(1, 4);
  c.blockCols = pick(1, 4);
  c.policy = static_cast<ref::Policy>(pick(0, 2));
  c.rho = pick(0, 4) == 0 ? double(pick(-1, 1)) : uniform(-1.0f, 1.0f);
  c.topk = pick(1, 3);
  static const double taus[] = {0.0, 0.0, 0.5, 0.9, 1.0, 1.5, 3.0};
  c.tauH = taus[pick(0, 6)];
  c.approx = pick(0, 1) == 1;
  c.softmax = pick(0, 1) ? ref::SoftmaxKind::Poly : ref::SoftmaxKind::Exact;
  if (pick(0, 3) == 0)
    c.scale = uniform(0.05f, 1.0f);

  // Inputs: unit scale, sometimes on the fixed-point grid (ties in θ).
  bool grid = pick(0, 2) == 0;
  auto value = [&]() {
    float x = uniform(-3.0f, 3.0f);
    return grid ? std::round(x * 2.0f) / 2.0f : x;
  };
  sim::Inputs &in = rc.inputs;
  in.q = ref::Tensor<float>({s.B, s.H, s.N, s.D});
  in.k = ref::Tensor<float>({s.B, s.H, s.M, s.D});
  in.v = ref::Tensor<float>({s.B, s.H, s.M, s.Dv});
  for (float &x : in.q.data)
    x = value();
  for (float &x : in.k.data)
    x = value();
  for (float &x : in.v.data)
    x = uniform(-2.0f, 2.0f);

  switch (maskKind) {
  case 1: { // causal [N, M], -inf above the diagonal (queries at the end)
    ref::Tensor<float> m({s.N, s.M}, 0.0f);
    for (uint32_t i = 0; i < s.N; ++i)
      for (uint32_t j = 0; j < s.M; ++j)
        if (int64_t(j) > int64_t(i) + int64_t(s.M) - int64_t(s.N))
          m.at(i, j) = -kInf;
    in.mask = m;
    break;
  }
  case 2: { // BERT padding [B,1,1,M] with -10000; some items fully padded
    ref::Tensor<float> m({s.B, 1, 1, s.M}, 0.0f);
    for (uint32_t bb = 0; bb < s.B; ++bb) {
      uint32_t keep = pick(0, 3) == 0 ? 0 : pick(1, s.M);
      for (uint32_t j = keep; j < s.M; ++j)
        m.data[bb * s.M + j] = -10000.0f;
    }
    in.mask = m;
    break;
  }
  case 3: { // random [B,H,N,M]: removals, finite biases, finfo.min
    ref::Tensor<float> m({s.B, s.H, s.N, s.M}, 0.0f);
    for (float &x : m.data) {
      int r = pick(0, 9);
      x = r == 0   ? -kInf
          : r == 1 ? -3.4028235e38f
          : r == 2 ? -9999.0f
          : r < 6  ? uniform(-2.0f, 1.0f)
                   : 0.0f;
    }
    in.mask = m;
    break;
  }
  case 4: { // rank-1 [M]
    ref::Tensor<float> m({s.M}, 0.0f);
    for (float &x : m.data)
      x = pick(0, 3) == 0 ? -kInf : uniform(-1.0f, 0.0f);
    in.mask = m;
    break;
  }
  default:
    break;
  }
  rc.description =
      "seed " + std::to_string(seed) + ": B=" + std::to_string(s.B) +
      " H=" + std::to_string(s.H) + " N=" + std::to_string(s.N) +
      " M=" + std::to_string(s.M) + " D=" + std::to_string(s.D) +
      " Dv=" + std::to_string(s.Dv) + " mask=" + std::to_string(maskKind) +
      " I=" + std::to_string(c.intBits) + " F=" + std::to_string(c.fracBits) +
      " shift=" + std::to_string(c.shift) +
      " block=" + std::to_string(c.blockRows) + "x" +
      std::to_string(c.blockCols) + " policy=" + std::to_string(int(c.policy)) +
      " rho=" + std::to_string(c.rho) + " tau=" + std::to_string(c.tauH) +
      " approx=" + std::to_string(c.approx) +
      " poly=" + std::to_string(c.softmax == ref::SoftmaxKind::Poly);
  return rc;
}

/// Compares simulator and reference; returns the number of output elements
/// that differ in their bits (for information; the contract is 1e-5). The
/// dense engine computes no masks: it must keep exactly the reference's
/// (valid) blocks, which its statistics count.
size_t expectAgreement(const sim::SimResult &r, const ref::AttentionResult &e,
                       const std::string &what, bool denseEngine = false,
                       float tolerance = 1e-5f, float *worstError = nullptr) {
  if (denseEngine) {
    uint64_t kept = std::count(e.blockMask.data.begin(), e.blockMask.data.end(),
                               uint8_t(1));
    EXPECT_EQ(r.stats.blocksKept, kept) << what;
    EXPECT_EQ(r.stats.blocksValid, kept) << what;
    EXPECT_EQ(r.stats.seOps, 0u) << what;
    EXPECT_FALSE(r.outputs.blockMaskComplete || r.outputs.headTableComplete);
  } else {
    EXPECT_EQ(r.outputs.blockMask.shape, e.blockMask.shape) << what;
    EXPECT_TRUE(r.outputs.blockMask.data == e.blockMask.data) << what;
    EXPECT_TRUE(r.outputs.headMask.data == e.headMask.data) << what;
    EXPECT_TRUE(r.outputs.thetaH.data == e.thetaH.data) << what;
    EXPECT_TRUE(r.outputs.blockMaskComplete && r.outputs.headTableComplete);
  }
  EXPECT_EQ(r.outputs.out.shape, e.out.shape) << what;
  size_t differing = 0;
  float worst = 0;
  for (size_t i = 0; i < e.out.data.size(); ++i) {
    float a = r.outputs.out.data[i], b = e.out.data[i];
    if (std::isnan(b)) {
      EXPECT_TRUE(std::isnan(a)) << what << " element " << i;
      continue;
    }
    if (std::memcmp(&a, &b, sizeof(float)) != 0)
      ++differing;
    worst = std::max(worst, std::fabs(a - b));
  }
  EXPECT_LE(worst, tolerance) << what;
  if (worstError)
    *worstError = std::max(*worstError, worst);
  return differing;
}

TEST(SimFunctional, RandomCasesMatchTheReference) {
  size_t differing = 0, cases = 0, rankingsDisagree = 0;
  for (unsigned seed = 1; seed <= 240; ++seed)
    for (hdp::Importance importance :
         {hdp::Importance::Abs, hdp::Importance::Signed}) {
      RandomCase rc = makeCase(seed);
      rc.config.importance = importance;
      rc.description +=
          std::string(" importance=") + hdp::importanceName(importance);
      ASSERT_EQ(rc.config.validate(), "") << rc.description;
      const ref::Tensor<float> *mask =
          rc.inputs.mask ? &*rc.inputs.mask : nullptr;
      ref::AttentionResult expected = ref::attention(
          rc.inputs.q, rc.inputs.k, rc.inputs.v, mask, rc.config);
      if (importance == hdp::Importance::Signed) {
        ref::AttentionConfig abs = rc.config;
        abs.importance = hdp::Importance::Abs;
        rankingsDisagree +=
            ref::attention(rc.inputs.q, rc.inputs.k, rc.inputs.v, mask, abs)
                .blockMask.data != expected.blockMask.data;
      }
      accel::AttentionParams params =
          accel::AttentionParams::from(rc.config, rc.shape.D);
      accel::AccelConfig accels[] = {
          loadConfig("hdp-edge.json"), loadConfig("hdp-server.json"),
          tinyConfigFor(rc.shape, params), oddConfig()};
      llvm::Expected<bool> dense = accel::selectDenseEngine(params, {});
      ASSERT_TRUE(bool(dense));
      for (const accel::AccelConfig &accel : accels) {
        std::string what = rc.description + " on " + accel.name;
        sim::SimResult r = compileAndRun(rc.shape, rc.config, accel, rc.inputs);
        if (HasFailure())
          return; // one clear failure rather than hundreds
        differing += expectAgreement(r, expected, what, *dense);
        ++cases;
        if (*dense) {
          // The same attention on the HDP engine with pruning off.
          accel::BuildOptions hdp;
          hdp.engine = accel::Engine::Hdp;
          differing += expectAgreement(
              compileAndRun(rc.shape, rc.config, accel, rc.inputs, hdp),
              expected, what + " (HDP engine)");
        }
        if (HasFailure())
          return;
      }
    }
  EXPECT_EQ(cases, 1920u);
  // The signed cases exercise other masks than the abs ones, not the same.
  EXPECT_GE(rankingsDisagree, 100u);
  // The simulator performs the reference's float operations in the same
  // order, so in practice the outputs are identical.
  EXPECT_EQ(differing, 0u);
}

TEST(SimFunctional, KeyTilesMatchTheReferenceWithinTheOnlineTolerance) {
  // Scores in key tiles with the online softmax (docs/accelerator.md,
  // "Dataflow"): masks and θ_H stay bit-exact; outputs move by the
  // rescaling, within 1e-5 with the exact softmax and within 2^-7 with the
  // polynomial one (exp_poly(a)·exp_poly(b) is not exp_poly(a+b)).
  float worstExact = 0, worstPoly = 0;
  size_t tiled = 0;
  for (unsigned seed = 1; seed <= 120; ++seed) {
    RandomCase rc = makeCase(seed);
    const ref::Tensor<float> *mask =
        rc.inputs.mask ? &*rc.inputs.mask : nullptr;
    ref::AttentionResult expected =
        ref::attention(rc.inputs.q, rc.inputs.k, rc.inputs.v, mask, rc.config);
    accel::AttentionParams params =
        accel::AttentionParams::from(rc.config, rc.shape.D);
    accel::AccelConfig accel = tinyConfigFor(rc.shape, params);
    accel::BuildOptions options;
    options.scoreTiling = accel::ScoreTiling::KeyTiles;
    llvm::Expected<bool> dense = accel::selectDenseEngine(params, options);
    ASSERT_TRUE(bool(dense));
    llvm::Expected<accel::TilePlan> plan =
        accel::planTiles(rc.shape, params, accel, options);
    ASSERT_TRUE(bool(plan)) << llvm::toString(plan.takeError());
    tiled += plan->keyTiles;
    const bool poly = rc.config.softmax == ref::SoftmaxKind::Poly;
    sim::SimResult r =
        compileAndRun(rc.shape, rc.config, accel, rc.inputs, options);
    if (HasFailure())
      return;
    expectAgreement(r, expected, rc.description + " in key tiles", *dense,
                    poly ? 1.0f / 128 : 1e-5f, poly ? &worstPoly : &worstExact);
    if (HasFailure())
      return;
  }
  // Most cases have more keys than one tile holds.
  EXPECT_GE(tiled, 80u);
  std::printf("online softmax, worst |out - reference|: exact %g, poly %g\n",
              worstExact, worstPoly);
}

TEST(SimFunctional, ShippedPrecisionsMatchTheReferenceWithinTheirTolerance) {
  // V, P and the output rounded to bf16 or fp16 (products exact, f32
  // accumulation): masks and θ_H bit-exact, outputs within 2^-7 (bf16) and
  // 2^-10 (fp16) of the reference, relative to max(1, max |V|); with the
  // online softmax's 2^-7 on top for poly in key tiles.
  float worst[2] = {0, 0};
  for (unsigned seed = 1; seed <= 120; ++seed) {
    RandomCase rc = makeCase(seed);
    const ref::Tensor<float> *mask =
        rc.inputs.mask ? &*rc.inputs.mask : nullptr;
    ref::AttentionResult expected =
        ref::attention(rc.inputs.q, rc.inputs.k, rc.inputs.v, mask, rc.config);
    float maxV = 1;
    for (float x : rc.inputs.v.data)
      if (std::isfinite(x))
        maxV = std::max(maxV, std::fabs(x));
    accel::AttentionParams params =
        accel::AttentionParams::from(rc.config, rc.shape.D);
    llvm::Expected<bool> dense = accel::selectDenseEngine(params, {});
    ASSERT_TRUE(bool(dense));
    for (accel::Precision p :
         {accel::Precision::BF16, accel::Precision::FP16}) {
      accel::AccelConfig accel = seed % 2
                                     ? loadShippedConfig("hdp-edge.json")
                                     : loadShippedConfig("hdp-server.json");
      accel.vPrecision = accel.pPrecision = accel.outPrecision = p;
      const bool bf16 = p == accel::Precision::BF16;
      float tolerance = (bf16 ? 1.0f / 128 : 1.0f / 1024) * maxV;
      if (rc.config.softmax == ref::SoftmaxKind::Poly)
        tolerance += 1.0f / 128;
      sim::SimResult r = compileAndRun(rc.shape, rc.config, accel, rc.inputs);
      if (HasFailure())
        return;
      float err = 0;
      expectAgreement(r, expected,
                      rc.description + " in " + accel::precisionName(p), *dense,
                      tolerance, &err);
      worst[bf16 ? 0 : 1] = std::max(worst[bf16 ? 0 : 1], err / maxV);
      if (HasFailure())
        return;
    }
  }
  std::printf("worst |out - reference| / max(1, max|V|): bf16 %g, fp16 %g\n",
              worst[0], worst[1]);
}

TEST(SimFunctional, EveryPolicyAndTheTinyConfigAtMediumSize) {
  // Larger shapes with several strips and chunks per head on every config.
  auto shape = accel::AttentionShape::fromDims(2, 3, 70, 90, 24, 16, true);
  sim::Inputs in = structuredInputs(shape, 7);
  ref::Tensor<float> mask({shape.B, 1, 1, shape.M}, 0.0f);
  for (uint32_t j = 80; j < shape.M; ++j)
    mask.data[shape.M + j] = -10000.0f; // pad the second batch item
  in.mask = mask;
  for (ref::Policy policy :
       {ref::Policy::Hdp, ref::Policy::TopK, ref::Policy::Dense})
    for (hdp::Importance importance :
         {hdp::Importance::Abs, hdp::Importance::Signed}) {
      ref::AttentionConfig config;
      config.policy = policy;
      config.importance = importance;
      config.rho = 0.2;
      config.topk = 5;
      config.tauH = 0.8;
      config.blockRows = 2;
      config.blockCols = 3;
      ref::AttentionResult expected =
          ref::attention(in.q, in.k, in.v, &*in.mask, config);
      accel::AttentionParams params =
          accel::AttentionParams::from(config, shape.D);
      for (const accel::AccelConfig &accel :
           {loadConfig("hdp-edge.json"), loadConfig("hdp-server.json"),
            tinyConfigFor(shape, params), oddConfig()}) {
        sim::SimResult r = compileAndRun(shape, config, accel, in);
        expectAgreement(r, expected,
                        "policy " + std::to_string(int(policy)) + " " +
                            hdp::importanceName(importance) + " on " +
                            accel.name);
      }
    }
}

TEST(SimFunctional, PrunedHeadsOutputZeroAndSkipWork) {
  auto shape = accel::AttentionShape::fromDims(1, 6, 32, 32, 16, 8, false);
  sim::Inputs in = structuredInputs(shape, 11);
  ref::AttentionConfig config;
  config.tauH = 1.0; // heads below the mean importance are pruned
  ref::AttentionResult expected =
      ref::attention(in.q, in.k, in.v, nullptr, config);
  sim::SimResult r =
      compileAndRun(shape, config, loadConfig("hdp-edge.json"), in);
  expectAgreement(r, expected, "tau_h = 1");
  size_t pruned = std::count(expected.headMask.data.begin(),
                             expected.headMask.data.end(), 0);
  ASSERT_GT(pruned, 0u);
  EXPECT_EQ(r.stats.headsPruned, pruned);
  EXPECT_GT(r.stats.commandsSkipped, 0u);
  EXPECT_GT(r.stats.dramBytesSavedHeadPruning, 0u);
  for (uint32_t h = 0; h < shape.H; ++h)
    if (!expected.headMask.data[h])
      for (uint32_t i = 0; i < shape.N * shape.Dv; ++i)
        EXPECT_EQ(r.outputs.out.data[h * shape.N * shape.Dv + i], 0.0f);
}

TEST(SimFunctional, StripRowsOptionKeepsResults) {
  auto shape = accel::AttentionShape::fromDims(1, 2, 40, 40, 16, 16, false);
  sim::Inputs in = structuredInputs(shape, 5);
  ref::AttentionConfig config;
  config.rho = 0.1;
  ref::AttentionResult expected =
      ref::attention(in.q, in.k, in.v, nullptr, config);
  for (uint32_t rows : {2u, 6u, 18u, 40u}) {
    accel::BuildOptions options;
    options.stripRows = rows;
    sim::SimResult r =
        compileAndRun(shape, config, loadConfig("hdp-edge.json"), in, options);
    expectAgreement(r, expected, "strip rows " + std::to_string(rows));
  }
}

TEST(SimFunctional, LargeValuesUseExactWideArithmetic) {
  // I + F = 16 with D = 300: raw products overflow 32-bit sums.
  auto shape = accel::AttentionShape::fromDims(1, 2, 9, 11, 300, 4, false);
  sim::Inputs in = structuredInputs(shape, 3);
  for (float &x : in.q.data)
    x *= 40.0f;
  for (float &x : in.k.data)
    x *= 40.0f;
  ref::AttentionConfig config;
  config.intBits = 10;
  config.fracBits = 6;
  config.approx = false;
  config.scale = 1e-6;
  ref::AttentionResult expected =
      ref::attention(in.q, in.k, in.v, nullptr, config);
  sim::SimResult r =
      compileAndRun(shape, config, loadConfig("hdp-server.json"), in);
  expectAgreement(r, expected, "wide");
}

} // namespace

/// The bit and length forms of the mask give the reference's masks and
/// outputs (bit for bit the additive form's) wherever they can hold the
/// mask, and are refused with the element that does not fit elsewhere.
TEST(SimFunctional, MaskFormsMatchTheReference) {
  size_t held = 0, refused = 0;
  for (unsigned seed = 1; seed <= 240; ++seed) {
    RandomCase rc = makeCase(seed);
    if (!rc.inputs.mask)
      continue;
    ref::AttentionResult expected = ref::attention(
        rc.inputs.q, rc.inputs.k, rc.inputs.v, &*rc.inputs.mask, rc.config);
    accel::AttentionParams params =
        accel::AttentionParams::from(rc.config, rc.shape.D);
    llvm::Expected<bool> dense = accel::selectDenseEngine(params, {});
    ASSERT_TRUE(bool(dense));
    for (accel::MaskForm form :
         {accel::MaskForm::Bits, accel::MaskForm::Lengths}) {
      accel::AttentionShape shape = rc.shape;
      shape.maskForm = form;
      std::string what = rc.description + " form=" + maskFormName(form);
      bool fits = bool(
          llvm::expectedToOptional(sim::encodeMask(*rc.inputs.mask, form)));
      for (const accel::AccelConfig &accel :
           {loadConfig("hdp-edge.json"), tinyConfigFor(shape, params)}) {
        llvm::Expected<accel::Program> program =
            accel::buildProgram(shape, rc.config, accel);
        ASSERT_TRUE(bool(program)) << toString(program.takeError());
        llvm::Expected<sim::SimResult> r =
            sim::simulate(*program, accel, rc.inputs);
        if (!fits) {
          ASSERT_FALSE(bool(r)) << what;
          std::string e = toString(r.takeError());
          EXPECT_NE(e.find("mask: element ["), std::string::npos) << e;
          ++refused;
          continue;
        }
        ASSERT_TRUE(bool(r)) << what << ": " << toString(r.takeError());
        EXPECT_EQ(
            expectAgreement(*r, expected, what + " on " + accel.name, *dense),
            0u);
        ++held;
      }
      if (HasFailure())
        return;
    }
  }
  // Causal and padding masks fit both forms; random and rank-1 masks
  // with finite biases fit neither.
  EXPECT_GE(held, 150u);
  EXPECT_GE(refused, 150u);
}

/// The DRAM bytes of the mask follow its form: f32 per element, a bit per
/// element (rows start on a byte), or 4 bytes per query row, each load
/// rounded to whole bursts; nothing else moves differently.
TEST(SimFunctional, MaskBytesFollowTheForm) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  const uint64_t burst = accel.dramBurstBytes;
  auto bursts = [&](uint64_t bytes) {
    return (bytes + burst - 1) / burst * burst;
  };
  auto shape = accel::AttentionShape::fromDims(1, 4, 96, 100, 16, 16, true);
  sim::Inputs in = structuredInputs(shape, 3);
  ref::AttentionConfig config;
  config.rho = 0.2;
  // A causal mask [N, M]: row i keeps keys 0..i+4.
  ref::Tensor<float> causal({shape.N, shape.M}, 0.0f);
  for (uint32_t i = 0; i < shape.N; ++i)
    for (uint32_t j = i + 5; j < shape.M; ++j)
      causal.at(i, j) = -std::numeric_limits<float>::infinity();
  // A padding mask [B, 1, 1, M] keeping 70 keys.
  ref::Tensor<float> padding({1, 1, 1, shape.M}, 0.0f);
  for (uint32_t j = 70; j < shape.M; ++j)
    padding.data[j] = -10000.0f;
  for (const ref::Tensor<float> *mask : {&causal, &padding}) {
    in.mask = *mask;
    const bool perRow = mask == &causal;
    std::map<accel::MaskForm, uint64_t> read;
    uint64_t additive = 0, bits = 0, lengths = 0;
    for (accel::MaskForm form :
         {accel::MaskForm::Additive, accel::MaskForm::Bits,
          accel::MaskForm::Lengths}) {
      accel::AttentionShape s = shape;
      s.maskForm = form;
      llvm::Expected<accel::Program> p = accel::buildProgram(s, config, accel);
      ASSERT_TRUE(bool(p));
      if (form == accel::MaskForm::Additive)
        for (const accel::Command &c : p->commands)
          if (c.opcode == accel::Opcode::DmaLoad &&
              c.tensor == accel::Tensor::Mask) {
            uint64_t rows = perRow ? c.rows : 1;
            additive += bursts(rows * c.cols * 4);
            bits += bursts(rows * ((c.col0 + c.cols + 7) / 8 - c.col0 / 8));
            lengths += bursts(rows * 4);
          }
      llvm::Expected<sim::SimResult> r = sim::simulate(*p, accel, in);
      ASSERT_TRUE(bool(r)) << toString(r.takeError());
      read[form] = r->stats.dramBytesRead;
    }
    ASSERT_GT(additive, lengths);
    EXPECT_EQ(read[accel::MaskForm::Additive] - read[accel::MaskForm::Bits],
              additive - bits);
    EXPECT_EQ(read[accel::MaskForm::Additive] - read[accel::MaskForm::Lengths],
              additive - lengths);
  }
}

/// Without head pruning, phases A and B run strip by strip: the same masks
/// and outputs as with the phases apart (and the reference's), the integer
/// pass not repeated, and Frac(K) topped up with the keys each strip keeps
/// that the slot does not hold yet, so a unit fetches the Frac(K) of the
/// union of its kept blocks once.
TEST(SimFunctional, FusedPhasesMatchAndTopUpTheKeptKeys) {
  accel::AccelConfig accel = loadConfig("hdp-edge.json");
  // D = 128 and F = 4: one key's Frac(K) is one 64-byte burst, so the
  // bytes count keys exactly. 128 rows per head, strips of 64.
  auto shape = accel::AttentionShape::fromDims(1, 4, 128, 128, 128, 16, false);
  sim::Inputs in = structuredInputs(shape, 5);
  ref::AttentionConfig config;
  config.rho = 0.3;
  accel::BuildOptions apart;
  apart.fusePhases = false;
  accel::AttentionParams params = accel::AttentionParams::from(config, 128);
  llvm::Expected<accel::TilePlan> plan = accel::planTiles(shape, params, accel);
  ASSERT_TRUE(bool(plan));
  ASSERT_TRUE(plan->fused);
  ASSERT_EQ(plan->rowGroups, 1u);
  ASSERT_LT(plan->stripRows, shape.N);
  sim::SimResult fused = compileAndRun(shape, config, accel, in);
  sim::SimResult separate = compileAndRun(shape, config, accel, in, apart);
  ASSERT_FALSE(HasFailure());
  ref::AttentionResult expected =
      ref::attention(in.q, in.k, in.v, nullptr, config);
  EXPECT_EQ(expectAgreement(fused, expected, "fused"), 0u);
  EXPECT_EQ(expectAgreement(separate, expected, "apart"), 0u);
  EXPECT_TRUE(fused.outputs.out.data == separate.outputs.out.data);
  // Phase B's integer pass is not repeated: 3 passes per kept tile become 2.
  EXPECT_LT(fused.stats.intMacs, separate.stats.intMacs);
  EXPECT_LT(fused.stats.totalCycles, separate.stats.totalCycles);
  // Frac(K): per head, the keys of block columns kept in any block row.
  const uint64_t nbr = expected.blockMask.shape[2],
                 nbc = expected.blockMask.shape[3];
  uint64_t keys = 0;
  for (uint32_t h = 0; h < shape.H; ++h)
    for (uint64_t bj = 0; bj < nbc; ++bj) {
      bool kept = false;
      for (uint64_t bi = 0; bi < nbr && !kept; ++bi)
        kept = expected.blockMask.data[(h * nbr + bi) * nbc + bj] != 0;
      keys += kept ? config.blockCols : 0;
    }
  const uint64_t fracBytesPerKey = shape.D * config.fracBits / 8;
  ASSERT_EQ(fracBytesPerKey % accel.dramBurstBytes, 0u);
  EXPECT_EQ(fused.stats
                .dramBytesByTensor[static_cast<unsigned>(accel::Tensor::KFrac)],
            keys * fracBytesPerKey);
}
