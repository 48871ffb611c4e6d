// Holder discovery against real processes: tests/helpers/hold_file holds a
// file the way Python's mkstemp does, and find_holders must name it.

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#ifdef __linux__
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::fs_path;
using test::HeldFile;
using test::join;

#ifdef _WIN32
constexpr const char* hold_file_name = "hold_file.exe";
#else
constexpr const char* hold_file_name = "hold_file";
#endif

std::uint32_t current_pid() {
#ifdef _WIN32
  return GetCurrentProcessId();
#else
  return static_cast<std::uint32_t>(::getpid());
#endif
}

const Holder* find_pid(const std::vector<Holder>& holders, std::uint32_t pid) {
  const auto found = std::ranges::find(holders, pid, &Holder::pid);
  return found == holders.end() ? nullptr : &*found;
}

#ifndef _WIN32
bool has_how_starting_with(const Holder& holder, std::string_view prefix) {
  return std::ranges::any_of(holder.how,
                             [&](const std::string& how) { return how.starts_with(prefix); });
}
#endif

std::string closed_file(const std::string& directory) {
  auto file = TempFile::create({.directory = directory});
  EXPECT_TRUE(file) << to_string(file.error());
  if (!file) return {};
  EXPECT_TRUE(file->keep());
  return file->path();
}

class Holders : public test::ScratchDirectoryTest {};

TEST_F(Holders, NoHoldersForAFileNobodyHasOpen) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file && file->close());
  const std::vector<std::string> paths{file->path()};
  auto report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  ASSERT_EQ(report->holders.size(), 1u);
  EXPECT_TRUE(report->holders[0].empty());
}

TEST_F(Holders, NamesAnotherProcessThatHoldsTheFileUntilItLetsGo) {
  const std::vector<std::string> paths{join(scratch(), "held.txt")};
  HeldFile held(paths[0], scratch());
  auto report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  ASSERT_EQ(report->holders.size(), 1u);
  const Holder* holder = find_pid(report->holders[0], held.pid());
  ASSERT_NE(holder, nullptr) << "hold_file (pid " << held.pid() << ") not found";
  EXPECT_EQ(holder->name, hold_file_name);
  EXPECT_FALSE(holder->is_self);
  EXPECT_FALSE(holder->how.empty());
#ifndef _WIN32
  EXPECT_TRUE(has_how_starting_with(*holder, "fd ")) << ::testing::PrintToString(holder->how);
#endif
#ifdef __linux__
  EXPECT_NE(holder->start_time, 0u);
#endif

  held.release();
  report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  EXPECT_TRUE(report->holders[0].empty()) << report->holders[0].front().name;
}

TEST_F(Holders, FindsAFileHeldOnlyThroughAMemoryMap) {
  const std::vector<std::string> paths{join(scratch(), "mapped.bin")};
  HeldFile held(paths[0], scratch(), HeldFile::Mode::map);
  auto report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  const Holder* holder = find_pid(report->holders[0], held.pid());
  ASSERT_NE(holder, nullptr) << "hold_file (pid " << held.pid() << ") not found";
  EXPECT_EQ(holder->name, hold_file_name);
#ifndef _WIN32
  // No descriptor is left, and one map is one entry however many lines it spans.
  EXPECT_EQ(holder->how, std::vector<std::string>{"memory map"});
#endif
}

TEST_F(Holders, MarksThisProcessAsSelfWithEveryWayItHoldsTheFile) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file) << to_string(file.error());
  const std::vector<std::string> paths{file->path()};
#ifndef _WIN32
  const int second = ::dup(file->handle());
  ASSERT_GE(second, 0);
  // Two maps of the file, which /proc/self/maps lists as two lines.
  ASSERT_EQ(::write(second, "x", 1), 1);
  void* first_map = ::mmap(nullptr, 1, PROT_READ, MAP_SHARED, second, 0);
  void* second_map = ::mmap(nullptr, 1, PROT_READ, MAP_PRIVATE, second, 0);
  ASSERT_NE(first_map, MAP_FAILED);
  ASSERT_NE(second_map, MAP_FAILED);
#endif
  auto report = find_holders(paths);
#ifndef _WIN32
  ::munmap(first_map, 1);
  ::munmap(second_map, 1);
  ::close(second);
#endif
  ASSERT_TRUE(report) << to_string(report.error());
  const Holder* holder = find_pid(report->holders[0], current_pid());
  ASSERT_NE(holder, nullptr);
  EXPECT_TRUE(holder->is_self);
  EXPECT_FALSE(holder->name.empty());
  EXPECT_EQ(std::ranges::count_if(report->holders[0], &Holder::is_self), 1);
#ifndef _WIN32
  // Both descriptors and the maps, merged into the one entry for this process.
  EXPECT_EQ(holder->how, (std::vector<std::string>{"fd " + std::to_string(file->handle()),
                                                   "fd " + std::to_string(second), "memory map"}));
#endif
#ifdef __linux__
  // Field 22 of /proc/self/stat, counted after the last ')'.
  const std::string stat = test::read_file("/proc/self/stat");
  const std::vector<std::string> fields = test::split(stat.substr(stat.rfind(')') + 2), ' ');
  ASSERT_GT(fields.size(), 19u);
  EXPECT_EQ(holder->start_time, std::stoull(fields[19]));
#endif
}

TEST_F(Holders, AnswersABatchPerPathInOrder) {
  const std::string held_path = join(scratch(), "held.txt");
  const std::string free_path = closed_file(scratch());
  const std::string missing_path = join(scratch(), "missing.txt");
  HeldFile held(held_path, scratch());
  std::vector<std::string> paths{held_path, free_path, missing_path, held_path};
#ifndef _WIN32
  // A hard link names the held file; a symlink to it is a file nobody holds.
  const std::string hard_link = join(scratch(), "hard-link");
  const std::string symlink = join(scratch(), "symlink");
  fs::create_hard_link(fs_path(held_path), fs_path(hard_link));
  fs::create_symlink(fs_path(held_path), fs_path(symlink));
  paths.insert(paths.end(), {hard_link, symlink});
#endif
  auto report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  ASSERT_EQ(report->holders.size(), paths.size());
  const std::vector<bool> held_expected{true, false, false, true, true, false};
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::vector<Holder>& holders = report->holders[i];
    if (held_expected[i]) {
      ASSERT_EQ(holders.size(), 1u) << paths[i];
      EXPECT_EQ(holders[0].pid, held.pid()) << paths[i];
    } else {
      EXPECT_TRUE(holders.empty()) << paths[i] << " held by " << holders.front().name;
    }
  }
}

#ifdef __linux__
// What one unprivileged scan must report; 0 when it does, else what failed.
int check_unprivileged_scan(const std::string& path) {
  const std::vector<std::string> paths{path};
  auto report = find_holders(paths);
  if (!report) return 10;
  if (report->complete) return 11;
  const bool noted = std::ranges::any_of(report->notes, [](const std::string& note) {
    return note.ends_with(" of other users could not be inspected (run as root to see them)");
  });
  if (!noted) return 12;
  // Its own descriptors are still visible to it.
  if (!std::ranges::any_of(report->holders[0], &Holder::is_self)) return 13;
  return 0;
}

// Without root, other users' processes cannot be looked into: the report must
// say it is incomplete instead of passing an empty list off as the truth. As
// root, a child drops to nobody to scan.
TEST_F(Holders, AnUnprivilegedScanSaysItIsIncomplete) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file) << to_string(file.error());
  if (::geteuid() != 0) {
    struct stat init;
    if (::stat("/proc/1", &init) != 0 || init.st_uid == ::geteuid())
      GTEST_SKIP() << "no process of another user is visible";
    EXPECT_EQ(check_unprivileged_scan(file->path()), 0);
    return;
  }
  // nobody must be able to reach the file, which the child keeps open.
  fs::permissions(fs_path(scratch()),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    constexpr uid_t nobody = 65534;
    if (::setgroups(0, nullptr) != 0 || ::setgid(nobody) != 0 || ::setuid(nobody) != 0) ::_exit(20);
    // Changing credentials made the process undumpable, which makes its own
    // /proc entries root's; an ordinary unprivileged process is dumpable.
    ::prctl(PR_SET_DUMPABLE, 1);
    ::_exit(check_unprivileged_scan(file->path()));
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10: scan failed, 11: complete, 12: no note, 13: own fd not found, 20: setuid failed";
}
#endif

}  // namespace
}  // namespace tmpctl
