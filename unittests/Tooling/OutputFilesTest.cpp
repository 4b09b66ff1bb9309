//===- OutputFilesTest.cpp - Tests of the all-or-nothing writer -----------===//
//
// Every destination appears whole or none does; duplicates under another
// spelling are refused; temporaries are never visible in the anonymous mode,
// are removed on SIGTERM/SIGINT in the named mode (checked on forked
// children), and a killed run's are swept by the next one.
//
//===----------------------------------------------------------------------===//

#include "hdp/Tooling/OutputFiles.h"

#include "Common/TestFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace hdp::testutil;
using namespace hdp::tooling;
using namespace llvm;

namespace {

std::string contents(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  return buffer ? (*buffer)->getBuffer().str() : "<unreadable>";
}
void writePlain(StringRef path, StringRef bytes) {
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  ASSERT_FALSE(ec) << ec.message();
  os << bytes;
}

OutputFiles::Options named(StringRef owner = "hdp-test") {
  OutputFiles::Options options;
  options.owner = owner.str();
  options.anonymousTemporaries = false;
  return options;
}
OutputFiles::Options anonymous(StringRef owner = "hdp-test") {
  OutputFiles::Options options;
  options.owner = owner.str();
  return options;
}

/// Both modes, for the tests whose outcome must not depend on the mode.
class BothModes : public ::testing::TestWithParam<bool> {
protected:
  OutputFiles::Options options() const {
    return GetParam() ? anonymous() : named();
  }
};
INSTANTIATE_TEST_SUITE_P(OutputFiles, BothModes, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return info.param ? "Anonymous" : "Named";
                         });

TEST_P(BothModes, WritesEveryFileAndReplacesOldOnes) {
  TempDir dir;
  writePlain(dir.file("a.npy"), "old contents, longer than the new ones");
  {
    OutputFiles files(options());
    size_t a = cantFail(files.add(dir.file("a.npy")));
    size_t b = cantFail(files.add(dir.file("b%%c.json")));
    files.write(a, "new a");
    files.stream(b) << "{\"b\": " << 1 << "}";
    ASSERT_EQ(errorOf(files.commit()), "");
  }
  EXPECT_EQ(contents(dir.file("a.npy")), "new a");
  // '%' is no pattern: the name is kept as written.
  EXPECT_EQ(contents(dir.file("b%%c.json")), "{\"b\": 1}");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a.npy", "b%%c.json"}));
}

TEST_P(BothModes, FailingSecondOutputLeavesEverythingAsItWas) {
  TempDir dir;
  writePlain(dir.file("keep.npy"), "old");
  ASSERT_FALSE(sys::fs::create_directory(dir.file("sub")));

  // The second destination's directory disappears before the commit: the
  // first output must not appear, the old file must survive.
  {
    OutputFiles files(options());
    size_t keep = cantFail(files.add(dir.file("keep.npy")));
    size_t fresh = cantFail(files.add(dir.file("fresh.npy")));
    size_t lost = cantFail(files.add(dir.file("sub/lost.npy")));
    files.write(keep, "new");
    files.write(fresh, "fresh");
    files.write(lost, "lost");
    ASSERT_FALSE(sys::fs::remove_directories(dir.file("sub")));
    std::string msg = errorOf(files.commit());
    EXPECT_EQ(msg.find(dir.file("sub/lost.npy") + ": "), 0u) << msg;
  }
  EXPECT_EQ(contents(dir.file("keep.npy")), "old");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.npy"});

  // A destination that cannot be created is refused by add(); dropping the
  // OutputFiles then writes nothing.
  {
    OutputFiles files(options());
    size_t keep = cantFail(files.add(dir.file("keep.npy")));
    files.write(keep, "new");
    std::string msg = errorOf(files.add(dir.file("missing/x.npy")));
    EXPECT_EQ(msg, dir.file("missing/x.npy") +
                       ": cannot create a temporary file next to it: No such "
                       "file or directory");
  }
  EXPECT_EQ(contents(dir.file("keep.npy")), "old");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.npy"});

  // discard() touches no destination either.
  {
    OutputFiles files(options());
    files.write(cantFail(files.add(dir.file("keep.npy"))), "new");
    files.discard();
    EXPECT_EQ(files.size(), 0u);
  }
  EXPECT_EQ(contents(dir.file("keep.npy")), "old");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep.npy"});
}

TEST_P(BothModes, RefusesDirectoriesAndUncreatablePaths) {
  TempDir dir;
  ASSERT_FALSE(sys::fs::create_directory(dir.file("isdir")));
  writePlain(dir.file("plain"), "x");
  OutputFiles files(options());
  EXPECT_EQ(errorOf(files.add(dir.file("isdir"))),
            dir.file("isdir") + ": is a directory; expected a file path");
  EXPECT_EQ(errorOf(files.add(dir.file("new") + "/")),
            dir.file("new") + "/: is a directory; expected a file path");
  EXPECT_EQ(errorOf(files.add("")),
            "'': expected a file path, got an empty string");
  // The parent is a regular file: fails for every user, root included.
  std::string msg = errorOf(files.add(dir.file("plain/out.npy")));
  EXPECT_EQ(msg.find(dir.file("plain/out.npy") +
                     ": cannot create a temporary file next to it: "),
            0u)
      << msg;
  EXPECT_EQ(files.size(), 0u);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"isdir", "plain"}));
}

TEST_P(BothModes, RefusesTheSameFileUnderAnotherSpelling) {
  TempDir dir;
  ASSERT_FALSE(sys::fs::create_directory(dir.file("sub")));
  writePlain(dir.file("linked.npy"), "x");
  ASSERT_FALSE(
      sys::fs::create_hard_link(dir.file("linked.npy"), dir.file("alias.npy")));
  ASSERT_FALSE(sys::fs::create_link(dir.file("sub"), dir.file("sublink")));

  OutputFiles files(options());
  std::string o = dir.file("o.npy");
  ASSERT_EQ(errorOf(files.add(o)), "");
  EXPECT_EQ(errorOf(files.add(o)), o + ": named more than once as an output");
  for (std::string other : {dir.file("./o.npy"), dir.file("sub/../o.npy"),
                            dir.path.str().str() + "//o.npy"})
    EXPECT_EQ(errorOf(files.add(other)),
              other + ": named more than once as an output (the same file as " +
                  o + ")");
  // Another name of the same inode, and a symlinked directory.
  ASSERT_EQ(errorOf(files.add(dir.file("linked.npy"))), "");
  EXPECT_EQ(errorOf(files.add(dir.file("alias.npy"))),
            dir.file("alias.npy") +
                ": named more than once as an output (the same file as " +
                dir.file("linked.npy") + ")");
  ASSERT_EQ(errorOf(files.add(dir.file("sub/p.npy"))), "");
  EXPECT_NE(errorOf(files.add(dir.file("sublink/p.npy")))
                .find("named more than once as an output"),
            std::string::npos);
  // Standard output once.
  ASSERT_EQ(errorOf(files.add("-")), "");
  EXPECT_EQ(errorOf(files.add("-")),
            "-: named more than once as an output (standard output)");
  EXPECT_EQ(files.size(), 4u);

  // The refused spellings left nothing behind; the rest commits.
  for (size_t i = 0; i < files.size(); ++i)
    files.write(i, "data" + std::to_string(i));
  testing::internal::CaptureStdout();
  ASSERT_EQ(errorOf(files.commit()), "");
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "data3");
  EXPECT_EQ(contents(dir.file("o.npy")), "data0");
  EXPECT_EQ(contents(dir.file("sub/p.npy")), "data2");
  EXPECT_EQ(dir.entries(),
            (std::vector<std::string>{"alias.npy", "linked.npy", "o.npy", "sub",
                                      "sublink"}));
  EXPECT_EQ(dir.entries("sub"), std::vector<std::string>{"p.npy"});
}

TEST(OutputFiles, AnonymousTemporariesAreNeverVisible) {
  TempDir dir;
  OutputFiles files(anonymous());
  size_t a = cantFail(files.add(dir.file("a.npy")));
  // This machine's file systems (ext4, tmpfs) have O_TMPFILE.
  ASSERT_TRUE(files.isAnonymous(a));
  files.write(a, std::string(1 << 20, 'x'));
  files.stream(a).flush();
  EXPECT_TRUE(dir.entries().empty());
  ASSERT_EQ(errorOf(files.commit()), "");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.npy"});
}

TEST(OutputFiles, NamedTemporariesAreHiddenAndRemoved) {
  TempDir dir;
  {
    OutputFiles files(named("hdp-test"));
    size_t a = cantFail(files.add(dir.file("a.npy")));
    EXPECT_FALSE(files.isAnonymous(a));
    std::vector<std::string> names = dir.entries();
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(StringRef(names[0]).starts_with(".hdp-tmp.hdp-test." +
                                              std::to_string(::getpid()) + "."),
              true)
        << names[0];
    EXPECT_TRUE(StringRef(names[0]).ends_with(".a.npy")) << names[0];
  }
  EXPECT_TRUE(dir.entries().empty());
}

/// Runs `child` in a forked process that then waits to be killed; returns
/// once the child has reported (through a pipe) that it is ready.
pid_t forkReady(const std::function<void()> &child) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    child();
    char ready = 1;
    (void)!::write(fds[1], &ready, 1);
    for (;;)
      ::pause();
  }
  ::close(fds[1]);
  char ready = 0;
  EXPECT_EQ(::read(fds[0], &ready, 1), 1);
  ::close(fds[0]);
  return pid;
}

/// Kills `pid` with `signal` and checks that the signal ended it.
void killAndReap(pid_t pid, int signal) {
  ASSERT_EQ(::kill(pid, signal), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), signal);
}

class SignalCleanup : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(OutputFiles, SignalCleanup,
                         ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int> &info) {
                           return info.param == SIGTERM ? "SIGTERM" : "SIGINT";
                         });

TEST_P(SignalCleanup, NamedTemporariesAreRemoved) {
  TempDir dir;
  pid_t pid = forkReady([&] {
    // Leaked on purpose: the process ends by the signal.
    auto *files = new OutputFiles(named());
    for (const char *name : {"a.npy", "b.npy"})
      files->write(cantFail(files->add(dir.file(name))), "data");
    files->stream(0).flush();
  });
  // The child's temporaries exist while it runs...
  EXPECT_EQ(dir.entries().size(), 2u);
  killAndReap(pid, GetParam());
  // ...and its signal handler removed them.
  EXPECT_TRUE(dir.entries().empty());
}

TEST(OutputFiles, SigkillLeavesNothingVisibleInAnonymousMode) {
  TempDir dir;
  pid_t pid = forkReady([&] {
    auto *files = new OutputFiles(anonymous());
    files->write(cantFail(files->add(dir.file("a.npy"))), "data");
    files->stream(0).flush();
  });
  killAndReap(pid, SIGKILL);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(OutputFiles, NextRunSweepsTheTemporariesOfKilledRuns) {
  TempDir dir;
  pid_t pid = forkReady([&] {
    auto *files = new OutputFiles(named("hdp-sweep-test"));
    files->write(cantFail(files->add(dir.file("a.npy"))), "data");
  });
  killAndReap(pid, SIGKILL);
  std::vector<std::string> left = dir.entries();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(StringRef(left[0]).starts_with(".hdp-tmp.hdp-sweep-test."));

  // Temporaries that are not stale, or not the tool's, stay.
  std::string live = ".hdp-tmp.hdp-sweep-test.1.0.b.npy"; // pid 1 runs
  std::string other = ".hdp-tmp.hdp-other-tool.999999999.0.c.npy";
  writePlain(dir.file(live), "x");
  writePlain(dir.file(other), "x");

  OutputFiles files(anonymous("hdp-sweep-test"));
  files.write(cantFail(files.add(dir.file("a.npy"))), "new");
  ASSERT_EQ(errorOf(files.commit()), "");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{other, live, "a.npy"}));
  EXPECT_EQ(contents(dir.file("a.npy")), "new");
}

TEST(OutputFiles, NewFilesGetTheUsualPermissions) {
  TempDir dir;
  mode_t old = ::umask(022);
  OutputFiles files(anonymous());
  files.write(cantFail(files.add(dir.file("a.npy"))), "x");
  ASSERT_EQ(errorOf(files.commit()), "");
  ::umask(old);
  sys::fs::file_status status;
  ASSERT_FALSE(sys::fs::status(dir.file("a.npy"), status));
  EXPECT_EQ(static_cast<unsigned>(status.permissions()), 0644u);
}

} // namespace
