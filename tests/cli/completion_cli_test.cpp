// The shell completion scripts the build generated (build/<preset>/completions,
// the files that get installed), loaded into real bash, zsh and fish: what
// each offers for a command line. Linux only: the shells run natively.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::join;
using test::run_process;
using Candidates = std::set<std::string>;

// From tests/CMakeLists.txt: where the scripts and the shells are.
constexpr const char* completions_dir = TMPCTL_COMPLETIONS_DIR;
constexpr const char* bash_driver = TMPCTL_COMPLETE_BASH;
constexpr const char* zsh_driver = TMPCTL_COMPLETE_ZSH;

// A shell found at configure time, or a failure that says what to install.
std::string shell(const std::string& found, const std::string& name) {
  if (found.empty() || found.ends_with("-NOTFOUND")) {
    ADD_FAILURE() << name << " was not found when CMake configured the tests: install the Debian "
                  << "package '" << name << "' and configure again";
    return "";
  }
  return found;
}

Candidates lines_of(const std::string& text) {
  Candidates lines;
  for (const std::string& line : test::split(text))
    if (!line.empty()) lines.insert(line);
  return lines;
}

class CompletionCli : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    // A scratch tree for path completion: two entries starting "al", one not.
    std::ofstream(test::fs_path(join(scratch(), "alpha.txt"))) << "x";
    fs::create_directory(test::fs_path(join(scratch(), "alps")));
    std::ofstream(test::fs_path(join(scratch(), "beta"))) << "x";
  }

  // What bash's completion offers for `words`; the last one is the word the
  // cursor ends.
  Candidates bash(const std::vector<std::string>& words) {
    const std::string program = shell(TMPCTL_BASH, "bash");
    if (program.empty()) return {};
    std::vector<std::string> command{program, "--norc", "--noprofile", bash_driver,
                                     join(completions_dir, "tmpctl.bash")};
    command.insert(command.end(), words.begin(), words.end());
    auto result = run_process(command);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    return lines_of(result.out);
  }

  // What fish offers for `line`: the candidates without their descriptions.
  Candidates fish(const std::string& line) {
    const std::string program = shell(TMPCTL_FISH, "fish");
    if (program.empty()) return {};
    auto result = run_process({program, "--no-execute", join(completions_dir, "tmpctl.fish")});
    EXPECT_EQ(result.exit_code, 0) << "fish -n: " << result.err;
    result = run_process({program, "-c", "source $argv[1]; and complete -C $argv[2]",
                          join(completions_dir, "tmpctl.fish"), line});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    Candidates candidates;
    for (const std::string& entry : lines_of(result.out))
      candidates.insert(entry.substr(0, entry.find('\t')));
    return candidates;
  }

  // What zsh's completion system offers for `line` typed at an interactive
  // prompt followed by Tab, with the generated _tmpctl first in $fpath.
  Candidates zsh(const std::string& line) {
    const std::string program = shell(TMPCTL_ZSH, "zsh");
    if (program.empty()) return {};
    auto result = run_process({program, "-f", zsh_driver, completions_dir, line});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return lines_of(result.out);
  }
};

TEST_F(CompletionCli, BashCompletesCommandsOptionsAndTheirValues) {
  EXPECT_EQ(bash({"tmpctl", "c"}), (Candidates{"cleanup", "completion", "create"}));
  EXPECT_EQ(bash({"tmpctl", ""}),
            (Candidates{"cleanup", "completion", "create", "diagnose", "list", "remove", "run"}));
  EXPECT_EQ(bash({"tmpctl", "cleanup", "--ty"}), (Candidates{"--type"}));
  EXPECT_EQ(bash({"tmpctl", "cleanup", "--type", ""}), (Candidates{"dir", "file", "symlink"}));
  EXPECT_EQ(bash({"tmpctl", "cleanup", "--type", "file,s"}), (Candidates{"file,symlink"}));
  EXPECT_EQ(bash({"tmpctl", "cleanup", "--age-by", "m"}), (Candidates{"mtime"}));
  EXPECT_EQ(bash({"tmpctl", "completion", ""}), (Candidates{"bash", "fish", "zsh"}));
  EXPECT_EQ(bash({"tmpctl", "completion", "bash", ""}), Candidates{});  // one SHELL only
  EXPECT_EQ(bash({"tmpctl", "--color", ""}), (Candidates{"always", "auto", "never"}));
  // bash splits "--color=al" at '=' (COMP_WORDBREAKS); a user's bash may not.
  EXPECT_EQ(bash({"tmpctl", "--color", "=", "al"}), (Candidates{"always"}));
  EXPECT_EQ(bash({"tmpctl", "create", "--color=n"}), (Candidates{"--color=never"}));
  // A free-text value gets nothing, rather than file names.
  EXPECT_EQ(bash({"tmpctl", "cleanup", "--older-than", ""}), Candidates{});
}

TEST_F(CompletionCli, BashOptionsAlreadyGivenDoNotConfuseIt) {
  // Options, with and without values, before the word being completed.
  EXPECT_EQ(bash({"tmpctl", "--color", "never", "cl"}), (Candidates{"cleanup"}));
  EXPECT_EQ(bash({"tmpctl", "--color", "=", "never", "cl"}), (Candidates{"cleanup"}));
  EXPECT_EQ(
      bash({"tmpctl", "cleanup", "--dry-run", "--type", "file", "--older-than", "2d", "--ty"}),
      (Candidates{"--type"}));
  EXPECT_EQ(bash({"tmpctl", "cleanup", "--type", "file", "--type", "s"}), (Candidates{"symlink"}));
  // The global --color after the command, and the command's own options.
  const Candidates create_options = bash({"tmpctl", "create", "--d"});
  EXPECT_EQ(create_options, (Candidates{"--dir", "--directory", "--dry-run"}));
  EXPECT_TRUE(bash({"tmpctl", "remove", "-r", "--"}).contains("--color"));
}

TEST_F(CompletionCli, BashCompletesPathsWhereCommandsTakeThem) {
  const std::string prefix = join(scratch(), "al");
  const Candidates both{join(scratch(), "alpha.txt"), join(scratch(), "alps")};
  EXPECT_EQ(bash({"tmpctl", "remove", prefix}), both);
  EXPECT_EQ(bash({"tmpctl", "diagnose", "--json", prefix}), both);
  EXPECT_EQ(bash({"tmpctl", "remove", "-r", join(scratch(), "a"), prefix}), both);  // many PATHs
  EXPECT_EQ(bash({"tmpctl", "create", prefix}), both);  // TEMPLATE may name a directory part
  // Directories only where a directory is meant.
  EXPECT_EQ(bash({"tmpctl", "cleanup", prefix}), Candidates{join(scratch(), "alps")});
  EXPECT_EQ(bash({"tmpctl", "create", "-p", prefix}), Candidates{join(scratch(), "alps")});
  // run: options before COMMAND; COMMAND and its arguments as paths.
  EXPECT_EQ(bash({"tmpctl", "run", "--keep-o"}), Candidates{"--keep-on-failure"});
  EXPECT_EQ(bash({"tmpctl", "run", "--ke"}), (Candidates{"--keep-on-failure", "--keep-running"}));
  EXPECT_EQ(bash({"tmpctl", "run", "-p", prefix}), Candidates{join(scratch(), "alps")});
  EXPECT_EQ(bash({"tmpctl", "run", "--", prefix}), both);
  EXPECT_EQ(bash({"tmpctl", "run", "--", "./program", prefix}), both);
  // After "--" a word starting with '-' is a path, not an option.
  EXPECT_EQ(bash({"tmpctl", "remove", "--", "--col"}), Candidates{});
}

TEST_F(CompletionCli, FishCompletesCommandsOptionsValuesAndPaths) {
  EXPECT_EQ(fish("tmpctl cle"), Candidates{"cleanup"});
  EXPECT_EQ(fish("tmpctl c"), (Candidates{"cleanup", "completion", "create"}));
  EXPECT_EQ(fish("tmpctl cleanup --ty"), Candidates{"--type"});
  EXPECT_EQ(fish("tmpctl cleanup --type "), (Candidates{"dir", "file", "symlink"}));
  EXPECT_EQ(fish("tmpctl cleanup --type file,s"), Candidates{"file,symlink"});
  EXPECT_EQ(fish("tmpctl completion "), (Candidates{"bash", "fish", "zsh"}));
  EXPECT_EQ(fish("tmpctl --color never cl"), Candidates{"cleanup"});
  EXPECT_EQ(fish("tmpctl cleanup --dry-run --color "), (Candidates{"always", "auto", "never"}));
  const std::string prefix = join(scratch(), "al");
  EXPECT_EQ(fish("tmpctl remove " + prefix),
            (Candidates{join(scratch(), "alpha.txt"), join(scratch(), "alps") + "/"}));
  EXPECT_EQ(fish("tmpctl cleanup " + prefix), Candidates{join(scratch(), "alps") + "/"});
}

TEST_F(CompletionCli, ZshCompletesCommandsOptionsValuesAndPaths) {
  const std::string program = shell(TMPCTL_ZSH, "zsh");
  if (program.empty()) return;
  auto syntax = run_process({program, "-n", join(completions_dir, "_tmpctl")});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;

  EXPECT_EQ(zsh("tmpctl c"), (Candidates{"cleanup", "completion", "create"}));
  EXPECT_EQ(zsh("tmpctl cleanup --ty"), Candidates{"--type"});
  EXPECT_EQ(zsh("tmpctl cleanup --type "), (Candidates{"dir", "file", "symlink"}));
  EXPECT_EQ(zsh("tmpctl cleanup --type=file,"), (Candidates{"dir", "symlink"}));
  EXPECT_EQ(zsh("tmpctl completion "), (Candidates{"bash", "fish", "zsh"}));
  EXPECT_EQ(zsh("tmpctl --color=never cl"), Candidates{"cleanup"});
  EXPECT_EQ(zsh("tmpctl cleanup --dry-run --color "), (Candidates{"always", "auto", "never"}));
  // zsh offers a path's last component; the directory part stays as typed.
  const std::string prefix = join(scratch(), "al");
  EXPECT_EQ(zsh("tmpctl remove " + prefix), (Candidates{"alpha.txt", "alps"}));
  EXPECT_EQ(zsh("tmpctl cleanup " + prefix), Candidates{"alps"});
}

}  // namespace
}  // namespace tmpctl
