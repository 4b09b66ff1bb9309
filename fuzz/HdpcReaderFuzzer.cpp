//===- HdpcReaderFuzzer.cpp - libFuzzer target for the .hdpc reader -------===//
//
// Feeds arbitrary bytes to hdp::accel::readProgram. The reader must never
// crash, whatever the bytes; it either returns a program or an error.
//
// The checksum makes almost every mutation fail at byte 16, so each input is
// read twice: as it is, and (when it starts like a .hdpc header) with its
// CRC-32 recomputed, so that the checks behind the checksum (reserved bytes,
// header fields, every command, barriers) are fuzzed too.
//
// Every successful parse must round-trip:
//   * writeProgram(p) is byte-identical to the bytes read (for the current
//     version; an older stream is written as the current version, which
//     must read back as p),
//   * checkProgram(p) finds nothing.
// A violation aborts (a "crash" for libFuzzer). The text form (the hdp_accel
// dialect) has a fuzzer of its own, ProgramTextFuzzer.
//
//===----------------------------------------------------------------------===//

#include "hdp/Target/Hdpc/Hdpc.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace hdp::accel;

namespace {

constexpr size_t kChecksumOffset = 16;

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "HdpcReaderFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

void checkRoundTrip(llvm::StringRef bytes, const Program &p) {
  std::string written = writeProgram(p);
  // The writer emits the current version: an older stream (the reader got
  // this far, so the version field is in range) reads back as the same
  // program instead.
  uint16_t version = llvm::support::endian::read16le(bytes.data() + 4);
  if (version == kHdpcVersion && written != bytes)
    fail("writeProgram(readProgram(bytes)) differs from bytes");
  llvm::Expected<Program> again = readProgram(written, "fuzz-written.hdpc");
  if (!again)
    fail("readProgram(writeProgram(p)) failed",
         llvm::toString(again.takeError()));
  if (!(*again == p))
    fail("readProgram(writeProgram(p)) differs from p");
  if (std::optional<ProgramProblem> problem = checkProgram(p))
    fail("checkProgram rejects a program readProgram accepted",
         problem->message);
}

void readOne(llvm::StringRef bytes) {
  llvm::Expected<Program> p = readProgram(bytes, "fuzz.hdpc");
  if (!p) {
    std::string message = llvm::toString(p.takeError());
    if (message.rfind("fuzz.hdpc: byte ", 0) != 0)
      fail("error does not start with '<file>: byte '", message);
    return;
  }
  checkRoundTrip(bytes, *p);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  readOne(bytes);

  // Same bytes with a correct checksum, to get past it.
  if (size >= kChecksumOffset + 4 && bytes.starts_with("HDPC")) {
    std::string fixed = bytes.str();
    llvm::ArrayRef<uint8_t> all(data, size);
    uint32_t crc = llvm::crc32(all.take_front(kChecksumOffset));
    crc = llvm::crc32(crc, all.drop_front(kChecksumOffset + 4));
    for (unsigned i = 0; i < 4; ++i)
      fixed[kChecksumOffset + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    if (fixed != bytes)
      readOne(fixed);
  }
  return 0;
}
