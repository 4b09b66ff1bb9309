//===- AccelConfigFuzzer.cpp - libFuzzer target for the config loader -----===//
//
// Feeds arbitrary text to hdp::accel::parseAccelConfig. The loader must
// never crash (nor let an exception of the JSON library escape), whatever
// the text; it either returns a configuration or an error naming the file.
//
// Every accepted configuration must be valid and must round-trip:
// parseAccelConfig(accelConfigToJson(c)) is accepted, with the same hash
// and description. A violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/AccelConfig.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace hdp::accel;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "AccelConfigFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<AccelConfig> config = parseAccelConfig(text, "fuzz.json");
  if (!config) {
    std::string message = llvm::toString(config.takeError());
    if (message.rfind("fuzz.json: ", 0) != 0)
      fail("error does not start with '<file>: '", message);
    return 0;
  }
  std::string why = config->validate();
  if (!why.empty())
    fail("parseAccelConfig accepted an invalid configuration", why);
  (void)config->hash();

  std::string json = accelConfigToJson(*config);
  llvm::Expected<AccelConfig> back = parseAccelConfig(json, "roundtrip.json");
  if (!back)
    fail("accelConfigToJson output is rejected",
         llvm::toString(back.takeError()) + "\n" + json);
  if (back->hash() != config->hash() ||
      back->description != config->description)
    fail("accelConfigToJson does not round-trip", json);
  return 0;
}
