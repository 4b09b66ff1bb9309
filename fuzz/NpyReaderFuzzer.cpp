//===- NpyReaderFuzzer.cpp - libFuzzer target for the .npy reader ---------===//
//
// Feeds arbitrary bytes to hdp::npy::parse. The reader must never crash nor
// allocate more than the input implies, whatever the bytes; it either
// returns an array or an error that starts with the file name.
//
// Every accepted array must be consistent and must round-trip:
//   * its byte count is its element count times the element size,
//   * serialize(a) is accepted and parses back to the same array,
//   * the conversions (toF32, toBool, toI64) accept or refuse it cleanly.
// A violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Support/Npy.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace hdp;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "NpyReaderFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

template <typename T> void convertCleanly(llvm::Expected<T> converted) {
  if (!converted) {
    std::string message = llvm::toString(converted.takeError());
    if (message.rfind("fuzz.npy: ", 0) != 0)
      fail("conversion error does not start with '<file>: '", message);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<npy::Array> array = npy::parse(bytes, "fuzz.npy");
  if (!array) {
    std::string message = llvm::toString(array.takeError());
    if (message.rfind("fuzz.npy: ", 0) != 0)
      fail("error does not start with '<file>: '", message);
    return 0;
  }
  int64_t elements = array->numElements();
  if (elements < 0 ||
      static_cast<uint64_t>(elements) * npy::dtypeSize(array->dtype) !=
          array->bytes.size())
    fail("accepted array's bytes do not match its shape",
         npy::formatShape(array->shape));
  if (array->bytes.size() > size)
    fail("accepted array holds more bytes than the file");

  llvm::Expected<std::string> written = npy::serialize(*array);
  if (!written)
    fail("serialize refuses an accepted array",
         llvm::toString(written.takeError()));
  llvm::Expected<npy::Array> back = npy::parse(*written, "fuzz.npy");
  if (!back)
    fail("serialize output is rejected", llvm::toString(back.takeError()));
  if (back->dtype != array->dtype || back->shape != array->shape ||
      back->bytes != array->bytes)
    fail("serialize does not round-trip", npy::formatShape(array->shape));

  convertCleanly(npy::toF32(*array, "fuzz.npy"));
  convertCleanly(npy::toBool(*array, "fuzz.npy"));
  convertCleanly(npy::toI64(*array, "fuzz.npy"));
  return 0;
}
