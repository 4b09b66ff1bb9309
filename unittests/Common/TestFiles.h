//===- TestFiles.h - Scratch directories and error text for tests -*- C++ -*-=//
//
// Shared by the unit tests that touch the file system.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_UNITTESTS_COMMON_TESTFILES_H
#define HDP_UNITTESTS_COMMON_TESTFILES_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

namespace hdp::testutil {

/// The message of an expected failure ("" if it unexpectedly succeeded).
inline std::string errorOf(llvm::Error e) {
  return e ? llvm::toString(std::move(e)) : "";
}
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  return value ? "" : llvm::toString(value.takeError());
}

/// A directory of its own, removed with everything in it at the end of the
/// test.
class TempDir {
public:
  TempDir() {
    std::error_code ec = llvm::sys::fs::createUniqueDirectory("hdp-test", path);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  std::string file(llvm::StringRef name) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  /// Sorted names of the entries of the directory or of its subdirectory
  /// `sub`, hidden ones included.
  std::vector<std::string> entries(llvm::StringRef sub = "") const {
    std::vector<std::string> names;
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator
             it(sub.empty() ? path.str().str() : file(sub), ec),
         end;
         it != end && !ec; it.increment(ec))
      names.push_back(llvm::sys::path::filename(it->path()).str());
    llvm::sort(names);
    return names;
  }

  llvm::SmallString<128> path;
};

} // namespace hdp::testutil

#endif // HDP_UNITTESTS_COMMON_TESTFILES_H
