//===- TextNesting.cpp - Bracket depth of MLIR text -----------------------===//

#include "hdp/Support/TextNesting.h"

#include "llvm/ADT/Twine.h"

std::optional<size_t> hdp::findNestingBeyond(llvm::StringRef text,
                                             unsigned maxDepth) {
  size_t depth = 0;
  for (size_t i = 0, n = text.size(); i < n; ++i) {
    char c = text[i];
    switch (c) {
    case '"': // a string literal: skip to its unescaped closing quote
      for (++i; i < n && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      break;
    case '/': // a comment: skip to the end of the line
      if (i + 1 < n && text[i + 1] == '/')
        while (i < n && text[i] != '\n')
          ++i;
      break;
    case '(':
    case '[':
    case '{':
    case '<':
      if (++depth > maxDepth)
        return i;
      break;
    case '>':
      if ((i > 0 && text[i - 1] == '-') || (i + 1 < n && text[i + 1] == '='))
        break; // `->` and `>=` are tokens of their own
      [[fallthrough]];
    case ')':
    case ']':
    case '}':
      depth -= depth > 0;
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}

llvm::Error hdp::checkIrNesting(llvm::StringRef text, llvm::StringRef name) {
  if (text.starts_with("ML\xef\x52"))
    return llvm::Error::success();
  std::optional<size_t> at = findNestingBeyond(text, kMaxIrNesting);
  if (!at)
    return llvm::Error::success();
  llvm::StringRef before = text.take_front(*at);
  size_t line = before.count('\n') + 1;
  size_t lineStart = before.rfind('\n');
  size_t column =
      lineStart == llvm::StringRef::npos ? *at + 1 : *at - lineStart;
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      (name + ":" + llvm::Twine(line) + ":" + llvm::Twine(column) +
       ": brackets nested deeper than " + llvm::Twine(kMaxIrNesting) +
       " levels (MLIR's parser recurses once per level; docs/limits.md)")
          .str());
}
