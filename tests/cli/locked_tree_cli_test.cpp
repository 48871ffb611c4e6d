// Black-box tests of locked trees (issue 15): who holds anything in a
// directory, grouped by process; --wait with its timeline; --terminate and
// --terminate-tree with their guard rails. Real holders (tests/helpers/
// hold_file, shells), on Linux and under Wine.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/mkstemp_style.hpp"
#include "support/process.hpp"
#include "support/ready_marker.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#include <io.h>
#else
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::fs_path;
using test::HeldFile;
using test::join;
using test::run_tmpctl;
using test::split;
using test::this_pid;

class LockedTreeCli : public test::ScratchDirectoryTest {
protected:
  // tree/a/held.tmp, tree/b/ (a working directory), tree/c/free.tmp
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    tree_ = join(scratch(), "tree");
    for (const char* directory : {"a", "b", "c"})
      fs::create_directories(fs_path(join(tree_, directory)));
    held_ = join(join(tree_, "a"), "held.tmp");
    std::ofstream(fs_path(held_)) << "held";
    std::ofstream(fs_path(join(join(tree_, "c"), "free.tmp"))) << "free";
    cwd_ = join(tree_, "b");
  }

  static nlohmann::json only_report(const test::ProcessResult& result) {
    const auto lines = split(result.out);
    EXPECT_EQ(lines.size(), 1u) << result.out << result.err;
    return lines.empty() ? nlohmann::json::object() : nlohmann::json::parse(lines.front());
  }

  // The entry of `report["held_inside"]` for `pid`, or null.
  static nlohmann::json held_by(const nlohmann::json& report, std::uint32_t pid) {
    for (const auto& process : report.at("held_inside"))
      if (process.at("pid").get<std::uint32_t>() == pid) return process;
    return nullptr;
  }

  static nlohmann::json termination_of(const nlohmann::json& report, std::uint32_t pid) {
    for (const auto& termination : report.at("terminated"))
      if (termination.at("pid").get<std::uint32_t>() == pid) return termination;
    return nullptr;
  }

  // A directory of its own for each holder's ready marker.
  std::string holder_dir(const std::string& name) {
    const std::string directory = join(scratch(), name);
    fs::create_directories(fs_path(directory));
    return directory;
  }

  std::string tree_, held_, cwd_;
};

TEST_F(LockedTreeCli, DiagnoseADirectoryNamesEveryHolderInsideGroupedByProcess) {
  HeldFile file_holder(held_, holder_dir("file"));
  HeldFile cwd_holder(cwd_, holder_dir("cwd"), HeldFile::Mode::working_directory);

  const test::ProcessResult json = run_tmpctl({"diagnose", "--json", tree_});
  const nlohmann::json report = only_report(json);
  const nlohmann::json file = held_by(report, file_holder.pid());
  const nlohmann::json cwd = held_by(report, cwd_holder.pid());
  ASSERT_FALSE(file.is_null()) << json.out;
  ASSERT_FALSE(cwd.is_null()) << json.out;
  ASSERT_EQ(file.at("entries").size(), 1u) << json.out;
  EXPECT_EQ(file.at("entries")[0].at("path"), held_) << json.out;
  EXPECT_EQ(cwd.at("entries")[0].at("path"), cwd_) << json.out;
  EXPECT_EQ(file.at("relation"), "unrelated");
  EXPECT_FALSE(file.at("name").get<std::string>().empty()) << json.out;
  // Nobody holds c/free.tmp.
  EXPECT_FALSE(contains(json.out, "free.tmp")) << json.out;
  EXPECT_EQ(report.at("outcome"), "is_a_directory");  // as remove without -r would be

  const test::ProcessResult text = run_tmpctl({"diagnose", tree_});
  EXPECT_TRUE(contains(text.out, "process " + std::to_string(file_holder.pid())));
  EXPECT_TRUE(contains(text.out, held_ + ": ")) << text.out;
  EXPECT_TRUE(contains(text.out, "holds an entry inside it")) << text.out;
  // Nothing was deleted.
  EXPECT_TRUE(fs::exists(fs_path(held_)));
}

TEST_F(LockedTreeCli, RemoveWaitsOutAHolderThatLetsGoAndReportsTheTimeline) {
  HeldFile holder(held_, scratch());
  const std::string out = join(scratch(), "remove.out");
  const std::string err = join(scratch(), "remove.err");
  test::ChildProcess remover = test::ChildProcess::start(
      {test::tmpctl_path(), "remove", "-r", "--json", "--wait", "30s", tree_}, out, err);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  holder.release();
  ASSERT_EQ(remover.wait(), 0) << test::read_file(out) << test::read_file(err);
  EXPECT_FALSE(fs::exists(fs_path(tree_)));
  const nlohmann::json report = nlohmann::json::parse(split(test::read_file(out)).at(0));
  EXPECT_EQ(report.at("outcome"), "removed");
  bool found = false;
  for (const auto& span : report.at("timeline")) {
    if (span.at("pid").get<std::uint32_t>() != holder.pid()) continue;
    found = true;
    EXPECT_TRUE(span.at("released").get<bool>()) << report.dump();
    // Held from the start until it let go, about 2 s later.
    EXPECT_EQ(span.at("from_ms"), 0) << report.dump();
    EXPECT_GE(span.at("until_ms").get<int>(), 1000) << report.dump();
  }
  EXPECT_TRUE(found) << report.dump();
  EXPECT_LT(report.at("waited_ms").get<int>(), 25000) << report.dump();
}

// cleanup --json -v: the entry lines, then the summary line.
struct CleanupRun {
  std::vector<nlohmann::json> entries;
  nlohmann::json summary;  // the last line: "summary", "timeline", "terminated"...
  // How many lines name `path`.
  std::size_t lines_naming(const std::string& path) const {
    return static_cast<std::size_t>(std::ranges::count_if(
        entries, [&](const nlohmann::json& entry) { return entry.at("path") == path; }));
  }
  const nlohmann::json* entry_for(const std::string& path) const {
    for (const auto& entry : entries)
      if (entry.at("path") == path) return &entry;
    return nullptr;
  }
};

CleanupRun parse_cleanup(const std::string& out) {
  CleanupRun run;
  const auto lines = split(out);
  EXPECT_FALSE(lines.empty()) << out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const nlohmann::json line = nlohmann::json::parse(lines[i]);
    if (i + 1 == lines.size())
      run.summary = line;
    else
      run.entries.push_back(line);
  }
  return run;
}

TEST_F(LockedTreeCli, CleanupWaitsForTheHolderOfAStaleEntryThenRemovesIt) {
  HeldFile holder(held_, scratch());
  const std::string out = join(scratch(), "cleanup.out");
  const std::string err = join(scratch(), "cleanup.err");
  test::ChildProcess cleaner = test::ChildProcess::start(
      {test::tmpctl_path(), "cleanup", "--json", "-v", "--older-than", "0", "--wait", "30s", tree_},
      out, err);
  // c/ goes in the first look; the wait comes after it. On Windows the first
  // look ends with a search of the handle table for the holders of what it
  // kept (up to a second or two under Wine on a busy machine), so the holder
  // lets go later there, to let go during the wait.
  test::wait_while([&] { return fs::exists(fs_path(join(tree_, "c"))); },
                   std::chrono::milliseconds(60000));
#ifdef _WIN32
  std::this_thread::sleep_for(std::chrono::milliseconds(5000));
#else
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
#endif
  holder.release();
  ASSERT_EQ(cleaner.wait(), 0) << test::read_file(out) << test::read_file(err);
  const CleanupRun run = parse_cleanup(test::read_file(out));

  // Everything went, the held file and its directory after the wait; the
  // root stays, as it always does.
  EXPECT_TRUE(fs::exists(fs_path(tree_)));
  EXPECT_TRUE(fs::is_empty(fs_path(tree_)));
  // Each entry is told once, as it ended: the held one as removed.
  ASSERT_NE(run.entry_for(held_), nullptr) << test::read_file(out);
  EXPECT_EQ(run.lines_naming(held_), 1u) << test::read_file(out);
  EXPECT_EQ(run.entry_for(held_)->at("action"), "removed");
  EXPECT_EQ(run.lines_naming(join(tree_, "a")), 1u) << test::read_file(out);
  EXPECT_EQ(run.summary.at("summary").at("skipped").at("in_use"), 0) << run.summary.dump();
  EXPECT_EQ(run.summary.at("summary").at("kept").at("not_empty"), 0) << run.summary.dump();
  // a/, a/held.tmp, b/, c/, c/free.tmp
  EXPECT_EQ(run.summary.at("summary").at("removed"), 5) << run.summary.dump();
  bool found = false;
  for (const auto& span : run.summary.at("timeline")) {
    if (span.at("pid").get<std::uint32_t>() != holder.pid()) continue;
    found = true;
    // Held when the wait began, and let go during it.
    EXPECT_EQ(span.at("from_ms"), 0) << run.summary.dump();
    EXPECT_TRUE(span.at("released").get<bool>()) << run.summary.dump();
    EXPECT_GT(span.at("until_ms").get<int>(), 0) << run.summary.dump();
  }
  EXPECT_TRUE(found) << run.summary.dump();
  EXPECT_LT(run.summary.at("waited_ms").get<int>(), 25000) << run.summary.dump();
}

TEST_F(LockedTreeCli, CleanupWhoseWaitRunsOutKeepsTheEntryAndTellsItOnce) {
  HeldFile holder(held_, scratch());
  const test::ProcessResult result =
      run_tmpctl({"cleanup", "--json", "-v", "--older-than", "0", "--wait", "1s", tree_});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const CleanupRun run = parse_cleanup(result.out);
  EXPECT_TRUE(fs::exists(fs_path(held_)));
  ASSERT_NE(run.entry_for(held_), nullptr) << result.out;
  EXPECT_EQ(run.lines_naming(held_), 1u) << result.out;
  EXPECT_EQ(run.entry_for(held_)->at("reason"), "in_use");
  EXPECT_EQ(run.summary.at("summary").at("skipped").at("in_use"), 1) << run.summary.dump();
  // a/ keeps the held file: counted once as a directory kept non-empty.
  EXPECT_EQ(run.summary.at("summary").at("kept").at("not_empty"), 1) << run.summary.dump();
  ASSERT_EQ(run.summary.at("timeline").size(), 1u) << run.summary.dump();
  EXPECT_EQ(run.summary.at("timeline").at(0).at("pid").get<std::uint32_t>(), holder.pid());
  EXPECT_FALSE(run.summary.at("timeline").at(0).at("released").get<bool>());
  // The other entries went in the first look, and were told once.
  EXPECT_FALSE(fs::exists(fs_path(join(tree_, "c"))));
  EXPECT_EQ(run.lines_naming(join(join(tree_, "c"), "free.tmp")), 1u) << result.out;
}

TEST_F(LockedTreeCli, CleanupTerminateEndsTheHolderOfAStaleEntry) {
  HeldFile holder(held_, scratch());
  const std::uint32_t pid = holder.pid();

  // A dry run says whom it would end, and ends nobody.
  const test::ProcessResult dry =
      run_tmpctl({"cleanup", "--json", "--dry-run", "--older-than", "0", "--terminate", tree_});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  const CleanupRun planned = parse_cleanup(dry.out);
  ASSERT_FALSE(termination_of(planned.summary, pid).is_null()) << planned.summary.dump();
  EXPECT_EQ(termination_of(planned.summary, pid).at("outcome"), "would_end");
  EXPECT_EQ(planned.lines_naming(held_), 1u) << dry.out;
  EXPECT_TRUE(fs::exists(fs_path(held_)));

  const test::ProcessResult result = run_tmpctl(
      {"cleanup", "--json", "-v", "--older-than", "0", "--terminate", "--grace", "5s", tree_});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const CleanupRun run = parse_cleanup(result.out);
  const nlohmann::json termination = termination_of(run.summary, pid);
  ASSERT_FALSE(termination.is_null()) << run.summary.dump();
  EXPECT_TRUE(termination.at("outcome") == "ended" || termination.at("outcome") == "killed")
      << run.summary.dump();
  EXPECT_NE(holder.wait_ended(), 0);
  EXPECT_FALSE(fs::exists(fs_path(held_)));
  ASSERT_NE(run.entry_for(held_), nullptr) << result.out;
  EXPECT_EQ(run.lines_naming(held_), 1u) << result.out;
  EXPECT_EQ(run.entry_for(held_)->at("action"), "removed");
  EXPECT_TRUE(fs::is_empty(fs_path(tree_)));
}

TEST_F(LockedTreeCli, AWaitThatRunsOutSaysWhoStillHoldsIt) {
  HeldFile holder(held_, scratch());
  const test::ProcessResult result = run_tmpctl({"diagnose", "--wait", "1s", tree_});
  EXPECT_TRUE(contains(result.out, "still held after")) << result.out;
  EXPECT_TRUE(contains(result.out, "process " + std::to_string(holder.pid()))) << result.out;
  EXPECT_TRUE(fs::exists(fs_path(held_)));
}

TEST_F(LockedTreeCli, TerminateEndsTheHolderAndRemovesTheTree) {
  HeldFile holder(held_, scratch());
  const std::uint32_t pid = holder.pid();

  // diagnose --terminate only says whom it would end.
  const nlohmann::json dry = only_report(run_tmpctl({"diagnose", "--json", "--terminate", tree_}));
  ASSERT_FALSE(termination_of(dry, pid).is_null()) << dry.dump();
  EXPECT_EQ(termination_of(dry, pid).at("outcome"), "would_end") << dry.dump();
  EXPECT_TRUE(fs::exists(fs_path(held_)));

  const test::ProcessResult result =
      run_tmpctl({"remove", "-r", "--json", "--terminate", "--grace", "5s", tree_});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  const nlohmann::json report = only_report(result);
  const nlohmann::json termination = termination_of(report, pid);
  ASSERT_FALSE(termination.is_null()) << report.dump();
  EXPECT_TRUE(termination.at("outcome") == "ended" || termination.at("outcome") == "killed")
      << report.dump();
  EXPECT_FALSE(fs::exists(fs_path(tree_)));
  EXPECT_NE(holder.wait_ended(), 0);

  // Without --json, each ended process is reported on stderr.
  fs::create_directories(fs_path(join(tree_, "a")));
  std::ofstream(fs_path(held_)) << "again";
  HeldFile again(held_, holder_dir("again"));
  const test::ProcessResult text = run_tmpctl({"remove", "-r", "--terminate", tree_});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.err, "ended process " + std::to_string(again.pid()))) << text.err;
  EXPECT_NE(again.wait_ended(), 0);
}

TEST_F(LockedTreeCli, AHolderThatRanTmpctlIsNamedAsItsParentAndNeverEnded) {
  // This test program holds the file, as a script that called mkstemp and
  // then tmpctl without closing the descriptor.
  const int fd = test::open_like_mkstemp(held_);
  ASSERT_GE(fd, 0);
  const test::ProcessResult diagnosis = run_tmpctl({"diagnose", "--json", "--terminate", tree_});
  const nlohmann::json report = only_report(diagnosis);
  const nlohmann::json us = held_by(report, this_pid());
  ASSERT_FALSE(us.is_null()) << diagnosis.out;
  EXPECT_EQ(us.at("relation"), "parent") << diagnosis.out;
  const nlohmann::json refused = termination_of(report, this_pid());
  ASSERT_FALSE(refused.is_null()) << diagnosis.out;
  EXPECT_EQ(refused.at("outcome"), "refused");
  EXPECT_EQ(refused.at("refusal"), "caller");
  EXPECT_TRUE(contains(diagnosis.out, "close_in_caller")) << diagnosis.out;

  const test::ProcessResult removal = run_tmpctl({"remove", "-r", "--terminate", tree_});
  EXPECT_TRUE(contains(removal.err, "will not end process " + std::to_string(this_pid())))
      << removal.err;
  EXPECT_TRUE(contains(removal.err, "the parent of tmpctl")) << removal.err;
#ifdef _WIN32
  // Held without FILE_SHARE_DELETE: it stays, and so does this process.
  EXPECT_EQ(removal.exit_code, 3) << removal.err;
  _close(fd);
#else
  EXPECT_EQ(removal.exit_code, 0) << removal.err;
  ::close(fd);
#endif
}

TEST_F(LockedTreeCli, TerminateGoesWithItsOptionsOnly) {
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"remove", "-r", "--grace", "1s", tree_},
        std::vector<std::string>{"remove", "-r", "--all-users", tree_},
        std::vector<std::string>{"remove", "-r", "--yes", tree_},
        std::vector<std::string>{"remove", "-r", "--terminate", "--grace=", tree_},
        std::vector<std::string>{"remove", "-r", "--wait=", tree_},
        std::vector<std::string>{"remove", "-r", "--terminate", "--no-holders", tree_}}) {
    const test::ProcessResult result = run_tmpctl(arguments);
    EXPECT_EQ(result.exit_code, 2) << test::join(tree_, "") << result.err;
    EXPECT_TRUE(fs::exists(fs_path(held_))) << result.err;
  }
}

TEST_F(LockedTreeCli, DeletedFilesStillOpenAreListedWithTheirSizeAndHolder) {
  const std::string big = join(tree_, "big.log");
  std::ofstream(fs_path(big), std::ios::binary) << std::string(65536, 'x');
  HeldFile holder(big, holder_dir("big"));
  std::error_code refused;  // Windows: a sharing violation, and the name stays
  fs::remove(fs_path(big), refused);
  const test::ProcessResult result = run_tmpctl({"diagnose", "--deleted", "--json", tree_});
#ifdef _WIN32
  // The delete was refused (WinError 32: held without FILE_SHARE_DELETE), so
  // the file is not deleted and not listed. A file whose delete is pending
  // would be, but Wine reports DeletePending 0 on every handle: that side of
  // the scan is untested here (docs/platforms.md).
  EXPECT_TRUE(refused) << "the delete was refused";
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const nlohmann::json report = nlohmann::json::parse(split(result.out).at(0));
  for (const auto& process : report.at("deleted_open"))
    EXPECT_NE(process.at("pid").get<std::uint32_t>(), holder.pid()) << result.out;
  EXPECT_FALSE(contains(result.out, "big.log")) << result.out;
  const test::ProcessResult everywhere = run_tmpctl({"diagnose", "--deleted"});
  EXPECT_EQ(everywhere.exit_code, 0) << everywhere.err;
  EXPECT_FALSE(contains(everywhere.out, "big.log")) << everywhere.out;
  EXPECT_TRUE(contains(everywhere.out, " in files deleted but still open\n")) << everywhere.out;
#else
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json report = nlohmann::json::parse(split(result.out).at(0));
  bool found = false;
  for (const auto& process : report.at("deleted_open")) {
    if (process.at("pid").get<std::uint32_t>() != holder.pid()) continue;
    found = true;
    ASSERT_EQ(process.at("files").size(), 1u) << result.out;
    EXPECT_EQ(process.at("files")[0].at("path"), big) << result.out;
    EXPECT_EQ(process.at("files")[0].at("size"), 65536) << result.out;
    EXPECT_EQ(process.at("bytes"), 65536) << result.out;
  }
  EXPECT_TRUE(found) << result.out;
  EXPECT_GE(report.at("bytes").get<std::uint64_t>(), 65536u) << result.out;
  // Under another directory it is not listed.
  const test::ProcessResult elsewhere =
      run_tmpctl({"diagnose", "--deleted", "--json", join(tree_, "c")});
  EXPECT_FALSE(contains(elsewhere.out, "big.log")) << elsewhere.out;
  // Text: the process, the path it had, the size.
  const test::ProcessResult text = run_tmpctl({"diagnose", "--deleted", tree_});
  EXPECT_TRUE(contains(text.out, big + " (64.0 KiB): fd ")) << text.out;
#endif
}

#ifndef _WIN32

// A shell that starts `sleep` (which holds nothing), then opens the file and
// waits: pid of the shell, and of the sleep through `pid_file`.
struct ShellWithChild {
  test::ChildProcess shell;
  std::uint32_t child = 0;
};

ShellWithChild start_shell_with_child(const std::string& held, const std::string& scratch,
                                      const std::string& script) {
  const std::string pid_file = join(scratch, "child.pid");
  fs::remove(fs_path(pid_file));
  ShellWithChild started{
      test::ChildProcess::start({"/bin/sh", "-c", script, held, pid_file}, join(scratch, "sh.out"),
                                join(scratch, "sh.err")),
      0};
  for (int i = 0; i < 200 && started.child == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::string text = test::read_file(pid_file);
    if (text.ends_with('\n')) started.child = static_cast<std::uint32_t>(std::stoul(text));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the shell opens the file
  return started;
}

bool alive(std::uint32_t pid) {
  if (::kill(static_cast<pid_t>(pid), 0) != 0) return false;
  // A zombie (not yet reaped by init) has exited.
  const std::string stat = test::read_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

constexpr const char* child_then_hold =
    "sleep 60 & echo $! > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec 3<\"$0\"; wait";

TEST_F(LockedTreeCli, TerminateTreeEndsTheHoldersChildrenTooTerminateAloneDoesNot) {
  ShellWithChild first = start_shell_with_child(held_, scratch(), child_then_hold);
  ASSERT_NE(first.child, 0u);
  const test::ProcessResult alone = run_tmpctl({"remove", "-r", "--terminate", tree_});
  EXPECT_EQ(alone.exit_code, 0) << alone.err;
  first.shell.wait();
  EXPECT_TRUE(alive(first.child)) << "--terminate alone ended a child that held nothing";
  ::kill(static_cast<pid_t>(first.child), SIGKILL);

  fs::create_directories(fs_path(join(tree_, "a")));
  std::ofstream(fs_path(held_)) << "again";
  ShellWithChild second = start_shell_with_child(held_, scratch(), child_then_hold);
  ASSERT_NE(second.child, 0u);
  const std::uint32_t shell = second.shell.pid();
  const test::ProcessResult tree =
      run_tmpctl({"remove", "-r", "--json", "--terminate-tree", tree_});
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  second.shell.wait();
  for (int i = 0; i < 100 && alive(second.child); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(alive(second.child)) << tree.out;
  const nlohmann::json report = nlohmann::json::parse(split(tree.out).at(0));
  const nlohmann::json child = termination_of(report, second.child);
  ASSERT_FALSE(child.is_null()) << tree.out;
  EXPECT_EQ(child.at("descends_from"), shell) << tree.out;
}

TEST_F(LockedTreeCli, AHolderThatIgnoresSigtermIsKilledAfterTheGrace) {
  ShellWithChild holder = start_shell_with_child(
      held_, scratch(),
      "trap '' TERM; echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec 3<\"$0\"; "
      "while :; do sleep 0.05; done");
  ASSERT_NE(holder.child, 0u);
  const std::uint32_t pid = holder.shell.pid();
  const auto started = std::chrono::steady_clock::now();
  const test::ProcessResult result =
      run_tmpctl({"remove", "-r", "--json", "--terminate", "--grace", "1s", tree_});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  holder.shell.wait();
  const nlohmann::json report = nlohmann::json::parse(split(result.out).at(0));
  const nlohmann::json shell = termination_of(report, pid);
  ASSERT_FALSE(shell.is_null()) << result.out;
  EXPECT_EQ(shell.at("outcome"), "killed") << result.out;
  EXPECT_EQ(shell.at("method"), "SIGKILL") << result.out;
  EXPECT_GE(took, std::chrono::milliseconds(900));
}

TEST_F(LockedTreeCli, AnotherUsersHolderIsEndedOnlyWithAllUsers) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to start a holder as nobody";
  // nobody must reach the file: the scratch directory is this test's own.
  for (const std::string& directory : {scratch(), tree_, join(tree_, "a")})
    ::chmod(directory.c_str(), 0755);
  ::chmod(held_.c_str(), 0644);
  const std::string pids = join(scratch(), "pids");  // where nobody may write
  fs::create_directories(fs_path(pids));
  ::chmod(pids.c_str(), 0777);
  const std::string pid_file = join(pids, "nobody.pid");
  test::ChildProcess nobody = test::ChildProcess::start(
      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c",
       "echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec 3<\"$0\"; exec sleep 60", held_, pid_file},
      join(scratch(), "nobody.out"), join(scratch(), "nobody.err"));
  std::uint32_t pid = 0;
  for (int i = 0; i < 200 && pid == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::string text = test::read_file(pid_file);
    if (text.ends_with('\n')) pid = static_cast<std::uint32_t>(std::stoul(text));
  }
  ASSERT_NE(pid, 0u) << test::read_file(join(scratch(), "nobody.err"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  const test::ProcessResult refused = run_tmpctl({"diagnose", "--json", "--terminate", tree_});
  const nlohmann::json dry = only_report(refused);
  ASSERT_FALSE(termination_of(dry, pid).is_null()) << refused.out;
  EXPECT_EQ(termination_of(dry, pid).at("refusal"), "other_user") << refused.out;
  EXPECT_EQ(held_by(dry, pid).at("user"), "nobody") << refused.out;
  const test::ProcessResult all =
      run_tmpctl({"diagnose", "--json", "--terminate", "--all-users", tree_});
  EXPECT_EQ(termination_of(only_report(all), pid).at("outcome"), "would_end") << all.out;
  const test::ProcessResult kept = run_tmpctl({"remove", "-r", "--terminate", tree_});
  EXPECT_TRUE(contains(kept.err, "runs as another user")) << kept.err;
  EXPECT_TRUE(alive(pid));
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  nobody.wait();
}

#endif

}  // namespace
}  // namespace tmpctl
