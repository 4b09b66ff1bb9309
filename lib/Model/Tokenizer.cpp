//===- Tokenizer.cpp - llama2.c byte-fallback BPE tokenizer ---------------===//
//
// See Tokenizer.h. The merge loop gives exactly the result of llama2.c's
// quadratic "scan all pairs, merge the best" loop, but keeps the candidate
// pairs in a heap and only recomputes the two pairs next to a merge, so that
// a document of any length encodes in O(n log n).
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Tokenizer.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>
#include <queue>

using namespace llvm;

namespace hdp::model {

namespace {
Error fileError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}

/// llama2.c starts its best-score search here: merges scoring at or below it
/// are never taken.
constexpr float kNoMerge = -1e10f;
} // namespace

Expected<Tokenizer> Tokenizer::parse(StringRef bytes, int64_t vocabSize,
                                     StringRef name) {
  size_t pos = 0;
  auto readU32 = [&](const Twine &what, uint32_t &out) -> Error {
    if (bytes.size() - pos < 4)
      return fileError(name, "truncated at byte " + Twine(pos) + ": expected " +
                                 what);
    out = support::endian::read32le(bytes.data() + pos);
    pos += 4;
    return Error::success();
  };

  if (vocabSize < Tokenizer::kByteBase + 256)
    return fileError(name, "the model's vocab_size " + Twine(vocabSize) +
                               " is too small for a byte-fallback tokenizer "
                               "(at least 259 tokens)");
  Tokenizer tok;
  uint32_t maxLen;
  if (Error e = readU32("the int32 max_token_length", maxLen))
    return std::move(e);
  if (static_cast<int32_t>(maxLen) < 1 || maxLen > (1u << 16))
    return fileError(name, "max_token_length " +
                               Twine(static_cast<int32_t>(maxLen)) +
                               " is not in [1, 65536]");
  tok.maxTokenLength = static_cast<int>(maxLen);
  tok.pieces.reserve(vocabSize);
  tok.scores.reserve(vocabSize);
  for (int64_t i = 0; i < vocabSize; ++i) {
    uint32_t scoreBits, len;
    if (Error e =
            readU32("the float32 score of token " + Twine(i) +
                        " (the model has vocab_size " + Twine(vocabSize) + ")",
                    scoreBits))
      return std::move(e);
    if (Error e = readU32("the int32 length of token " + Twine(i), len))
      return std::move(e);
    float score;
    std::memcpy(&score, &scoreBits, 4);
    if (!std::isfinite(score))
      return fileError(name, "token " + Twine(i) + " has a non-finite score");
    if (static_cast<int32_t>(len) < 0 || len > maxLen)
      return fileError(name, "token " + Twine(i) + " has length " +
                                 Twine(static_cast<int32_t>(len)) +
                                 "; expected 0 to max_token_length (" +
                                 Twine(maxLen) + ")");
    if (bytes.size() - pos < len)
      return fileError(name, "truncated at byte " + Twine(pos) +
                                 ": expected the " + Twine(len) +
                                 " bytes of token " + Twine(i));
    tok.pieces.emplace_back(bytes.data() + pos, len);
    tok.scores.push_back(score);
    pos += len;
  }
  if (pos != bytes.size())
    return fileError(name, Twine(bytes.size() - pos) +
                               " bytes follow the last of the model's " +
                               Twine(vocabSize) +
                               " tokens: the tokenizer does not match the "
                               "model (a larger vocabulary?)");
  // The byte fallback relies on ids 3..258 being the byte tokens.
  for (int b = 0; b < 256; ++b) {
    char expected[8];
    std::snprintf(expected, sizeof(expected), "<0x%02X>", b);
    if (tok.pieces[kByteBase + b] != expected)
      return fileError(name, "token " + Twine(kByteBase + b) + " is '" +
                                 tok.pieces[kByteBase + b] +
                                 "'; expected the byte-fallback token " +
                                 expected);
  }
  for (int64_t i = 0; i < vocabSize; ++i)
    tok.index.emplace(tok.pieces[i], static_cast<int>(i)); // first one wins
  return tok;
}

Expected<Tokenizer> Tokenizer::load(StringRef path, int64_t vocabSize) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot read the tokenizer: " +
                               buffer.getError().message());
  return parse((*buffer)->getBuffer(), vocabSize, path);
}

int Tokenizer::lookup(StringRef text) const {
  auto it = index.find(text.str());
  return it == index.end() ? -1 : it->second;
}

std::vector<int> Tokenizer::encode(StringRef text, bool bos, bool eos) const {
  std::vector<int> tokens;
  if (bos)
    tokens.push_back(kBos);
  std::vector<int> body;
  if (!text.empty()) {
    int space = lookup(" ");
    if (space >= 0)
      body.push_back(space);
  }
  // One token per code point: a byte and the continuation bytes (10xxxxxx)
  // after it, at most 4 bytes in all.
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (j < text.size() && (static_cast<uint8_t>(text[j]) & 0xC0) == 0x80 &&
           j - i < 4)
      ++j;
    StringRef codePoint = text.slice(i, j);
    int id = lookup(codePoint);
    if (id >= 0) {
      body.push_back(id);
    } else {
      for (char c : codePoint)
        body.push_back(kByteBase + static_cast<uint8_t>(c));
    }
    i = j;
  }

  // The merges, as a doubly linked list of the tokens (node i keeps its
  // initial position i, so positions still order the list left to right)
  // and a heap of candidate pairs ordered by score, then position. A
  // candidate goes stale when either of its tokens changes; stale ones are
  // dropped when they reach the top. Each merge costs O(log n), so a
  // document of n code points takes O(n log n), not llama2.c's O(n^2).
  const int64_t n = static_cast<int64_t>(body.size());
  std::vector<int64_t> next(n), prev(n);
  for (int64_t i = 0; i < n; ++i) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  struct Candidate {
    float score;
    int64_t left, right; ///< node positions
    int leftId, rightId; ///< the tokens the pair had when pushed
    int merged;          ///< the token they merge into
  };
  // std::priority_queue pops the largest: highest score, then leftmost.
  auto lower = [](const Candidate &a, const Candidate &b) {
    if (a.score != b.score)
      return a.score < b.score;
    return a.left > b.left;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(lower)> heap(
      lower);
  auto push = [&](int64_t left) {
    if (left < 0 || next[left] < 0)
      return;
    int64_t right = next[left];
    int id = lookup(pieces[body[left]] + pieces[body[right]]);
    if (id < 0 || !(scores[id] > kNoMerge))
      return;
    heap.push({scores[id], left, right, body[left], body[right], id});
  };
  for (int64_t i = 0; i + 1 < n; ++i)
    push(i);
  std::vector<bool> alive(n, true);
  while (!heap.empty()) {
    Candidate c = heap.top();
    heap.pop();
    if (!alive[c.left] || next[c.left] != c.right || body[c.left] != c.leftId ||
        body[c.right] != c.rightId)
      continue; // stale
    body[c.left] = c.merged;
    alive[c.right] = false;
    next[c.left] = next[c.right];
    if (next[c.left] >= 0)
      prev[next[c.left]] = c.left;
    push(prev[c.left]);
    push(c.left);
  }
  for (int64_t i = 0; i < n; ++i)
    if (alive[i])
      tokens.push_back(body[i]);
  if (eos)
    tokens.push_back(kEos);
  return tokens;
}

std::string Tokenizer::decodePiece(int prev, int token) const {
  if (token >= kByteBase && token < kByteBase + 256)
    return std::string(1, static_cast<char>(token - kByteBase));
  StringRef p = pieces[token];
  if (prev == kBos && p.starts_with(" "))
    p = p.drop_front();
  return p.str();
}

std::string Tokenizer::decode(ArrayRef<int> tokens) const {
  std::string text;
  int prev = -1;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i == 0 && tokens[i] == kBos) {
      prev = kBos;
      continue;
    }
    text += decodePiece(prev, tokens[i]);
    prev = tokens[i];
  }
  return text;
}

std::vector<int> encodeByRepeatedScan(const Tokenizer &t, StringRef text) {
  std::vector<int> ids;
  if (!text.empty() && t.lookup(" ") >= 0)
    ids.push_back(t.lookup(" "));
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (j < text.size() && (static_cast<uint8_t>(text[j]) & 0xC0) == 0x80 &&
           j - i < 4)
      ++j;
    int id = t.lookup(text.slice(i, j));
    if (id >= 0)
      ids.push_back(id);
    else
      for (size_t k = i; k < j; ++k)
        ids.push_back(Tokenizer::kByteBase + static_cast<uint8_t>(text[k]));
    i = j;
  }
  while (true) {
    float best = -1e10f;
    int bestId = -1;
    size_t bestAt = 0;
    for (size_t i = 0; i + 1 < ids.size(); ++i) {
      int id = t.lookup(t.piece(ids[i]) + t.piece(ids[i + 1]));
      if (id >= 0 && t.score(id) > best) {
        best = t.score(id);
        bestId = id;
        bestAt = i;
      }
    }
    if (bestId < 0)
      return ids;
    ids[bestAt] = bestId;
    ids.erase(ids.begin() + bestAt + 1);
  }
}

} // namespace hdp::model
