//===- Safetensors.h - Reading Hugging Face .safetensors files --*- C++ -*-===//
//
// The safetensors format (huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON, then the tensor data. The JSON object
// maps every tensor name to {"dtype": "F16", "shape": [4096, 256],
// "data_offsets": [begin, end]} (byte offsets into the data that follows the
// header) and may hold a "__metadata__" object of strings. Tensors are
// row-major and little-endian.
//
// The reader trusts nothing it reads: the header length is bounded by the
// file and by the format's 100 MB limit, every entry is checked for its
// keys and types, the byte range of a tensor must be exactly
// element count × element size, and the ranges must tile the data section
// without gaps or overlaps (the format's rule), so a truncated file or a
// header that lies about offsets is reported before any tensor is read.
// Every error starts with the file name and names the tensor.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_SAFETENSORS_H
#define HDP_MODEL_SAFETENSORS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hdp::model {

/// One tensor of a safetensors file, as its header describes it.
struct SafetensorsTensor {
  std::string dtype;          ///< e.g. "F32", "F16", "BF16", "I64"
  std::vector<int64_t> shape; ///< row-major
  int64_t begin = 0;          ///< byte offset in the data section
  int64_t end = 0;            ///< one past the last byte
};

/// A validated safetensors file (the bytes stay mapped while it lives).
class SafetensorsFile {
public:
  /// Parses `bytes` (kept alive by the caller); `name` starts every error.
  static llvm::Expected<SafetensorsFile> parse(llvm::StringRef bytes,
                                               llvm::StringRef name);
  /// Reads and parses the file at `path`.
  static llvm::Expected<SafetensorsFile> open(llvm::StringRef path);

  /// The tensor called `tensor`, or null.
  const SafetensorsTensor *find(llvm::StringRef tensor) const;
  /// Every tensor, by name.
  const std::map<std::string, SafetensorsTensor> &tensors() const {
    return entries;
  }

  /// The values of `tensor` converted to f32. The tensor must exist, have
  /// dtype F32, F16 or BF16, the shape `expectedShape` and finite values.
  llvm::Expected<std::vector<float>>
  readFloats(llvm::StringRef tensor,
             llvm::ArrayRef<int64_t> expectedShape) const;

  const std::string &name() const { return fileName; }

private:
  SafetensorsFile() = default;
  llvm::Error error(const llvm::Twine &message) const;

  std::shared_ptr<llvm::MemoryBuffer> owned; ///< set by open()
  llvm::StringRef data;                      ///< the data section
  std::string fileName;
  std::map<std::string, SafetensorsTensor> entries;
};

/// Bytes per element of a safetensors dtype, or 0 when the format does not
/// define `dtype`.
int64_t safetensorsDtypeSize(llvm::StringRef dtype);

/// "[4096, 256]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// A tensor to write with serializeSafetensors.
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// A safetensors file holding `tensors` in `dtype` (F32, F16 or BF16,
/// rounding to nearest even), in the given order: tests build models with it.
std::string serializeSafetensors(llvm::ArrayRef<NamedTensor> tensors,
                                 llvm::StringRef dtype = "F32");

} // namespace hdp::model

#endif // HDP_MODEL_SAFETENSORS_H
