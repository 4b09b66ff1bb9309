//===- OutputFiles.cpp - The files of one run, all or nothing -------------===//
//
// See OutputFiles.h. POSIX calls are used directly: LLVM's TempFile and
// createUniqueFile take a '%' model (so a '%' in a user's path would be
// rewritten) and know nothing of O_TMPFILE.
//
//===----------------------------------------------------------------------===//

#include "hdp/Tooling/OutputFiles.h"
#include "hdp/Tooling/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"

#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace hdp::tooling {

namespace {
std::string errnoMessage(int error) {
  return std::error_code(error, std::generic_category()).message();
}

/// Longest part of the destination's name kept in a temporary's name, so
/// that a name near NAME_MAX still leaves room for the prefix.
constexpr size_t kMaxNameInTemporary = 96;

/// Whether process `pid` exists (EPERM: it does, owned by someone else).
bool processExists(long long pid) {
  if (pid <= 0 || pid != static_cast<pid_t>(pid))
    return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

/// Removes the temporaries that runs of `owner` killed in `dir` left behind:
/// ".hdp-tmp.<owner>.<pid>.<random>.<name>" whose process is gone. Best
/// effort: an unreadable directory is left alone.
void sweepStaleTemporaries(StringRef dir, StringRef owner) {
  std::string prefix = OutputFiles::temporaryPrefix(owner);
  std::error_code ec;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = sys::path::filename(it->path());
    if (!name.consume_front(prefix))
      continue;
    StringRef pidText = name.split('.').first;
    long long pid;
    if (pidText.getAsInteger(10, pid) || pid == ::getpid() ||
        processExists(pid))
      continue;
    sys::fs::remove(it->path());
  }
}

/// Sweeps each directory once per process.
void sweepOnce(StringRef dir, StringRef owner) {
  static std::mutex mutex;
  static StringSet<> swept;
  SmallString<256> key(dir);
  sys::fs::make_absolute(key);
  std::lock_guard<std::mutex> lock(mutex);
  if (swept.insert((owner + "\n" + key).str()).second)
    sweepStaleTemporaries(dir, owner);
}
} // namespace

struct OutputFiles::Output {
  std::string path;      ///< as the user wrote it
  std::string directory; ///< where the temporary lives
  bool toStdout = false;
  bool anonymous = false;
  int fd = -1;
  std::string temporary; ///< the hidden name, once there is one
  std::optional<sys::fs::UniqueID> directoryId, fileId;
  SmallVector<char, 0> buffer;                 ///< standard output's bytes
  std::unique_ptr<raw_svector_ostream> memory; ///< standard output's stream
  std::unique_ptr<raw_fd_ostream> file;        ///< the temporary's stream
  bool closed = false;

  raw_pwrite_stream &stream() {
    if (file)
      return *file;
    return *memory;
  }

  /// Closes the file; false (with the stream's error kept) if that fails.
  bool close() {
    if (!file || closed)
      return true;
    closed = true;
    file->close();
    return !file->has_error();
  }

  /// Closes the stream (dropping a pending write error) and removes the
  /// named temporary, if any.
  void discard() {
    if (file) {
      file->clear_error();
      close();
      // ~raw_fd_ostream aborts on an error nobody looked at.
      file->clear_error();
    }
    file.reset();
    memory.reset();
    fd = -1;
    if (!temporary.empty()) {
      sys::fs::remove(temporary);
      sys::DontRemoveFileOnSignal(temporary);
      temporary.clear();
    }
  }
};

OutputFiles::OutputFiles() : OutputFiles(Options()) {}
OutputFiles::OutputFiles(Options opts) : options(std::move(opts)) {
  if (options.owner.empty())
    options.owner = toolName().str();
}
OutputFiles::~OutputFiles() { discard(); }

std::string OutputFiles::temporaryPrefix(StringRef owner) {
  return (".hdp-tmp." + owner + ".").str();
}

StringRef OutputFiles::path(size_t index) const { return outputs[index]->path; }
bool OutputFiles::isAnonymous(size_t index) const {
  return outputs[index]->anonymous;
}
raw_pwrite_stream &OutputFiles::stream(size_t index) {
  return outputs[index]->stream();
}

Error OutputFiles::nameTemporary(Output &out) {
  StringRef name = sys::path::filename(out.path);
  name = name.take_front(kMaxNameInTemporary);
  for (int attempt = 0; attempt < 64; ++attempt) {
    SmallString<256> candidate(out.directory);
    sys::path::append(
        candidate, temporaryPrefix(options.owner) + Twine(::getpid()) + "." +
                       utohexstr(sys::Process::GetRandomNumber()) +
                       utohexstr(sys::Process::GetRandomNumber()) + "." + name);
    // Registered before it exists, so that no signal finds it unregistered.
    sys::RemoveFileOnSignal(candidate);
    int rc;
    if (out.anonymous) {
      std::string fdPath = "/proc/self/fd/" + std::to_string(out.fd);
      rc = ::linkat(AT_FDCWD, fdPath.c_str(), AT_FDCWD, candidate.c_str(),
                    AT_SYMLINK_FOLLOW);
    } else {
      rc = ::open(candidate.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                  0666);
      if (rc >= 0)
        out.fd = rc;
    }
    if (rc >= 0) {
      out.temporary = candidate.str().str();
      return Error::success();
    }
    int error = errno;
    sys::DontRemoveFileOnSignal(candidate);
    if (error != EEXIST)
      return errorAt(out.path,
                     (out.anonymous ? "cannot give the temporary file a name: "
                                    : "cannot create a temporary file next to "
                                      "it: ") +
                         errnoMessage(error));
  }
  return errorAt(out.path, "cannot create a temporary file next to it: every "
                           "name tried exists");
}

Error OutputFiles::openTemporary(Output &out) {
#ifdef O_TMPFILE
  // Naming it later goes through /proc (linkat with AT_EMPTY_PATH needs a
  // privilege).
  static const bool procFdUsable = ::access("/proc/self/fd", X_OK) == 0;
  if (options.anonymousTemporaries && procFdUsable) {
    int fd =
        ::open(out.directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd >= 0) {
      out.anonymous = true;
      out.fd = fd;
      return Error::success();
    }
    int error = errno;
    // EISDIR, EOPNOTSUPP, EINVAL: the kernel or the file system has no
    // O_TMPFILE; anything else is the directory's fault.
    if (error != EISDIR && error != EOPNOTSUPP && error != EINVAL)
      return errorAt(out.path, "cannot create a temporary file next to it: " +
                                   errnoMessage(error));
  }
#endif
  return nameTemporary(out);
}

Expected<size_t> OutputFiles::add(StringRef path) {
  auto out = std::make_unique<Output>();
  out->path = path.str();
  if (path.empty())
    return errorAt("''", "expected a file path, got an empty string");

  if (path == "-") {
    for (const auto &o : outputs)
      if (o->toStdout)
        return errorAt(path, "named more than once as an output (standard "
                             "output)");
    out->toStdout = true;
    out->memory = std::make_unique<raw_svector_ostream>(out->buffer);
    outputs.push_back(std::move(out));
    return outputs.size() - 1;
  }

  if (sys::fs::is_directory(path) || sys::path::is_separator(path.back()))
    return errorAt(path, "is a directory; expected a file path");
  StringRef parent = sys::path::parent_path(path);
  out->directory = parent.empty() ? "." : parent.str();

  // Opening the temporary first proves that the directory exists and takes
  // files, and its error names the cause.
  if (Error e = openTemporary(*out))
    return std::move(e);
  out->file = std::make_unique<raw_fd_ostream>(out->fd, /*shouldClose=*/true);

  // The same file under two spellings: the same directory and name, or the
  // same existing inode.
  sys::fs::UniqueID id;
  if (!sys::fs::getUniqueID(out->directory, id))
    out->directoryId = id;
  if (!sys::fs::getUniqueID(path, id))
    out->fileId = id;
  StringRef name = sys::path::filename(path);
  for (const auto &o : outputs) {
    bool sameEntry = o->directoryId && out->directoryId &&
                     *o->directoryId == *out->directoryId &&
                     sys::path::filename(o->path) == name;
    bool sameInode = o->fileId && out->fileId && *o->fileId == *out->fileId;
    if (!sameEntry && !sameInode)
      continue;
    out->discard();
    if (o->path == out->path)
      return errorAt(path, "named more than once as an output");
    return errorAt(path, "named more than once as an output (the same file "
                         "as " +
                             o->path + ")");
  }

  sweepOnce(out->directory, options.owner);
  outputs.push_back(std::move(out));
  return outputs.size() - 1;
}

Error OutputFiles::commit() {
  auto failAll = [&](Error e) {
    discard();
    return e;
  };
  // Everything complete on disk (or in memory) first.
  for (auto &out : outputs) {
    out->stream().flush();
    if (out->file && out->file->has_error())
      return failAll(
          errorAt(out->path, "cannot write: " + out->file->error().message()));
  }
  for (auto &out : outputs)
    if (!out->toStdout && out->temporary.empty())
      if (Error e = nameTemporary(*out))
        return failAll(std::move(e));
  // Closing can report a late write error (e.g. NFS); only complete files
  // are renamed.
  for (auto &out : outputs) {
    if (out->toStdout)
      continue;
    if (!out->close())
      return failAll(
          errorAt(out->path, "cannot write: " + out->file->error().message()));
  }
  // A rename cannot be undone once others succeeded: make sure every
  // temporary is still there first (its directory may have gone).
  for (auto &out : outputs)
    if (!out->toStdout && ::access(out->temporary.c_str(), F_OK) != 0)
      return failAll(
          errorAt(out->path, "cannot rename the temporary file into place: " +
                                 errnoMessage(errno)));
  for (auto &out : outputs) {
    if (out->toStdout)
      continue;
    if (std::error_code ec = sys::fs::rename(out->temporary, out->path))
      return failAll(
          errorAt(out->path, "cannot rename the temporary file into place: " +
                                 ec.message()));
    sys::DontRemoveFileOnSignal(out->temporary);
    out->temporary.clear();
  }
  for (auto &out : outputs)
    if (out->toStdout) {
      outs() << StringRef(out->buffer.data(), out->buffer.size());
      outs().flush();
    }
  outputs.clear();
  return Error::success();
}

void OutputFiles::discard() {
  for (auto &out : outputs)
    out->discard();
  outputs.clear();
}

} // namespace hdp::tooling
