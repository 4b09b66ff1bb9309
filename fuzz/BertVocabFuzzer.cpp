//===- BertVocabFuzzer.cpp - libFuzzer target for BERT vocab.txt ----------===//
//
// Feeds arbitrary bytes to hdp::model::BertTokenizer::parse and tokenizes
// text with what it accepts. Input layout (so that one input exercises
// both): u8 n, n bytes of text, then the vocab.txt bytes.
//
// The parser must never crash; it either returns a tokenizer or an error
// that starts with the file name. An accepted vocabulary has every special
// piece. Tokenizing must not crash on any bytes (invalid UTF-8 included),
// every id must be in the vocabulary, and WordPiece must be exact: a word
// is either [UNK] or the concatenation of its pieces (without the "##" of
// the continuations). A violation aborts (a "crash" for libFuzzer).
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertTokenizer.h"

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
  std::fprintf(stderr, "BertVocabFuzzer: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t textSize = std::min<size_t>(data[0], size - 1);
  llvm::StringRef text(reinterpret_cast<const char *>(data) + 1, textSize);
  llvm::StringRef vocab(reinterpret_cast<const char *>(data) + 1 + textSize,
                        size - 1 - textSize);

  llvm::Expected<BertTokenizer> tok = BertTokenizer::parse(vocab, "vocab.txt");
  if (!tok) {
    std::string message = llvm::toString(tok.takeError());
    if (message.rfind("vocab.txt: ", 0) != 0)
      fail("error does not start with '<file>: '", message);
    return 0;
  }
  for (int id :
       {tok->padId(), tok->unkId(), tok->clsId(), tok->sepId(), tok->maskId()})
    if (id < 0 || id >= tok->vocabSize())
      fail("a special piece is missing");

  std::vector<int> all;
  for (const std::string &word : BertTokenizer::basicTokenize(text)) {
    if (word.empty())
      fail("basicTokenize returned an empty word", text.str());
    std::vector<int> ids;
    tok->wordPiece(word, ids);
    for (int id : ids)
      if (id < 0 || id >= tok->vocabSize())
        fail("wordPiece returned an id outside the vocabulary");
    all.insert(all.end(), ids.begin(), ids.end());
    if (ids.size() == 1 && ids[0] == tok->unkId())
      continue;
    std::string joined;
    for (size_t i = 0; i < ids.size(); ++i) {
      llvm::StringRef piece = tok->piece(ids[i]);
      if (i > 0 && !piece.consume_front("##"))
        fail("a continuation piece lacks its '##'", word);
      joined += piece.str();
    }
    if (joined != word)
      fail("the pieces do not spell the word", word);
  }
  if (tok->encode(text) != all)
    fail("encode differs from basicTokenize followed by wordPiece");
  return 0;
}
