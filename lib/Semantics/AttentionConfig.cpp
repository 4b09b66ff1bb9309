//===- AttentionConfig.cpp - Validation of the HDP parameters --------------===//

#include "hdp/Semantics/AttentionConfig.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace hdp {

const char *policyName(Policy policy) {
  switch (policy) {
  case Policy::Hdp:
    return "hdp";
  case Policy::TopK:
    return "topk";
  case Policy::Dense:
    return "dense";
  }
  return "?";
}

const char *importanceName(Importance importance) {
  switch (importance) {
  case Importance::Abs:
    return "abs";
  case Importance::Signed:
    return "signed";
  }
  return "?";
}

std::string AttentionConfig::validate() const {
  std::ostringstream os;
  if (intBits < 1)
    os << "int_bits must be >= 1 (got " << intBits << ")";
  else if (fracBits < 0)
    os << "frac_bits must be >= 0 (got " << fracBits << ")";
  else if (intBits + fracBits > 16)
    os << "int_bits + frac_bits must be <= 16 (got " << intBits << " + "
       << fracBits << ")";
  else if (shift < -16 || shift > 16)
    os << "shift must be in [-16, 16] (got " << shift << ")";
  else if (blockRows < 1 || blockCols < 1 || blockRows > kMaxBlockDim ||
           blockCols > kMaxBlockDim)
    os << "block dimensions must be in [1, " << kMaxBlockDim << "] (got ["
       << blockRows << "," << blockCols << "])";
  // Written so that NaN fails every range check.
  else if (!(rho >= -1.0 && rho <= 1.0))
    os << "rho must be in [-1, 1] (got " << rho << ")";
  else if (!(tauH >= 0.0 && std::isfinite(tauH)))
    os << "tau_h must be finite and >= 0 (got " << tauH << ")";
  else if (policy != Policy::Hdp && policy != Policy::TopK &&
           policy != Policy::Dense)
    os << "policy must be one of hdp, topk, dense";
  else if (importance != Importance::Abs && importance != Importance::Signed)
    os << "importance must be one of abs, signed";
  else if (topk < 1 || topk > kMaxTopK)
    os << "topk must be in [1, " << kMaxTopK << "] (got " << topk << ")";
  else if (softmax != SoftmaxKind::Exact && softmax != SoftmaxKind::Poly)
    os << "softmax must be one of exact, poly";
  // The scale is applied as an f32, so it must be a normal f32: 1e39 would
  // be +inf there, 1e-46 zero.
  else if (scale && !(*scale >= std::numeric_limits<float>::min() &&
                      *scale <= std::numeric_limits<float>::max()))
    os << "scale must be in [" << std::numeric_limits<float>::min() << ", "
       << std::numeric_limits<float>::max()
       << "] (finite, normal and > 0 as an f32; got " << *scale << ")";
  return os.str();
}

float AttentionConfig::effectiveScale(int64_t d) const {
  if (scale)
    return static_cast<float>(*scale);
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
}

} // namespace hdp
