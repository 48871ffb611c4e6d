// The cleanup walk (platform/walk.hpp) on the real file system: what it
// lists, in which order, what it removes and what it refuses, that a very
// deep tree costs a bounded number of handles or descriptors, and looking one
// entry of a walk's root up by name.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "platform/walk.hpp"
#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#include <winternl.h>

#include "platform/win32/nt_files.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"
#else
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using platform::EntryType;
using platform::RemoveMode;
using platform::RemoveResult;
using platform::TreeWalk;
using platform::WalkEntry;
using platform::WalkStep;
using test::exists;
using test::fs_path;
using test::join;
using test::running_under_wine;
using test::write_file;

void set_modification_time(const std::string& path, std::chrono::sys_seconds when) {
  fs::last_write_time(fs_path(path), std::chrono::file_clock::from_sys(when));
}

std::int64_t nanoseconds(std::chrono::sys_seconds when) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
}

TreeWalk open_walk(const std::string& root) {
  auto walk = TreeWalk::open(root);
  if (!walk) {
    ADD_FAILURE() << to_string(walk.error());
    std::abort();
  }
  return std::move(*walk);
}

// Walks the whole tree, entering every directory, calling `on_entry` for
// each entry and `on_finished` (with the directory's own entry) for each
// directory left; `entered`: the directories the walk is in already. Stops
// the test on an error.
void walk_all(TreeWalk& walk, const std::function<void(const WalkEntry&)>& on_entry,
              const std::function<void(const WalkEntry&)>& on_finished = {},
              std::vector<WalkEntry> entered = {}) {
  WalkEntry entry;
  for (;;) {
    auto step = walk.next(entry);
    ASSERT_TRUE(step) << to_string(step.error());
    if (*step == WalkStep::done) return;
    if (*step == WalkStep::finished_directory) {
      ASSERT_FALSE(entered.empty());
      if (on_finished) on_finished(entered.back());
      entered.pop_back();
      continue;
    }
    if (on_entry) on_entry(entry);
    if (entry.type == EntryType::directory) {
      auto entered_it = walk.enter(entry);
      ASSERT_TRUE(entered_it) << to_string(entered_it.error());
      ASSERT_TRUE(*entered_it) << walk.path_of(entry.name);
      entered.push_back(entry);
    }
  }
}

// The first entry called `name` in the root, without entering anything.
WalkEntry find_in_root(TreeWalk& walk, const std::string& name) {
  WalkEntry entry;
  for (;;) {
    auto step = walk.next(entry);
    if (!step || *step != WalkStep::entry) {
      ADD_FAILURE() << name << " not listed";
      return {};
    }
    if (entry.name == name) return entry;
  }
}

// Handles (Windows) or descriptors (Linux) this process holds; -1 where unknown.
long open_handle_count() {
#ifdef _WIN32
  if (DWORD count = 0; GetProcessHandleCount(GetCurrentProcess(), &count) && count > 0)
    return static_cast<long>(count);
  // Wine's GetProcessHandleCount says 0: count this process's rows of the
  // system handle table (SystemExtendedHandleInformation) instead.
  using QueryFn = LONG(NTAPI*)(ULONG, PVOID, ULONG, PULONG);
  static const auto query = reinterpret_cast<QueryFn>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation")));
  struct Row {  // SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX: the rest is handle, access and flags
    PVOID object;
    ULONG_PTR process_id;
    ULONG_PTR rest[3];
  };
  constexpr LONG info_length_mismatch = static_cast<LONG>(0xC0000004);
  std::vector<ULONG_PTR> table(1 << 16);
  for (int attempt = 0; query != nullptr && attempt < 8; ++attempt) {
    ULONG needed = 0;
    const auto bytes = static_cast<ULONG>(table.size() * sizeof(ULONG_PTR));
    const LONG status = query(64, table.data(), bytes, &needed);
    if (status == info_length_mismatch) {
      table.resize(table.size() * 2 + needed / sizeof(ULONG_PTR));
      continue;
    }
    if (status < 0) return -1;
    const std::span rows(reinterpret_cast<const Row*>(table.data() + 2), table[0]);
    return static_cast<long>(
        std::ranges::count(rows, ULONG_PTR{GetCurrentProcessId()}, &Row::process_id));
  }
  return -1;
#elif defined(__linux__)
  std::error_code error;
  long count = 0;
  for (fs::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error))
    ++count;
  return error ? -1 : count;
#else
  return -1;
#endif
}

// A chain root/d/d/.../d `depth` directories deep, each holding `files`
// files f0, f1...: built relative to the open parent directory, since its
// paths outgrow MAX_PATH and PATH_MAX.
#ifdef _WIN32
bool make_chain(const std::string& root, std::size_t depth, std::size_t files) {
  using platform::win32::OwnedHandle;
  constexpr ACCESS_MASK access = FILE_LIST_DIRECTORY | FILE_TRAVERSE | SYNCHRONIZE;
  OwnedHandle parent(CreateFileW((L"\\\\?\\" + platform::win32::widen(root).value()).c_str(),
                                 access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                 nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!parent) return false;
  for (std::size_t level = 0; level < depth; ++level) {
    OwnedHandle child;
    if (platform::win32::open_relative(parent.get(), L"d", access, child, FILE_CREATE,
                                       FILE_DIRECTORY_FILE) < 0)
      return false;
    for (std::size_t i = 0; i < files; ++i) {
      OwnedHandle file;
      if (platform::win32::open_relative(child.get(), L"f" + std::to_wstring(i), access, file,
                                         FILE_CREATE, FILE_NON_DIRECTORY_FILE) < 0)
        return false;
    }
    parent = std::move(child);
  }
  return true;
}
#else
bool make_chain(const std::string& root, std::size_t depth, std::size_t files) {
  int parent = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0) return false;
  for (std::size_t level = 0; level < depth; ++level) {
    int child = -1;
    if (::mkdirat(parent, "d", 0700) == 0)
      child = ::openat(parent, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (std::size_t i = 0; child >= 0 && i < files; ++i) {
      const int file = ::openat(child, ("f" + std::to_string(i)).c_str(),
                                O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (file < 0) {
        ::close(child);
        child = -1;
      } else {
        ::close(file);
      }
    }
    ::close(parent);
    if (child < 0) return false;
    parent = child;
  }
  ::close(parent);
  return true;
}
#endif

class Walk : public test::ScratchDirectoryTest {
protected:
  // The tree walked, apart from the scratch directory where helpers leave files.
  std::string tree() {
    const std::string path = join(scratch(), "tree");
    fs::create_directories(fs_path(path));
    return path;
  }
};

TEST_F(Walk, ListsEveryEntryOnceWithItsTypeSizeAndTimes) {
  const std::string root = tree();
  write_file(join(root, "a.txt"), "hello");
  fs::create_directories(fs_path(join(join(root, "sub"), "deeper")));
  write_file(join(join(root, "sub"), "b.bin"), std::string(10, 'x'));
  write_file(join(join(join(root, "sub"), "deeper"), "c"), "");
  fs::create_directory(fs_path(join(root, "empty")));
  const auto when = std::chrono::sys_seconds(std::chrono::seconds(1'600'000'000));
  set_modification_time(join(root, "a.txt"), when);

  TreeWalk walk = open_walk(root);
  auto root_identity = platform::identity_of(root);
  ASSERT_TRUE(root_identity) << to_string(root_identity.error());
  EXPECT_EQ(walk.root_identity(), *root_identity);

  std::map<std::string, WalkEntry> seen;
  walk_all(walk, [&](const WalkEntry& entry) {
    EXPECT_TRUE(seen.emplace(walk.path_of(entry.name), entry).second)
        << "listed twice: " << walk.path_of(entry.name);
  });
  std::vector<std::string> paths;
  for (const auto& [path, entry] : seen) paths.push_back(path);
  std::vector<std::string> expected{join(root, "a.txt"),
                                    join(root, "empty"),
                                    join(root, "sub"),
                                    join(join(root, "sub"), "b.bin"),
                                    join(join(root, "sub"), "deeper"),
                                    join(join(join(root, "sub"), "deeper"), "c")};
  std::ranges::sort(expected);
  ASSERT_EQ(paths, expected);

  const WalkEntry& a = seen[join(root, "a.txt")];
  EXPECT_EQ(a.name, "a.txt");
  EXPECT_EQ(a.type, EntryType::file);
  EXPECT_EQ(a.size, 5u);
  EXPECT_EQ(a.times.modification, nanoseconds(when));
  EXPECT_TRUE(a.times.change.has_value());
  EXPECT_TRUE(a.times.access.has_value());
  EXPECT_FALSE(a.read_only);
  EXPECT_FALSE(a.other_filesystem);
  EXPECT_FALSE(a.not_owned);
  EXPECT_EQ(seen[join(join(root, "sub"), "b.bin")].size, 10u);
  EXPECT_EQ(seen[join(root, "sub")].type, EntryType::directory);
  EXPECT_EQ(seen[join(root, "empty")].type, EntryType::directory);
  for (const auto& [path, entry] : seen) {
    auto identity = platform::identity_of(path);
    ASSERT_TRUE(identity) << to_string(identity.error());
    EXPECT_EQ(entry.identity, *identity) << path;
  }
}

TEST_F(Walk, FinishesEachDirectoryAfterItsEntriesDeepestFirst) {
  const std::string root = tree();
  const std::string top = join(root, "top");
  const std::string mid = join(top, "mid");
  fs::create_directories(fs_path(mid));
  write_file(join(mid, "leaf.txt"), "x");
  write_file(join(top, "x.txt"), "x");
  write_file(join(root, "y.txt"), "x");

  TreeWalk walk = open_walk(root);
  EXPECT_EQ(walk.depth(), 0u);
  EXPECT_EQ(walk.current_path(), root);
  std::vector<std::string> events;
  std::map<std::string, std::size_t> depth_when_finished;
  walk_all(
      walk, [&](const WalkEntry& entry) { events.push_back("entry " + walk.path_of(entry.name)); },
      [&](const WalkEntry&) {
        events.push_back("finished " + walk.current_path());
        depth_when_finished[walk.current_path()] = walk.depth();
      });
  const auto at = [&](const std::string& event) {
    const auto found = std::ranges::find(events, event);
    EXPECT_NE(found, events.end()) << event;
    return found - events.begin();
  };
  EXPECT_EQ(events.size(), 7u);
  EXPECT_LT(at("entry " + top), at("entry " + mid));
  EXPECT_LT(at("entry " + join(mid, "leaf.txt")), at("finished " + mid));
  EXPECT_LT(at("finished " + mid), at("finished " + top));
  EXPECT_LT(at("entry " + join(top, "x.txt")), at("finished " + top));
  EXPECT_EQ(depth_when_finished[mid], 2u);
  EXPECT_EQ(depth_when_finished[top], 1u);
  EXPECT_EQ(walk.depth(), 0u);
  WalkEntry entry;
  auto again = walk.next(entry);  // done stays done
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, WalkStep::done);
}

TEST_F(Walk, RemoveEntryDeletesAFileAndADryRunDeletesNothing) {
  const std::string root = tree();
  write_file(join(root, "spared.txt"), "x");
  write_file(join(root, "deleted.txt"), "x");
  TreeWalk walk = open_walk(root);
  walk_all(walk, [&](const WalkEntry& entry) {
    const RemoveMode mode = entry.name == "spared.txt" ? RemoveMode::dry_run : RemoveMode::remove;
    auto result = walk.remove_entry(entry, mode, false);
    ASSERT_TRUE(result) << to_string(result.error());
    EXPECT_EQ(*result, RemoveResult::removed) << entry.name;
  });
  EXPECT_TRUE(exists(join(root, "spared.txt")));
  EXPECT_FALSE(exists(join(root, "deleted.txt")));
}

TEST_F(Walk, AFileHeldWithoutShareDeleteIsInUse) {
  const std::string root = tree();
  const std::string path = join(root, "held.tmp");
  write_file(path, "x");
  std::optional<test::HeldFile> held(std::in_place, path, scratch());
  TreeWalk walk = open_walk(root);
  const WalkEntry entry = find_in_root(walk, "held.tmp");
  auto dry = walk.remove_entry(entry, RemoveMode::dry_run, false);
  ASSERT_TRUE(dry) << to_string(dry.error());
  auto result = walk.remove_entry(entry, RemoveMode::remove, false);
  ASSERT_TRUE(result) << to_string(result.error());
#ifdef _WIN32
  // The open for delete is refused (WinError 32), in a dry run too.
  EXPECT_EQ(*dry, RemoveResult::in_use);
  EXPECT_EQ(*result, RemoveResult::in_use);
  EXPECT_TRUE(exists(path));
  held.reset();
  auto after = walk.remove_entry(entry, RemoveMode::remove, false);
  ASSERT_TRUE(after) << to_string(after.error());
  EXPECT_EQ(*after, RemoveResult::removed);
#else
  // POSIX deletes a name whoever holds the file.
  EXPECT_EQ(*dry, RemoveResult::removed);
  EXPECT_EQ(*result, RemoveResult::removed);
#endif
  EXPECT_FALSE(exists(path));
}

TEST_F(Walk, AFileChangedOrReplacedAfterListingIsLeftInPlace) {
  const std::string root = tree();
  const std::string touched = join(root, "touched");
  const std::string replaced = join(root, "replaced");
  write_file(touched, "x");
  write_file(replaced, "x");
  set_modification_time(touched, std::chrono::sys_seconds(std::chrono::seconds(1'500'000'000)));
  TreeWalk walk = open_walk(root);
  std::map<std::string, WalkEntry> listed;
  walk_all(walk, [&](const WalkEntry& entry) { listed[entry.name] = entry; });
  ASSERT_EQ(listed.size(), 2u);

  set_modification_time(touched, std::chrono::sys_seconds(std::chrono::seconds(1'500'000'100)));
  fs::remove(fs_path(replaced));
  write_file(replaced, "y");
  for (const auto& [name, entry] : listed) {
    auto result = walk.remove_entry(entry, RemoveMode::remove, false);
    ASSERT_TRUE(result) << to_string(result.error());
    EXPECT_EQ(*result, RemoveResult::changed) << name;
  }
  EXPECT_TRUE(exists(touched));
  EXPECT_TRUE(exists(replaced));
}

// Removing one name of a file moves its ctime (Windows: ChangeTime), as a
// cleanup does when it takes both names of a hard-linked file on two threads.
// That is no use of the file: the other listed name still goes. A chmod alone
// moves the ctime too, with the link count unchanged: on POSIX that still
// reads as changed; on Windows, so does the read-only attribute set.
TEST_F(Walk, AHardLinkWhoseOtherNameWasRemovedIsStillRemoved) {
  const std::string root = tree();
  write_file(join(root, "first"), "x");
  fs::create_hard_link(fs_path(join(root, "first")), fs_path(join(root, "second")));
  write_file(join(root, "chmodded"), "x");
  TreeWalk walk = open_walk(root);
  std::map<std::string, WalkEntry> listed;
  walk_all(walk, [&](const WalkEntry& entry) { listed[entry.name] = entry; });
  ASSERT_TRUE(listed.contains("second"));
  // Past any file system's time granularity.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  fs::remove(fs_path(join(root, "first")));
  auto result = walk.remove_entry(listed.at("second"), RemoveMode::remove, false);
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(*result, RemoveResult::removed);
  EXPECT_FALSE(exists(join(root, "second")));
#ifdef _WIN32
  ASSERT_TRUE(SetFileAttributesW(fs_path(join(root, "chmodded")).c_str(), FILE_ATTRIBUTE_READONLY));
#else
  ASSERT_EQ(::chmod(join(root, "chmodded").c_str(), 0400), 0);
#endif
  // With force too: a read-only file is removed with --force only as listed.
  auto chmodded = walk.remove_entry(listed.at("chmodded"), RemoveMode::remove, true);
  ASSERT_TRUE(chmodded) << to_string(chmodded.error());
  EXPECT_EQ(*chmodded, RemoveResult::changed);
  EXPECT_TRUE(exists(join(root, "chmodded")));
#ifdef _WIN32
  SetFileAttributesW(fs_path(join(root, "chmodded")).c_str(), FILE_ATTRIBUTE_NORMAL);
#endif
}

TEST_F(Walk, AFileRemovedByOthersIsGone) {
  const std::string root = tree();
  write_file(join(root, "vanishing"), "x");
  TreeWalk walk = open_walk(root);
  const WalkEntry entry = find_in_root(walk, "vanishing");
  fs::remove(fs_path(join(root, "vanishing")));
  auto result = walk.remove_entry(entry, RemoveMode::remove, false);
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(*result, RemoveResult::gone);
}

TEST_F(Walk, RemovesAnEmptiedDirectoryButNotOneWithSomethingLeft) {
  const std::string root = tree();
  for (const char* name : {"emptied", "kept", "dry"}) {
    fs::create_directory(fs_path(join(root, name)));
    write_file(join(join(root, name), "file"), "x");
  }
  TreeWalk walk = open_walk(root);
  std::map<std::string, std::expected<RemoveResult, Error>> results;
  walk_all(
      walk,
      [&](const WalkEntry& entry) {
        if (entry.type != EntryType::file) return;
        const std::string directory = test::base_name(walk.current_path());
        if (directory == "kept") return;
        const RemoveMode mode = directory == "dry" ? RemoveMode::dry_run : RemoveMode::remove;
        auto removed = walk.remove_entry(entry, mode, false);
        ASSERT_TRUE(removed) << to_string(removed.error());
      },
      [&](const WalkEntry& directory) {
        const RemoveMode mode = directory.name == "dry" ? RemoveMode::dry_run : RemoveMode::remove;
        results.emplace(directory.name, walk.remove_finished_directory(directory, mode, false));
      });
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results.at("emptied")) << to_string(results.at("emptied").error());
  EXPECT_EQ(*results.at("emptied"), RemoveResult::removed);
  EXPECT_FALSE(exists(join(root, "emptied")));

  ASSERT_FALSE(results.at("kept"));
  EXPECT_EQ(results.at("kept").error().kind, ErrorKind::directory_not_empty)
      << to_string(results.at("kept").error());
  EXPECT_TRUE(exists(join(join(root, "kept"), "file")));

  ASSERT_TRUE(results.at("dry")) << to_string(results.at("dry").error());
  EXPECT_EQ(*results.at("dry"), RemoveResult::removed);
  EXPECT_TRUE(exists(join(join(root, "dry"), "file")));
}

TEST_F(Walk, ADirectoryFilledAfterItWasListedIsNotRemoved) {
  const std::string root = tree();
  const std::string late = join(root, "late");
  fs::create_directory(fs_path(late));
  TreeWalk walk = open_walk(root);
  const WalkEntry entry = find_in_root(walk, "late");
  auto entered = walk.enter(entry);
  ASSERT_TRUE(entered && *entered);
  WalkEntry next;
  auto step = walk.next(next);
  ASSERT_TRUE(step) << to_string(step.error());
  ASSERT_EQ(*step, WalkStep::finished_directory);
  EXPECT_EQ(walk.current_path(), late);
  write_file(join(late, "new.txt"), "x");
  // Refused as not empty, or found changed first (its modification time moved
  // although the walk removed nothing in it): either way it stays.
  auto removed = walk.remove_finished_directory(entry, RemoveMode::remove, false);
  if (removed) {
    EXPECT_EQ(*removed, RemoveResult::changed);
  } else {
    EXPECT_EQ(removed.error().kind, ErrorKind::directory_not_empty) << to_string(removed.error());
  }
  EXPECT_TRUE(exists(join(late, "new.txt")));
}

TEST_F(Walk, EnterRefusesADirectoryReplacedAfterListing) {
  const std::string root = tree();
  fs::create_directory(fs_path(join(root, "swapped")));
  fs::create_directory(fs_path(join(root, "now-a-file")));
  TreeWalk walk = open_walk(root);
  // Both listed, but not the end of the root: entering is for a directory being listed.
  std::vector<WalkEntry> listed(2);
  for (WalkEntry& entry : listed) {
    auto step = walk.next(entry);
    ASSERT_TRUE(step && *step == WalkStep::entry);
  }
  fs::rename(fs_path(join(root, "swapped")), fs_path(join(root, "swapped.old")));
  fs::create_directory(fs_path(join(root, "swapped")));
  fs::remove(fs_path(join(root, "now-a-file")));
  write_file(join(root, "now-a-file"), "x");
  for (const WalkEntry& directory : listed) {
    auto entered = walk.enter(directory);
    ASSERT_TRUE(entered) << to_string(entered.error());
    EXPECT_FALSE(*entered) << directory.name;
    EXPECT_EQ(walk.depth(), 0u);
  }
}

TEST_F(Walk, ASplitWalkCleansItsDirectoryThenRemovesItFromTheRoot) {
  const std::string root = tree();
  const std::string a = join(root, "a");
  fs::create_directories(fs_path(join(a, "y")));
  write_file(join(a, "x"), "x");
  write_file(join(join(a, "y"), "z"), "z");
  fs::create_directory(fs_path(join(root, "b")));
  write_file(join(join(root, "b"), "kept"), "b");
  TreeWalk walk = open_walk(root);
  const WalkEntry listed = find_in_root(walk, "a");
  auto split = walk.split(listed, 2);
  ASSERT_TRUE(split) << to_string(split.error());
  ASSERT_TRUE(*split);
  TreeWalk& part = **split;
  EXPECT_EQ(part.depth(), 1u);
  EXPECT_EQ(part.current_path(), a);

  // Everything below "a", then "a" itself, removed through the split walk.
  std::vector<std::string> seen;
  walk_all(
      part,
      [&](const WalkEntry& entry) {
        seen.push_back(entry.name);
        if (entry.type == EntryType::directory) return;
        auto removed = part.remove_entry(entry, RemoveMode::remove, false);
        ASSERT_TRUE(removed && *removed == RemoveResult::removed);
      },
      [&](const WalkEntry& directory) {
        seen.push_back("finished " + directory.name);
        auto removed = part.remove_finished_directory(directory, RemoveMode::remove, false);
        ASSERT_TRUE(removed) << to_string(removed.error());
        EXPECT_EQ(*removed, RemoveResult::removed);
      },
      {listed});
  std::ranges::sort(seen);
  EXPECT_EQ(seen, (std::vector<std::string>{"finished a", "finished y", "x", "y", "z"}));
  EXPECT_FALSE(exists(a));

  // The walk it was split from goes on to the end of the root (listing "b"
  // and "kept" unless "b" came before "a"), and never meets "a" again.
  std::vector<std::string> rest;
  walk_all(walk, [&](const WalkEntry& e) { rest.push_back(e.name); });
  EXPECT_TRUE(std::ranges::find(rest, "a") == rest.end());
  EXPECT_EQ(std::ranges::count(rest, "b"), std::ranges::count(rest, "kept"));
  EXPECT_TRUE(exists(join(join(root, "b"), "kept")));
}

TEST_F(Walk, SplitRefusesAReplacedDirectoryAndAnythingBelowTheRoot) {
  const std::string root = tree();
  fs::create_directories(fs_path(join(join(root, "outer"), "inner")));
  fs::create_directory(fs_path(join(root, "swapped")));
  {
    TreeWalk walk = open_walk(root);
    const WalkEntry swapped = find_in_root(walk, "swapped");
    fs::rename(fs_path(join(root, "swapped")), fs_path(join(root, "swapped.old")));
    fs::create_directory(fs_path(join(root, "swapped")));
    auto split = walk.split(swapped, 2);
    ASSERT_TRUE(split) << to_string(split.error());
    EXPECT_FALSE(*split);
  }
  TreeWalk walk = open_walk(root);
  const WalkEntry outer = find_in_root(walk, "outer");
  ASSERT_TRUE(walk.enter(outer).value_or(false));
  WalkEntry inner;
  auto step = walk.next(inner);
  ASSERT_TRUE(step && *step == WalkStep::entry);
  auto split = walk.split(inner, 2);
  ASSERT_FALSE(split);
  EXPECT_EQ(split.error().kind, ErrorKind::invalid_argument) << to_string(split.error());
  EXPECT_EQ(walk.depth(), 1u);
}

TEST_F(Walk, OpeningAFileOrNothingFails) {
  const std::string file = join(scratch(), "plain");
  write_file(file, "x");
  auto walk = TreeWalk::open(file);
  ASSERT_FALSE(walk);
  EXPECT_EQ(walk.error().kind, ErrorKind::not_a_directory) << to_string(walk.error());
  auto missing = TreeWalk::open(join(scratch(), "missing"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found) << to_string(missing.error());
  auto identity = platform::identity_of(join(scratch(), "missing"));
  ASSERT_FALSE(identity);
  EXPECT_EQ(identity.error().kind, ErrorKind::not_found);
}

TEST_F(Walk, AReadOnlyFileIsRemovedOnlyWithForce) {
  const std::string root = tree();
  const std::string path = join(root, "locked");
  write_file(path, "x");
  fs::permissions(fs_path(path),
                  fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  TreeWalk walk = open_walk(root);
  const WalkEntry entry = find_in_root(walk, "locked");
#ifdef _WIN32
  EXPECT_TRUE(entry.read_only);
  auto refused = walk.remove_entry(entry, RemoveMode::dry_run, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::permission_denied);
  EXPECT_NE(refused.error().message.find("read-only"), std::string::npos)
      << to_string(refused.error());
  EXPECT_TRUE(exists(path));
  auto forced = walk.remove_entry(entry, RemoveMode::remove, true);
#else
  // Only the directory's permissions matter on POSIX.
  EXPECT_FALSE(entry.read_only);
  auto forced = walk.remove_entry(entry, RemoveMode::remove, false);
#endif
  ASSERT_TRUE(forced) << to_string(forced.error());
  EXPECT_EQ(*forced, RemoveResult::removed);
  EXPECT_FALSE(exists(path));
}

TEST_F(Walk, ADirectoryOfManyEntriesIsListedOnceEach) {
  const std::string root = tree();
  constexpr int count = 1200;  // three 64 KiB batches on Windows
  for (int i = 0; i < count; ++i) write_file(join(root, "entry-" + std::to_string(i)), "");
  TreeWalk walk = open_walk(root);
  std::map<std::string, int> seen;
  walk_all(walk, [&](const WalkEntry& entry) { ++seen[entry.name]; });
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(count));
  EXPECT_TRUE(std::ranges::all_of(seen, [](const auto& item) { return item.second == 1; }));
}

// Deeper than the open window of either backend, with entries at every level
// that are read ahead when a level closes and listed when it is reached again.
TEST_F(Walk, ADeepTreeWithFilesAtEveryLevelIsListedOnceAndRemoved) {
  const std::string root = tree();
  constexpr std::size_t depth = 120;
  ASSERT_TRUE(make_chain(root, depth, 3));
  TreeWalk walk = open_walk(root);
  std::map<std::string, int> seen;
  std::size_t files = 0;
  std::size_t directories = 0;
  walk_all(
      walk,
      [&](const WalkEntry& entry) {
        ++seen[walk.path_of(entry.name)];
        if (entry.type != EntryType::file) return;
        auto removed = walk.remove_entry(entry, RemoveMode::remove, false);
        ASSERT_TRUE(removed) << to_string(removed.error());
        if (*removed == RemoveResult::removed) ++files;
      },
      [&](const WalkEntry& directory) {
        auto removed = walk.remove_finished_directory(directory, RemoveMode::remove, false);
        ASSERT_TRUE(removed) << to_string(removed.error());
        if (*removed == RemoveResult::removed) ++directories;
      });
  EXPECT_EQ(seen.size(), depth * 4);
  EXPECT_TRUE(std::ranges::all_of(seen, [](const auto& item) { return item.second == 1; }));
  EXPECT_EQ(files, depth * 3);
  EXPECT_EQ(directories, depth);
  EXPECT_TRUE(test::list_directory(root).empty());
}

// 10,000 levels: bounded handles, no recursion. Wine cannot go that deep in
// a test's time: each open there resolves the whole Unix path (2,000 levels
// took 75 s to create), and past PATH_MAX it can no longer delete by handle.
TEST_F(Walk, ATenThousandLevelChainIsWalkedToTheBottomAndRemoved) {
  const std::string root = tree();
  const std::size_t depth = running_under_wine() ? 200 : 10'000;
  ASSERT_TRUE(make_chain(root, depth, 0));
  const long handles_before = open_handle_count();
  TreeWalk walk = open_walk(root);
  std::size_t entered = 0;
  std::size_t deepest = 0;
  std::size_t removed = 0;
  long handles_at_bottom = -1;
  walk_all(
      walk, [&](const WalkEntry&) { ++entered; },
      [&](const WalkEntry& directory) {
        if (walk.depth() > deepest) {
          deepest = walk.depth();
          handles_at_bottom = open_handle_count();
          EXPECT_EQ(walk.current_path().size(), root.size() + 2 * depth);
        }
        auto result = walk.remove_finished_directory(directory, RemoveMode::remove, false);
        ASSERT_TRUE(result) << to_string(result.error());
        if (*result == RemoveResult::removed) ++removed;
      });
  EXPECT_EQ(entered, depth);
  EXPECT_EQ(deepest, depth);
  EXPECT_EQ(removed, depth);
  EXPECT_TRUE(test::list_directory(root).empty());
  if (handles_before >= 0 && handles_at_bottom >= 0) {
    EXPECT_LT(handles_at_bottom - handles_before, 100)
        << "handles or descriptors grow with the depth";
  }
}

#ifndef _WIN32
// Removes everything below `root` through a walk with `options`: the number
// of steps that failed or did not remove (0 when all went).
int remove_everything(const std::string& root, platform::WalkOptions options) {
  auto walk = TreeWalk::open(root, options);
  if (!walk) return 1000;
  int failures = 0;
  WalkEntry entry;
  std::vector<WalkEntry> entered;
  for (;;) {
    auto step = walk->next(entry);
    if (!step) {
      ++failures;
      continue;
    }
    if (*step == WalkStep::done) return failures;
    if (*step == WalkStep::finished_directory) {
      auto removed = walk->remove_finished_directory(entered.back(), RemoveMode::remove, false);
      entered.pop_back();
      failures += removed && *removed == RemoveResult::removed ? 0 : 1;
    } else if (entry.type == EntryType::directory) {
      auto in = walk->enter(entry);
      if (in && *in) {
        entered.push_back(entry);
      } else {
        ++failures;
      }
    } else {
      auto removed = walk->remove_entry(entry, RemoveMode::remove, false);
      failures += removed && *removed == RemoveResult::removed ? 0 : 1;
    }
  }
}

// Runs `body` in a child process as a user whom permission bits stop: this
// user, or nobody (65534) when the tests run as root, who passes them all;
// the child's exit code, or -1.
int as_unprivileged(const std::function<int()>& body) {
  const pid_t child = ::fork();
  if (child == 0) {
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(200);
    ::_exit(std::min(body(), 199));
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// issue 12 item 11: a tree whose maker did `chmod 555` and `chmod 000` on
// directories of its own is emptied only with restore_owner_permissions, and
// another user's read-only directory is never changed.
TEST_F(Walk, RestoringOwnerPermissionsOpensUpTheUsersOwnDirectoriesOnly) {
  const std::string root = tree();
  fs::create_directories(fs_path(join(root, "m/x")));
  write_file(join(root, "m/x/f"), "x");
  fs::create_directories(fs_path(join(root, "z")));
  write_file(join(root, "z/g"), "x");
  fs::create_directories(fs_path(join(root, "other")));
  write_file(join(root, "other/h"), "x");
  const bool root_user = ::geteuid() == 0;
  if (root_user) {
    ASSERT_EQ(::chmod(scratch().c_str(), 0755), 0);
    for (const auto& item : fs::recursive_directory_iterator(fs_path(root)))
      ASSERT_EQ(::lchown(item.path().c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chown(root.c_str(), 65534, 65534), 0);
    // Someone else's: nobody may not change it, nor remove what is in it.
    ASSERT_EQ(::chown(join(root, "other").c_str(), 65533, 65533), 0);
  }
  ASSERT_EQ(::chmod(join(root, "m/x").c_str(), 0555), 0);
  ASSERT_EQ(::chmod(join(root, "z").c_str(), 0), 0);
  ASSERT_EQ(::chmod(join(root, "other").c_str(), 0555), 0);

  EXPECT_GT(as_unprivileged([&] { return remove_everything(root, {}); }), 0);
  EXPECT_TRUE(exists(join(root, "m/x/f")));
  EXPECT_TRUE(exists(join(root, "z/g")));
  EXPECT_EQ(
      as_unprivileged([&] { return remove_everything(root, {.restore_owner_permissions = true}); }),
      root_user ? 2 : 0);  // other/h and other itself
  EXPECT_FALSE(exists(join(root, "m")));
  EXPECT_FALSE(exists(join(root, "z")));
  if (root_user) {
    struct stat st;
    ASSERT_EQ(::stat(join(root, "other").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0555u);
    EXPECT_TRUE(exists(join(root, "other/h")));
  }
}
#endif

// --- TreeWalk::look_up: one entry of a walk's root, looked up by name ---

class LookUp : public test::ScratchDirectoryTest {
protected:
  std::string root() const { return join(scratch(), "root"); }
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    fs::create_directory(fs_path(root()));
  }
  platform::TreeWalk open_walk() {
    auto walk = platform::TreeWalk::open(root());
    if (!walk) {
      ADD_FAILURE() << to_string(walk.error());
      std::abort();
    }
    return std::move(*walk);
  }
  // The entry `name` as next() lists it.
  WalkEntry listed(const std::string& name) {
    platform::TreeWalk walk = open_walk();
    WalkEntry entry;
    while (walk.next(entry).value_or(platform::WalkStep::done) == platform::WalkStep::entry)
      if (entry.name == name) return entry;
    ADD_FAILURE() << name << " is not listed";
    return {};
  }
};

void expect_same(const WalkEntry& looked, const WalkEntry& listed) {
  EXPECT_EQ(looked.name, listed.name);
  EXPECT_EQ(looked.type, listed.type);
  EXPECT_EQ(looked.identity, listed.identity);
  EXPECT_EQ(looked.size, listed.size);
  EXPECT_EQ(looked.links, listed.links);
  EXPECT_EQ(looked.times, listed.times);
  EXPECT_EQ(looked.other_filesystem, listed.other_filesystem);
  EXPECT_EQ(looked.not_owned, listed.not_owned);
  EXPECT_EQ(looked.read_only, listed.read_only);
}

TEST_F(LookUp, AFileAndADirectoryAreSeenAsNextListsThem) {
  write_file(join(root(), "file"), "twelve bytes");
  fs::create_directory(fs_path(join(root(), "directory")));
  fs::create_hard_link(fs_path(join(root(), "file")), fs_path(join(scratch(), "second link")));
  for (const std::string name : {"file", "directory"}) {
    platform::TreeWalk walk = open_walk();
    WalkEntry entry;
    auto looked = walk.look_up(name, entry);
    ASSERT_TRUE(looked) << to_string(looked.error());
    expect_same(entry, listed(name));
    // What the core records for a path, and what it meets again here.
    EXPECT_EQ(entry.identity, platform::identity_of(join(root(), name)).value()) << name;
    EXPECT_EQ(walk.depth(), 0u);
  }
  platform::TreeWalk walk = open_walk();
  WalkEntry file;
  ASSERT_TRUE(walk.look_up("file", file));
  EXPECT_EQ(file.type, platform::EntryType::file);
  EXPECT_EQ(file.size, 12u);
}

#ifndef _WIN32
TEST_F(LookUp, ASymlinkIsSeenAsALink) {
  write_file(join(scratch(), "target"), "x");
  fs::create_symlink(fs_path(join(scratch(), "target")), fs_path(join(root(), "link")));
  platform::TreeWalk walk = open_walk();
  WalkEntry entry;
  ASSERT_TRUE(walk.look_up("link", entry));
  EXPECT_EQ(entry.type, platform::EntryType::symlink);
  expect_same(entry, listed("link"));
  EXPECT_NE(entry.identity, platform::identity_of(join(scratch(), "target")).value());
}
#endif

TEST_F(LookUp, AMissingNameIsNotFoundAndAPathIsNoName) {
  fs::create_directory(fs_path(join(root(), "sub")));
  write_file(join(join(root(), "sub"), "inner"), "x");
  platform::TreeWalk walk = open_walk();
  WalkEntry entry;
  auto missing = walk.look_up("missing", entry);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found) << to_string(missing.error());
  for (const std::string& name :
       {std::string("sub") + test::separator + "inner", std::string(".."), std::string()}) {
    auto refused = walk.look_up(name, entry);
    ASSERT_FALSE(refused) << name;
    EXPECT_EQ(refused.error().kind, ErrorKind::invalid_argument) << to_string(refused.error());
  }
  // Below the root it is refused too.
  ASSERT_TRUE(walk.look_up("sub", entry));
  ASSERT_TRUE(walk.enter(entry).value_or(false));
  auto below = walk.look_up("inner", entry);
  ASSERT_FALSE(below);
  EXPECT_EQ(below.error().kind, ErrorKind::invalid_argument) << to_string(below.error());
}

TEST_F(LookUp, ALookedUpFileIsRemovedAndAChangedOneIsNot) {
  write_file(join(root(), "file"), "x");
  write_file(join(root(), "keep"), "x");
  write_file(join(root(), "after"), "x");
  platform::TreeWalk walk = open_walk();
  WalkEntry entry;
  ASSERT_TRUE(walk.look_up("file", entry));
  auto removed = walk.remove_entry(entry, platform::RemoveMode::remove, false);
  ASSERT_TRUE(removed) << to_string(removed.error());
  EXPECT_EQ(*removed, platform::RemoveResult::removed);
  EXPECT_FALSE(exists(join(root(), "file")));

  // Replaced after the look: not the file that was looked at.
  WalkEntry keep;
  ASSERT_TRUE(walk.look_up("keep", keep));
  WalkEntry other;
  ASSERT_TRUE(walk.look_up("after", other));
  fs::remove(fs_path(join(root(), "keep")));
  fs::rename(fs_path(join(root(), "after")), fs_path(join(root(), "keep")));
  auto changed = walk.remove_entry(keep, platform::RemoveMode::remove, false);
  ASSERT_TRUE(changed) << to_string(changed.error());
  EXPECT_EQ(*changed, platform::RemoveResult::changed);
  EXPECT_TRUE(exists(join(root(), "keep")));
}

TEST_F(LookUp, ALookedUpDirectoryIsEnteredOrSplitOffAndCleaned) {
  const std::string directory = join(root(), "directory");
  fs::create_directories(fs_path(join(directory, "inner")));
  write_file(join(directory, "a"), "a");
  write_file(join(join(directory, "inner"), "b"), "b");
  {
    platform::TreeWalk walk = open_walk();
    WalkEntry entry;
    ASSERT_TRUE(walk.look_up("directory", entry));
    ASSERT_TRUE(walk.enter(entry).value_or(false));
    EXPECT_EQ(walk.current_path(), directory);
  }
  platform::TreeWalk walk = open_walk();
  WalkEntry entry;
  ASSERT_TRUE(walk.look_up("directory", entry));
  auto split = walk.split(entry, 2);
  ASSERT_TRUE(split) << to_string(split.error());
  ASSERT_TRUE(*split);
  platform::TreeWalk& part = **split;
  // Depth first, removing every file and every finished directory.
  std::vector<WalkEntry> entered{entry};
  std::vector<std::string> seen;
  WalkEntry next;
  for (;;) {
    auto step = part.next(next);
    ASSERT_TRUE(step) << to_string(step.error());
    if (*step == platform::WalkStep::done) break;
    if (*step == platform::WalkStep::finished_directory) {
      auto removed =
          part.remove_finished_directory(entered.back(), platform::RemoveMode::remove, false);
      ASSERT_TRUE(removed) << to_string(removed.error());
      EXPECT_EQ(*removed, platform::RemoveResult::removed) << entered.back().name;
      entered.pop_back();
      continue;
    }
    seen.push_back(next.name);
    if (next.type == platform::EntryType::directory) {
      ASSERT_TRUE(part.enter(next).value_or(false));
      entered.push_back(next);
    } else {
      ASSERT_EQ(part.remove_entry(next, platform::RemoveMode::remove, false)
                    .value_or(platform::RemoveResult::changed),
                platform::RemoveResult::removed);
    }
  }
  std::ranges::sort(seen);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "inner"}));
  EXPECT_TRUE(entered.empty());
  EXPECT_FALSE(exists(directory));
  EXPECT_TRUE(test::list_directory(root()).empty());
}

#ifndef _WIN32
// WalkOptions::trust_listed_types (a tree removal): a file or a link is given
// as listed (its identity from the listing), unlooked at, and still removed as a name (a link's
// target stays); a directory is looked at as always.
TEST_F(Walk, TrustingTheListingFilesComeUnlookedAtAndGoAsNames) {
  const std::string root = join(scratch(), "trusting");
  fs::create_directories(fs_path(join(root, "directory")));
  write_file(join(root, "file"), "twelve bytes");
  write_file(join(scratch(), "target"), "kept");
  fs::create_symlink(fs_path(join(scratch(), "target")), fs_path(join(root, "link")));
  const auto file_identity = platform::identity_of(join(root, "file"));
  ASSERT_TRUE(file_identity);
  auto walk = TreeWalk::open(root, {.trust_listed_types = true});
  ASSERT_TRUE(walk) << to_string(walk.error());
  WalkEntry entry;
  std::map<std::string, WalkEntry> seen;
  while (walk->next(entry).value_or(WalkStep::done) == WalkStep::entry) {
    seen[entry.name] = entry;
    if (entry.type != EntryType::directory) {
      EXPECT_EQ(
          walk->remove_entry(entry, RemoveMode::remove, false).value_or(RemoveResult::changed),
          RemoveResult::removed)
          << entry.name;
    }
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen.at("file").type, EntryType::file);
  EXPECT_EQ(seen.at("file").size, 0u) << "looked at after all";
  // The listing's inode number, on the directory's device: what find_tree_holders matches.
  EXPECT_EQ(seen.at("file").identity, *file_identity);
  EXPECT_EQ(seen.at("link").type, EntryType::symlink);
  EXPECT_EQ(seen.at("directory").type, EntryType::directory);
  EXPECT_NE(seen.at("directory").identity, platform::FileIdentity{});
  EXPECT_FALSE(exists(join(root, "file")));
  EXPECT_FALSE(exists(join(root, "link")));
  EXPECT_EQ(test::read_file(join(scratch(), "target")), "kept");
}
#endif

}  // namespace
}  // namespace tmpctl
