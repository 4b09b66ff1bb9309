//===- Tokenizer.h - llama2.c byte-fallback BPE tokenizer -------*- C++ -*-===//
//
// The tokenizer.bin format of llama2.c: int32 max_token_length, then for each
// of the model's vocab_size tokens: float32 merge score, int32 byte length,
// the bytes. Ids 0, 1, 2 are <unk>, BOS and EOS; ids 3..258 are the byte
// fallback tokens <0x00>..<0xFF>.
//
// Encoding follows llama2.c's `encode` (sentencepiece with add_dummy_prefix
// and byte fallback): optional BOS, then the token for " " as a dummy prefix
// when the text is not empty, then one token per UTF-8 code point (or, when a
// code point is not in the vocabulary, one byte-fallback token per byte),
// then repeatedly the adjacent pair whose concatenation is the vocabulary
// entry with the highest score is merged (the leftmost pair on ties), until
// no pair merges.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_TOKENIZER_H
#define HDP_MODEL_TOKENIZER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace hdp::model {

class Tokenizer {
public:
  static constexpr int kUnk = 0;
  static constexpr int kBos = 1;
  static constexpr int kEos = 2;
  /// Id of the byte-fallback token <0x00>; byte b is kByteBase + b.
  static constexpr int kByteBase = 3;

  /// Parses a tokenizer with exactly `vocabSize` tokens (the model's);
  /// `name` starts every error message.
  static llvm::Expected<Tokenizer>
  parse(llvm::StringRef bytes, int64_t vocabSize, llvm::StringRef name);
  static llvm::Expected<Tokenizer> load(llvm::StringRef path,
                                        int64_t vocabSize);

  /// Token ids of `text` (see the file comment).
  std::vector<int> encode(llvm::StringRef text, bool bos, bool eos) const;
  /// The bytes token `token` stands for when it follows `prev`: byte tokens
  /// become their byte, and the leading space of the first piece after BOS
  /// is dropped (as sentencepiece's decoder does).
  std::string decodePiece(int prev, int token) const;
  /// The text of `tokens` (a leading BOS is dropped; decoding stops at
  /// nothing, so special tokens elsewhere appear as their pieces).
  std::string decode(llvm::ArrayRef<int> tokens) const;

  int64_t vocabSize() const { return static_cast<int64_t>(pieces.size()); }
  const std::string &piece(int id) const { return pieces[id]; }
  float score(int id) const { return scores[id]; }
  /// Id of the vocabulary entry equal to `text`, or -1.
  int lookup(llvm::StringRef text) const;

private:
  Tokenizer() = default;
  std::vector<std::string> pieces;
  std::vector<float> scores;
  std::unordered_map<std::string, int> index;
  int maxTokenLength = 0;
};

/// llama2.c's encode as written there, without BOS and EOS: the code points
/// (or their bytes), then repeatedly a scan of every adjacent pair that
/// merges the leftmost one with the strictly highest score above -1e10.
/// Quadratic in the length of `text`: the judge of encode() in the tests and
/// the fuzzer, not a way to encode real text.
std::vector<int> encodeByRepeatedScan(const Tokenizer &t, llvm::StringRef text);

} // namespace hdp::model

#endif // HDP_MODEL_TOKENIZER_H
