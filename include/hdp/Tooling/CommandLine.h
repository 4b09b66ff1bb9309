//===- CommandLine.h - Option values shared by the hdp tools -----*- C++
//-*-===//
//
// The spelling rules of option values that several tools accept, defined
// once: file operands ("@file", as in iree-run-module) and attention shapes
// ("B,H,N,M,D[,Dv]").
//
//===----------------------------------------------------------------------===//

#ifndef HDP_TOOLING_COMMANDLINE_H
#define HDP_TOOLING_COMMANDLINE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hdp::tooling {

/// The path of `--<option>=@path`; anything else is an error
/// "--<option>=<value>: expected @file.npy (a file name prefixed with '@')".
llvm::Expected<std::string> filePathOf(llvm::StringRef option,
                                       llvm::StringRef value);
/// filePathOf for every value of a repeated option.
llvm::Expected<std::vector<std::string>>
filePathsOf(llvm::StringRef option, llvm::ArrayRef<std::string> values);

/// The dimensions of Q [B,H,N,D], K [B,H,M,D] and V [B,H,M,Dv].
struct AttentionDims {
  int64_t B = 1, H = 1, N = 1, M = 1, D = 1, Dv = 1;
  std::vector<int64_t> q() const { return {B, H, N, D}; }
  std::vector<int64_t> k() const { return {B, H, M, D}; }
  std::vector<int64_t> v() const { return {B, H, M, Dv}; }
  std::vector<int64_t> out() const { return {B, H, N, Dv}; }
};

/// Parses "B,H,N,M,D" or "B,H,N,M,D,Dv" (Dv defaults to D), each an integer
/// in [1, maxDim]. Errors say what was expected and quote the text; the
/// caller adds the option.
llvm::Expected<AttentionDims> parseAttentionDims(llvm::StringRef text,
                                                 int64_t maxDim);

/// libLLVM registers a hidden `--threads` option of its own; this renames it
/// `--llvm-threads` so that a tool can register hdp's `--threads` (the
/// threads of the compiled code). Call it from a global initialiser defined
/// before the tool's option (initialisers of one file run in order).
bool yieldThreadsOptionName();

} // namespace hdp::tooling

#endif // HDP_TOOLING_COMMANDLINE_H
