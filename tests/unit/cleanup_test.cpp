// The pieces of cleanup that are pure logic (durations, globs), and the
// core's cleanup() on the real file system where the CLI tests cannot
// control it: the same stale set from one thread and from many.

#include <gtest/gtest.h>
#include <tmpctl/cleanup.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using test::fs_path;
using test::join;

TEST(Duration, UnitsAndCombinations) {
  EXPECT_EQ(parse_duration("90s").value(), seconds(90));
  EXPECT_EQ(parse_duration("30m").value(), seconds(1800));
  EXPECT_EQ(parse_duration("12h").value(), seconds(12 * 3600));
  EXPECT_EQ(parse_duration("7d").value(), seconds(7 * 86400));
  EXPECT_EQ(parse_duration("2w").value(), seconds(14 * 86400));
  EXPECT_EQ(parse_duration("1d6h").value(), seconds(86400 + 6 * 3600));
  EXPECT_EQ(parse_duration("1h30m15s").value(), seconds(5415));
  EXPECT_EQ(parse_duration("45").value(), seconds(45));  // a bare number is seconds
}

TEST(Duration, RejectsWhatItCannotRead) {
  for (const char* bad :
       {"", "0s", "d", "10x", "1d6", "-5m", "1.5h", " 5m", "99999999999999999999d"}) {
    auto parsed = parse_duration(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_argument) << bad;
    EXPECT_FALSE(parsed.error().message.empty());
  }
}

TEST(Glob, StarsStayInsideOneComponentUnlessDoubled) {
  EXPECT_TRUE(glob_match("tmp.*", "tmp.abc"));
  EXPECT_TRUE(glob_match("tmp.*", "tmp."));
  EXPECT_FALSE(glob_match("tmp.*", "xtmp.abc"));
  EXPECT_FALSE(glob_match("*", "a/b"));
  EXPECT_TRUE(glob_match("**", "a/b"));
  EXPECT_TRUE(glob_match("**/deeper/*", "sub/deeper/x"));
  EXPECT_FALSE(glob_match("**/deeper/*", "sub/deeper/x/y"));
  EXPECT_TRUE(glob_match("a/*/c", "a/b/c"));
  EXPECT_FALSE(glob_match("a/*/c", "a/b/x/c"));
  EXPECT_TRUE(glob_match("*.log", ".hidden.log"));
}

TEST(Glob, QuestionMarksSetsAndLiterals) {
  EXPECT_TRUE(glob_match("f?o", "foo"));
  EXPECT_TRUE(glob_match("f?o", "f\xC3\xA9o"));  // one character, two bytes
  EXPECT_FALSE(glob_match("f?o", "fo"));
  EXPECT_TRUE(glob_match("[abc]x", "bx"));
  EXPECT_FALSE(glob_match("[!abc]x", "bx"));
  EXPECT_TRUE(glob_match("[a-z]1", "q1"));
  EXPECT_FALSE(glob_match("[a-z]1", "Q1"));
  EXPECT_TRUE(glob_match("[a-z]1", "Q1", true));
  EXPECT_TRUE(glob_match("[*]", "*"));
  EXPECT_FALSE(glob_match("[*]", "x"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("TMP.*", "tmp.x", true));
  EXPECT_FALSE(glob_match("TMP.*", "tmp.x", false));
}

// A name that is not UTF-8 is matched byte for byte where it is not: an
// overlong "/" (C0 AF) is two stray bytes, never a separator, and an encoded
// surrogate is three, never one character.
TEST(Glob, BytesThatAreNotUtf8AreCharactersOfTheirOwn) {
  EXPECT_FALSE(glob_match("a/b",
                          "a\xC0\xAF"
                          "b"));
  EXPECT_TRUE(glob_match("a??b",
                         "a\xC0\xAF"
                         "b"));
  EXPECT_TRUE(glob_match("*",
                         "a\xC0\xAF"
                         "b"));
  EXPECT_FALSE(glob_match("x?y", "x\xED\xA0\x80y"));
  EXPECT_TRUE(glob_match("x???y", "x\xED\xA0\x80y"));
  EXPECT_FALSE(glob_match("?", "\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_TRUE(glob_match("????", "\xF4\x90\x80\x80"));
  EXPECT_TRUE(glob_match("f?o", "f\xFFo"));
  EXPECT_TRUE(glob_match("f[\xFF]o", "f\xFFo"));
  EXPECT_TRUE(glob_match("?", "\xF4\x8F\xBF\xBF"));  // U+10FFFF: one character
}

TEST(Glob, ManyStarsStayFast) {
  const std::string text(200, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*", text));
}

TEST(Glob, SyntaxIsChecked) {
  EXPECT_TRUE(check_glob("tmp.[ab]*"));
  EXPECT_FALSE(check_glob("tmp.[ab"));
  EXPECT_FALSE(check_glob(""));
}

class CleanupThreads : public test::ScratchDirectoryTest {
protected:
  // A tree of 16 directories of the root with files, some fresh (a
  // modification time two months ahead), a subdirectory each, one directory
  // where everything is stale, files in the root itself, and one file with
  // a name in two directories of the root (a hard link).
  std::string make_tree(const std::string& name) {
    const std::string root = join(scratch(), name);
    fs::create_directory(fs_path(root));
    const auto fresh = fs::file_time_type::clock::now() + std::chrono::days(60);
    const auto write = [&](const std::string& path, bool is_fresh) {
      std::ofstream(fs_path(path), std::ios::binary) << path.substr(root.size());
      if (is_fresh) fs::last_write_time(fs_path(path), fresh);
    };
    for (int d = 0; d < 16; ++d) {
      const std::string directory = join(root, "d" + std::to_string(d));
      fs::create_directories(fs_path(join(directory, "sub")));
      for (int f = 0; f < 20; ++f)
        write(join(directory, "f" + std::to_string(f)), d != 4 && f % 3 == 0);
      write(join(join(directory, "sub"), "s"), d % 4 == 1);
    }
    write(join(root, "top-stale"), false);
    write(join(root, "top-fresh"), true);
    fs::create_hard_link(fs_path(join(join(root, "d0"), "f1")),
                         fs_path(join(join(root, "d9"), "link")));
    return root;
  }

  struct Run {
    std::set<std::string> listed;  // below the root, '/'-separated
    CleanupSummary summary;
  };

  // Everything an hour of the cutoff later: 30 days from now, by mtime only.
  Run clean(const std::string& root, unsigned jobs, bool dry_run) {
    CleanupOptions options;
    options.older_than = std::chrono::days(10);
    options.now = std::chrono::system_clock::now() + std::chrono::days(30);
    options.age_by = Timestamp::modification;
    options.jobs = jobs;
    options.dry_run = dry_run;
    Run run;
    std::mutex mutex;
    CleanupObserver observer;
    observer.entry = [&](const CleanupEntry& entry) {
      std::lock_guard lock(mutex);  // the observer's calls come one at a time
      EXPECT_NE(entry.action, CleanupAction::failed) << entry.path;
      EXPECT_NE(entry.action, CleanupAction::skipped) << entry.path;
      std::string relative = entry.path.substr(root.size() + 1);
      std::ranges::replace(relative, '\\', '/');
      EXPECT_TRUE(run.listed.insert(relative).second) << relative << " listed twice";
    };
    const std::vector<std::string> roots{root};
    auto summary = cleanup(roots, options, observer);
    EXPECT_TRUE(summary) << to_string(summary.error());
    if (summary) run.summary = *summary;
    return run;
  }

  static std::set<std::string> remaining(const std::string& root) {
    std::set<std::string> left;
    for (const auto& entry : fs::recursive_directory_iterator(fs_path(root))) {
      std::string relative = test::utf8(entry.path()).substr(root.size() + 1);
      std::ranges::replace(relative, '\\', '/');
      left.insert(relative);
    }
    return left;
  }
};

class CleanupRoots : public test::ScratchDirectoryTest {};

// issue 13: a protected root is refused as a value a caller can test for;
// how to override it (CleanupOptions::force, the CLI's --force) is the
// caller's to say.
TEST_F(CleanupRoots, AProtectedRootIsAKindOfErrorWithoutCliSpellings) {
  const char* home_variable = test::home_dir_variable;
  const std::string home = join(scratch(), "home");
  fs::create_directory(fs_path(home));
  std::ofstream(fs_path(join(home, "old"))) << "x";
  test::ScopedEnvironment variable(home_variable, home.c_str());
  CleanupOptions options;
  options.now = std::chrono::system_clock::now() + std::chrono::days(30);
  const std::vector<std::string> roots{home};
  auto refused = cleanup(roots, options, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::protected_directory);
  EXPECT_EQ(to_string(refused.error().kind), "protected_directory");
  const std::string text = to_string(refused.error());
  EXPECT_NE(text.find("home directory"), std::string::npos) << text;
  EXPECT_EQ(text.find("--"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(fs_path(join(home, "old"))));
}

// Age 0 is "whatever the times say", but the snapshot of what is in use is
// taken when the run begins: what is born or changed after that moment (a
// file made and opened meanwhile) is not judged stale. Here the run's "now"
// lies an hour back, so everything made by this test came after it; with a
// "now" a minute ahead, the same entries go. (It passes no observer: a
// library caller that wants the counts only; that once threw
// bad_function_call inside a worker's pool and hung the run.)
TEST_F(CleanupRoots, AgeZeroKeepsWhatWasBornOrChangedAfterTheRunBegan) {
  const std::string root = join(scratch(), "root");
  fs::create_directories(fs_path(join(root, "dir")));
  std::ofstream(fs_path(join(root, "file"))) << "x";
  std::ofstream(fs_path(join(join(root, "dir"), "inner"))) << "x";
  CleanupOptions options;
  options.older_than = std::chrono::seconds(0);
  options.now = std::chrono::system_clock::now() - std::chrono::hours(1);
  const std::vector<std::string> roots{root};
  auto kept = cleanup(roots, options, {});
  ASSERT_TRUE(kept) << to_string(kept.error());
  EXPECT_EQ(kept->removed, 0u);
  EXPECT_TRUE(fs::exists(fs_path(join(root, "file"))));
  EXPECT_TRUE(fs::exists(fs_path(join(join(root, "dir"), "inner"))));

  options.now = std::chrono::system_clock::now() + std::chrono::minutes(1);
  auto removed = cleanup(roots, options, {});
  ASSERT_TRUE(removed) << to_string(removed.error());
  EXPECT_EQ(removed->removed, 3u);
  EXPECT_TRUE(fs::is_empty(fs_path(root)));
}

TEST_F(CleanupThreads, ManyThreadsRemoveExactlyWhatOneThreadRemoves) {
  const std::string one = make_tree("one");
  const std::string many = make_tree("many");

  const Run sequential = clean(one, 1, false);
  const Run dry = clean(many, 4, true);
  const Run parallel = clean(many, 4, false);

  EXPECT_EQ(dry.listed, parallel.listed);
  EXPECT_EQ(sequential.listed, parallel.listed);
  EXPECT_EQ(remaining(one), remaining(many));
  // Spot checks of the set itself.
  EXPECT_TRUE(parallel.listed.contains("d4"));  // all stale: emptied, then removed
  EXPECT_TRUE(parallel.listed.contains("d0/f1"));
  EXPECT_TRUE(parallel.listed.contains("d9/link"));
  EXPECT_TRUE(parallel.listed.contains("top-stale"));
  EXPECT_TRUE(parallel.listed.contains("d2/sub"));
  EXPECT_FALSE(parallel.listed.contains("d1/sub"));  // keeps a fresh file
  EXPECT_TRUE(remaining(many).contains("d1/sub/s"));
  EXPECT_TRUE(remaining(many).contains("top-fresh"));
  EXPECT_FALSE(remaining(many).contains("d4"));

  for (const Run* run : {&dry, &parallel}) {
    EXPECT_EQ(run->summary.examined, sequential.summary.examined);
    EXPECT_EQ(run->summary.removed, sequential.summary.removed);
    EXPECT_EQ(run->summary.removed_bytes, sequential.summary.removed_bytes);
    EXPECT_EQ(run->summary.kept_too_new, sequential.summary.kept_too_new);
    EXPECT_EQ(run->summary.kept_not_empty, sequential.summary.kept_not_empty);
    EXPECT_EQ(run->summary.failed, 0u);
  }
  EXPECT_EQ(parallel.summary.removed, parallel.listed.size());
}

TEST_F(CleanupThreads, AStopRequestEndsEveryThreadAfterItsEntryInHand) {
  const std::string root = make_tree("stopped");
  std::atomic<bool> stop{false};
  CleanupOptions options;
  options.now = std::chrono::system_clock::now() + std::chrono::days(30);
  options.age_by = Timestamp::modification;
  options.jobs = 4;
  options.stop = &stop;
  std::size_t listed = 0;
  CleanupObserver observer;
  observer.entry = [&](const CleanupEntry&) {
    ++listed;  // one call at a time
    stop = true;
  };
  const std::vector<std::string> roots{root};
  auto summary = cleanup(roots, options, observer);
  ASSERT_TRUE(summary) << to_string(summary.error());
  EXPECT_TRUE(summary->interrupted);
  // The first removal stops the run; each of the 4 threads may finish the
  // one entry it had in hand.
  EXPECT_GE(listed, 1u);
  EXPECT_LE(listed, 5u);
  EXPECT_EQ(summary->removed, listed);
  EXPECT_GT(remaining(root).size(), 16u * 20u);
}

}  // namespace
}  // namespace tmpctl
