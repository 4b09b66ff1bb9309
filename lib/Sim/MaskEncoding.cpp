//===- MaskEncoding.cpp - The host's form of the attention mask -----------===//

#include "hdp/Sim/MaskEncoding.h"

#include "llvm/ADT/Twine.h"

#include <string>

using namespace llvm;

namespace hdp::sim {

namespace {

/// "[i0,i1,...]" of element `flat` of a tensor of `shape`.
std::string indexText(const std::vector<int64_t> &shape, uint64_t flat) {
  std::vector<uint64_t> index(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    index[k] = flat % uint64_t(shape[k]);
    flat /= uint64_t(shape[k]);
  }
  std::string text = "[";
  for (size_t k = 0; k < index.size(); ++k)
    text += (k ? "," : "") + std::to_string(index[k]);
  return text + "]";
}

} // namespace

Expected<EncodedMask> encodeMask(const ref::Tensor<float> &mask,
                                 accel::MaskForm form) {
  EncodedMask e;
  e.form = form;
  e.keysPerRow = mask.shape.empty() ? 1 : uint64_t(mask.shape.back());
  const uint64_t rows = e.keysPerRow ? mask.data.size() / e.keysPerRow : 0;
  const char *name = accel::maskFormName(form);
  auto fail = [&](const Twine &message) {
    return createStringError(inconvertibleErrorCode(),
                             "mask: " + message.str());
  };
  for (uint64_t i = 0; i < mask.data.size(); ++i) {
    float v = mask.data[i];
    if (v != 0.0f && !ref::isRemoved(v))
      return fail("element " + indexText(mask.shape, i) + " is " +
                  Twine(std::to_string(v)) + "; the '" + name +
                  "' mask form holds only 0 and removed values (<= -10000): "
                  "compile the program with the additive form");
  }
  if (form == accel::MaskForm::Bits) {
    e.removed.resize(mask.data.size());
    for (uint64_t i = 0; i < mask.data.size(); ++i)
      e.removed[i] = ref::isRemoved(mask.data[i]) ? 1 : 0;
    return e;
  }
  e.lengths.resize(rows);
  for (uint64_t r = 0; r < rows; ++r) {
    const float *row = &mask.data[r * e.keysPerRow];
    uint64_t kept = 0;
    while (kept < e.keysPerRow && !ref::isRemoved(row[kept]))
      ++kept;
    for (uint64_t j = kept; j < e.keysPerRow; ++j)
      if (!ref::isRemoved(row[j]))
        return fail("element " + indexText(mask.shape, r * e.keysPerRow + j) +
                    " is kept after element " +
                    indexText(mask.shape, r * e.keysPerRow + kept) +
                    " of its row is removed; the 'lengths' mask form keeps "
                    "a prefix of each row's keys: compile the program with "
                    "the bits form");
    e.lengths[r] = static_cast<uint32_t>(kept);
  }
  return e;
}

} // namespace hdp::sim
