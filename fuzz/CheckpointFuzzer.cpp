//===- CheckpointFuzzer.cpp - libFuzzer target for llama2.c checkpoints ---===//
//
// Feeds arbitrary bytes to hdp::model::parseCheckpoint. The loader must never
// crash nor allocate more than the input implies, whatever the bytes; it
// either returns a model or an error that starts with the file name.
//
// Every accepted checkpoint must be consistent (the file has exactly the size
// its header describes, every weight array the size the header implies) and
// must round-trip: serializeCheckpoint(c) parses back to the same weights.
// A violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Checkpoint.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace hdp::model;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "CheckpointFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<Checkpoint> ckpt = parseCheckpoint(bytes, "fuzz.bin");
  if (!ckpt) {
    std::string message = llvm::toString(ckpt.takeError());
    if (message.rfind("fuzz.bin: ", 0) != 0)
      fail("error does not start with '<file>: '", message);
    return 0;
  }
  const ModelConfig &c = ckpt->config;
  if (checkpointSize(c) != static_cast<int64_t>(size))
    fail("accepted a checkpoint whose size differs from its header's");
  auto expectSize = [](const std::vector<float> &v, int64_t n,
                       const char *what) {
    if (static_cast<int64_t>(v.size()) != n)
      fail("weight array of the wrong size", what);
  };
  expectSize(ckpt->tokenEmbedding, c.vocabSize * c.dim, "token_embedding");
  expectSize(ckpt->rmsFinal, c.dim, "rms_final");
  expectSize(ckpt->classifier, c.vocabSize * c.dim, "classifier");
  if (static_cast<int64_t>(ckpt->layers.size()) != c.numLayers)
    fail("wrong number of layers");

  std::string written = serializeCheckpoint(*ckpt);
  llvm::Expected<Checkpoint> back = parseCheckpoint(written, "fuzz.bin");
  if (!back)
    fail("serializeCheckpoint output is rejected",
         llvm::toString(back.takeError()));
  // Bitwise: NaN weights are allowed and must survive as they are.
  auto sameBits = [](const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
  };
  if (!sameBits(back->tokenEmbedding, ckpt->tokenEmbedding) ||
      !sameBits(back->rmsFinal, ckpt->rmsFinal) ||
      !sameBits(back->classifier, ckpt->classifier) ||
      back->layers.size() != ckpt->layers.size())
    fail("serializeCheckpoint does not round-trip");
  return 0;
}
