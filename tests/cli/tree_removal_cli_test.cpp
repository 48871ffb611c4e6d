// Black-box tests of removing whole trees: `remove -r`, `diagnose -r` and
// `run -d` delete through the same walker as cleanup (issue 12 items 2, 3, 4
// and 15). Each test runs the built tmpctl on a tree in its own scratch dir.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <tmpctl/tmpctl.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>

#include "platform/win32/unicode.hpp"
#else
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
using test::list_directory;
using test::run_tmpctl;
using test::split;

class TreeRemovalCli : public test::ScratchDirectoryTest {
protected:
  std::string make_file(const std::string& path, const std::string& text = "x") {
    std::ofstream(fs_path(path)) << text;
    return path;
  }
  // `count` files in `directory`, created.
  void fill(const std::string& directory, int count) {
    fs::create_directories(fs_path(directory));
    for (int i = 0; i < count; ++i) make_file(join(directory, "f" + std::to_string(i)));
  }
  // Every entry below `root`, as paths relative to it, sorted.
  static std::vector<std::string> everything_below(const std::string& root) {
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(fs_path(root)))
      found.push_back(fs::relative(entry.path(), fs_path(root)).generic_string());
    std::ranges::sort(found);
    return found;
  }
};

#ifdef _WIN32

bool set_read_only(const std::string& path) {
  return SetFileAttributesW(platform::win32::native_path(path).value().c_str(),
                            FILE_ATTRIBUTE_READONLY) != 0;
}

// Item 4: everything that can go goes; each entry that cannot is reported
// with its cause and holders, and the worst exit code wins. Item 15: inside a
// tree, a read-only file is refused without --force, as plain remove refuses
// it.
TEST_F(TreeRemovalCli, RemovesEverythingThatCanGoAndReportsEachEntryThatCannot) {
  const std::string tree = join(scratch(), "tree");
  for (const char* sub : {"a", "b", "c", "d"}) fill(join(tree, sub), 15);
  const std::string held = make_file(join(join(tree, "b"), "held.tmp"));
  const std::string holder_scratch = join(scratch(), "holder");
  fs::create_directory(fs_path(holder_scratch));
  HeldFile holder(held, holder_scratch);
  const std::string read_only = make_file(join(join(tree, "c"), "read-only.txt"));
  ASSERT_TRUE(set_read_only(read_only));

  auto result = run_tmpctl({"remove", "-r", "--json", tree});
  EXPECT_EQ(result.exit_code, 5) << result.out << result.err;  // denied (5) beats in use (3)
  const auto report = nlohmann::json::parse(split(result.out).at(0));
  EXPECT_EQ(report.at("outcome"), "not_empty") << report.dump(2);
  ASSERT_EQ(report.at("inside").size(), 2u) << report.dump(2);
  std::map<std::string, nlohmann::json> inside;
  for (const auto& entry : report.at("inside")) inside[entry.at("path")] = entry;
  ASSERT_TRUE(inside.contains(held)) << report.dump(2);
  EXPECT_EQ(inside[held].at("cause"), "sharing_violation");
  EXPECT_EQ(inside[held].at("error").at("code"), 32);
  EXPECT_EQ(inside[held].at("holders").at(0).at("pid"), holder.pid());
  ASSERT_TRUE(inside.contains(read_only)) << report.dump(2);
  EXPECT_EQ(inside[read_only].at("cause"), "read_only_attribute");
  // What stays: the two entries and the directories that hold them.
  EXPECT_EQ(everything_below(tree),
            (std::vector<std::string>{"b", "b/held.tmp", "c", "c/read-only.txt"}));

  holder.release();
  auto forced = run_tmpctl({"remove", "-r", "--force", tree});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(fs::exists(fs_path(tree)));
}

TEST_F(TreeRemovalCli, TextReportsNameEachEntryThenTheTree) {
  const std::string tree = join(scratch(), "tree");
  fill(join(tree, "a"), 3);
  const std::string read_only = make_file(join(join(tree, "a"), "ro"));
  ASSERT_TRUE(set_read_only(read_only));
  auto result = run_tmpctl({"remove", "-r", tree});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_TRUE(contains(result.err, "cannot remove '" + read_only + "'")) << result.err;
  EXPECT_TRUE(contains(result.err, "cannot remove '" + tree +
                                       "': 1 entry inside could not be "
                                       "removed"))
      << result.err;
  EXPECT_EQ(everything_below(tree), (std::vector<std::string>{"a", "a/ro"}));

  auto diagnosis = run_tmpctl({"diagnose", "-r", "--json", tree});
  EXPECT_EQ(diagnosis.exit_code, 5) << diagnosis.out;
  const auto report = nlohmann::json::parse(split(diagnosis.out).at(0));
  EXPECT_EQ(report.at("would_succeed"), false);
  EXPECT_EQ(report.at("inside").at(0).at("path"), read_only);
}

#else  // POSIX

using test::run_tmpctl_unprivileged;

// Runs tmpctl through sh with `setup` before it: arguments reach tmpctl as
// "$@", never through the shell's parsing.
test::ProcessResult run_after(const std::string& setup, const std::vector<std::string>& arguments) {
  std::vector<std::string> command{"/bin/sh", "-c", setup + "; exec \"$0\" \"$@\"",
                                   test::tmpctl_path()};
  command.insert(command.end(), arguments.begin(), arguments.end());
  return test::run_process(command);
}

void chown_tree(const std::string& root, uid_t uid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, uid), 0);
  for (const auto& entry : fs::recursive_directory_iterator(fs_path(root)))
    ASSERT_EQ(::lchown(entry.path().c_str(), uid, uid), 0);
}

// Item 4: `remove -r` stopped at its first failure (53 of 61 entries left
// where rm -r leaves 2). Now everything that can go goes and every failure
// is reported with its cause; the worst exit code wins.
TEST_F(TreeRemovalCli, RemovesEverythingThatCanGoAndReportsEachEntryThatCannot) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv"))
    GTEST_SKIP() << "needs root (to make a directory nobody may not write to) and setpriv";
  fs::permissions(fs_path(scratch()), fs::perms::all, fs::perm_options::replace);
  const std::string tree = join(scratch(), "tree");
  for (const char* sub : {"a", "b", "c", "d"}) fill(join(tree, sub), 15);
  const std::string locked = join(tree, "c");  // 15 files nobody may not unlink
  chown_tree(tree, 65534);
  ASSERT_EQ(::chown(locked.c_str(), 0, 0), 0);
  ::chmod(locked.c_str(), 0755);

  auto result = run_tmpctl_unprivileged({"remove", "-r", "--json", tree});
  EXPECT_EQ(result.exit_code, 5) << result.out << result.err;
  const auto report = nlohmann::json::parse(split(result.out).at(0));
  EXPECT_EQ(report.at("outcome"), "not_empty") << report.dump(2);
  ASSERT_EQ(report.at("inside").size(), 15u) << report.dump(2);
  for (const auto& inner : report.at("inside")) {
    EXPECT_TRUE(inner.at("path").get<std::string>().starts_with(locked + "/")) << inner.dump();
    EXPECT_EQ(inner.at("cause"), "directory_not_writable") << inner.dump();
    EXPECT_EQ(inner.at("error").at("name"), "EACCES") << inner.dump();
  }
  std::vector<std::string> left{"c"};
  for (int i = 0; i < 15; ++i) left.push_back("c/f" + std::to_string(i));
  std::ranges::sort(left);
  EXPECT_EQ(everything_below(tree), left);

  auto text = run_tmpctl_unprivileged({"remove", "-r", tree});
  EXPECT_EQ(text.exit_code, 5);
  EXPECT_TRUE(contains(text.err, "cannot remove '" + join(locked, "f0") +
                                     "': Permission denied "
                                     "(errno 13, EACCES)"))
      << text.err;
  EXPECT_TRUE(contains(text.err, "cannot remove '" + tree +
                                     "': 15 entries inside could not be "
                                     "removed"))
      << text.err;
}

// Item 11: `remove -r --force` gives the user's own chmod 555 and chmod 000
// directories u+rwx back and removes what they hold; without --force they
// are reported. Another user's directory is never changed.
TEST_F(TreeRemovalCli, ForceOpensUpTheUsersOwnReadOnlyDirectories) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv"))
    GTEST_SKIP() << "needs root (permission bits never stop root: tmpctl runs as nobody)";
  fs::permissions(fs_path(scratch()), fs::perms::all, fs::perm_options::replace);
  const std::string tree = join(scratch(), "tree");
  fill(join(tree, "ro/sub"), 2);
  fill(join(tree, "none"), 2);
  chown_tree(tree, 65534);
  ASSERT_EQ(::chmod(join(tree, "ro/sub").c_str(), 0555), 0);
  ASSERT_EQ(::chmod(join(tree, "none").c_str(), 0), 0);

  auto plain = run_tmpctl_unprivileged({"remove", "-r", tree});
  EXPECT_EQ(plain.exit_code, 5) << plain.err;
  EXPECT_TRUE(
      contains(plain.err, "cannot open directory '" + join(tree, "none") + "': Permission denied"))
      << plain.err;
  EXPECT_TRUE(fs::exists(fs_path(join(tree, "ro/sub/f0"))));

  auto forced = run_tmpctl_unprivileged({"remove", "-r", "--force", tree});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(fs::exists(fs_path(tree)));

  // Root's read-only directory inside nobody's tree: never opened up.
  fill(join(tree, "roots"), 1);
  chown_tree(tree, 65534);
  ASSERT_EQ(::chown(join(tree, "roots").c_str(), 0, 0), 0);
  ASSERT_EQ(::chmod(join(tree, "roots").c_str(), 0555), 0);
  auto others = run_tmpctl_unprivileged({"remove", "-r", "--force", tree});
  EXPECT_EQ(others.exit_code, 5) << others.err;
  struct stat st {};
  ASSERT_EQ(::stat(join(tree, "roots").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u);
  EXPECT_TRUE(fs::exists(fs_path(join(tree, "roots/f0"))));
}

// Item 3: a tree deeper than the descriptor limit (EMFILE before), for
// remove -r and for run -d's removal.
TEST_F(TreeRemovalCli, ATreeDeeperThanTheDescriptorLimitIsRemoved) {
  const std::string tree = join(scratch(), "deep");
  std::string path = tree;
  for (int level = 0; level < 300; ++level) {
    path = join(path, "d");
    fs::create_directories(fs_path(path));
  }
  make_file(join(path, "bottom"));
  auto removed = run_after("ulimit -n 64", {"remove", "-r", tree});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_FALSE(fs::exists(fs_path(tree)));

  test::ScopedEnvironment tmpdir(test::temp_dir_variable, scratch().c_str());
  auto run = run_after("ulimit -n 64", {"run", "-d", "--", "/bin/sh", "-c",
                                        "cd \"$TMPCTL_PATH\" && i=0 && while [ $i -lt 300 ]; do "
                                        "mkdir d && cd d || exit 1; i=$((i+1)); done && "
                                        "echo x > bottom"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  for (const std::string& name : list_directory(scratch()))  // run's record store stays
    EXPECT_TRUE(name.starts_with("tmpctl-records")) << name << " left behind";
}

// Runs `script` ("$1" is the scratch dir, tmpctl is "$0") in a private mount
// namespace, or returns nullopt where that cannot be made.
std::optional<test::ProcessResult> in_mount_namespace(const std::string& scratch,
                                                      const std::string& script) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/unshare")) return std::nullopt;
  auto probe = test::run_process({"/usr/bin/unshare", "-m", "--propagation", "private", "true"});
  if (probe.exit_code != 0) return std::nullopt;
  return test::run_process({"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                            script, test::tmpctl_path(), scratch});
}

// What diagnose -r and remove -r say of a tree with one mount point inside,
// made by `mount` (a script run first in a private mount namespace): it is
// the one entry kept, with cause mount_point. False where no namespace can
// be made.
bool reports_the_mount_point_kept(const std::string& scratch, const std::string& mount,
                                  const std::string& mount_point) {
  auto diagnosis =
      in_mount_namespace(scratch, mount + "exec \"$0\" diagnose -r --json \"$1/tree\"");
  if (!diagnosis) return false;
  EXPECT_NE(diagnosis->exit_code, 99) << diagnosis->err;
  EXPECT_EQ(diagnosis->exit_code, 3) << diagnosis->out << diagnosis->err;
  const auto lines = split(diagnosis->out);
  if (lines.empty()) return true;
  auto object = nlohmann::json::parse(lines.at(0));
  EXPECT_EQ(object.at("would_succeed"), false) << object.dump(2);
  EXPECT_EQ(object.at("inside").size(), 1u) << object.dump(2);
  EXPECT_EQ(object.at("inside").at(0).at("path"), mount_point);
  EXPECT_EQ(object.at("inside").at(0).at("cause"), "mount_point");

  auto removed = in_mount_namespace(scratch, mount + "exec \"$0\" remove -r \"$1/tree\"");
  EXPECT_TRUE(removed);
  if (!removed) return true;
  EXPECT_EQ(removed->exit_code, 3) << removed->err;
  EXPECT_TRUE(contains(removed->err, "cannot remove '" + mount_point + "'")) << removed->err;
  EXPECT_TRUE(contains(removed->err, "a file system is mounted there")) << removed->err;
  return true;
}

// Item 2: a bind mount of an outside directory inside the tree is not
// entered: what is mounted there stays, the mount point is reported, and
// diagnose -r says so before anything is tried. The mounts live only in a
// private mount namespace, gone with it.
TEST_F(TreeRemovalCli, AMountPointInsideTheTreeIsKeptAndReported) {
  const std::string outside = join(scratch(), "outside");
  fill(outside, 3);
  const std::string tree = join(scratch(), "tree");
  fill(join(tree, "plain"), 3);
  fs::create_directories(fs_path(join(tree, "deeper/mnt")));
  const std::string mount = "mount --bind \"$1/outside\" \"$1/tree/deeper/mnt\" || exit 99; ";
  if (!reports_the_mount_point_kept(scratch(), mount, join(tree, "deeper/mnt")))
    GTEST_SKIP() << "needs root and unshare -m (a private mount namespace)";
  EXPECT_EQ(list_directory(outside), (std::vector<std::string>{"f0", "f1", "f2"}));
  EXPECT_EQ(everything_below(tree), (std::vector<std::string>{"deeper", "deeper/mnt"}));

  // run -d: COMMAND mounts inside its own temp directory.
  const std::string run_script =
      "TMPDIR=\"$1/run\" \"$0\" run -d -- /bin/sh -c "
      "'mkdir \"$TMPCTL_PATH/mnt\" && mount --bind \"$0\" \"$TMPCTL_PATH/mnt\"' \"$1/outside\"";
  fs::create_directory(fs_path(join(scratch(), "run")));
  auto run = in_mount_namespace(scratch(), run_script);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->exit_code, 124) << run->err;
  EXPECT_TRUE(contains(run->err, "a file system is mounted there")) << run->err;
  EXPECT_EQ(list_directory(outside), (std::vector<std::string>{"f0", "f1", "f2"}));
}

// Item 2, for a file: a file bind-mounted on a file of the tree stays, and
// so does the outside file, although remove -r does not look at each file
// before it unlinks it (the unlink is refused, and then it looks).
TEST_F(TreeRemovalCli, AFileMountedInsideTheTreeIsKeptAndReported) {
  const std::string outside = join(scratch(), "outside");
  fill(outside, 3);
  const std::string before = test::read_file(join(outside, "f0"));
  const std::string tree = join(scratch(), "tree");
  fill(join(tree, "deeper"), 3);
  const std::string mount = "mount --bind \"$1/outside/f0\" \"$1/tree/deeper/f1\" || exit 99; ";
  if (!reports_the_mount_point_kept(scratch(), mount, join(tree, "deeper/f1")))
    GTEST_SKIP() << "needs root and unshare -m (a private mount namespace)";
  EXPECT_EQ(list_directory(outside), (std::vector<std::string>{"f0", "f1", "f2"}));
  EXPECT_EQ(test::read_file(join(outside, "f0")), before);
  EXPECT_EQ(everything_below(tree), (std::vector<std::string>{"deeper", "deeper/f1"}));
}

#endif

// What remove -r reports for a tree it removes whole: one report, no
// entries inside, and the tree gone; also for a relative path, whose
// entries are spelled as given.
TEST_F(TreeRemovalCli, AWholeTreeGoesWithOneReport) {
  const std::string tree = join(scratch(), "tree");
  fill(join(tree, "a/b/c"), 5);
  fill(join(tree, "d"), 5);
  auto result = run_tmpctl({"remove", "-r", "--json", tree});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto report = nlohmann::json::parse(split(result.out).at(0));
  EXPECT_EQ(report.at("outcome"), "removed");
  EXPECT_TRUE(report.at("inside").empty());
  EXPECT_FALSE(fs::exists(fs_path(tree)));
}

}  // namespace
}  // namespace tmpctl
