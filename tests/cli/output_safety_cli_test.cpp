// Black-box tests of what tmpctl writes when its streams or the strings it
// prints are not what it expects: an unwritable stderr never changes what
// is created or removed, nor the exit code (issue 12 item 9), and names a
// process chose for itself reach a terminal escaped (issue 12 item 14).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::closed_stream;
using test::contains;
using test::fs_path;
using test::join;
using test::run_tmpctl;

// The ways stderr can refuse a write: closed, a pipe nobody reads, and
// (Linux) a full device.
std::vector<std::string> unwritable_stderrs() {
#ifdef _WIN32
  return {closed_stream, test::broken_pipe};
#else
  return {closed_stream, test::broken_pipe, "/dev/full"};
#endif
}

class OutputSafetyCli : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    where_ = join(scratch(), "where");
    fs::create_directory(fs_path(where_));
    records_.emplace("TMPCTL_RECORDS", join(scratch(), "records").c_str());
  }
  std::string where_;
  std::optional<test::ScopedEnvironment> records_;
};

// issue 12 item 9: `create -n 3 >&- 2>&-` aborted with 3 files left.
TEST_F(OutputSafetyCli, CreateWithStdoutAndStderrClosedFailsAndLeavesNothing) {
  for (const std::string& stream : {std::string(closed_stream), std::string(test::broken_pipe)}) {
    SCOPED_TRACE(stream);
    const test::ProcessResult result =
        run_tmpctl({"create", "-n", "3", "-p", where_}, stream, stream);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(test::list_directory(where_).empty());
  }
}

// issue 12 item 9: a failed message changes neither the exit code nor the disk.
TEST_F(OutputSafetyCli, RemoveAMissingFileExits4WhateverStderrIs) {
  for (const std::string& err : unwritable_stderrs()) {
    SCOPED_TRACE(err);
    const test::ProcessResult result = run_tmpctl({"remove", join(where_, "missing")}, "", err);
    EXPECT_EQ(result.exit_code, 4);
  }
}

TEST_F(OutputSafetyCli, CreateWithARecordFailingOnItsMessageLeavesNothing) {
  for (const std::string& err : unwritable_stderrs()) {
    SCOPED_TRACE(err);
    const test::ProcessResult result =
        run_tmpctl({"create", "-p", join(where_, "missing"), "--ttl", "1h"}, "", err);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(test::list_directory(where_).empty());
  }
}

#ifndef _WIN32
// Bytes that are not UTF-8 reach a terminal escaped, each of them: a stray
// byte, an encoded surrogate, an overlong "/", a code point above U+10FFFF
// (POSIX names are bytes; Windows names are always UTF-16).
TEST_F(OutputSafetyCli, BytesOfAPathThatAreNotUtf8AreShownEscaped) {
  const std::string name = "a-\xFF-\xED\xA0\x80-\xC0\xAF-\xF4\x90\x80\x80-\xC3\xA9";
  const std::string escaped = "a-\\xFF-\\xED\\xA0\\x80-\\xC0\\xAF-\\xF4\\x90\\x80\\x80-\xC3\xA9";
  const test::ProcessResult result = run_tmpctl({"remove", join(where_, name)});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_TRUE(contains(result.err, escaped)) << result.err;
  EXPECT_FALSE(contains(result.err, "\xED\xA0\x80")) << result.err;
}
#endif

// issue 12 item 9: run with stderr closed left its temp path behind.
TEST_F(OutputSafetyCli, RunRemovesItsTempPathWhateverStderrIs) {
  for (const std::string& err : unwritable_stderrs()) {
    SCOPED_TRACE(err);
    // A COMMAND that cannot be found: run says so on stderr, then cleans up.
    const test::ProcessResult missing =
        run_tmpctl({"run", "-p", where_, "--", join(where_, "no-such-program")}, "", err);
    EXPECT_EQ(missing.exit_code, 127);
    EXPECT_TRUE(test::list_directory(where_).empty());
    const test::ProcessResult ran = run_tmpctl(
        {"run", "-p", where_, "--", test::helper_path("run_probe"), "args", "3", "x"}, "", err);
    EXPECT_EQ(ran.exit_code, 3);
    EXPECT_TRUE(test::list_directory(where_).empty());
  }
}

TEST_F(OutputSafetyCli, CleanupRemovesWhatIsStaleAndExits0WhateverStderrIs) {
  for (const std::string& err : unwritable_stderrs()) {
    SCOPED_TRACE(err);
    const std::string old = join(where_, "old");
    std::ofstream(fs_path(old)) << "old";
    fs::last_write_time(fs_path(old),
                        fs::file_time_type::clock::now() - std::chrono::hours(24 * 30));
    // The summary goes to stderr.
    const test::ProcessResult result =
        run_tmpctl({"cleanup", "--age-by", "mtime", "--older-than", "1d", where_}, "", err);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_TRUE(test::list_directory(where_).empty());
  }
}

TEST_F(OutputSafetyCli, UsageErrorsExit2WhateverStderrIs) {
  for (const std::string& err : unwritable_stderrs()) {
    SCOPED_TRACE(err);
    EXPECT_EQ(run_tmpctl({"create", "--no-such-option"}, "", err).exit_code, 2);
    EXPECT_EQ(run_tmpctl({"run", "--no-such-option"}, "", err).exit_code, 125);
  }
}

#ifdef __linux__
// issue 12 item 14: a process names itself (prctl(PR_SET_NAME)); a name
// with a terminal's escape sequence (here: set the window title) is printed
// escaped as file names are, in every text tmpctl prints it in; JSON keeps
// it exact. (Windows: an executable's name cannot hold control characters.)
TEST_F(OutputSafetyCli, AHoldersChosenNameIsPrintedEscaped) {
  const std::string name = "\x1b]0;pwned\x07";
  const std::string escaped = "\\x1B]0;pwned\\x07";
  const std::string path = join(where_, "held");
  test::HeldFile held(path, scratch(), test::HeldFile::Mode::open, name);
  const auto raw_control = [](const std::string& text) {
    for (const char c : text)
      if (c == '\x1b' || c == '\x07') return true;
    return false;
  };

  const test::ProcessResult diagnose = run_tmpctl({"diagnose", path});
  EXPECT_TRUE(contains(diagnose.out, escaped)) << diagnose.out;
  EXPECT_FALSE(raw_control(diagnose.out + diagnose.err)) << diagnose.out << diagnose.err;

  const test::ProcessResult json = run_tmpctl({"diagnose", "--json", path});
  EXPECT_TRUE(contains(json.out, "\\u001b]0;pwned\\u0007")) << json.out;

  // POSIX removes a held file, and warns that it is still open, naming holders.
  const test::ProcessResult remove = run_tmpctl({"remove", path});
  EXPECT_EQ(remove.exit_code, 0) << remove.err;
  EXPECT_TRUE(contains(remove.err, escaped)) << remove.err;
  EXPECT_FALSE(raw_control(remove.out + remove.err)) << remove.out << remove.err;
}
#endif

}  // namespace
}  // namespace tmpctl
