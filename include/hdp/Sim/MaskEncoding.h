//===- MaskEncoding.h - The host's form of the attention mask ---*- C++ -*-===//
//
// hdp-sim plays the host: it stores the additive mask input in simulated
// DRAM in the form the program names (accel::MaskForm): as given, as one bit
// per element (removed or not), or as per-row lengths (the number of leading
// keys kept). A mask the form cannot hold is refused with the first element
// or row that does not fit, so the simulated attention is always the one the
// input describes.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SIM_MASKENCODING_H
#define HDP_SIM_MASKENCODING_H

#include "hdp/ISA/Program.h"
#include "hdp/Reference/Reference.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace hdp::sim {

/// The mask as it lies in DRAM. Rows are the mask tensor's rows (all
/// dimensions but the last, broadcast dimensions kept at extent 1); keys
/// are its last dimension (M, or 1 when broadcast over keys).
struct EncodedMask {
  accel::MaskForm form = accel::MaskForm::Additive;
  uint64_t keysPerRow = 0;
  std::vector<uint8_t> removed;  ///< Bits: [rows x keysPerRow], 1 = removed
  std::vector<uint32_t> lengths; ///< Lengths: [rows], keys kept per row

  /// Whether key `key` (< keysPerRow) of row `row` is removed.
  bool isRemoved(uint64_t row, uint64_t key) const {
    if (form == accel::MaskForm::Lengths)
      return key >= lengths[row];
    return removed[row * keysPerRow + key] != 0;
  }
};

/// Encodes `mask` in `form` (not Additive, which stays the f32 tensor).
/// Fails, naming the element or row, when a value other than 0 is not
/// removed (<= -10000), or (Lengths) when a row keeps a key after one it
/// removes.
llvm::Expected<EncodedMask> encodeMask(const ref::Tensor<float> &mask,
                                       accel::MaskForm form);

} // namespace hdp::sim

#endif // HDP_SIM_MASKENCODING_H
