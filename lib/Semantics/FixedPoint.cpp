//===- FixedPoint.cpp - The integer rules of HDP, defined once -------------===//

#include "hdp/Semantics/FixedPoint.h"

#include <algorithm>
#include <cmath>

namespace hdp::fixed {

int32_t rhoToQ16(double rho) {
  // |ρ| <= 1, so ρ·65536 is exact in double; nearbyint rounds half to even
  // in the default rounding mode.
  return static_cast<int32_t>(std::nearbyint(rho * 65536.0));
}

uint64_t tauHToQ16(double tauH) {
  // Compare in double before converting: a τ_H of 2^47 or more would make
  // the conversion undefined.
  const double tq = std::nearbyint(tauH * 65536.0);
  if (!(tq < std::ldexp(1.0, 62)))
    return kTauHQ16Cap;
  return tq > 0.0 ? static_cast<uint64_t>(tq) : 0;
}

SplitValue splitValue(float x, int intBits, int fracBits, int shift) {
  const double maxRaw = std::ldexp(1.0, intBits + fracBits - 1) - 1.0;
  const double minRaw = -std::ldexp(1.0, intBits + fracBits - 1);
  // Power-of-two scaling in f32 is exact (barring over/underflow, which the
  // clamp and the rounding absorb).
  float scaled = std::ldexp(x, fracBits + shift);
  // Clamp in double before converting so that ±inf and huge values never
  // reach an out-of-range float->int conversion. NaN has no sensible
  // fixed-point value: it quantizes to 0.
  double d = std::isnan(scaled) ? 0.0 : static_cast<double>(scaled);
  d = std::min(std::max(d, minRaw), maxRaw);
  // The bounds are integers, so clamping before rounding is the same as
  // clamping after. nearbyint rounds half to even in the default mode.
  SplitValue v;
  v.raw = static_cast<int32_t>(std::nearbyint(d));
  v.hi = v.raw >> fracBits; // arithmetic: floor division by 2^F
  v.lo = v.raw - v.hi * (int32_t(1) << fracBits);
  return v;
}

} // namespace hdp::fixed
