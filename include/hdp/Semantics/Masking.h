//===- Masking.h - When the additive mask removes an element ----*- C++ -*-===//

#ifndef HDP_SEMANTICS_MASKING_H
#define HDP_SEMANTICS_MASKING_H

namespace hdp {

/// A mask value at or below this removes the element (covers -inf, finfo.min
/// and BERT's -10000).
constexpr float kRemovedThreshold = -10000.0f;
inline bool isRemoved(float maskValue) {
  return maskValue <= kRemovedThreshold;
}

} // namespace hdp

#endif // HDP_SEMANTICS_MASKING_H
