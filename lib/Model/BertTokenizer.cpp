//===- BertTokenizer.cpp - BERT's uncased WordPiece tokenizer -------------===//
//
// See BertTokenizer.h. Words are lowercased and decomposed in UTF-16 with
// ICU's C API; everything else works on code points.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertTokenizer.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MemoryBuffer.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

using namespace llvm;

namespace hdp::model {

namespace {

bool isWhitespace(UChar32 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         u_charType(c) == U_SPACE_SEPARATOR;
}

/// Category C* (control, format, private use, surrogate, unassigned),
/// except the whitespace controls.
bool isControl(UChar32 c) {
  if (c == '\t' || c == '\n' || c == '\r')
    return false;
  switch (u_charType(c)) {
  case U_CONTROL_CHAR:
  case U_FORMAT_CHAR:
  case U_PRIVATE_USE_CHAR:
  case U_SURROGATE:
  case U_UNASSIGNED:
    return true;
  default:
    return false;
  }
}

/// ASCII symbols count as punctuation even where Unicode says S* ($, +, ^).
bool isPunctuation(UChar32 c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  switch (u_charType(c)) {
  case U_DASH_PUNCTUATION:
  case U_START_PUNCTUATION:
  case U_END_PUNCTUATION:
  case U_CONNECTOR_PUNCTUATION:
  case U_OTHER_PUNCTUATION:
  case U_INITIAL_PUNCTUATION:
  case U_FINAL_PUNCTUATION:
    return true;
  default:
    return false;
  }
}

/// The CJK Unified Ideographs blocks (and their extensions and
/// compatibility forms) that BERT tokenizes one character at a time. Hangul,
/// kana and other scripts are not in them.
bool isCjk(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/// Runs an ICU string transformation `f(dest, capacity, status)` that
/// reports the length it needs, growing the buffer once if it must.
template <typename F> void icuTransform(SmallVectorImpl<UChar> &out, F f) {
  out.resize(out.capacity() ? out.capacity() : 64);
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = f(out.data(), static_cast<int32_t>(out.size()), status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    out.resize(n);
    status = U_ZERO_ERROR;
    n = f(out.data(), n, status);
  }
  // ICU fails only on overflow or invalid arguments, which cannot happen
  // here; an empty result is the safe reading of anything else.
  out.resize(U_SUCCESS(status) ? n : 0);
}

/// Lowercases one word, strips its accents and splits it at punctuation,
/// appending the resulting words (UTF-8) to `words`.
void finishWord(ArrayRef<UChar32> word, std::vector<std::string> &words) {
  SmallVector<UChar, 64> utf16, lower, nfd;
  for (UChar32 c : word) {
    UChar units[2];
    int32_t n = 0;
    U16_APPEND_UNSAFE(units, n, c);
    utf16.append(units, units + n);
  }
  // The root locale: no Turkish dotless i or Lithuanian rules.
  icuTransform(lower, [&](UChar *dest, int32_t cap, UErrorCode &status) {
    return u_strToLower(dest, cap, utf16.data(),
                        static_cast<int32_t>(utf16.size()), "", &status);
  });
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2 *decompose = unorm2_getNFDInstance(&status);
  if (U_SUCCESS(status))
    icuTransform(nfd, [&](UChar *dest, int32_t cap, UErrorCode &st) {
      return unorm2_normalize(decompose, lower.data(),
                              static_cast<int32_t>(lower.size()), dest, cap,
                              &st);
    });
  else
    nfd = lower; // no normalization data: keep the accents

  std::string current;
  auto flush = [&] {
    if (!current.empty())
      words.push_back(std::move(current));
    current.clear();
  };
  for (int32_t i = 0, n = static_cast<int32_t>(nfd.size()); i < n;) {
    UChar32 c;
    U16_NEXT(nfd.data(), i, n, c);
    if (u_charType(c) == U_NON_SPACING_MARK)
      continue;
    char bytes[4];
    int32_t len = 0;
    U8_APPEND_UNSAFE(bytes, len, c);
    if (isPunctuation(c)) {
      flush();
      words.emplace_back(bytes, len);
    } else {
      current.append(bytes, len);
    }
  }
  flush();
}

Error vocabError(StringRef name, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           (name + ": " + message).str());
}

} // namespace

std::vector<std::string> BertTokenizer::basicTokenize(StringRef text) {
  std::vector<std::string> words;
  SmallVector<UChar32, 64> word;
  auto endWord = [&] {
    if (!word.empty())
      finishWord(word, words);
    word.clear();
  };
  const uint8_t *s = reinterpret_cast<const uint8_t *>(text.data());
  for (int32_t i = 0, n = static_cast<int32_t>(text.size()); i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0)
      c = 0xFFFD; // invalid UTF-8
    if (c == 0 || c == 0xFFFD || isControl(c))
      continue;
    // Python's str.split() in BERT's whitespace step also splits at the
    // line and paragraph separators (categories Zl, Zp).
    if (isWhitespace(c) || c == 0x2028 || c == 0x2029) {
      endWord();
    } else if (isCjk(c)) {
      endWord();
      word.push_back(c);
      endWord();
    } else {
      word.push_back(c);
    }
  }
  endWord();
  return words;
}

void BertTokenizer::wordPiece(StringRef word, std::vector<int> &ids) const {
  // Code point boundaries of the word.
  SmallVector<int32_t, 128> bounds;
  const uint8_t *s = reinterpret_cast<const uint8_t *>(word.data());
  for (int32_t i = 0, n = static_cast<int32_t>(word.size()); i < n;) {
    bounds.push_back(i);
    UChar32 c;
    U8_NEXT(s, i, n, c);
    (void)c;
  }
  bounds.push_back(static_cast<int32_t>(word.size()));
  const size_t chars = bounds.size() - 1;
  if (chars == 0)
    return;
  if (chars > kMaxWordChars) {
    ids.push_back(unk);
    return;
  }
  const size_t before = ids.size();
  std::string candidate;
  for (size_t start = 0; start < chars;) {
    int found = -1;
    size_t end = chars;
    for (; end > start; --end) {
      candidate = start > 0 ? "##" : "";
      candidate += word.substr(bounds[start], bounds[end] - bounds[start]);
      found = lookup(candidate);
      if (found >= 0)
        break;
    }
    if (found < 0) {
      ids.resize(before);
      ids.push_back(unk);
      return;
    }
    ids.push_back(found);
    start = end;
  }
}

std::vector<int> BertTokenizer::encode(StringRef text) const {
  std::vector<int> ids;
  for (const std::string &word : basicTokenize(text))
    wordPiece(word, ids);
  return ids;
}

int BertTokenizer::lookup(StringRef text) const {
  auto it = index.find(text.str());
  return it == index.end() ? -1 : it->second;
}

Expected<BertTokenizer> BertTokenizer::parse(StringRef vocabText,
                                             StringRef name) {
  BertTokenizer tok;
  SmallVector<StringRef> lines;
  vocabText.split(lines, '\n');
  // A final newline ends the last line; it does not start an entry.
  if (!lines.empty() && lines.back().empty())
    lines.pop_back();
  if (lines.empty())
    return vocabError(name, "empty vocabulary (expected one WordPiece piece "
                            "per line)");
  for (size_t i = 0; i < lines.size(); ++i) {
    StringRef piece = lines[i];
    if (piece.ends_with("\r"))
      piece = piece.drop_back();
    if (piece.empty())
      return vocabError(name, "line " + Twine(i + 1) +
                                  " is empty (expected one piece per line)");
    auto [it, inserted] = tok.index.emplace(piece.str(), static_cast<int>(i));
    if (!inserted)
      return vocabError(name, "line " + Twine(i + 1) + ": the piece '" + piece +
                                  "' is already on line " +
                                  Twine(it->second + 1));
    tok.pieces.push_back(piece.str());
  }
  struct Special {
    const char *text;
    int *id;
  };
  for (Special s : {Special{"[PAD]", &tok.pad}, Special{"[UNK]", &tok.unk},
                    Special{"[CLS]", &tok.cls}, Special{"[SEP]", &tok.sep},
                    Special{"[MASK]", &tok.mask}}) {
    *s.id = tok.lookup(s.text);
    if (*s.id < 0)
      return vocabError(name, Twine("the vocabulary has no ") + s.text +
                                  " piece (BERT needs [PAD], [UNK], [CLS], "
                                  "[SEP] and [MASK])");
  }
  return tok;
}

Expected<BertTokenizer> BertTokenizer::load(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return vocabError(path, "cannot read the vocabulary: " +
                                buffer.getError().message());
  return parse((*buffer)->getBuffer(), path);
}

} // namespace hdp::model
