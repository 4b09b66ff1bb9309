//===- SafetensorsFuzzer.cpp - libFuzzer target for .safetensors files ----===//
//
// Feeds arbitrary bytes to hdp::model::SafetensorsFile::parse. The reader
// must never crash nor allocate more than the input implies; it either
// returns a file or an error that starts with the file name.
//
// An accepted file must be consistent: every tensor's byte range lies in the
// data section and is exactly its element count times its element size, and
// the ranges tile the data section. Every float tensor either reads (as many
// values as its shape has, all finite) or is refused with the file's name;
// the float tensors written back with serializeSafetensors parse to the same
// names, shapes and values. A violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Safetensors.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace hdp::model;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "SafetensorsFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

/// Errors start with the file's name ("fuzz.safetensors: ..." or, for the
/// JSON, "fuzz.safetensors (header): ...").
void expectNamed(llvm::Error e) {
  std::string message = llvm::toString(std::move(e));
  if (message.rfind("fuzz.safetensors: ", 0) != 0 &&
      message.rfind("fuzz.safetensors (header): ", 0) != 0)
    fail("error does not start with '<file>: '", message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<SafetensorsFile> file =
      SafetensorsFile::parse(bytes, "fuzz.safetensors");
  if (!file) {
    expectNamed(file.takeError());
    return 0;
  }
  if (size < 8)
    fail("accepted a file without its 8-byte header length");
  uint64_t headerSize = 0;
  std::memcpy(&headerSize, data, 8); // little-endian hosts only
  const int64_t dataSize = static_cast<int64_t>(size - 8 - headerSize);

  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::vector<NamedTensor> floats;
  for (const auto &[name, t] : file->tensors()) {
    // A tensor with a zero dimension is empty whatever the others are;
    // otherwise its size must fit the file, so the product cannot overflow.
    int64_t elements = 1;
    bool empty = false;
    for (int64_t d : t.shape) {
      if (d < 0)
        fail("negative dimension", name);
      empty |= d == 0;
    }
    for (int64_t d : t.shape)
      if (!empty && __builtin_mul_overflow(elements, d, &elements))
        fail("accepted a tensor larger than the file", name);
    if (empty)
      elements = 0;
    int64_t elementSize = safetensorsDtypeSize(t.dtype);
    if (elementSize == 0)
      fail("accepted an unknown dtype", t.dtype);
    if (t.begin < 0 || t.begin > t.end || t.end > dataSize)
      fail("byte range outside the data section", name);
    if (t.end - t.begin != elements * elementSize)
      fail("byte range does not match the shape", name);
    ranges.push_back({t.begin, t.end});
    if (t.dtype != "F32" && t.dtype != "F16" && t.dtype != "BF16")
      continue;
    llvm::Expected<std::vector<float>> values = file->readFloats(name, t.shape);
    if (!values) {
      expectNamed(values.takeError());
      continue;
    }
    if (static_cast<int64_t>(values->size()) != elements)
      fail("readFloats returned the wrong number of values", name);
    for (float v : *values)
      if (!std::isfinite(v))
        fail("readFloats returned a non-finite value", name);
    floats.push_back({name, t.shape, std::move(*values)});
  }
  std::sort(ranges.begin(), ranges.end());
  int64_t end = 0;
  for (auto [b, e] : ranges) {
    if (b != end)
      fail("accepted ranges that do not tile the data section");
    end = e;
  }
  if (end != dataSize)
    fail("accepted trailing data");

  std::string written = serializeSafetensors(floats, "F32");
  llvm::Expected<SafetensorsFile> back =
      SafetensorsFile::parse(written, "fuzz.safetensors");
  if (!back)
    fail("serializeSafetensors output is rejected",
         llvm::toString(back.takeError()));
  if (back->tensors().size() != floats.size())
    fail("serializeSafetensors lost tensors");
  for (const NamedTensor &t : floats) {
    llvm::Expected<std::vector<float>> v = back->readFloats(t.name, t.shape);
    if (!v)
      fail("a written tensor does not read back",
           llvm::toString(v.takeError()));
    if (*v != t.values)
      fail("serializeSafetensors does not round-trip", t.name);
  }
  return 0;
}
