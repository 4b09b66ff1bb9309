//===- BertTokenizerTest.cpp - BERT's uncased WordPiece tokenizer ---------===//
//
// Hand-worked examples of both steps: cleaning, whitespace, CJK, lowercasing
// with full case mapping, accent stripping, punctuation runs; WordPiece's
// longest match first, "##" continuations (also after punctuation splits a
// word), unknown pieces and the 100-character limit; vocab.txt errors; the
// bundled model's vocabulary on a sentence of its text.
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/BertTokenizer.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace hdp::model;

namespace {

using Words = std::vector<std::string>;

/// A small vocabulary, one piece per line (ids from 0).
constexpr const char *kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n" // 0-4
                               "the\ncat\nsat\n.\n!\n"                // 5-9
                               "un\n##aff\n##able\nwant\n##ed\n"      // 10-14
                               "run\nrunn\n##ing\n##ning\na\n"        // 15-19
                               "##a\ncafe\n,\n'\ns\n"                 // 20-24
                               "中\n";                                // 25

BertTokenizer smallTokenizer() {
  auto tok = BertTokenizer::parse(kVocab, "vocab.txt");
  if (!tok) {
    ADD_FAILURE() << llvm::toString(tok.takeError());
    std::abort();
  }
  return std::move(*tok);
}

std::string vocabError(const std::string &text) {
  auto tok = BertTokenizer::parse(text, "vocab.txt");
  if (tok) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(tok.takeError());
}

TEST(BertTokenizer, BasicTokenizerSplitsLowercasesAndStripsAccents) {
  EXPECT_EQ(BertTokenizer::basicTokenize("The Cat sat."),
            (Words{"the", "cat", "sat", "."}));
  // Precomposed and decomposed accents alike: NFD, then drop the marks.
  EXPECT_EQ(BertTokenizer::basicTokenize("Café NAÏVE re\u0301sume\u0301"),
            (Words{"cafe", "naive", "resume"}));
  EXPECT_EQ(BertTokenizer::basicTokenize("Ångström ÉCOLE Dvořák"),
            (Words{"angstrom", "ecole", "dvorak"}));
  // Full case mapping: İ lowercases to i + U+0307, whose mark is stripped.
  EXPECT_EQ(BertTokenizer::basicTokenize("İstanbul"), (Words{"istanbul"}));
  // Letters without a decomposition keep their identity (ß, ø, ł).
  EXPECT_EQ(BertTokenizer::basicTokenize("Straße Øre Łódź"),
            (Words{"straße", "øre", "łodz"}));
}

TEST(BertTokenizer, PunctuationRunsAreOneWordPerCharacter) {
  EXPECT_EQ(BertTokenizer::basicTokenize("Hello!!!?"),
            (Words{"hello", "!", "!", "!", "?"}));
  EXPECT_EQ(BertTokenizer::basicTokenize("don't"), (Words{"don", "'", "t"}));
  // ASCII symbols count as punctuation ($, -), and so do Unicode P*
  // characters (the curly quotes, the em dash).
  EXPECT_EQ(BertTokenizer::basicTokenize("$5.00 a--b"),
            (Words{"$", "5", ".", "00", "a", "-", "-", "b"}));
  EXPECT_EQ(BertTokenizer::basicTokenize("\u201cYes\u201d\u2014no"),
            (Words{"\u201c", "yes", "\u201d", "\u2014", "no"}));
}

TEST(BertTokenizer, WhitespaceControlCharactersAndCjk) {
  // Tab, newline, NBSP (Zs) separate; the zero-width space (Cf), a bell and
  // NUL are dropped; so is invalid UTF-8 (read as U+FFFD).
  EXPECT_EQ(BertTokenizer::basicTokenize(
                std::string("a\tb\nc\u00a0d\u200be\af") + '\0' + "g x\xffy"),
            (Words{"a", "b", "c", "defg", "xy"}));
  EXPECT_EQ(BertTokenizer::basicTokenize("中文abc 日本"),
            (Words{"中", "文", "abc", "日", "本"}));
  EXPECT_EQ(BertTokenizer::basicTokenize(" \n\t "), Words{});
}

TEST(BertTokenizer, WordPieceLongestMatchFirst) {
  BertTokenizer tok = smallTokenizer();
  EXPECT_EQ(tok.encode("The cat sat."), (std::vector<int>{5, 6, 7, 8}));
  EXPECT_EQ(tok.encode("unaffable"), (std::vector<int>{10, 11, 12}));
  EXPECT_EQ(tok.encode("wanted"), (std::vector<int>{13, 14}));
  // "runn" + "##ing", not "run" + "##ning": the longest first piece wins.
  EXPECT_EQ(tok.encode("running"), (std::vector<int>{16, 17}));
  EXPECT_EQ(tok.encode("Café"), (std::vector<int>{21}));
  EXPECT_EQ(tok.encode("cat's"), (std::vector<int>{6, 23, 24}));
  EXPECT_EQ(tok.encode("中"), (std::vector<int>{25}));
}

TEST(BertTokenizer, UnknownPiecesAndContinuationBoundaries) {
  BertTokenizer tok = smallTokenizer();
  // One piece missing ("##x") makes the whole word [UNK], not a partial
  // split.
  EXPECT_EQ(tok.encode("unaffablex sat"), (std::vector<int>{1, 7}));
  // "ed" starts a word after the punctuation split, so it needs the piece
  // "ed", not "##ed".
  EXPECT_EQ(tok.encode("want.ed"), (std::vector<int>{13, 8, 1}));
  // "##ed" does not match at the start of a word either.
  EXPECT_EQ(tok.encode("ed"), (std::vector<int>{1}));
  EXPECT_EQ(tok.encode("文"), (std::vector<int>{1}));
}

TEST(BertTokenizer, WordsOverOneHundredCharactersAreUnknown) {
  BertTokenizer tok = smallTokenizer();
  std::vector<int> hundred = tok.encode(std::string(100, 'a'));
  ASSERT_EQ(hundred.size(), 100u);
  EXPECT_EQ(hundred.front(), 19);
  EXPECT_EQ(hundred.back(), 20);
  EXPECT_EQ(tok.encode(std::string(101, 'a')), (std::vector<int>{1}));
  // The limit counts characters, not bytes: 100 two-byte letters fit.
  std::string accented;
  for (int i = 0; i < 100; ++i)
    accented += "á";
  EXPECT_EQ(tok.encode(accented).size(), 100u);
}

TEST(BertTokenizer, VocabularyFileErrors) {
  EXPECT_EQ(vocabError(""), "vocab.txt: empty vocabulary (expected one "
                            "WordPiece piece per line)");
  EXPECT_EQ(vocabError("[PAD]\n\n[UNK]\n"),
            "vocab.txt: line 2 is empty (expected one piece per line)");
  EXPECT_EQ(vocabError("[PAD]\n[UNK]\nthe\n[PAD]\n"),
            "vocab.txt: line 4: the piece '[PAD]' is already on line 1");
  EXPECT_EQ(vocabError("[PAD]\n[UNK]\n[CLS]\n[SEP]\n"),
            "vocab.txt: the vocabulary has no [MASK] piece (BERT needs [PAD], "
            "[UNK], [CLS], [SEP] and [MASK])");
  // CRLF line ends are read like LF.
  auto tok = BertTokenizer::parse("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]"
                                  "\r\nhi\r\n",
                                  "vocab.txt");
  ASSERT_TRUE(static_cast<bool>(tok)) << llvm::toString(tok.takeError());
  EXPECT_EQ(tok->vocabSize(), 6);
  EXPECT_EQ(tok->lookup("hi"), 5);
  EXPECT_EQ(tok->maskId(), 4);
}

TEST(BertTokenizer, BundledVocabulary) {
  auto tok = BertTokenizer::load(std::string(HDP_BERT_DIR) + "/vocab.txt");
  ASSERT_TRUE(static_cast<bool>(tok)) << llvm::toString(tok.takeError());
  EXPECT_EQ(tok->vocabSize(), 4096);
  EXPECT_EQ(tok->padId(), 0);
  EXPECT_EQ(tok->unkId(), 1);
  EXPECT_EQ(tok->clsId(), 2);
  EXPECT_EQ(tok->sepId(), 3);
  EXPECT_EQ(tok->maskId(), 4);
  // Every piece of the encoding is a vocabulary entry, and the pieces
  // spell the basic tokenizer's words again.
  const std::string text = "Once upon a time, Lily's dog found a shiny "
                           "STONE in the garden!";
  std::vector<int> ids = tok->encode(text);
  std::string joined;
  for (int id : ids) {
    ASSERT_NE(id, tok->unkId());
    const std::string &piece = tok->piece(id);
    if (piece.rfind("##", 0) == 0)
      joined += piece.substr(2);
    else
      joined += (joined.empty() ? "" : " ") + piece;
  }
  EXPECT_EQ(joined,
            "once upon a time , lily ' s dog found a shiny stone in the "
            "garden !");
}

} // namespace
