// The deletion property test (issue 12, "The lasting defence"): hundreds of
// seeded random trees, each deleted by `tmpctl remove -r`, `tmpctl run -d` or
// `tmpctl cleanup`, with a snapshot of everything outside the tree before and
// after. Any change outside fails, naming the seed that reproduces it:
//
//   TMPCTL_PROPERTY_SEED=S TMPCTL_PROPERTY_TREES=1 property_tests --gtest_filter=...
//
// TMPCTL_PROPERTY_SEED: the first seed (default 12000; tree k uses seed + k).
// TMPCTL_PROPERTY_TREES: trees per command (default 100 on Linux, 12 on Windows: about 3 s a tree
// under Wine). TMPCTL_PROPERTY_INSIDE=0: check only the outside, not what is left inside.
//
// A tree (depth at most 4, at most 30 entries) holds files, directories,
// symlinks to inside and outside (files and directories, absolute and
// relative, dangling, and to the tree's own parent), hard links to outside
// files, read-only entries (POSIX 0444/0555; Windows the read-only attribute,
// files only), files held open by tests/helpers/hold_file, and, as root on
// Linux where `unshare -m` works, a bind mount of an outside directory made
// only inside a private mount namespace that tmpctl runs in. The trees are
// built by tests/helpers/build_tree, which `tmpctl run -d` also runs as its
// COMMAND.
//
// Outside: the case directory (the outside area with modes 0444..0755, the
// tree's siblings and parent), compared by name, type, size, contents, mode
// and link target. Not compared: times and link counts, which deleting a
// hard link or reading a file changes.
//
// Inside (after the fixes of issue 12), what may be left is exactly what
// cannot go: a mount point (never crossed), a file held open where that
// blocks (Windows; `cleanup` everywhere: in use), a read-only file on Windows
// without --force, the entries of a read-only directory for a POSIX user that
// is not root without --force (`run` always restores u+rwx), and the
// directories above them. Whatever lies below such a kept directory may go or
// stay. `cleanup` never removes its DIR. The exit code is 0 exactly when
// nothing had to be left (`cleanup`: when nothing failed).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include "support/wine_host.hpp"
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::fs_path;
using test::join;

#ifdef _WIN32
constexpr bool windows = true;
constexpr int default_trees = 12;
#else
constexpr bool windows = false;
constexpr int default_trees = 100;
#endif
constexpr std::uint64_t default_seed = 12000;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

enum class Command { remove, run, cleanup };

const char* command_name(Command command) {
  switch (command) {
    case Command::remove: return "remove -r";
    case Command::run: return "run -d";
    case Command::cleanup: return "cleanup";
  }
  return "?";
}

// What this OS and this user let a test build.
struct Abilities {
  bool symlinks = !windows;
  bool hard_links = true;
  bool bind_mounts = false;
  bool root = false;
};

struct Node {
  enum Kind { dir, file, symlink, hard_link } kind = file;
  std::string path;  // relative to the tree, with '/'
  int depth = 1;
  bool read_only = false;
  bool held = false;
  bool mount_point = false;
};

// One random case: the outside area, the tree and how tmpctl is run.
struct Case {
  std::uint64_t seed = 0;
  Command command = Command::remove;
  bool force = false;
  int jobs = 1;
  std::vector<std::string> outside_dirs;   // relative to OUTSIDE
  std::vector<std::string> outside_files;  // relative to OUTSIDE, with their sizes below
  std::vector<int> outside_sizes;
  std::vector<std::string> outside_read_only;
  std::vector<Node> nodes;
  std::string plan;       // for build_tree
  std::string bind_plan;  // the bind step, run in the mount namespace
};

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

Case generate(std::uint64_t seed, Command command, const Abilities& can) {
  std::mt19937_64 random(seed);
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  auto pick = [&](std::size_t size) { return static_cast<std::size_t>(random() % size); };
  Case c;
  c.seed = seed;
  c.command = command;
  c.force = chance(50);
  c.jobs = 1 + static_cast<int>(random() % 4);

  // The outside area: what links and hard links point into.
  c.outside_dirs = {"mounted", "mounted/sub"};
  c.outside_files = {"mounted/a", "mounted/sub/b"};
  for (int d = 0, dirs = 1 + static_cast<int>(pick(3)); d < dirs; ++d) {
    const std::string dir = "d" + std::to_string(d);
    c.outside_dirs.push_back(dir);
    if (chance(50)) c.outside_dirs.push_back(dir + "/s");
  }
  for (int f = 0, files = 2 + static_cast<int>(pick(5)); f < files; ++f) {
    const std::string& dir = c.outside_dirs[pick(c.outside_dirs.size())];
    c.outside_files.push_back((chance(30) ? "" : dir + "/") + "f" + std::to_string(f));
  }
  for (std::size_t f = 0; f < c.outside_files.size(); ++f) {
    c.outside_sizes.push_back(static_cast<int>(pick(64)));
    if (chance(25)) c.outside_read_only.push_back(c.outside_files[f]);
  }
  if (!windows)
    for (const std::string& dir : c.outside_dirs)
      if (chance(25)) c.outside_read_only.push_back(dir);

  // The tree.
  std::vector<const Node*> dirs{nullptr};  // nullptr: the tree itself
  const int entries = 5 + static_cast<int>(pick(26));
  std::ostringstream plan;
  c.nodes.reserve(64);  // more than ever made: `dirs` points into it
  for (int i = 0; i < entries; ++i) {
    const Node* parent = dirs[pick(dirs.size())];
    Node node;
    node.path = (parent ? parent->path + "/" : "") + "e" + std::to_string(i);
    node.depth = parent ? parent->depth + 1 : 1;
    const int roll = static_cast<int>(pick(100));
    if (roll < 30 && node.depth < 4) {
      node.kind = Node::dir;
      plan << "dir " << node.path << "\n";
    } else if (roll < 60 && can.symlinks) {
      node.kind = Node::symlink;
      const int target = static_cast<int>(pick(7));
      const char* how = chance(50) ? "abs" : "rel";
      if (target == 0 && !c.nodes.empty()) {
        plan << "symlink " << node.path << " in " << c.nodes[pick(c.nodes.size())].path << " "
             << how;
      } else if (target == 1) {
        plan << "symlink " << node.path << " out " << c.outside_files[pick(c.outside_files.size())]
             << " " << how;
      } else if (target == 2) {
        plan << "symlink " << node.path << " out " << c.outside_dirs[pick(c.outside_dirs.size())]
             << " " << how;
      } else if (target == 3) {
        plan << "symlink " << node.path << " out . " << how;  // the outside area itself
      } else if (target == 4) {
        plan << "symlink " << node.path << " out ../parent " << how;  // the tree's parent
      } else if (target == 5) {
        plan << "symlink " << node.path << " in . " << how;  // the tree itself
      } else {
        plan << "symlink " << node.path << (chance(50) ? " in" : " out") << " missing " << how;
      }
      plan << "\n";
    } else if (roll < 70 && can.hard_links) {
      node.kind = Node::hard_link;
      plan << "hardlink " << node.path << " " << c.outside_files[pick(c.outside_files.size())]
           << "\n";
    } else {
      node.kind = Node::file;
      plan << "file " << node.path << " " << pick(100) << "\n";
    }
    c.nodes.push_back(node);
    if (node.kind == Node::dir) dirs.push_back(&c.nodes.back());
  }
  if (can.bind_mounts && chance(30)) {
    const Node* parent = dirs[pick(dirs.size())];
    Node mount;
    mount.kind = Node::dir;
    mount.path = (parent ? parent->path + "/" : "") + "mnt";
    mount.depth = parent ? parent->depth + 1 : 1;
    mount.mount_point = true;
    plan << "dir " << mount.path << "\n";
    c.bind_plan = "bind mounted " + mount.path + "\n";
    c.nodes.push_back(mount);
  }
  for (Node& node : c.nodes) {
    if (node.kind == Node::file && chance(8)) node.held = true;
    const bool can_be_read_only = node.kind == Node::file || (node.kind == Node::dir && !windows);
    if (can_be_read_only && !node.held && chance(15)) {
      node.read_only = true;
      plan << "readonly " << node.path << "\n";
    }
  }
  c.plan = plan.str();
  return c;
}

// A description of everything below `dir` but `excluded`, by relative path.
using Snapshot = std::map<std::string, std::string>;

std::string describe_mode(const fs::path& path) {
#ifdef _WIN32
  const auto perms = fs::symlink_status(path).permissions();
  return (perms & fs::perms::owner_write) == fs::perms::none ? "read-only" : "writable";
#else
  struct stat status = {};
  if (::lstat(path.c_str(), &status) != 0) return "unstattable";
  std::ostringstream text;
  text << std::oct << (status.st_mode & 07777) << " uid " << std::dec << status.st_uid;
  return text.str();
#endif
}

void take_snapshot(Snapshot& snapshot, const fs::path& dir, const std::string& prefix,
                   const std::set<fs::path>& excluded) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (excluded.contains(entry.path())) continue;
    const std::string name = prefix + test::utf8(entry.path().filename());
    const auto status = entry.symlink_status();
    std::string description;
    if (fs::is_symlink(status)) {
      description = "symlink -> " + test::utf8(fs::read_symlink(entry.path()));
    } else if (fs::is_directory(status)) {
      description = "dir " + describe_mode(entry.path());
      take_snapshot(snapshot, entry.path(), name + "/", excluded);
    } else if (fs::is_regular_file(status)) {
      const std::string contents = test::read_file(test::utf8(entry.path()));
      description = "file " + std::to_string(fs::file_size(entry.path())) + " bytes, contents " +
                    std::to_string(std::hash<std::string>{}(contents)) + ", " +
                    describe_mode(entry.path());
    } else {
      description = "other";
    }
    snapshot[name] = description;
  }
}

std::string differences(const Snapshot& before, const Snapshot& after) {
  std::ostringstream text;
  for (const auto& [name, description] : before) {
    const auto found = after.find(name);
    if (found == after.end())
      text << "  gone:    " << name << " (" << description << ")\n";
    else if (found->second != description)
      text << "  changed: " << name << ": " << description << " -> " << found->second << "\n";
  }
  for (const auto& [name, description] : after)
    if (!before.contains(name)) text << "  new:     " << name << " (" << description << ")\n";
  return text.str();
}

// Relative paths of what is left in the tree, '/'-separated, without following links.
// Under Wine a Unix link shows as its target: `links` are not entered.
std::set<std::string> left_in(const fs::path& root, const std::set<std::string>& links) {
  std::set<std::string> left;
  std::error_code error;
  if (!fs::exists(fs::symlink_status(root, error))) return left;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::string relative = test::utf8(it->path().lexically_relative(root));
    std::replace(relative.begin(), relative.end(), '\\', '/');
    if (links.contains(relative)) it.disable_recursion_pending();
    left.insert(relative);
  }
  return left;
}

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

std::string join_lines(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += "    " + name + "\n";
  return text;
}

class DeletionProperty : public test::ScratchDirectoryTest {
protected:
  static Abilities abilities_;
  static bool probed_;

  void SetUp() override {
    test::ScratchDirectoryTest::SetUp();
    if (!probed_) probe();
  }

  // What this system lets the test build, tried once in the scratch directory.
  void probe() {
    probed_ = true;
    const fs::path dir = fs_path(join(scratch(), "probe"));
    fs::create_directory(dir);
    std::ofstream(dir / "file") << "x";
    std::error_code error;
    fs::create_hard_link(dir / "file", dir / "hard", error);
    abilities_.hard_links = !error && fs::exists(dir / "hard");
#ifdef _WIN32
    // Wine makes no Windows symlinks (docs/platforms.md): Unix ones, from the host's shell.
    abilities_.symlinks = test::run_host_shell("exit 0") == 0;
#else
    abilities_.root = ::geteuid() == 0;
    if (abilities_.root && fs::exists("/usr/bin/unshare")) {
      fs::create_directory(dir / "mnt");
      const auto tried = test::run_process({"/usr/bin/unshare", "-m", "--propagation", "private",
                                            "/bin/sh", "-c", "mount --bind \"$1\" \"$2\"", "sh",
                                            (dir / "file").string(), (dir / "hard").string()});
      abilities_.bind_mounts = tried.exit_code == 0;
    }
#endif
    fs::remove_all(dir, error);
    std::ostringstream text;
    text << "property test abilities: symlinks " << abilities_.symlinks << ", hard links "
         << abilities_.hard_links << ", bind mounts " << abilities_.bind_mounts << ", root "
         << abilities_.root << "\n";
    std::fputs(text.str().c_str(), stdout);
  }

  // Runs the trees for one command; reports the first failures in full and every failed seed.
  void run_trees(Command command) {
    const std::string seed_text = environment("TMPCTL_PROPERTY_SEED");
    const std::string trees_text = environment("TMPCTL_PROPERTY_TREES");
    const std::uint64_t first = seed_text.empty() ? default_seed : std::stoull(seed_text);
    const int trees = trees_text.empty() ? default_trees : std::stoi(trees_text);
    std::vector<std::uint64_t> failed;
    int with_mount = 0, with_holder = 0, with_read_only = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < trees; ++k) {
      const Case c = generate(first + static_cast<std::uint64_t>(k), command, abilities_);
      with_mount += !c.bind_plan.empty();
      with_holder += std::ranges::any_of(c.nodes, &Node::held);
      with_read_only += std::ranges::any_of(c.nodes, &Node::read_only);
      std::string failure = run_case(c, k);
      if (!failure.empty()) {
        failed.push_back(c.seed);
        if (failed.size() <= 5)
          ADD_FAILURE()
              << failure << "reproduce: TMPCTL_PROPERTY_SEED=" << c.seed
              << " TMPCTL_PROPERTY_TREES=1 property_tests --gtest_filter="
              << ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() << "."
              << ::testing::UnitTest::GetInstance()->current_test_info()->name();
      }
    }
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string list;
    for (const auto seed : failed) list += " " + std::to_string(seed);
    std::ostringstream summary;
    summary << command_name(command) << ": " << trees << " trees from seed " << first << " ("
            << with_mount << " with a bind mount, " << with_holder << " with held files, "
            << with_read_only << " with read-only entries) in "
            << static_cast<int>(seconds * 10) / 10.0 << " s, " << failed.size() << " failed"
            << (failed.empty() ? "" : ":") << list << "\n";
    std::fputs(summary.str().c_str(), stdout);
    EXPECT_TRUE(failed.empty()) << "failed seeds:" << list;
  }

  void build_outside(const Case& c, const fs::path& outside) {
    fs::create_directory(outside);
    for (const std::string& dir : c.outside_dirs) fs::create_directory(outside / fs_path(dir));
    for (std::size_t f = 0; f < c.outside_files.size(); ++f)
      std::ofstream(outside / fs_path(c.outside_files[f]), std::ios::binary) << std::string(
          static_cast<std::size_t>(c.outside_sizes[f]), static_cast<char>('a' + f % 26));
    // Deepest first, so that directories are filled before they are closed.
    for (auto it = c.outside_read_only.rbegin(); it != c.outside_read_only.rend(); ++it) {
      const fs::path path = outside / fs_path(*it);
      fs::permissions(path,
                      fs::is_directory(path)
                          ? fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read |
                                fs::perms::others_exec
                          : fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                      fs::perm_options::replace);
    }
  }

  // Runs one case in a fresh directory; returns a description of what went wrong, or "".
  std::string run_case(const Case& c, int k) {
    const fs::path base = fs_path(join(scratch(), "case" + std::to_string(k)));
    const fs::path outside = base / "outside";
    const fs::path parent = base / "parent";
    const fs::path io = base / "io";
    const fs::path tree = parent / "tree";
    fs::create_directory(base);
    fs::create_directory(io);
    fs::create_directory(parent);
    build_outside(c, outside);
    std::ofstream(parent / "tree.sibling") << "sibling";
    fs::create_directory(parent / "sibling-dir");
    std::ofstream(parent / "sibling-dir" / "file") << "sibling";

    // Held files: each holder gets its own ready marker in io/.
    std::string plan = c.plan;
    std::vector<fs::path> ready_markers;
    for (std::size_t i = 0; i < c.nodes.size(); ++i) {
      if (!c.nodes[i].held) continue;
      ready_markers.push_back(io / ("held" + std::to_string(i) + ".ready"));
      plan += "hold " + c.nodes[i].path + " " + test::utf8(ready_markers.back()) + "\n";
    }
    if (c.command == Command::cleanup) plan += "age 86400\n";
    const fs::path plan_path = io / "plan";
    std::ofstream(plan_path, std::ios::binary) << plan;
    const fs::path bind_plan_path = io / "bind-plan";
    std::ofstream(bind_plan_path, std::ios::binary) << c.bind_plan;
    const bool bind = !c.bind_plan.empty();

    std::ostringstream report;
    report << "seed " << c.seed << ": tmpctl " << command_name(c.command)
           << (c.force ? " --force" : "")
           << (c.command == Command::cleanup ? " -j" + std::to_string(c.jobs) : "")
           << (bind ? " (in a mount namespace with a bind mount)" : "") << "\nplan:\n"
           << plan << c.bind_plan;

    const std::string build_tree = test::helper_path("build_tree");
    if (c.command != Command::run) {
      fs::create_directory(tree);
      const auto built = test::run_process(
          {build_tree, test::utf8(plan_path), test::utf8(outside), test::utf8(tree)});
      if (built.exit_code != 0) {
        finish(base, ready_markers);
        return report.str() + "build_tree failed: " + built.err;
      }
    }
    Snapshot before;
    take_snapshot(before, base, "", {io, tree});

    std::vector<std::string> arguments{test::tmpctl_path()};
    if (c.command == Command::remove) {
      arguments.insert(arguments.end(), {"remove", "-r"});
      if (c.force) arguments.push_back("--force");
      arguments.push_back(test::utf8(tree));
    } else if (c.command == Command::cleanup) {
      arguments.insert(arguments.end(), {"cleanup", "--older-than", "1s", "--age-by", "mtime", "-j",
                                         std::to_string(c.jobs)});
      if (c.force) arguments.push_back("--force");
      arguments.push_back(test::utf8(tree));
    } else {
      arguments.insert(arguments.end(), {"run", "-p", test::utf8(parent), "-d", "--", build_tree,
                                         test::utf8(plan_path), test::utf8(outside)});
      std::ofstream(plan_path, std::ios::app) << c.bind_plan;
    }
    std::vector<std::string> command = arguments;
    if (bind && c.command == Command::run) {
      command.insert(command.begin(), {"/usr/bin/unshare", "-m", "--propagation", "private"});
    } else if (bind) {
      // The mount exists only in the namespace tmpctl then runs in.
      command = {"/usr/bin/unshare",
                 "-m",
                 "--propagation",
                 "private",
                 "/bin/sh",
                 "-c",
                 "\"$1\" \"$2\" \"$3\" \"$4\" || exit 99; shift 4; exec \"$@\"",
                 "sh",
                 build_tree,
                 test::utf8(bind_plan_path),
                 test::utf8(outside),
                 test::utf8(tree)};
      command.insert(command.end(), arguments.begin(), arguments.end());
    }
    const auto result = test::run_process(command);
    report << "exit " << result.exit_code << "\nstdout:\n"
           << result.out << "stderr:\n"
           << result.err;

    fs::path root = tree;
    if (c.command == Command::run) {
      const std::string made = test::read_file(test::utf8(plan_path) + ".root");
      if (made.empty()) {
        finish(base, ready_markers);
        return report.str() + "\nbuild_tree did not run\n";
      }
      root = fs_path(made);
    }

    std::string failure;
    Snapshot after;
    take_snapshot(after, base, "", {io, root});
    if (const std::string changed = differences(before, after); !changed.empty())
      failure += "changed outside the tree:\n" + changed;
    if (environment("TMPCTL_PROPERTY_INSIDE") != "0")
      failure += check_inside(c, root, result.exit_code);
    finish(base, ready_markers);
    return failure.empty() ? "" : report.str() + "\n" + failure;
  }

  // What must and what may be left inside, and the exit code (see the top of this file).
  std::string check_inside(const Case& c, const fs::path& root, int exit_code) {
    const bool posix_modes_block =
        !windows && !abilities_.root && !c.force && c.command != Command::run;
    std::set<std::string> read_only_dirs;
    for (const Node& node : c.nodes)
      if (node.kind == Node::dir && node.read_only) read_only_dirs.insert(node.path);
    std::set<std::string> stuck;
    std::set<std::string> unsure;
    std::set<std::string> links;
    bool failures = false;
    for (const Node& node : c.nodes) {
      if (node.kind == Node::symlink) links.insert(node.path);
      if (windows && node.kind == Node::symlink) {
        // Wine shows a Unix link as what it points to: tmpctl refuses it
        // ("leads outside its directory") or removes it as a link.
        unsure.insert(node.path);
        continue;
      }
      if (windows && node.kind == Node::hard_link) {
        // A hard link shares its outside file's read-only attribute, and the
        // walk keeps a name whose directory entry lags behind the file (NTFS
        // and Wine update another link's entry late): it reads as changed,
        // the side that keeps the file.
        unsure.insert(node.path);
        continue;
      }
      const bool held_blocks = node.held && (windows || c.command == Command::cleanup);
      const bool read_only_file = windows && node.read_only && node.kind == Node::file;
      const bool parent_read_only =
          posix_modes_block && read_only_dirs.contains(parent_of(node.path));
      if (node.mount_point || held_blocks || parent_read_only ||
          (read_only_file && !c.force && c.command != Command::run))
        stuck.insert(node.path);
      else if (read_only_file && c.command == Command::run)
        unsure.insert(node.path);  // whether run clears the attribute is not specified
      failures = failures || parent_read_only;
    }
    std::set<std::string> must = stuck;
    std::set<std::string> may = stuck;
    may.insert(unsure.begin(), unsure.end());
    for (const std::string& path : std::set<std::string>(may))
      for (std::string up = parent_of(path); !up.empty(); up = parent_of(up)) {
        may.insert(up);
        if (stuck.contains(path)) must.insert(up);
      }
    const std::set<std::string> left = left_in(root, links);
    std::error_code error;
    const bool root_left = fs::exists(fs::symlink_status(root, error));
    std::ostringstream text;
    for (const std::string& path : must)
      if (!left.contains(path)) text << "  removed although it cannot go: " << path << "\n";
    for (const std::string& path : left) {
      const bool below_kept =
          std::ranges::any_of(stuck, [&](const std::string& kept) { return under(path, kept); });
      if (!may.contains(path) && !below_kept)
        text << "  left although it could go: " << path << "\n";
    }
    const bool nothing_to_keep = must.empty() && unsure.empty();
    if (c.command == Command::cleanup) {
      if (!root_left) text << "  cleanup removed its DIR\n";
      const int expected = failures ? 1 : 0;
      if (exit_code != expected)
        text << "  exit code " << exit_code << ", expected " << expected << "\n";
    } else {
      if (nothing_to_keep && root_left) text << "  the tree is still there\n";
      if (!must.empty() && !root_left) text << "  the tree is gone although parts cannot go\n";
      const int failed_code = c.command == Command::run ? 124 : -1;
      if (root_left && exit_code == 0) text << "  exit code 0 although the tree is still there\n";
      if (!root_left && exit_code != 0)
        text << "  exit code " << exit_code << " although the tree is gone\n";
      if (root_left && failed_code > 0 && exit_code != failed_code)
        text << "  exit code " << exit_code << ", expected " << failed_code << "\n";
    }
    if (text.str().empty()) return "";
    return "inside the tree (TMPCTL_PROPERTY_INSIDE=0 skips these checks):\n" + text.str() +
           "  left:\n" + join_lines(left) + "  must be left:\n" + join_lines(must);
  }

  // Lets the holders go and removes the case directory, read-only entries included.
  void finish(const fs::path& base, const std::vector<fs::path>& ready_markers) {
    std::error_code error;
    for (const fs::path& ready : ready_markers) fs::remove(ready, error);
#ifdef _WIN32
    // Unix links first, from the host: Windows code would follow them.
    if (abilities_.symlinks)
      if (const auto unix_base = test::wine_unix_path(base.wstring()))
        test::run_host_shell("find \"$1\" -type l -delete", {*unix_base});
#endif
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    do {
      for (auto it = fs::recursive_directory_iterator(base, error);
           !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (fs::is_symlink(it->symlink_status())) continue;
        std::error_code ignored;
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
      }
      error.clear();
      fs::remove_all(base, error);
      if (!error) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "cannot remove " << test::utf8(base) << ": " << error.message();
  }
};

Abilities DeletionProperty::abilities_;
bool DeletionProperty::probed_ = false;

// issue 12, the lasting defence: remove -r never changes anything outside its tree.
TEST_F(DeletionProperty, RemoveRecursiveChangesNothingOutsideTheTree) {
  run_trees(Command::remove);
}

// issue 12, the lasting defence: run -d never changes anything outside its temp directory.
TEST_F(DeletionProperty, RunDirectoryChangesNothingOutsideItsTempDirectory) {
  run_trees(Command::run);
}

// issue 12, the lasting defence: cleanup never changes anything outside its DIR, nor removes DIR.
TEST_F(DeletionProperty, CleanupChangesNothingOutsideItsDirectory) { run_trees(Command::cleanup); }

}  // namespace
}  // namespace tmpctl
