//===- Limits.cpp - Size bounds the tools check before allocating ---------===//

#include "hdp/Tooling/Limits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace hdp::tooling {

std::optional<int64_t> tensorBytes(ArrayRef<int64_t> shape,
                                   int64_t elementBytes) {
  int64_t bytes = elementBytes;
  if (bytes < 0)
    return std::nullopt;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    int64_t product;
    if (MulOverflow(bytes, d, product))
      return std::nullopt;
    bytes = product;
  }
  return bytes;
}

std::string formatBytes(uint64_t bytes) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return formatv("{0} bytes", bytes).str();
  double value = static_cast<double>(bytes);
  unsigned unit = 0;
  value /= 1024;
  // GiB up to 2^50 bytes: the limits are stated in GiB.
  while (unit < 2 && value >= 1024) {
    value /= 1024;
    ++unit;
  }
  if (unit == 2 && value >= 1024 * 1024) {
    while (unit < 5 && value >= 1024) {
      value /= 1024;
      ++unit;
    }
  }
  if (value == static_cast<double>(static_cast<uint64_t>(value)))
    return formatv("{0} {1}", static_cast<uint64_t>(value), units[unit]).str();
  return formatv("{0:F1} {1}", value, units[unit]).str();
}

std::string formatDims(ArrayRef<int64_t> shape) {
  std::string s = "[";
  raw_string_ostream os(s);
  interleave(shape, os, ",");
  os << "]";
  return s;
}

Error checkTensorSize(const Twine &what, ArrayRef<int64_t> shape,
                      int64_t elementBytes, int64_t limit) {
  std::optional<int64_t> bytes = tensorBytes(shape, elementBytes);
  if (bytes && *bytes <= limit)
    return Error::success();
  std::string need = bytes ? formatBytes(*bytes)
                           : "more than 8 EiB (its size overflows int64)";
  return createStringError(inconvertibleErrorCode(),
                           what + " = " + formatDims(shape) + " would need " +
                               need + "; the limit is " + formatBytes(limit) +
                               " per tensor");
}

} // namespace hdp::tooling
