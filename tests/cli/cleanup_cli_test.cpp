// Black-box tests of `tmpctl cleanup` on the real file system: what goes,
// what stays, and why. Ages are set with last_write_time and judged with
// --age-by mtime, since no program can set a file's ctime.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <set>
#include <thread>

#include "support/process.hpp"
#include "support/ready_marker.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>

#include "platform/win32/unicode.hpp"
#else
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::exists;
using test::fs_path;
using test::HeldFile;
using test::join;
using test::run_tmpctl;
using test::split;

constexpr auto old_age = std::chrono::hours(24 * 20);

class CleanupCli : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    root_ = join(scratch(), "root");
    fs::create_directory(fs_path(root_));
  }

  // The path of `relative` ('/'-separated) below the root, in the OS's form.
  std::string below(std::string relative) const {
    std::ranges::replace(relative, '/', test::separator);
    return join(root_, relative);
  }

  // A file below the root (parents made as needed), old unless `fresh`.
  std::string file(const std::string& relative, bool fresh = false) {
    const std::string path = below(relative);
    fs::create_directories(fs_path(path).parent_path());
    std::ofstream(fs_path(path)) << "data";
    if (!fresh) age(path);
    return path;
  }
  std::string directory(const std::string& relative, bool fresh = false) {
    const std::string path = below(relative);
    fs::create_directories(fs_path(path));
    if (!fresh) age(path);
    return path;
  }
  static void age(const std::string& path) {
#ifdef _WIN32
    // mingw's last_write_time cannot open directories: set it through a handle.
    auto wide = platform::win32::widen(path);
    ASSERT_TRUE(wide);
    HANDLE handle =
        CreateFileW(wide->c_str(), FILE_WRITE_ATTRIBUTES,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    ASSERT_NE(handle, INVALID_HANDLE_VALUE) << path;
    FILETIME now;
    GetSystemTimeAsFileTime(&now);
    ULARGE_INTEGER value{{ now.dwLowDateTime, now.dwHighDateTime }};
    value.QuadPart -= static_cast<ULONGLONG>(std::chrono::seconds(old_age).count()) * 10'000'000;
    const FILETIME old{value.LowPart, value.HighPart};
    EXPECT_TRUE(SetFileTime(handle, nullptr, nullptr, &old)) << path;
    CloseHandle(handle);
#else
    fs::last_write_time(fs_path(path), fs::file_time_type::clock::now() - old_age);
#endif
  }
  // A file's or directory's last write time, in the OS's own units.
  static std::int64_t write_time(const std::string& path) {
#ifdef _WIN32
    WIN32_FILE_ATTRIBUTE_DATA data{};
    EXPECT_TRUE(GetFileAttributesExW(platform::win32::widen(path).value().c_str(),
                                     GetFileExInfoStandard, &data))
        << path;
    return static_cast<std::int64_t>(ULARGE_INTEGER{{
                                       data.ftLastWriteTime.dwLowDateTime,
                                       data.ftLastWriteTime.dwHighDateTime
                                     }}.QuadPart);
#else
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
#endif
  }  // A directory's inode change time (Windows: ChangeTime), which any write
  // of its times moves.
  static std::int64_t change_time(const std::string& path) {
#ifdef _WIN32
    const HANDLE handle =
        CreateFileW(platform::win32::widen(path).value().c_str(), FILE_READ_ATTRIBUTES,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    EXPECT_NE(handle, INVALID_HANDLE_VALUE) << path;
    FILE_BASIC_INFO basic{};
    EXPECT_TRUE(GetFileInformationByHandleEx(handle, FileBasicInfo, &basic, sizeof basic));
    CloseHandle(handle);
    return basic.ChangeTime.QuadPart;
#else
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
#endif
  }

  // Runs cleanup on the root with the test's age rule, then `extra`.
  test::ProcessResult cleanup(std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments = {"cleanup", "--age-by", "mtime", "--older-than", "7d"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    arguments.push_back(root_);
    return run_tmpctl(arguments);
  }

  // The JSON objects of a --json run: entries, then the summary last.
  static std::vector<nlohmann::json> objects(const std::string& out) {
    std::vector<nlohmann::json> parsed;
    for (const std::string& line : split(out)) parsed.push_back(nlohmann::json::parse(line));
    return parsed;
  }
  static std::set<std::string> paths_with(const std::vector<nlohmann::json>& entries,
                                          const std::string& action) {
    std::set<std::string> paths;
    for (const auto& entry : entries)
      if (entry.contains("action") && entry.at("action") == action)
        paths.insert(entry.contains("path_base64")
                         ? "base64:" + entry.at("path_base64").get<std::string>()
                         : entry.at("path").get<std::string>());
    return paths;
  }

  std::string root_;
};

// issue 12 item 15b: a stale directory that keeps a fresh entry keeps its
// stale times too: removing its other entries does not make it look used,
// so the next run judges it as this one did (Linux and Windows).
TEST_F(CleanupCli, ADirectoryThatKeepsAnEntryKeepsItsTimes) {
  file("half/a");
  file("half/b");
  file("half/deeper/c");
  file("half/fresh", true);
  age(below("half/deeper"));
  age(below("half"));
  const std::int64_t before = write_time(below("half"));
  auto result = cleanup({"-j1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(exists(below("half/a")));
  EXPECT_FALSE(exists(below("half/deeper")));
  EXPECT_TRUE(exists(below("half/fresh")));
  EXPECT_EQ(write_time(below("half")), before);
}

// A dry run writes nothing, a directory's times included: after it, every
// directory it would empty is exactly as it was (found by review: the
// Windows walk put times back after a dry run's "removals").
TEST_F(CleanupCli, ADryRunLeavesDirectoryTimesUntouched) {
  file("half/a");
  file("half/deeper/c");
  file("half/fresh", true);
  age(below("half/deeper"));
  age(below("half"));
  const std::int64_t written = write_time(below("half"));
  const std::int64_t changed = change_time(below("half"));
  const std::int64_t deeper_changed = change_time(below("half/deeper"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto result = cleanup({"--dry-run", "-j1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(exists(below("half/a")));
  EXPECT_EQ(write_time(below("half")), written);
  EXPECT_EQ(change_time(below("half")), changed);
  EXPECT_EQ(change_time(below("half/deeper")), deeper_changed);
}

TEST_F(CleanupCli, RemovesExactlyTheStaleSetAndKeepsTheRoot) {
  const std::string old_top = file("old.tmp");
  const std::string fresh_top = file("fresh.tmp", true);
  const std::string old_deep = file("a/b/old.log");
  const std::string fresh_deep = file("a/fresh.log", true);
  const std::string spaces = file("name with  spaces");
  const std::string dash = file("-rf");
  const std::string empty_old_dir = directory("empty-old");
  const std::string empty_fresh_dir = directory("empty-fresh", true);
  age(below("a/b"));      // emptied, and old itself: goes
  age(join(root_, "a"));  // old, but keeps a fresh file: stays
  age(root_);

  auto result = cleanup({"-v"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const std::string& gone : {old_top, old_deep, spaces, dash, empty_old_dir, below("a/b")}) {
    EXPECT_FALSE(exists(gone)) << gone;
    EXPECT_TRUE(contains(result.out, "removed " + gone + "\n")) << result.out;
  }
  for (const std::string& kept : {fresh_top, fresh_deep, empty_fresh_dir, join(root_, "a"), root_})
    EXPECT_TRUE(exists(kept)) << kept;
  EXPECT_TRUE(contains(result.err, "removed 6 entries")) << result.err;
  EXPECT_TRUE(contains(result.err, "failed 0")) << result.err;

  // Without -v, removals are only counted.
  file("later.tmp");
  auto quiet = cleanup();
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_TRUE(contains(quiet.err, "removed 1 entry")) << quiet.err;
}

TEST_F(CleanupCli, OddNamesComeOutAsValidJson) {
  std::vector<std::string> names = {"-leading-dash", "sp ace", "caf\xC3\xA9", "[x]"};
#ifndef _WIN32
  // POSIX names are bytes; Windows names are UTF-16 without control characters.
  names.push_back("new\nline");
  names.push_back("bad\xFFutf8");
#endif
  for (const std::string& name : names) file(name);
  auto result = cleanup({"--json", "-v"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto parsed = objects(result.out);
  ASSERT_EQ(parsed.size(), names.size() + 1);
  EXPECT_EQ(parsed.back().at("summary").at("removed"), names.size());
  std::set<std::string> reported;
  for (std::size_t i = 0; i + 1 < parsed.size(); ++i) {
    EXPECT_EQ(parsed[i].at("action"), "removed");
    EXPECT_EQ(parsed[i].at("type"), "file");
    EXPECT_EQ(parsed[i].at("size"), 4);
    reported.insert(test::base_name(parsed[i].at("path").get<std::string>()));
  }
  EXPECT_TRUE(reported.contains("caf\xC3\xA9"));
#ifndef _WIN32
  EXPECT_TRUE(reported.contains("new\nline"));
  // Not UTF-8: U+FFFD for people, the exact bytes in base64 for programs.
  const auto bad = std::ranges::find_if(
      parsed, [](const nlohmann::json& o) { return o.contains("path_base64"); });
  ASSERT_NE(bad, parsed.end());
  EXPECT_TRUE(contains(bad->at("path").get<std::string>(), "bad\xEF\xBF\xBDutf8"));
#endif
  EXPECT_TRUE(fs::is_empty(fs_path(root_)));
}

#ifndef _WIN32
TEST_F(CleanupCli, TextOutputKeepsOneEntryPerLine) {
  file("two\nlines");
  auto result = cleanup({"--dry-run"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "would remove " + join(root_, "two\\nlines") + "\n");
  EXPECT_TRUE(exists(join(root_, "two\nlines")));
}
#endif

TEST_F(CleanupCli, DryRunListsExactlyWhatARealRunRemoves) {
  for (int d = 0; d < 5; ++d)
    for (int f = 0; f < 6; ++f)
      file("d" + std::to_string(d) + "/f" + std::to_string(f), f % 2 == 0);
  file("deep/er/still/old");
  age(below("deep/er/still"));
  age(below("deep/er"));
  directory("old-empty");
  file("keep/me.txt");
  const std::vector<std::string> rules = {"--json", "-v", "--exclude", "keep"};
  auto dry = cleanup([&] {
    auto r = rules;
    r.push_back("--dry-run");
    return r;
  }());
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto real = cleanup(rules);
  ASSERT_EQ(real.exit_code, 0) << real.err;
  const auto would = paths_with(objects(dry.out), "would_remove");
  const auto removed = paths_with(objects(real.out), "removed");
  EXPECT_EQ(would, removed);
  EXPECT_EQ(removed.size(), 5u * 3 + 1 + 2 + 1);  // odd files, deep file + 2 dirs, old-empty
  EXPECT_TRUE(exists(below("keep/me.txt")));
  EXPECT_EQ(objects(dry.out).back().at("summary").at("dry_run"), true);
}

TEST_F(CleanupCli, AFileHeldOpenIsKeptAndItsHolderNamed) {
  const std::string held = file("held.tmp");
  const std::string free = file("free.tmp");
  HeldFile holder(held, scratch());
  // hold_file opened it: on POSIX that touches nothing, but be sure the age stands.
  age(held);
  auto result = cleanup({"--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(exists(held));
  EXPECT_FALSE(exists(free));
  const auto parsed = objects(result.out);
  ASSERT_EQ(parsed.size(), 2u) << result.out;
  EXPECT_EQ(parsed[0].at("action"), "skipped");
  EXPECT_EQ(parsed[0].at("reason"), "in_use");
  EXPECT_EQ(parsed[0].at("path"), held);
  bool named = false;
  for (const auto& h : parsed[0].at("holders")) named = named || h.at("pid") == holder.pid();
  EXPECT_TRUE(named) << parsed[0].dump();
  EXPECT_EQ(parsed[1].at("summary").at("skipped").at("in_use"), 1);

  // --strict turns it into a failure of the step; text names the holder.
  auto strict = cleanup({"--strict"});
  EXPECT_EQ(strict.exit_code, 3) << strict.err;
  EXPECT_TRUE(contains(strict.err, "skipped " + held + ": in use")) << strict.err;
  EXPECT_TRUE(contains(strict.err, "held by process " + std::to_string(holder.pid())))
      << strict.err;
  holder.release();
  auto after = cleanup();
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_FALSE(exists(held));
}

// Issue 14, from systemd-tmpfiles' own tests: age 0 ("0" or "0s") means
// regardless of age, as in tmpfiles.d: fresh entries go, and one whose time
// lies in the future too; what a process holds is still kept; the root stays.
TEST_F(CleanupCli, AgeZeroRemovesEverythingNotInUse) {
  for (const char* zero : {"0", "0s"}) {
    SCOPED_TRACE(zero);
    const std::string fresh = file("fresh.tmp", true);
    const std::string dir = directory("dir", true);
    const std::string inner = file("dir/inner.tmp", true);
    const std::string future = file("future.tmp", true);
    fs::last_write_time(fs_path(future), fs::file_time_type::clock::now() + std::chrono::hours(1));
    const std::string held = file("held.tmp", true);
    HeldFile holder(held, scratch());
    auto result = run_tmpctl({"cleanup", "--older-than", zero, "--age-by", "mtime", root_});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_FALSE(exists(fresh));
    EXPECT_FALSE(exists(inner));
    EXPECT_FALSE(exists(dir));
#ifdef _WIN32
    // Wine reports a file's ChangeTime as its last-write time, here an hour
    // ahead: "changed after the run began", so kept. (NTFS would move the
    // ChangeTime to the moment the time was set, and the file would go.)
    if (!test::running_under_wine()) {
      EXPECT_FALSE(exists(future));
    }
    fs::remove(fs_path(future));
#else
    EXPECT_FALSE(exists(future));
#endif
    EXPECT_TRUE(exists(held));
    EXPECT_TRUE(exists(root_));
    holder.release();
    fs::remove(fs_path(held));
  }
}

// Issue 12 item 10: a directory that is some process's working directory is
// in use; it is not entered, so it keeps everything in it, on both OSes
// (Windows: the open for delete meets the holder's handle, which lacks
// FILE_SHARE_DELETE; Linux: /proc/PID/cwd names it), in a dry run too.
TEST_F(CleanupCli, AWorkingDirectoryIsKeptWholeAndItsHolderNamed) {
  const std::string job = directory("job");
  const std::string output = file("job/stale-output");
  const std::string deeper = file("job/sub/deeper");
  age(below("job/sub"));
  HeldFile holder(job, scratch(), HeldFile::Mode::working_directory);
  age(job);
  const auto check = [&](const test::ProcessResult& result, const char* run) {
    EXPECT_EQ(result.exit_code, 0) << run << ": " << result.err;
    EXPECT_TRUE(exists(output)) << run;
    EXPECT_TRUE(exists(deeper)) << run;
    const auto parsed = objects(result.out);
    ASSERT_EQ(parsed.size(), 2u) << run << ": " << result.out;
    EXPECT_EQ(parsed[0].at("action"), "skipped") << run;
    EXPECT_EQ(parsed[0].at("reason"), "in_use") << run;
    EXPECT_EQ(parsed[0].at("path"), job) << run;
    bool named = false;
    for (const auto& h : parsed[0].at("holders")) named = named || h.at("pid") == holder.pid();
    EXPECT_TRUE(named) << run << ": " << parsed[0].dump();
    EXPECT_EQ(parsed[1].at("summary").at("skipped").at("in_use"), 1) << run;
  };
  check(cleanup({"--json", "--dry-run"}), "dry run");
  check(cleanup({"--json"}), "real run");
  holder.release();
  auto after = cleanup();
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_FALSE(exists(job));
}

TEST_F(CleanupCli, MatchExcludeTypeDepthAndKeepDirs) {
  file("tmp.a1/inner");
  age(join(root_, "tmp.a1"));
  file("other.txt");
  file("tmp.b2");
  file("sub/tmp.c3");
  file("sub/deeper/tmp.d4");
  age(below("sub/deeper"));
  auto matched = cleanup({"--match", "tmp.*", "--exclude", "*.b2", "--max-depth", "2"});
  EXPECT_EQ(matched.exit_code, 0) << matched.err;
  EXPECT_FALSE(exists(join(root_, "tmp.a1")));  // matched directory: it and its contents
  EXPECT_FALSE(exists(below("sub/tmp.c3")));
  EXPECT_TRUE(exists(join(root_, "other.txt")));
  EXPECT_TRUE(exists(join(root_, "tmp.b2")));       // excluded
  EXPECT_TRUE(exists(below("sub/deeper/tmp.d4")));  // beyond --max-depth

  auto files_only = cleanup({"--type", "file", "--match", "**/deeper/*"});
  EXPECT_EQ(files_only.exit_code, 0) << files_only.err;
  EXPECT_FALSE(exists(below("sub/deeper/tmp.d4")));
  EXPECT_TRUE(exists(below("sub/deeper")));  // a directory: not of the type asked for

  auto keep_dirs = cleanup({"--keep-dirs"});
  EXPECT_EQ(keep_dirs.exit_code, 0) << keep_dirs.err;
  EXPECT_FALSE(exists(join(root_, "other.txt")));
  EXPECT_TRUE(exists(below("sub/deeper")));
}

TEST_F(CleanupCli, BadUsageIsRefusedBeforeAnythingIsRemoved) {
  const std::string old = file("old");
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--older-than", "10x"},
                                              {"--older-than", "-5m"},
                                              {"--age-by", "mtime,ztime"},
                                              {"--type", "socket"},
                                              {"--match", "[oops"},
                                              {"--jobs", "0"},
                                              {"-j", "many"}}) {
    auto result = cleanup(bad);
    EXPECT_EQ(result.exit_code, 2) << bad[0] << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "tmpctl: ")) << result.err;
    EXPECT_TRUE(exists(old));
  }
}

TEST_F(CleanupCli, AMissingRootNamesThePathAndTheOsError) {
  const std::string missing = join(scratch(), "no-such-dir");
  auto result = run_tmpctl({"cleanup", missing});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_TRUE(contains(result.err, missing)) << result.err;
#ifdef _WIN32
  EXPECT_TRUE(contains(result.err, "(WinError 2, ERROR_FILE_NOT_FOUND)") ||
              contains(result.err, "(WinError 3, ERROR_PATH_NOT_FOUND)"))
      << result.err;
#else
  EXPECT_TRUE(contains(result.err, "(errno 2, ENOENT)")) << result.err;
#endif
  // And a missing root among good ones removes nothing at all.
  const std::string old = file("old");
  auto mixed = run_tmpctl({"cleanup", "--age-by", "mtime", root_, missing});
  EXPECT_EQ(mixed.exit_code, 4);
  EXPECT_TRUE(exists(old));
}

TEST_F(CleanupCli, ProtectedRootsNeedForce) {
  const char* home_variable = test::home_dir_variable;
  // The home directory, and any parent of it: here the scratch directory
  // plays the home, and the root inside it is allowed.
  test::ScopedEnvironment home(home_variable, join(scratch(), "home").c_str());
  fs::create_directory(fs_path(join(scratch(), "home")));
  const std::string inside_home = file("../home/old");
  for (const std::string& refused : {join(scratch(), "home"), scratch()}) {
    auto result = run_tmpctl({"cleanup", "--age-by", "mtime", refused});
    EXPECT_EQ(result.exit_code, 2) << refused << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "home director")) << result.err;
    EXPECT_TRUE(contains(result.err, "--force")) << result.err;
    EXPECT_TRUE(contains(result.err,
                         "; tmpctl cleans temporary directories (--force to clean it "
                         "anyway)\n"))
        << result.err;
  }
  EXPECT_TRUE(exists(inside_home));
  auto root = run_tmpctl({"cleanup", "--dry-run", fs_path(scratch()).root_path().string()});
  EXPECT_EQ(root.exit_code, 2) << root.err;
  EXPECT_TRUE(contains(root.err, "the root of its file system")) << root.err;
  // System directories and what is inside them, but not a temp directory
  // inside one; and other users' homes, not only this one's.
#ifdef _WIN32
  const std::string windows = platform::win32::narrow(_wgetenv(L"SystemRoot"));
  const std::vector<std::string> refused = {windows, windows + "\\system32"};
#else
  const std::vector<std::string> refused = {"/usr", "/usr/share", "/etc", "/var/lib", "/root"};
#endif
  for (const std::string& system : refused) {
    if (!exists(system)) continue;
    auto result = run_tmpctl({"cleanup", "--dry-run", system});
    EXPECT_EQ(result.exit_code, 2) << system << ": " << result.err;
    EXPECT_TRUE(result.out.empty()) << system;
  }
#ifndef _WIN32
  if (exists("/var/tmp")) {
    auto var_tmp = run_tmpctl({"cleanup", "--dry-run", "--older-than", "36500d", "/var/tmp"});
    EXPECT_EQ(var_tmp.exit_code, 0) << var_tmp.err;
  }
#endif
  // A script's unset variable: an empty DIR is refused, not taken as ".".
  auto empty = run_tmpctl({"cleanup", "--dry-run", ""});
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_TRUE(contains(empty.err, "an empty path names no directory")) << empty.err;
}

TEST_F(CleanupCli, DefaultRootIsTheSystemTempDirectory) {
  const std::string old = file("old");
  test::ScopedEnvironment temp(test::temp_dir_variable, root_.c_str());
  auto result = run_tmpctl({"cleanup", "--age-by", "mtime", "-v"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(exists(old));
  EXPECT_TRUE(contains(result.out, "removed " + old)) << result.out;
}

// issue 12 item 6: no DIR operand is ever removed. A/B, stale and emptied by
// the walk of A, stayed only when named first: now either order leaves it to
// its own walk, which empties it.
TEST_F(CleanupCli, ADirNamedInsideAnotherDirIsNeverRemovedInEitherOrder) {
  for (const bool outer_first : {true, false}) {
    const std::string round = outer_first ? "outer-first" : "inner-first";
    const std::string outer = below(round + "/a");
    const std::string inner = below(round + "/a/b");
    const std::string in_inner = file(round + "/a/b/old");
    const std::string in_deeper = file(round + "/a/b/c/old");
    const std::string in_outer = file(round + "/a/old");
    age(below(round + "/a/b/c"));
    age(inner);
    age(outer);
    std::vector<std::string> arguments = {"cleanup",      "--age-by", "mtime",
                                          "--older-than", "1s",       "--json"};
    if (outer_first)
      arguments.insert(arguments.end(), {outer, inner});
    else
      arguments.insert(arguments.end(), {inner, outer});
    auto result = run_tmpctl(arguments);
    EXPECT_EQ(result.exit_code, 0) << round << ": " << result.err;
    EXPECT_TRUE(exists(inner)) << round << ": the operand was removed\n" << result.out;
    EXPECT_TRUE(exists(outer)) << round;
    EXPECT_FALSE(exists(in_inner)) << round;
    EXPECT_FALSE(exists(in_deeper)) << round;
    EXPECT_FALSE(exists(in_outer)) << round;
    EXPECT_FALSE(paths_with(objects(result.out), "removed").contains(inner)) << result.out;
  }
}

// issue 12 item 7: a protected directory stays protected whatever TMPDIR
// (Windows: TMP or TEMP) names, also through a link: the default DIR taken
// from the environment passes the same checks as a named DIR, and no variable
// makes a directory a temp directory that lifts the guard. SAFETY: dry runs
// with the longest age, so even a build without the guard deletes nothing.
TEST_F(CleanupCli, TempVariablesNeverLiftTheGuardOfASystemDirectory) {
  const std::vector<std::string> dry_run = {"cleanup", "--dry-run", "--older-than", "36500d"};
#ifdef _WIN32
  wchar_t buffer[MAX_PATH];
  const UINT length = GetSystemWindowsDirectoryW(buffer, MAX_PATH);
  ASSERT_GT(length, 0u);
  const std::string windows = platform::win32::narrow(std::wstring_view(buffer, length));
  struct Case {
    const char* tmp;  // nullptr: unset, so TEMP is the one read
    std::string temp;
  };
  for (const Case& setting : {Case{windows.c_str(), windows}, Case{nullptr, windows},
                              Case{nullptr, windows + "\\System32"}}) {
    test::ScopedEnvironment tmp("TMP", setting.tmp);
    test::ScopedEnvironment temp("TEMP", setting.temp.c_str());
    const std::string what =
        std::string("TMP=") + (setting.tmp ? setting.tmp : "(unset)") + " TEMP=" + setting.temp;
#else
  const std::string link = join(scratch(), "link-to-etc");
  fs::create_directory_symlink("/etc", fs_path(link));
  for (const std::string& directory : {std::string("/etc"), std::string("/usr/lib"), link}) {
    if (!exists(directory)) continue;
    test::ScopedEnvironment tmpdir("TMPDIR", directory.c_str());
    const std::string what = "TMPDIR=" + directory;
#endif
    auto result = run_tmpctl(dry_run);
    EXPECT_EQ(result.exit_code, 2) << what << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "system directory")) << what << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "--force")) << what << ": " << result.err;
    EXPECT_TRUE(result.out.empty()) << what << ": " << result.out;
  }
  // create still makes its files where the variable says.
  test::ScopedEnvironment temp(test::temp_dir_variable, root_.c_str());
  auto created = run_tmpctl({"create"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_TRUE(created.out.starts_with(root_)) << created.out;
}

#ifdef _WIN32

TEST_F(CleanupCli, ReadOnlyFilesNeedForce) {
  const std::string read_only = file("read-only.tmp");
  auto wide = platform::win32::widen(read_only);
  ASSERT_TRUE(wide);
  ASSERT_TRUE(SetFileAttributesW(wide->c_str(), FILE_ATTRIBUTE_READONLY));
  age(read_only);
  auto kept = cleanup();
  EXPECT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_TRUE(exists(read_only));
  EXPECT_TRUE(contains(kept.err, "read-only attribute set (--force removes it)")) << kept.err;
  auto forced = cleanup({"--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(exists(read_only));
}

#else

TEST_F(CleanupCli, ALinkToAnOutsideDirectoryIsRemovedAsALinkOnly) {
  const std::string outside = join(scratch(), "outside");
  fs::create_directory(fs_path(outside));
  for (int i = 0; i < 5; ++i) {
    std::ofstream(join(outside, "precious" + std::to_string(i))) << "x";
    age(join(outside, "precious" + std::to_string(i)));
  }
  const std::string link = join(root_, "link");
  fs::create_directory_symlink(outside, link);
  const std::string fresh_link = join(root_, "fresh-link");
  fs::create_directory_symlink(outside, fresh_link);
  struct timespec times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 20 * 86400, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, link.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  auto result = cleanup({"-v"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(exists(link));
  EXPECT_TRUE(exists(fresh_link));
  EXPECT_EQ(std::distance(fs::directory_iterator(outside), fs::directory_iterator()), 5);
}

TEST_F(CleanupCli, ADirectorySwappedForALinkDuringTheRunLeadsNowhere) {
  const std::string outside = join(scratch(), "outside");
  fs::create_directory(fs_path(outside));
  for (int i = 0; i < 20; ++i) {
    std::ofstream(join(outside, "precious" + std::to_string(i))) << "x";
    age(join(outside, "precious" + std::to_string(i)));
  }
  // Plenty of old entries so that runs take a while, and a directory that
  // another thread keeps swapping for a symlink to `outside`.
  for (int d = 0; d < 20; ++d)
    for (int f = 0; f < 50; ++f) file("bulk" + std::to_string(d) + "/f" + std::to_string(f));
  const std::string swapped = join(root_, "swap");
  const std::string staged = join(scratch(), "staged");  // outside the root
  // Ages what may vanish under it at any moment (cleanup runs meanwhile).
  const auto try_age = [](const std::string& path) {
    struct timespec old_times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 20 * 86400, 0}};
    ::utimensat(AT_FDCWD, path.c_str(), old_times, AT_SYMLINK_NOFOLLOW);
  };
  const auto fill = [&](const std::string& directory) {
    for (int f = 0; f < 5; ++f) {
      const std::string name = join(directory, "f" + std::to_string(f));
      if (!exists(name)) {
        std::ofstream(name) << "x";
        try_age(name);
      }
    }
    try_age(directory);
  };
  std::atomic<bool> stop{false};
  std::atomic<int> exchanges{0};
  std::thread swapper([&] {
    while (!stop) {
      // One name holds a real directory of old files, the other a link to
      // `outside`; they trade places atomically, over and over.
      struct stat st;
      const bool swap_is_dir = ::lstat(swapped.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      const bool staged_is_dir = ::lstat(staged.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      if (!swap_is_dir && !staged_is_dir && ::mkdir(swapped.c_str(), 0700) != 0) continue;
      fill(swap_is_dir || !staged_is_dir ? swapped : staged);
      const std::string& link = swap_is_dir || !staged_is_dir ? staged : swapped;
      if (::lstat(link.c_str(), &st) != 0 && ::symlink(outside.c_str(), link.c_str()) == 0)
        try_age(link);
      if (::renameat2(AT_FDCWD, swapped.c_str(), AT_FDCWD, staged.c_str(), RENAME_EXCHANGE) == 0)
        ++exchanges;
    }
  });
  for (int run = 0; run < 5; ++run) {
    auto result = cleanup();
    EXPECT_NE(result.exit_code, 2) << result.err;
    for (int d = 0; d < 20; ++d)
      for (int f = 0; f < 50; ++f) file("bulk" + std::to_string(d) + "/f" + std::to_string(f));
  }
  stop = true;
  swapper.join();
  EXPECT_GT(exchanges.load(), 100);
  EXPECT_EQ(std::distance(fs::directory_iterator(outside), fs::directory_iterator()), 20);
}

TEST_F(CleanupCli, ATenThousandDeepTreeNeedsFewDescriptors) {
  // Built through descriptors: the full path is far beyond PATH_MAX.
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  constexpr int depth = 10'000;
  for (int i = 0; i < depth; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0700), 0) << i;
    const int child = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    ASSERT_GE(child, 0);
    fd = child;
  }
  const int leaf = ::openat(fd, "leaf", O_CREAT | O_WRONLY, 0600);
  ::close(leaf);
  ::close(fd);
  // Everything is fresh: age the whole chain by walking it again.
  fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY);
  for (int i = 0; i < depth; ++i) {
    struct timespec old_times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 20 * 86400, 0}};
    ::utimensat(fd, "d", old_times, AT_SYMLINK_NOFOLLOW);
    const int child = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    fd = child;
  }
  struct timespec old_times[2] = {{0, UTIME_OMIT}, {::time(nullptr) - 20 * 86400, 0}};
  ::utimensat(fd, "leaf", old_times, 0);
  ::close(fd);

  // And 16 more directories of the root, 60 deep each: 8 threads walk them
  // at once, each past its share of the descriptors.
  constexpr int chains = 16;
  constexpr int chain_depth = 60;
  for (int c = 0; c < chains; ++c) {
    std::string path = join(root_, "chain" + std::to_string(c));
    for (int i = 0; i < chain_depth; ++i) path = join(path, "d");
    file(path.substr(root_.size() + 1) + "/leaf");
    for (int i = 0; i <= chain_depth; ++i, path = path.substr(0, path.rfind('/'))) age(path);
  }

  // tmpctl inherits a limit of 64 descriptors: one per level would need
  // 10,000; 8 threads share the 64.
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  auto deep = cleanup({"--json", "--jobs", "8"});
  ::setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_EQ(deep.exit_code, 0) << deep.err.substr(0, 2000);
  EXPECT_EQ(objects(deep.out).back().at("summary").at("removed"),
            depth + 1 + chains * (chain_depth + 2));
  EXPECT_TRUE(fs::is_empty(fs_path(root_)));
}

TEST_F(CleanupCli, FlockedAndWorkingDirectoriesAreInUse) {
  const std::string locked = file("locked.tmp");
  const int fd = ::open(locked.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  // The lock outlives the descriptor's owner's interest: close nothing, but
  // check that /proc/locks is what names it, as "flock".
  auto result = cleanup({"--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(exists(locked));
  auto parsed = objects(result.out);
  ASSERT_GE(parsed.size(), 2u);
  bool flock_named = false;
  for (const auto& holder : parsed[0].at("holders"))
    for (const auto& how : holder.at("how")) flock_named = flock_named || how == "flock";
  EXPECT_TRUE(flock_named) << parsed[0].dump();
  ::close(fd);

  // A directory that is some process's working directory is not entered.
  const std::string job = directory("job");
  file("job/stale-output");
  age(job);
  test::ChildProcess sleeper = [&] {
    const std::string cwd = fs::current_path().string();
    fs::current_path(job);
    auto child =
        test::ChildProcess::start({"/bin/sleep", "30"}, join(scratch(), "o"), join(scratch(), "e"));
    fs::current_path(cwd);
    return child;
  }();
  auto busy = cleanup({"--json"});
  EXPECT_TRUE(exists(join(job, "stale-output")));
  parsed = objects(busy.out);
  ASSERT_GE(parsed.size(), 2u) << busy.out;
  EXPECT_EQ(parsed[0].at("path"), job);
  EXPECT_EQ(parsed[0].at("reason"), "in_use");
  ::kill(static_cast<pid_t>(sleeper.pid()), SIGKILL);
  sleeper.wait();
}

// `tmpctl cleanup -v ROOT` writing to a pipe nobody reads yet: it stalls
// once the pipe is full, in the middle of its run, until finish() reads.
class StalledRun {
public:
  StalledRun(const std::string& scratch, const std::string& root,
             const std::vector<std::string>& extra = {})
      : fifo_(join(scratch, "fifo")), err_(join(scratch, "err")) {
    if (::mkfifo(fifo_.c_str(), 0600) != 0) throw std::runtime_error("mkfifo");
    reader_ = ::open(fifo_.c_str(), O_RDONLY | O_NONBLOCK);
    std::vector<std::string> command = {test::tmpctl_path(), "cleanup", "-v", "--age-by", "mtime"};
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(root);
    child_.emplace(test::ChildProcess::start(command, fifo_, err_));
    // Stalled once its first lines arrive and the pipe then fills: wait for
    // the first (a loaded machine or a sanitizer build starts slowly), then
    // give it the moment it takes to fill the pipe.
    struct pollfd ready {
      reader_, POLLIN, 0
    };
    (void)::poll(&ready, 1, 30'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::uint32_t pid() const { return child_->pid(); }
  // Reads all it prints; returns its exit code, with stdout and stderr.
  int finish(std::string& out, std::string& err) {
    ::fcntl(reader_, F_SETFL, 0);
    char buffer[65536];
    for (ssize_t got; (got = ::read(reader_, buffer, sizeof buffer)) > 0;)
      out.append(buffer, static_cast<std::size_t>(got));
    ::close(reader_);
    const int code = child_->wait();
    err = test::read_file(err_);
    return code;
  }

private:
  std::string fifo_, err_;
  int reader_ = -1;
  std::optional<test::ChildProcess> child_;
};

TEST_F(CleanupCli, FarFutureTimesAndHardLinksAreJudgedAsADryRunJudgesThem) {
  // A time past 2262 does not fit in signed 64-bit nanoseconds: it must stay
  // in the future, not wrap into the past.
  const std::string future = file("from-an-archive", true);
  struct timespec far[2] = {{0, UTIME_OMIT}, {10'000'000'000LL, 0}};  // the year 2286
  ASSERT_EQ(::utimensat(AT_FDCWD, future.c_str(), far, 0), 0);
  // Two names of one file, judged by ctime: removing the first changes the
  // file's ctime, and the second must still be judged as the dry run saw it.
  const std::string first = file("links/first", true);
  ASSERT_EQ(::link(first.c_str(), below("links/second").c_str()), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  const std::vector<std::string> rules = {"--age-by",  "ctime",           "--older-than",
                                          "2s",        "--json",          "-v",
                                          "--exclude", "from-an-archive", root_};
  const std::vector<std::string> future_rules = {"--age-by",  "mtime",  "--older-than", "2s",
                                                 "--dry-run", "--json", "-v",           root_};
  auto future_run = run_tmpctl([&] {
    std::vector<std::string> a = {"cleanup"};
    a.insert(a.end(), future_rules.begin(), future_rules.end());
    return a;
  }());
  EXPECT_FALSE(paths_with(objects(future_run.out), "would_remove").contains(future))
      << future_run.out;
  std::vector<std::string> dry = {"cleanup", "--dry-run"};
  dry.insert(dry.end(), rules.begin(), rules.end());
  std::vector<std::string> real = {"cleanup"};
  real.insert(real.end(), rules.begin(), rules.end());
  auto would = run_tmpctl(dry);
  auto removed = run_tmpctl(real);
  EXPECT_EQ(paths_with(objects(would.out), "would_remove"),
            paths_with(objects(removed.out), "removed"))
      << would.out << removed.out;
  EXPECT_FALSE(exists(below("links/second")));
  EXPECT_TRUE(exists(future));
}

TEST_F(CleanupCli, ADirectoryMovedOutOfTheTreeDuringTheRunIsLeftAlone) {
  // tmpctl -v stalls on a full pipe while in the middle of `moving`; the
  // test then moves `moving` out of the tree and lets tmpctl go on.
  for (int f = 0; f < 3000; ++f) file("moving/f" + std::to_string(f));
  StalledRun run(scratch(), root_);
  const std::string moved = join(scratch(), "rescued");
  ASSERT_EQ(::rename(below("moving").c_str(), moved.c_str()), 0);
  std::string out, err;
  EXPECT_EQ(run.finish(out, err), 0) << err;
  const auto lines = static_cast<std::size_t>(std::ranges::count(out, '\n'));
  // What was removed before the move is gone; nothing after it.
  const auto left = static_cast<std::size_t>(
      std::distance(fs::directory_iterator(moved), fs::directory_iterator()));
  EXPECT_GT(left, 0u);
  EXPECT_EQ(left + lines, 3000u) << "removed " << lines << ", left " << left;
  EXPECT_TRUE(contains(err, "changed during the run")) << err;
}

TEST_F(CleanupCli, AMountPointIsNotEnteredEvenABindMountOfTheSameFileSystem) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/unshare"))
    GTEST_SKIP() << "needs root and unshare for a private mount namespace";
  const std::string outside = join(scratch(), "outside");
  fs::create_directory(outside);
  std::ofstream(join(outside, "keep")) << "x";
  age(join(outside, "keep"));
  age(outside);  // what the mount point shows once mounted
  const std::string mount_point = directory("mnt");
  // No shell: unshare runs mount, then tmpctl, in a namespace of their own.
  auto result = test::run_process(
      {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
       "mount --bind \"$1\" \"$2\" && exec \"$3\" cleanup --age-by mtime --json \"$4\"", "sh",
       outside, mount_point, test::tmpctl_path(), root_});
  if (contains(result.err, "Operation not permitted") || contains(result.err, "mount:"))
    GTEST_SKIP() << "mounts are not allowed here: " << result.err;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(exists(join(outside, "keep")));
  const auto parsed = objects(result.out);
  ASSERT_FALSE(parsed.empty());
  EXPECT_EQ(parsed.front().at("reason"), "other_filesystem") << result.out;
}

// Runs tmpctl as nobody when the tests run as root (root may remove anything).
test::ProcessResult run_as_nobody(const std::vector<std::string>& arguments) {
  std::vector<std::string> command = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                      "--clear-groups", test::tmpctl_path()};
  command.insert(command.end(), arguments.begin(), arguments.end());
  return test::run_process(command);
}

TEST_F(CleanupCli, OthersEntriesInAStickyDirectoryAndUnreadableDirectories) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv"))
    GTEST_SKIP() << "needs root (to own files nobody may not remove) and setpriv";
  fs::permissions(fs_path(scratch()), fs::perms::all, fs::perm_options::replace);
  fs::permissions(fs_path(root_), fs::perms::all | fs::perms::sticky_bit,
                  fs::perm_options::replace);
  const std::string roots = file("roots-file");
  const std::string nobodys = file("nobodys-file");
  ASSERT_EQ(::chown(nobodys.c_str(), 65534, 65534), 0);
  const std::string unreadable = directory("nobodys-dir/private");
  file("nobodys-dir/private/secret");
  file("nobodys-dir/stale");
  ASSERT_EQ(::chown(join(root_, "nobodys-dir").c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(below("nobodys-dir/stale").c_str(), 65534, 65534), 0);
  ::chmod(unreadable.c_str(), 0);
  age(unreadable);

  auto result = run_as_nobody({"cleanup", "--age-by", "mtime", "--json", root_});
  EXPECT_EQ(result.exit_code, 1) << result.err;  // the unreadable directory
  auto parsed = objects(result.out);
  EXPECT_TRUE(exists(roots));
  EXPECT_FALSE(exists(nobodys));
  EXPECT_FALSE(exists(below("nobodys-dir/stale")));  // the rest went on
  std::map<std::string, nlohmann::json> by_path;
  for (const auto& o : parsed)
    if (o.contains("path")) by_path[o.at("path")] = o;
  ASSERT_TRUE(by_path.contains(roots)) << result.out;
  EXPECT_EQ(by_path[roots].at("reason"), "not_owned");
  ASSERT_TRUE(by_path.contains(unreadable)) << result.out;
  EXPECT_EQ(by_path[unreadable].at("action"), "failed");
  EXPECT_EQ(by_path[unreadable].at("error").at("name"), "EACCES");
  EXPECT_EQ(parsed.back().at("summary").at("skipped").at("not_owned"), 1);
  ::chmod(unreadable.c_str(), 0700);

  // A file nobody owns in a directory nobody may not write to: the dry run
  // says what the real run meets, not "would remove".
  const std::string locked = directory("locked-dir");
  const std::string inside = file("locked-dir/nobodys");
  ASSERT_EQ(::chown(inside.c_str(), 65534, 65534), 0);
  ::chmod(locked.c_str(), 0755);
  age(locked);
  auto dry = run_as_nobody({"cleanup", "--age-by", "mtime", "--json", "--dry-run", locked});
  auto real = run_as_nobody({"cleanup", "--age-by", "mtime", "--json", locked});
  EXPECT_EQ(dry.exit_code, 1) << dry.out;
  EXPECT_EQ(real.exit_code, 1) << real.out;
  EXPECT_EQ(objects(dry.out).front().at("action"), "failed") << dry.out;
  EXPECT_EQ(objects(dry.out).front().at("error").at("name"), "EACCES") << dry.out;
  EXPECT_TRUE(exists(inside));
}

TEST_F(CleanupCli, InterruptedRunsStopBetweenEntriesAndRemoveOnlyEligibleOnes) {
  for (int d = 0; d < 10; ++d)
    for (int f = 0; f < 400; ++f)
      file("d" + std::to_string(d) + "/f" + std::to_string(f), f % 2 == 0);
  // Stalled mid-run: the interruption is sure to come before the end.
  StalledRun run(scratch(), root_);
  ::kill(static_cast<pid_t>(run.pid()), SIGINT);
  std::string out, err;
  EXPECT_EQ(run.finish(out, err), 130);
  EXPECT_TRUE(contains(err, "; interrupted")) << err;
  int old_left = 0;
  for (int d = 0; d < 10; ++d)
    for (int f = 0; f < 400; ++f) {
      const bool present = exists(below("d" + std::to_string(d) + "/f" + std::to_string(f)));
      if (f % 2 == 0) {
        EXPECT_TRUE(present) << "a fresh file was removed";
      } else {
        old_left += present ? 1 : 0;
      }
    }
  EXPECT_GT(old_left, 0) << "the run was not interrupted";
  // Every line it printed is a removal that happened.
  for (const std::string& line : split(out)) {
    if (line.starts_with("removed ")) {
      EXPECT_FALSE(exists(line.substr(8))) << line;
    }
  }
}

// issue 12 item 5: every thread's walk draws from one descriptor budget: with
// `ulimit -n 16` and -j4, or 12 and -j8, every stale entry goes, and no open
// fails for want of descriptors (it did in 5 runs of 6).
TEST_F(CleanupCli, ThreadsShareTheDescriptorsOfALowUlimitAndLeaveNothingStale) {
  const std::vector<std::pair<int, int> > limits_and_jobs = {{16, 4}, {16, 4}, {16, 4},
                                                             {12, 8}, {12, 8}, {16, 8}};
  for (std::size_t run = 0; run < limits_and_jobs.size(); ++run) {
    const auto [limit, jobs] = limits_and_jobs[run];
    const std::string top = "run" + std::to_string(run);
    // 8 directories of the root, 20 deep, a stale file at every level.
    for (int t = 0; t < 8; ++t) {
      std::string relative = top + "/t" + std::to_string(t);
      for (int i = 0; i < 20; ++i) {
        relative += "/d";
        file(relative + "/f");
      }
      for (; relative != top; relative = relative.substr(0, relative.rfind('/')))
        age(below(relative));
    }
    auto result = test::run_process({"/bin/sh", "-c",
                                     "ulimit -n " + std::to_string(limit) +
                                         " && exec \"$0\" cleanup --age-by mtime -j" +
                                         std::to_string(jobs) + " \"$1\"",
                                     test::tmpctl_path(), below(top)});
    EXPECT_EQ(result.exit_code, 0) << "ulimit -n " << limit << ", -j" << jobs << ": " << result.err;
    EXPECT_FALSE(contains(result.err, "EMFILE")) << result.err;
    EXPECT_TRUE(fs::is_empty(fs_path(below(top)))) << "ulimit -n " << limit << ", -j" << jobs;
  }
}

// issue 12 item 11: a stale tree its maker made read-only (`chmod 555`, as
// Go's module cache does) or unreadable (`chmod 000`) is reported without
// --force and removed with it, when the directories are the user's own;
// another user's directory is never opened up, whatever the options.
TEST_F(CleanupCli, ForceOpensUpTheUsersOwnReadOnlyDirectoriesAndNoOneElses) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv"))
    GTEST_SKIP() << "needs root, to run tmpctl as nobody (permission bits never stop root), "
                    "and setpriv";
  fs::permissions(fs_path(scratch()), fs::perms::all, fs::perm_options::replace);
  file("m/x/f");
  file("z/g");
  file("other/h");
  for (const auto& item : fs::recursive_directory_iterator(fs_path(root_)))
    ASSERT_EQ(::lchown(item.path().c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(root_.c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(below("other").c_str(), 65533, 65533), 0);
  ASSERT_EQ(::chmod(below("m/x").c_str(), 0555), 0);
  ASSERT_EQ(::chmod(below("z").c_str(), 0), 0);
  ASSERT_EQ(::chmod(below("other").c_str(), 0555), 0);
  for (const char* relative : {"m/x", "m", "z", "other"}) age(below(relative));
  const auto mode_of = [&](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 07777u;
  };

  auto kept = run_as_nobody({"cleanup", "--age-by", "mtime", "--json", root_});
  EXPECT_EQ(kept.exit_code, 1) << kept.err;
  EXPECT_TRUE(exists(below("m/x/f")));
  EXPECT_TRUE(exists(below("z/g")));
  EXPECT_EQ(mode_of(below("m/x")), 0555u);
  EXPECT_EQ(mode_of(below("z")), 0u);

  auto forced = run_as_nobody({"cleanup", "--age-by", "mtime", "--force", "--json", root_});
  EXPECT_EQ(forced.exit_code, 1) << forced.err;  // other/h: not nobody's to remove
  EXPECT_FALSE(exists(below("m"))) << forced.out;
  EXPECT_FALSE(exists(below("z"))) << forced.out;
  EXPECT_TRUE(exists(below("other/h")));
  EXPECT_EQ(mode_of(below("other")), 0555u);

  // Root passes every permission bit: nothing of nobody's is changed either.
  const std::string fresh = file("other/fresh", true);
  ASSERT_EQ(::chown(fresh.c_str(), 65534, 65534), 0);
  age(below("other"));
  auto as_root = cleanup({"--force", "--json"});
  EXPECT_EQ(as_root.exit_code, 0) << as_root.err;
  EXPECT_FALSE(exists(below("other/h")));
  EXPECT_TRUE(exists(fresh));
  EXPECT_EQ(mode_of(below("other")), 0555u);
}

// issue 12 item 15: a cleanup killed halfway through a directory leaves the
// directory's times as they were, so the next run finds it as stale as
// before and removes the rest and the directory, not a full period later.
TEST_F(CleanupCli, AKilledRunLeavesHalfEmptiedDirectoriesAsStaleAsTheyWere) {
  for (int f = 0; f < 3000; ++f) file("half/a-long-name-for-a-stale-file-" + std::to_string(f));
  age(below("half"));
  struct stat before;
  ASSERT_EQ(::stat(below("half").c_str(), &before), 0);
  // Killed while it waits on its full stdout, halfway: after a removal and
  // the restore of the directory's times, not between the two (one thread,
  // so no other one is between them either).
  StalledRun run(scratch(), root_, {"-j1"});
  const std::string wchan = "/proc/" + std::to_string(run.pid()) + "/wchan";
  test::wait_while([&] { return !contains(test::read_file(wchan), "pipe_write"); },
                   std::chrono::seconds(30));
  ::kill(static_cast<pid_t>(run.pid()), SIGKILL);
  std::string out, err;
  EXPECT_EQ(run.finish(out, err), 128 + SIGKILL);
  EXPECT_GT(std::ranges::count(out, '\n'), 0) << "nothing was removed before the kill";
  ASSERT_FALSE(fs::is_empty(fs_path(below("half")))) << "the run ended before the kill";
  struct stat after;
  ASSERT_EQ(::stat(below("half").c_str(), &after), 0);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);

  auto again = cleanup({"--json"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(fs::is_empty(fs_path(root_))) << again.out.substr(again.out.rfind('{'));
}

#endif

}  // namespace
}  // namespace tmpctl
