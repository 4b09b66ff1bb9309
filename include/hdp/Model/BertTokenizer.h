//===- BertTokenizer.h - BERT's uncased WordPiece tokenizer -----*- C++ -*-===//
//
// The tokenizer of uncased BERT models (transformers' BertTokenizer with
// do_lower_case), in two steps:
//
//  1. the basic tokenizer: drop NUL, U+FFFD and control characters (Unicode
//     category C*, except tab, newline and carriage return), turn whitespace
//     (space, tab, newline, CR, category Zs) into spaces, put spaces around
//     CJK ideographs (the Unicode blocks BERT lists) so each is a word, split
//     at whitespace, lowercase each word (full Unicode case mapping), strip
//     accents (NFD, then drop the non-spacing marks, category Mn) and split
//     it before and after every punctuation character (ASCII symbols
//     !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ and Unicode category P*);
//  2. WordPiece on each word: greedy longest match first from the start of
//     the word; pieces after the first are looked up with a "##" prefix; a
//     word with a part no piece matches, or longer than 100 characters
//     (code points), becomes one [UNK].
//
// Unicode properties, case mapping and NFD come from ICU, so every script is
// covered, not only Latin. Invalid UTF-8 reads as U+FFFD (and is therefore
// dropped, like Python's errors="replace" followed by BERT's cleaning).
// Tokenizing is linear in the length of the text.
//
// vocab.txt: one piece per line, the id is the line number (from 0). It must
// hold [PAD], [UNK], [CLS], [SEP] and [MASK].
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_BERTTOKENIZER_H
#define HDP_MODEL_BERTTOKENIZER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace hdp::model {

class BertTokenizer {
public:
  /// The longest word WordPiece splits; longer ones become [UNK].
  static constexpr size_t kMaxWordChars = 100;

  /// Parses vocab.txt text; `name` (the path) starts every error.
  static llvm::Expected<BertTokenizer> parse(llvm::StringRef vocabText,
                                             llvm::StringRef name);
  static llvm::Expected<BertTokenizer> load(llvm::StringRef path);

  /// Step 1: the words (UTF-8) of `text`.
  static std::vector<std::string> basicTokenize(llvm::StringRef text);
  /// Step 2 on one word of step 1: appends its piece ids to `ids`.
  void wordPiece(llvm::StringRef word, std::vector<int> &ids) const;
  /// Both steps: the piece ids of `text` (no [CLS] or [SEP]).
  std::vector<int> encode(llvm::StringRef text) const;

  int64_t vocabSize() const { return static_cast<int64_t>(pieces.size()); }
  const std::string &piece(int id) const { return pieces[id]; }
  /// Id of the piece `text`, or -1.
  int lookup(llvm::StringRef text) const;

  int padId() const { return pad; }
  int unkId() const { return unk; }
  int clsId() const { return cls; }
  int sepId() const { return sep; }
  int maskId() const { return mask; }

private:
  BertTokenizer() = default;
  std::vector<std::string> pieces;
  std::unordered_map<std::string, int> index;
  int pad = -1, unk = -1, cls = -1, sep = -1, mask = -1;
};

} // namespace hdp::model

#endif // HDP_MODEL_BERTTOKENIZER_H
