//===- Limits.h - Size bounds the tools check before allocating --*- C++
//-*-===//
//
// A tool computes the size of every tensor it will read or materialise from
// the shapes alone and refuses one beyond the limit with a message that names
// the input, the size it would need and the limit, before anything that
// large is allocated (see docs/tools.md, "Limits").
//
//===----------------------------------------------------------------------===//

#ifndef HDP_TOOLING_LIMITS_H
#define HDP_TOOLING_LIMITS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace hdp::tooling {

/// The largest tensor, input or output, that a tool reads or materialises:
/// 1 GiB of element data.
constexpr int64_t kMaxTensorBytes = int64_t(1) << 30;

/// Bytes of a tensor of `shape` with `elementBytes` per element, or
/// std::nullopt if a dimension is negative or the product overflows int64.
std::optional<int64_t> tensorBytes(llvm::ArrayRef<int64_t> shape,
                                   int64_t elementBytes);

/// A byte count for people: "512 bytes", "12.5 MiB", "4096 GiB".
std::string formatBytes(uint64_t bytes);

/// "[1,2,3]".
std::string formatDims(llvm::ArrayRef<int64_t> shape);

/// Fails if `what` (e.g. "out [B,H,N,Dv]") of `shape` needs more than
/// `limit` bytes: "out [B,H,N,Dv] = [1,1,65536,65536] would need
/// 16 GiB; the limit is 1 GiB per tensor". The caller adds where.
llvm::Error checkTensorSize(const llvm::Twine &what,
                            llvm::ArrayRef<int64_t> shape, int64_t elementBytes,
                            int64_t limit = kMaxTensorBytes);

} // namespace hdp::tooling

#endif // HDP_TOOLING_LIMITS_H
