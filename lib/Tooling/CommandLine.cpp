//===- CommandLine.cpp - Option values shared by the hdp tools ------------===//

#include "hdp/Tooling/CommandLine.h"
#include "hdp/Tooling/Diagnostics.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"

using namespace llvm;

namespace hdp::tooling {

Expected<std::string> filePathOf(StringRef option, StringRef value) {
  StringRef path = value;
  if (!path.consume_front("@") || path.empty())
    return errorAt("--" + option + "=" + value,
                   "expected @file.npy (a file name prefixed with '@')");
  return path.str();
}

Expected<std::vector<std::string>> filePathsOf(StringRef option,
                                               ArrayRef<std::string> values) {
  std::vector<std::string> paths;
  for (const std::string &value : values) {
    Expected<std::string> path = filePathOf(option, value);
    if (!path)
      return path.takeError();
    paths.push_back(std::move(*path));
  }
  return paths;
}

Expected<AttentionDims> parseAttentionDims(StringRef text, int64_t maxDim) {
  SmallVector<StringRef, 6> parts;
  text.split(parts, ',');
  if (parts.size() != 5 && parts.size() != 6)
    return createStringError(
        inconvertibleErrorCode(),
        "expected B,H,N,M,D or B,H,N,M,D,Dv (5 or 6 positive integers), got '" +
            text + "'");
  static const char *const names[] = {"B", "H", "N", "M", "D", "Dv"};
  int64_t dims[6];
  for (size_t i = 0; i < parts.size(); ++i) {
    int64_t v;
    if (parts[i].trim().getAsInteger(10, v) || v < 1 || v > maxDim)
      return createStringError(inconvertibleErrorCode(),
                               Twine(names[i]) + " must be an integer in [1, " +
                                   Twine(maxDim) + "], got '" + parts[i] + "'");
    dims[i] = v;
  }
  AttentionDims d;
  d.B = dims[0];
  d.H = dims[1];
  d.N = dims[2];
  d.M = dims[3];
  d.D = dims[4];
  d.Dv = parts.size() == 6 ? dims[5] : dims[4];
  return d;
}

} // namespace hdp::tooling

bool hdp::tooling::yieldThreadsOptionName() {
  auto &options = llvm::cl::getRegisteredOptions();
  auto it = options.find("threads");
  if (it != options.end())
    it->second->setArgStr("llvm-threads");
  return true;
}
