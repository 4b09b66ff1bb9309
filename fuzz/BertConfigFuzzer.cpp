//===- BertConfigFuzzer.cpp - libFuzzer target for BERT config.json -------===//
//
// Feeds arbitrary bytes to hdp::model::parseBertConfig. The parser must never
// crash, recurse without bound or hang, whatever the nesting; it either
// returns a configuration or an error that starts with the file name.
//
// An accepted configuration must be one the encoder can build: every size
// positive and within the documented bounds, the heads dividing the hidden
// size, the padding id in the vocabulary, 0 < layer_norm_eps < 1. A
// violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertConfig.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace hdp::model;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "BertConfigFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<BertConfig> config = parseBertConfig(text, "config.json");
  if (!config) {
    std::string message = llvm::toString(config.takeError());
    if (message.rfind("config.json: ", 0) != 0)
      fail("error does not start with '<file>: '", message);
    return 0;
  }
  const BertConfig &c = *config;
  if (c.hiddenSize < 1 || c.hiddenSize > (1 << 16) || c.numLayers < 1 ||
      c.numLayers > 1024 || c.intermediateSize < 1 ||
      c.intermediateSize > (1 << 20) || c.maxPositions < 3 ||
      c.maxPositions > (1 << 16) || c.vocabSize < 1 ||
      c.vocabSize > (1 << 22) || c.typeVocabSize < 1 ||
      c.typeVocabSize > (1 << 22))
    fail("accepted a size out of bounds");
  if (c.numHeads < 1 || c.hiddenSize % c.numHeads != 0)
    fail("accepted heads that do not divide the hidden size");
  if (c.padTokenId < 0 || c.padTokenId >= c.vocabSize)
    fail("accepted a padding id outside the vocabulary");
  if (!(c.layerNormEps > 0.0 && c.layerNormEps < 1.0))
    fail("accepted layer_norm_eps outside (0, 1)");
  return 0;
}
