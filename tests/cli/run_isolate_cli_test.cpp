// Black-box tests of `tmpctl run --isolate`, with tests/helpers/run_probe as
// COMMAND: a test step that writes temp files through the temp directory it
// finds (TMPDIR; GetTempPathW on Windows) and leaves a process behind that
// holds one of them. The report names the process and the files with their
// sizes; afterwards the process is gone, the private directory is removed
// and the shared temp directory is as it was. Run on Linux and, under Wine,
// on Windows (where the tree is a Job Object).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/ready_marker.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::contains;
using test::fs_path;
using test::join;
using test::list_directory;
using test::process_gone;
using test::read_file;

const std::string holder_name = test::hold_file_name;

class RunIsolateCli : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    temp_ = join(scratch(), "temp");
    shared_ = join(scratch(), "shared");
    records_ = join(scratch(), "records");
    fs::create_directory(fs_path(temp_));
    fs::create_directory(fs_path(shared_));
    // The temp directory every program would use without --isolate: it must
    // not change. tmpctl's own private directories go to -p temp_.
    for (const char* variable : {"TMPDIR", "TMP", "TEMP"})
      environment_.emplace_back(
          std::make_unique<test::ScopedEnvironment>(variable, shared_.c_str()));
    environment_.emplace_back(
        std::make_unique<test::ScopedEnvironment>("TMPCTL_RECORDS", records_.c_str()));
  }

  void TearDown() override {
    // A holder the test left (a failed assertion, --keep-running) lets go.
    std::error_code ignored;
    fs::remove(fs_path(ready()), ignored);
    if (holder_ != 0)
      test::wait_while([&] { return !process_gone(holder_); }, std::chrono::seconds(30));
    ScratchDirectoryTest::TearDown();
  }

  // tmpctl run --isolate -p <temp> OPTIONS -- run_probe PROBE...
  test::ProcessResult run(const std::vector<std::string>& options,
                          const std::vector<std::string>& probe) {
    std::vector<std::string> arguments{"run", "--isolate", "-p", temp_};
    arguments.insert(arguments.end(), options.begin(), options.end());
    arguments.push_back("--");
    arguments.push_back(test::helper_path("run_probe"));
    arguments.insert(arguments.end(), probe.begin(), probe.end());
    test::ProcessResult result = test::run_tmpctl(arguments);
    const std::string pid = read_file(ready());
    if (!pid.empty()) holder_ = static_cast<std::uint32_t>(std::stoul(pid));
    return result;
  }

  std::string ready() const { return join(scratch(), "ready"); }

  // The record files in this test's store.
  std::vector<std::string> record_files() const { return test::record_files(records_); }

  // The one JSON object --json printed last on stdout.
  static json report_in(const std::string& out) {
    const std::size_t start = out.rfind("\n{");
    return json::parse(out.substr(start == std::string::npos ? 0 : start + 1));
  }

  static const json* process_in(const json& report, std::uint32_t pid) {
    for (const json& process : report["processes"])
      if (process["pid"] == pid) return &process;
    return nullptr;
  }

  static const json* entry_in(const json& report, const std::string& name) {
    for (const json& entry : report["leaked"]["entries"])
      if (entry["name"] == name) return &entry;
    return nullptr;
  }

  std::string temp_;     // where tmpctl makes the private directory
  std::string shared_;   // TMPDIR, TMP and TEMP as the test step would find them
  std::string records_;  // the record store (TMPCTL_RECORDS)
  std::uint32_t holder_ = 0;
  std::vector<std::unique_ptr<test::ScopedEnvironment>> environment_;
};

// The whole story: files written through the temp directory the step found,
// a background process that outlives the step holding one of them.
TEST_F(RunIsolateCli, ReportsAndEndsWhatTheTreeLeftAndRemovesItsTempDirectory) {
  // A process outside the tree, holding a file outside the directory: untouched.
  const std::string outside = join(scratch(), "outside.txt");
  test::write_file(outside, "kept");
  test::HeldFile bystander(outside, scratch());
  const test::ProcessResult result = run({"--json"}, {"leak", ready(), "0"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  ASSERT_NE(holder_, 0u) << result.err;
  const json report = report_in(result.out);

  // The process, what it holds, and that it was ended.
  const json* process = process_in(report, holder_);
  ASSERT_NE(process, nullptr) << report.dump(2);
  EXPECT_EQ((*process)["name"], holder_name);
  EXPECT_FALSE((*process)["started_while_ending"].get<bool>());
  EXPECT_TRUE((*process)["running_ms"].is_number()) << process->dump();
  ASSERT_EQ((*process)["holds"].size(), 1u) << process->dump();
  const std::string held = (*process)["holds"][0]["path"];
  EXPECT_TRUE(held.ends_with("held.txt")) << held;
  EXPECT_TRUE((*process)["outcome"] == "ended" || (*process)["outcome"] == "killed")
      << process->dump();
  EXPECT_TRUE(process_gone(holder_));

  // What was left in the temp directory, by top-level entry, with sizes.
  const std::string directory = report["temp_directory"];
  EXPECT_EQ(fs_path(directory).parent_path(), fs_path(temp_)) << directory;
  EXPECT_TRUE(fs_path(held).parent_path() == fs_path(directory)) << held;
  EXPECT_EQ(report["leaked"]["bytes"], 4000) << report.dump(2);
  EXPECT_EQ(report["leaked"]["count"], 4) << report.dump(2);
  const json* leak = entry_in(report, "leak-a.txt");
  const json* cache = entry_in(report, "cache");
  ASSERT_TRUE(leak && cache && entry_in(report, "held.txt")) << report.dump(2);
  EXPECT_EQ((*leak)["bytes"], 1000);
  EXPECT_EQ((*cache)["type"], "directory");
  EXPECT_EQ((*cache)["bytes"], 3000);
  EXPECT_EQ((*cache)["entries"], 2);
  EXPECT_TRUE(report["removed"].get<bool>());
  EXPECT_EQ(report["exit_code"], 0);

  // The same, for people, on stderr.
  EXPECT_TRUE(
      contains(result.err, "'" + test::helper_path("run_probe") + "' left 1 process running ("))
      << result.err;
  EXPECT_TRUE(contains(result.err, "process " + std::to_string(holder_) + " (" + holder_name + ")"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "held.txt")) << result.err;
  EXPECT_TRUE(contains(result.err, "left 4 entries (3.9 KiB) in its temp directory '" + directory +
                                       "', now removed:"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "\n  cache/      2.9 KiB in 1 entry\n")) << result.err;
  EXPECT_TRUE(contains(result.err, "\n  leak-a.txt  1000 B")) << result.err;

  // Nothing left anywhere: not the private directory, not in the shared
  // one, not its record.
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_TRUE(list_directory(shared_).empty());
  EXPECT_TRUE(record_files().empty());
  EXPECT_FALSE(process_gone(bystander.pid())) << "a process outside the tree was ended";
  EXPECT_EQ(process_in(report, bystander.pid()), nullptr) << report.dump(2);
  EXPECT_EQ(read_file(outside), "kept");
  bystander.release();
#ifdef _WIN32
  EXPECT_EQ(report["mechanism"], "job object");
#else
  const std::string mechanism = report["mechanism"];
  // "and process group" too when the tests run without a controlling terminal.
  EXPECT_TRUE(contains(mechanism, "child subreaper")) << mechanism;
  // A cgroup of its own, where one could be made, is gone too.
  if (mechanism.starts_with("cgroup v2 ")) {
    const std::string cgroup = mechanism.substr(10, mechanism.find(',') - 10);
    EXPECT_FALSE(fs::exists(cgroup)) << cgroup;
  }
#endif
}

// A daemon that double-forks (POSIX: and starts a session of its own) is no
// descendant of the step any more: the subreaper, or the job, still has it.
TEST_F(RunIsolateCli, ADoubleForkingDaemonIsStillFoundAndEnded) {
  const test::ProcessResult result = run({"--json"}, {"leak", ready(), "0", "--daemon"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  ASSERT_NE(holder_, 0u) << result.err;
  const json report = report_in(result.out);
  const json* process = process_in(report, holder_);
  ASSERT_NE(process, nullptr) << report.dump(2);
  EXPECT_EQ((*process)["name"], holder_name);
  EXPECT_TRUE(process_gone(holder_));
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_TRUE(list_directory(shared_).empty());
}

// --keep-running: the process goes on, and so does the directory it uses.
TEST_F(RunIsolateCli, KeepRunningLeavesTheProcessAndItsDirectory) {
  const test::ProcessResult result = run({"--keep-running", "--json"}, {"leak", ready(), "0"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  ASSERT_NE(holder_, 0u) << result.err;
  const json report = report_in(result.out);
  const json* process = process_in(report, holder_);
  ASSERT_NE(process, nullptr) << report.dump(2);
  EXPECT_EQ((*process)["outcome"], "kept_running");
  EXPECT_TRUE(report["kept_running"].get<bool>());
  EXPECT_FALSE(report["removed"].get<bool>());
  EXPECT_FALSE(process_gone(holder_));
  const std::string directory = report["temp_directory"];
  EXPECT_TRUE(fs::exists(fs_path(join(directory, "held.txt"))));
  EXPECT_TRUE(contains(result.err, "left running (--keep-running)")) << result.err;
  EXPECT_TRUE(contains(result.err, "is left for them (--keep-running)")) << result.err;
  // Recorded as the holder's: cleanup --orphaned removes it once it has ended.
  const test::ProcessResult listed = test::run_tmpctl({"list", "--json"});
  EXPECT_TRUE(contains(listed.out, "\"pid\":" + std::to_string(holder_) + ",")) << listed.out;
  // Windows: the test harness's own directory for tmpctl's output stays
  // while the process kept running holds the output files it inherited.
  for (const std::string& name : list_directory(shared_))
    if (!name.starts_with("tmpctl-test-io."))
      ADD_FAILURE() << "left in the shared temp directory: " << name;
  // The test lets it go, then removes what it kept.
  std::error_code ignored;
  fs::remove(fs_path(ready()), ignored);
  test::wait_while([&] { return !process_gone(holder_); }, std::chrono::seconds(30));
  fs::remove_all(fs_path(directory), ignored);
}

// --fail-on-leak: 123 for a process left, 122 for files only; COMMAND's own
// failure comes first; nothing left, nothing to fail on.
TEST_F(RunIsolateCli, FailOnLeakExitsWithItsDocumentedCodes) {
  const test::ProcessResult processes = run({"--fail-on-leak"}, {"leak", ready(), "0"});
  EXPECT_EQ(processes.exit_code, 123) << processes.err;
  EXPECT_TRUE(process_gone(holder_));
  const test::ProcessResult files = run({"--fail-on-leak"}, {"args", "0"});
  EXPECT_EQ(files.exit_code, 122) << files.err;
  EXPECT_TRUE(contains(files.err, "in its temp directory")) << files.err;
  const test::ProcessResult failed = run({"--fail-on-leak"}, {"args", "3"});
  EXPECT_EQ(failed.exit_code, 3) << failed.err;
  const test::ProcessResult clean = test::run_tmpctl(
      {"run", "--isolate", "--fail-on-leak", "-p", temp_, "--", test::tmpctl_path(), "--version"});
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.err, "");
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_TRUE(list_directory(shared_).empty());
}

TEST_F(RunIsolateCli, OptionsThatNeedIsolateAreRefusedWithoutIt) {
  for (const char* option : {"--keep-running", "--fail-on-leak", "--json"}) {
    const test::ProcessResult result =
        test::run_tmpctl({"run", option, "-p", temp_, "--", test::tmpctl_path(), "--version"});
    EXPECT_EQ(result.exit_code, 125) << option << "\n" << result.err;
    EXPECT_TRUE(contains(result.err, "--isolate")) << result.err;
    EXPECT_TRUE(list_directory(temp_).empty());
  }
}

#ifdef _WIN32
// The Job Object ends the tree with tmpctl: killed (TerminateProcess, as a
// CI runner's timeout does), tmpctl leaves no process of COMMAND's behind.
TEST_F(RunIsolateCli, AKilledTmpctlTakesItsTreeWithIt) {
  test::ChildProcess tmpctl =
      test::ChildProcess::start({test::tmpctl_path(), "run", "--isolate", "-p", temp_, "--",
                                 test::helper_path("run_probe"), "wait", ready()},
                                join(scratch(), "out"), join(scratch(), "err"));
  test::wait_while([&] { return read_file(ready()).empty(); }, std::chrono::seconds(30));
  const std::string probe = read_file(ready());
  ASSERT_FALSE(probe.empty()) << read_file(join(scratch(), "err"));
  const std::uint32_t pid = static_cast<std::uint32_t>(std::stoul(probe));
  const HANDLE process = OpenProcess(PROCESS_TERMINATE, FALSE, tmpctl.pid());
  ASSERT_NE(process, nullptr);
  EXPECT_TRUE(TerminateProcess(process, 9));
  CloseHandle(process);
  EXPECT_EQ(tmpctl.wait(), 9);
  test::wait_while([&] { return !process_gone(pid); }, std::chrono::seconds(10));
  EXPECT_TRUE(process_gone(pid)) << "the probe outlived the job";
  // What tmpctl could not clean up stays, recorded (cleanup --orphaned).
  std::error_code ignored;
  fs::remove(fs_path(ready()), ignored);
}
#endif

#ifndef _WIN32
// A process of the tree that runs as another user (a setuid program, sudo)
// is COMMAND's all the same: as root, tmpctl ends it.
TEST_F(RunIsolateCli, AnotherUsersProcessInTheTreeIsEndedToo) {
  if (::geteuid() != 0) GTEST_SKIP() << "starts a process as nobody, which needs root";
  if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "needs setpriv to run as nobody";
  const test::ProcessResult result = test::run_tmpctl(
      {"run", "--isolate", "--json", "-p", temp_, "--", "/bin/sh", "-c",
       "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups sleep 100 & sleep 2"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const json report = report_in(result.out);
  ASSERT_EQ(report["processes"].size(), 1u) << report.dump(2);
  const json& process = report["processes"][0];
  EXPECT_NE(process["user"], "root") << process.dump();  // setpriv's first act, long before 2 s
  EXPECT_EQ(process["outcome"], "ended") << process.dump();
  EXPECT_TRUE(process_gone(process["pid"].get<std::uint32_t>()));
  EXPECT_TRUE(list_directory(temp_).empty());
}

// Where no cgroup can be made (an unprivileged user, as most CI jobs are not
// root): the subreaper and the process group alone still find the daemon.
TEST_F(RunIsolateCli, WithoutACgroupTheSubreaperStillFindsTheDaemon) {
  if (::geteuid() != 0) GTEST_SKIP() << "runs tmpctl as nobody, which needs root";
  if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "needs setpriv to run as nobody";
  ASSERT_EQ(::chmod(scratch().c_str(), 0777), 0);
  for (const std::string& directory : {temp_, shared_})
    ASSERT_EQ(::chmod(directory.c_str(), 0777), 0);
  fs::create_directory(fs_path(records_));
  ASSERT_EQ(::chmod(records_.c_str(), 0777), 0);
  std::vector<std::string> arguments{"/usr/bin/setpriv",
                                     "--reuid=65534",
                                     "--regid=65534",
                                     "--clear-groups",
                                     test::tmpctl_path(),
                                     "run",
                                     "--isolate",
                                     "--json",
                                     "-p",
                                     temp_,
                                     "--",
                                     test::helper_path("run_probe"),
                                     "leak",
                                     ready(),
                                     "0",
                                     "--daemon"};
  const test::ProcessResult result = test::run_process(arguments);
  const std::string pid = read_file(ready());
  if (!pid.empty()) holder_ = static_cast<std::uint32_t>(std::stoul(pid));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  ASSERT_NE(holder_, 0u) << result.err;
  const json report = report_in(result.out);
  const std::string mechanism = report["mechanism"];
  EXPECT_TRUE(mechanism.starts_with("child subreaper")) << mechanism;  // no cgroup
  ASSERT_NE(process_in(report, holder_), nullptr) << report.dump(2);
  EXPECT_TRUE(process_gone(holder_));
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_TRUE(list_directory(shared_).empty());
}
#endif

}  // namespace
}  // namespace tmpctl
