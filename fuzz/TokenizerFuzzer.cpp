//===- TokenizerFuzzer.cpp - libFuzzer target for llama2.c tokenizers -----===//
//
// Feeds arbitrary bytes to hdp::model::Tokenizer::parse and encodes text with
// what it accepts. Input layout (so that one input exercises both):
//
//   u16 vocab_size - 259 (little-endian), u8 n, n bytes of text,
//   then the tokenizer.bin bytes.
//
// The loader must never crash nor allocate more than the input implies; it
// either returns a tokenizer or an error that starts with the file name.
// Encoding the text with an accepted tokenizer must give exactly the tokens
// of llama2.c's quadratic merge loop (encodeByRepeatedScan), every id in the
// vocabulary, and decoding them must not crash. A violation aborts.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Tokenizer.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace hdp::model;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "TokenizerFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  int64_t vocab = 259 + (data[0] | (data[1] << 8));
  size_t textSize = std::min<size_t>(data[2], size - 3);
  llvm::StringRef text(reinterpret_cast<const char *>(data) + 3, textSize);
  llvm::StringRef bytes(reinterpret_cast<const char *>(data) + 3 + textSize,
                        size - 3 - textSize);

  llvm::Expected<Tokenizer> tok = Tokenizer::parse(bytes, vocab, "fuzz.bin");
  if (!tok) {
    std::string message = llvm::toString(tok.takeError());
    if (message.rfind("fuzz.bin: ", 0) != 0)
      fail("error does not start with '<file>: '", message);
    return 0;
  }
  if (tok->vocabSize() != vocab)
    fail("accepted a tokenizer with another vocabulary size");
  std::vector<int> ids = tok->encode(text, /*bos=*/true, /*eos=*/true);
  for (int id : ids)
    if (id < 0 || id >= vocab)
      fail("encode returned an id outside the vocabulary");
  std::vector<int> expected = {Tokenizer::kBos};
  for (int id : encodeByRepeatedScan(*tok, text))
    expected.push_back(id);
  expected.push_back(Tokenizer::kEos);
  if (ids != expected)
    fail("encode differs from llama2.c's merge loop", text.str());
  (void)tok->decode(ids);
  return 0;
}
