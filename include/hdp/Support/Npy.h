//===- Npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// A small, strict reader and a serialiser of NumPy's .npy format
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
// hdp's runners and the simulator exchange tensors with Python through it.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, C-order arrays and the
// little-endian (or byte-order-free '|') dtypes listed in DType. NumPy has no
// bfloat16: ml_dtypes' np.save writes it as a 2-byte void ('<V2'), which is
// read as bfloat16, as is the descr 'bfloat16' (str() of ml_dtypes'
// dtype, which some writers put in the header). Anything else
// is an llvm::Error whose message starts with the file name and says what was
// expected, so that tools can print it unchanged.
//
// The tools write the serialised bytes through hdp/Tooling/OutputFiles.h,
// which makes all files of a run appear whole or not at all.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SUPPORT_NPY_H
#define HDP_SUPPORT_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hdp::npy {

/// Element types the reader understands.
enum class DType {
  Bool, ///< |b1
  I8,   ///< |i1
  I16,  ///< <i2
  I32,  ///< <i4
  I64,  ///< <i8
  U8,   ///< |u1
  U16,  ///< <u2
  U32,  ///< <u4
  U64,  ///< <u8
  F32,  ///< <f4
  F64,  ///< <f8
  F16,  ///< <f2 (IEEE half)
  BF16, ///< <V2 or 'bfloat16' (the upper half of an f32)
};

/// Size of one element in bytes.
unsigned dtypeSize(DType dtype);
/// The canonical descr string that numpy writes, e.g. "<f4" or "|b1".
llvm::StringRef dtypeDescr(DType dtype);
/// Whether `dtype` is a floating-point type (toF32 accepts it).
bool isFloat(DType dtype);
/// Parses a descr string such as "<f4", "|u1" or "=i8"; fails (with a message
/// that does not name a file) on big-endian or unsupported types.
llvm::Expected<DType> parseDescr(llvm::StringRef descr);

/// Formats a shape the way Python prints a tuple: "()", "(5,)", "(1, 2)".
std::string formatShape(llvm::ArrayRef<int64_t> shape);
/// numpy's name of the dtype: "float32", "bool", "int64", "bfloat16"...
llvm::StringRef dtypeName(DType dtype);
/// Number of elements of `shape` (1 for a scalar), or -1 on int64 overflow.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// An n-dimensional array in C order: the element type, the shape and the
/// little-endian bytes of the elements.
struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  Array() = default;
  Array(DType dtype, std::vector<int64_t> shape, std::vector<uint8_t> bytes)
      : dtype(dtype), shape(std::move(shape)), bytes(std::move(bytes)) {}

  int64_t numElements() const { return npy::numElements(shape); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

/// Parses the contents of a .npy file; `name` (usually the path) prefixes
/// every error message.
llvm::Expected<Array> parse(llvm::StringRef contents, llvm::StringRef name);
/// Reads and parses the file at `path`.
llvm::Expected<Array> readFile(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// Conversions. `name` prefixes error messages.
//===----------------------------------------------------------------------===//

/// Elements as f32. Accepts f32, f64 (rounded to nearest), f16 and bf16
/// (exact); integer and
/// bool arrays are refused, since silently treating them as activations
/// usually hides a mixed-up file.
llvm::Expected<std::vector<float>> toF32(const Array &array,
                                         llvm::StringRef name);
/// Elements as 0/1 bytes. Accepts b1 (any non-zero byte is true) and integer
/// arrays whose every element is 0 or 1.
llvm::Expected<std::vector<uint8_t>> toBool(const Array &array,
                                            llvm::StringRef name);
/// Elements as int64. Accepts b1 and every integer dtype; u64 values above
/// INT64_MAX are refused.
llvm::Expected<std::vector<int64_t>> toI64(const Array &array,
                                           llvm::StringRef name);

/// Builders for the dtypes hdp writes. Each asserts that `values` has as many
/// elements as `shape` describes.
Array fromF32(std::vector<int64_t> shape, llvm::ArrayRef<float> values);
/// Non-zero values become true (stored as |b1).
Array fromBool(std::vector<int64_t> shape, llvm::ArrayRef<uint8_t> values);
/// Stored as <i8.
Array fromI64(std::vector<int64_t> shape, llvm::ArrayRef<int64_t> values);

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// One line for people: the dtype's name, the shape and the first
/// `maxValues` elements in C order, e.g.
///   float32 (1, 2, 3) = [0.5, -1.25, 3, ...] (6 elements)
///   bool (1, 2) = [1, 0] (2 elements, 1 true)
/// Floats print with 6 significant digits; an array whose bytes do not
/// match its shape says so instead.
std::string summarize(const Array &array, size_t maxValues = 8);

/// The bytes of a .npy file (format 1.0, or 2.0 if the header needs it) for
/// `array`. Fails if the byte count does not match the shape.
llvm::Expected<std::string> serialize(const Array &array);

} // namespace hdp::npy

#endif // HDP_SUPPORT_NPY_H
