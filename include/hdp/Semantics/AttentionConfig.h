//===- AttentionConfig.h - The parameters of HDP attention ------*- C++ -*-===//
//
// Every parameter of `#hdp.config<...>` as a plain struct (docs/semantics.md,
// "Configuration"). It is the vocabulary shared by every implementation: the
// dialect converts its attribute to it, the reference, the simulator and the
// runtimes take it. Plain C++: no MLIR or LLVM dependency.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SEMANTICS_ATTENTIONCONFIG_H
#define HDP_SEMANTICS_ATTENTIONCONFIG_H

#include <cstdint>
#include <optional>
#include <string>

namespace hdp {

/// How blocks of the score matrix are selected.
enum class Policy { Hdp, TopK, Dense };
/// How the softmax exponentials and row-sum reciprocal are evaluated.
enum class SoftmaxKind { Exact, Poly };
/// How a block is ranked: θ = Σ|S_int| (Abs, the paper's) or θ = Σ S_int
/// (Signed). Head importance θ_H is Σ|S_int| in both.
enum class Importance { Abs, Signed };

/// The keyword of a policy as `#hdp.config` spells it: hdp, topk, dense.
const char *policyName(Policy policy);
/// The keyword of a block ranking as `#hdp.config` spells it: abs, signed.
const char *importanceName(Importance importance);

/// Every parameter of `#hdp.config<...>`, with the defaults of
/// docs/semantics.md.
struct AttentionConfig {
  /// Upper bounds of `block` and `topk` (docs/limits.md): a 16384 x 16384
  /// block covers the largest score matrix the tools accept (2^28 elements);
  /// any topk >= the block columns of a row keeps them all.
  static constexpr int64_t kMaxBlockDim = 16384;
  static constexpr int64_t kMaxTopK = 2147483647;

  int64_t intBits = 4;   ///< I: integer bits (incl. sign) of the fixed point.
  int64_t fracBits = 4;  ///< F: fraction bits.
  int64_t shift = 0;     ///< power-of-two pre-scale before quantisation.
  int64_t blockRows = 2; ///< bm: block height in the score matrix.
  int64_t blockCols = 2; ///< bn: block width in the score matrix.
  double rho = 0.0;      ///< ρ ∈ [-1, 1]: block threshold ratio.
  double tauH = 0.0;     ///< τ_H ≥ 0: head threshold (0 = off).
  Policy policy = Policy::Hdp;
  Importance importance = Importance::Abs;
  int64_t topk = 1;   ///< blocks kept per block row under Policy::TopK.
  bool approx = true; ///< drop the Frac·Frac term.
  SoftmaxKind softmax = SoftmaxKind::Exact;
  std::optional<double> scale; ///< softmax scale; unset means 1/sqrt(D).

  /// Returns an empty string when the configuration is possible, otherwise a
  /// message that names the offending key (e.g. "rho must be in [-1, 1]").
  std::string validate() const;
  /// The scale actually applied for head dimension `d`, rounded to f32.
  float effectiveScale(int64_t d) const;
};

} // namespace hdp

#endif // HDP_SEMANTICS_ATTENTIONCONFIG_H
