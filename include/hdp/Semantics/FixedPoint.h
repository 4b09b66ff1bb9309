//===- FixedPoint.h - The integer rules of HDP, defined once ----*- C++ -*-===//
//
// The fixed-point conversions of docs/semantics.md steps 1 and 3: the split of
// one value into integer and fraction parts, and the Q16 forms of ρ and τ_H.
// The reference, the command-stream encoder, the simulator and the CPU
// lowering's constant folding all call these, so the integers they compare
// are the same by construction.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SEMANTICS_FIXEDPOINT_H
#define HDP_SEMANTICS_FIXEDPOINT_H

#include <cstdint>

namespace hdp::fixed {

/// One in Q16 fixed point.
constexpr int64_t kQ16One = 65536;
/// The largest τ_H in Q16 that any implementation uses (2^62). Any τ_H·65536
/// above H·65536 already prunes every head with θ_H > 0, so capping changes
/// no decision while keeping t·Σθ_H (< 2^62·2^63) inside 128 bits.
constexpr uint64_t kTauHQ16Cap = uint64_t(1) << 62;

/// round_half_even(ρ·65536) for ρ ∈ [-1, 1] (exact in double).
int32_t rhoToQ16(double rho);
/// round_half_even(τ_H·65536) for finite τ_H ≥ 0, capped at kTauHQ16Cap.
/// Never converts an out-of-range double to an integer.
uint64_t tauHToQ16(double tauH);

/// The fixed-point form of one value (step 1).
struct SplitValue {
  int32_t raw; ///< clamp(round_half_even(x·2^(F+shift)), -2^(I+F-1), 2^(I+F-1)-1)
  int32_t hi;  ///< raw >> F (arithmetic)
  int32_t lo;  ///< raw - hi·2^F ∈ [0, 2^F)
};
/// Splits x; ±inf and out-of-range values saturate, NaN quantizes to 0.
/// Requires 1 ≤ I, 0 ≤ F, I + F ≤ 16, |shift| ≤ 16 (AttentionConfig::validate).
SplitValue splitValue(float x, int intBits, int fracBits, int shift);

} // namespace hdp::fixed

#endif // HDP_SEMANTICS_FIXEDPOINT_H
