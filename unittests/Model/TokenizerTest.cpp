//===- TokenizerTest.cpp - llama2.c BPE tokenizer -------------------------===//
//
// Known encodings (worked out with an independent implementation of
// llama2.c's encode: naive repeated scans over all pairs), round trips,
// byte fallback, and the errors of truncated or mismatched files.
//
//===----------------------------------------------------------------------===//

#include "TestModel.h"

#include "llvm/Support/Endian.h"

#include <chrono>
#include <random>

// Under AddressSanitizer wall-clock bounds do not hold.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HDP_TEST_SANITIZED 1
#endif
#endif

using namespace hdp::model;
using namespace hdp::model::test;

namespace {

const Tokenizer &tok() { return *Bundled::get().tokenizer; }

std::string loadError(const std::string &bytes, int64_t vocab) {
  auto t = Tokenizer::parse(bytes, vocab, "tok.bin");
  if (t) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(t.takeError());
}

TEST(Tokenizer, Vocabulary) {
  EXPECT_EQ(tok().vocabSize(), 512);
  EXPECT_EQ(tok().piece(0), "<unk>");
  EXPECT_EQ(tok().piece(1), "\n<s>\n");
  EXPECT_EQ(tok().piece(2), "\n</s>\n");
  EXPECT_EQ(tok().piece(3), "<0x00>");
  EXPECT_EQ(tok().piece(258), "<0xFF>");
  EXPECT_EQ(tok().piece(259), " t");
  EXPECT_EQ(tok().lookup(" the"), 265);
  EXPECT_EQ(tok().lookup("not a token"), -1);
}

TEST(Tokenizer, KnownEncodings) {
  using V = std::vector<int>;
  EXPECT_EQ(tok().encode("", true, false), V({1}));
  EXPECT_EQ(tok().encode("", false, false), V({}));
  // The dummy prefix makes "a" into " a".
  EXPECT_EQ(tok().encode("a", true, false), V({1, 261}));
  EXPECT_EQ(tok().encode("the", true, false), V({1, 265}));
  EXPECT_EQ(tok().encode("the", true, true), V({1, 265, 2}));
  EXPECT_EQ(tok().encode("Once upon a time", true, false),
            V({1, 403, 407, 261, 378}));
  EXPECT_EQ(tok().encode("Hello, world!\n", true, false),
            V({1, 346, 306, 414, 432, 263, 304, 341, 443, 13}));
  // Curly quotes are in the vocabulary as whole code points.
  EXPECT_EQ(tok().encode("Lily's mom said, \u201cHi!\u201d", true, false),
            V({1, 317, 439, 419, 357, 336, 432, 410, 465, 440, 417, 443, 466}));
  // Code points outside the vocabulary fall back to their UTF-8 bytes + 3.
  EXPECT_EQ(
      tok().encode("\u65e5\u672c", true, false),
      V({1, 410, 0xE6 + 3, 0x97 + 3, 0xA5 + 3, 0xE6 + 3, 0x9C + 3, 0xAC + 3}));
  EXPECT_EQ(tok().encode("x\ty", true, false), V({1, 410, 444, 12, 422}));
}

TEST(Tokenizer, BundledSamplesEncodeAsIndependentImplementation) {
  // Token counts and id checksums of every document of the two samples,
  // from the independent implementation.
  struct Expect {
    const char *file;
    std::vector<size_t> lengths; // before cutting at the context
    int64_t idSum, weightedSum;  // Σ id, Σ (position+1)·id
  } samples[] = {
      {kSmallSample, {374, 330, 223, 425, 457}, 635474, 121413458},
      {kValidSample,
       {409, 408, 518, 1294, 419, 468, 546, 510, 563, 1717, 712, 712, 788, 788,
        2071, 930, 1108, 1280, 285},
       5497605,
       2997052619},
  };
  for (const Expect &e : samples) {
    std::string text = readBytes(modelFile(e.file));
    std::vector<std::string> docs = splitDocuments(text);
    std::vector<std::vector<int>> tokens =
        tokenizeDocuments(tok(), docs, /*maxLength=*/1 << 20);
    std::vector<size_t> lengths;
    int64_t idSum = 0, weighted = 0;
    for (const std::vector<int> &d : tokens) {
      lengths.push_back(d.size());
      for (size_t i = 0; i < d.size(); ++i) {
        idSum += d[i];
        weighted += static_cast<int64_t>(i + 1) * d[i];
      }
    }
    EXPECT_EQ(lengths, e.lengths) << e.file;
    EXPECT_EQ(idSum, e.idSum) << e.file;
    EXPECT_EQ(weighted, e.weightedSum) << e.file;
  }
}

TEST(Tokenizer, RoundTrips) {
  for (const char *text :
       {"Once upon a time, there was a little girl named Lily.",
        "Tab\tand\nnewline, \u201cquotes\u201d, caf\u00e9, \u65e5\u672c, "
        "emoji \U0001F600 and a ~ tilde",
        "  leading spaces are kept after the first"}) {
    std::vector<int> ids = tok().encode(text, true, false);
    EXPECT_EQ(tok().decode(ids), text);
  }
  // Every document of the small sample.
  std::string sample = readBytes(modelFile(kSmallSample));
  for (const std::string &doc : splitDocuments(sample))
    EXPECT_EQ(tok().decode(tok().encode(doc, true, false)), doc);
}

TEST(Tokenizer, DecodePieces) {
  // The leading space of the first piece after BOS goes; byte tokens become
  // bytes.
  EXPECT_EQ(tok().decodePiece(1, 261), "a");
  EXPECT_EQ(tok().decodePiece(400, 261), " a");
  EXPECT_EQ(tok().decodePiece(1, 13), "\n");
  EXPECT_EQ(tok().decodePiece(7, 3 + 0xE6), "\xE6");
}

TEST(Tokenizer, SplitDocuments) {
  using V = std::vector<std::string>;
  EXPECT_EQ(splitDocuments("\n a b \n<|endoftext|>\n\nc\nd\n<|endoftext|>\n"),
            V({"a b", "c\nd"}));
  EXPECT_EQ(splitDocuments("one\n\n two \nthree"), V({"one", "two", "three"}));
  EXPECT_EQ(splitDocuments(" \n\n"), V({}));
}

TEST(Tokenizer, FileErrors) {
  const std::string good = readBytes(modelFile("tok512.bin"));
  auto ok = Tokenizer::parse(good, 512, "tok.bin");
  ASSERT_TRUE(static_cast<bool>(ok)) << llvm::toString(ok.takeError());

  EXPECT_EQ(loadError("", 512),
            "tok.bin: truncated at byte 0: expected the int32 "
            "max_token_length");
  std::string msg = loadError(good.substr(0, good.size() - 3), 512);
  EXPECT_EQ(msg.rfind("tok.bin: truncated at byte ", 0), 0u) << msg;
  EXPECT_NE(msg.find("of token 511"), std::string::npos) << msg;
  // A model with a larger vocabulary than the tokenizer.
  msg = loadError(good, 513);
  EXPECT_NE(msg.find("expected the float32 score of token 512 (the model has "
                     "vocab_size 513)"),
            std::string::npos)
      << msg;
  // A model with a smaller vocabulary: bytes are left over.
  msg = loadError(good, 500);
  EXPECT_NE(msg.find("follow the last of the model's 500 tokens: the "
                     "tokenizer does not match the model"),
            std::string::npos)
      << msg;
  EXPECT_NE(loadError(good, 100).find("too small for a byte-fallback"),
            std::string::npos);

  // Token 0's length beyond max_token_length (7).
  std::string bad = good;
  llvm::support::endian::write32le(&bad[8], 9);
  EXPECT_EQ(
      loadError(bad, 512),
      "tok.bin: token 0 has length 9; expected 0 to max_token_length (7)");
  // A negative max_token_length.
  bad = good;
  llvm::support::endian::write32le(&bad[0], static_cast<uint32_t>(-1));
  EXPECT_EQ(loadError(bad, 512),
            "tok.bin: max_token_length -1 is not in [1, 65536]");
}

/// llama2.c's encode with BOS (the quadratic loop).
std::vector<int> naiveEncode(const Tokenizer &t, llvm::StringRef text) {
  std::vector<int> ids = {Tokenizer::kBos};
  for (int id : encodeByRepeatedScan(t, text))
    ids.push_back(id);
  return ids;
}

TEST(Tokenizer, SameTokensAsTheQuadraticLoop) {
  // Random slices of the bundled stories, random byte strings and runs of
  // one character (where many pairs tie).
  std::string sample = readBytes(modelFile(kValidSample));
  std::mt19937 rng(17);
  std::vector<std::string> texts = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                    "          ", "ababababababababa",
                                    "\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5"};
  for (int i = 0; i < 200; ++i) {
    size_t len = rng() % 300;
    size_t at = rng() % (sample.size() - len);
    texts.push_back(sample.substr(at, len));
  }
  for (int i = 0; i < 50; ++i) {
    std::string bytes(rng() % 40, '\0');
    for (char &c : bytes)
      c = static_cast<char>(" aeht\xC3\xA9\x80"[rng() % 8]);
    texts.push_back(bytes);
  }
  for (const std::string &text : texts)
    EXPECT_EQ(tok().encode(text, true, false), naiveEncode(tok(), text))
        << "text: '" << text << "'";
}

TEST(Tokenizer, LongLineIsFast) {
  // One 768 KiB line of story text (no newline inside): the merge loop must
  // not be quadratic in the length of a document. Eight times the text must
  // take well under 64 times as long (what a quadratic loop would take) and,
  // in a build without sanitizers (whose instrumentation slows everything
  // several-fold), under 5 s.
  std::string sample = readBytes(modelFile(kSmallSample));
  std::replace(sample.begin(), sample.end(), '\n', ' ');
  std::string line;
  while (line.size() < (768u << 10))
    line += sample;
  auto secondsToEncode = [](const std::string &text, std::vector<int> &ids) {
    auto start = std::chrono::steady_clock::now();
    ids = tok().encode(text, true, false);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  std::vector<int> ids;
  double eighth = secondsToEncode(line.substr(0, line.size() / 8), ids);
  double seconds = secondsToEncode(line, ids);
  EXPECT_LT(seconds, 32 * std::max(eighth, 1e-3));
#ifndef HDP_TEST_SANITIZED
  EXPECT_LT(seconds, 5.0);
#endif
  EXPECT_EQ(tok().decode(ids), line);
  // Merges happened: far fewer tokens than bytes.
  EXPECT_LT(ids.size(), line.size() / 2);
}

TEST(Tokenizer, MissingFile) {
  auto t = Tokenizer::load("/nonexistent/tok.bin", 512);
  ASSERT_FALSE(static_cast<bool>(t));
  EXPECT_NE(llvm::toString(t.takeError())
                .find("/nonexistent/tok.bin: cannot read the tokenizer"),
            std::string::npos);
}

} // namespace
