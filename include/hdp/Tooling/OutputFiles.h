//===- OutputFiles.h - The files of one run, all or nothing ------*- C++
//-*-===//
//
// Every file an hdp tool writes (arrays, statistics, traces, command streams,
// object files, headers, reports) goes through one OutputFiles, so that a run
// either makes all of its files appear, each one complete, or leaves the file
// system as it found it:
//
//  * add() is called as soon as the command line is read. It refuses a path
//    that names a file added before (after normalisation: "o.npy" and
//    "./o.npy", or another name of the same inode), a directory, or a place
//    where no file can be created, and opens the output's temporary file in
//    the destination's directory. Where the system allows (Linux O_TMPFILE)
//    that temporary has no name: nobody sees it, and it vanishes with the
//    process however the process ends. Elsewhere it is a hidden file
//    ".hdp-tmp.<tool>.<pid>.<random>.<name>", removed on SIGINT and SIGTERM
//    (through LLVM's signal handlers) and when the OutputFiles is destroyed.
//  * The tool writes each output into stream(i), or hands over its bytes
//    with write(i, ...).
//  * commit() checks every stream, names the anonymous temporaries (hidden
//    names as above), closes them, checks that every temporary is still in
//    place and only then renames each over its destination. Any failure up
//    to there removes every temporary and touches no destination. (A rename
//    failing after others succeeded needs the directory to change under the
//    tool in that instant; it cannot be undone and is reported.)
//
// A run killed with SIGKILL can leave a named temporary behind only in the
// fallback mode, or in the instant between naming and renaming; add() sweeps
// the destination directory for temporaries of the same tool whose process
// no longer exists.
//
// "-" names standard output: its bytes are held in memory and printed after
// every file has been committed.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_TOOLING_OUTPUTFILES_H
#define HDP_TOOLING_OUTPUTFILES_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace hdp::tooling {

class OutputFiles {
public:
  struct Options {
    /// The tool whose temporaries these are (default: toolName()).
    std::string owner;
    /// Use unnamed temporaries where the system has them. Tests turn this
    /// off to exercise the named fallback.
    bool anonymousTemporaries = true;
  };

  OutputFiles();
  explicit OutputFiles(Options options);
  OutputFiles(const OutputFiles &) = delete;
  OutputFiles &operator=(const OutputFiles &) = delete;
  /// Removes every temporary that was not committed.
  ~OutputFiles();

  /// Adds the destination `path` and opens its temporary; returns its index.
  /// Errors start with `path` and say what is wrong.
  llvm::Expected<size_t> add(llvm::StringRef path);

  /// The stream of output `index`; write errors surface in commit().
  llvm::raw_pwrite_stream &stream(size_t index);
  /// Appends `bytes` to output `index`.
  void write(size_t index, llvm::StringRef bytes) { stream(index) << bytes; }

  /// Makes every output appear, each whole, or (on error) none of them.
  llvm::Error commit();
  /// Removes every temporary; no destination is touched.
  void discard();

  size_t size() const { return outputs.size(); }
  llvm::StringRef path(size_t index) const;
  /// Whether output `index` is held in an unnamed temporary (for tests).
  bool isAnonymous(size_t index) const;

  /// The prefix of the hidden temporaries of `owner`: ".hdp-tmp.<owner>.".
  static std::string temporaryPrefix(llvm::StringRef owner);

private:
  struct Output;
  llvm::Error openTemporary(Output &out);
  llvm::Error nameTemporary(Output &out);

  Options options;
  std::vector<std::unique_ptr<Output>> outputs;
};

} // namespace hdp::tooling

#endif // HDP_TOOLING_OUTPUTFILES_H
