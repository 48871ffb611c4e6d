// Black-box tests of what every command shares: --version, --help with
// examples, usage errors (exit 2, 125 for run, and a pointer to the right --help), and
// --color with NO_COLOR. Run on Linux and, under Wine, on Windows.

#include <gtest/gtest.h>
#include <tmpctl/version.hpp>

#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

using test::contains;
using test::join;
using test::run_tmpctl;
using test::split;

#ifndef TMPCTL_EXPECTED_VERSION
#error "tests/CMakeLists.txt passes the CMake project's version as TMPCTL_EXPECTED_VERSION"
#endif

// Every command tmpctl has; the test of the top-level help checks the list.
const std::vector<std::string> commands = {"create",  "remove", "diagnose",
                                           "cleanup", "run",    "completion"};

// run leaves 1-123 to its COMMAND: its usage errors exit 125, as env's do.
int usage_exit_code(const std::string& help_command) {
  return help_command == "tmpctl run" ? 125 : 2;
}

constexpr const char* escape = "\x1b[";

// The text without its ANSI colour sequences (ESC [ ... m).
std::string without_colour(const std::string& text) {
  std::string plain;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, escape) == 0) {
      i = text.find('m', i);
      if (i == std::string::npos) break;
      continue;
    }
    plain += text[i];
  }
  return plain;
}

class UsageCli : public test::ScratchDirectoryTest {};

TEST_F(UsageCli, VersionIsTheCMakeProjectVersion) {
  auto result = run_tmpctl({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, std::string("tmpctl ") + TMPCTL_EXPECTED_VERSION + "\n");
  EXPECT_STREQ(TMPCTL_VERSION, TMPCTL_EXPECTED_VERSION);  // the installed header says the same
  EXPECT_EQ(result.err, "");
}

TEST_F(UsageCli, TopLevelHelpListsEveryCommandAndExamples) {
  auto result = run_tmpctl({"--help"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "Examples:")) << result.out;
  EXPECT_TRUE(contains(result.out, "--color")) << result.out;
  for (const std::string& command : commands)
    EXPECT_TRUE(contains(result.out, "\n  " + command + " ")) << command << "\n" << result.out;
}

TEST_F(UsageCli, EveryCommandsHelpHasExamplesAndTheColorOption) {
  for (const std::string& command : commands) {
    auto result = run_tmpctl({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command << ": " << result.err;
    const std::size_t examples = result.out.find("Examples:\n");
    ASSERT_NE(examples, std::string::npos) << command << "\n" << result.out;
    EXPECT_NE(result.out.find("tmpctl " + command + " ", examples), std::string::npos)
        << command << "\n"
        << result.out;
    EXPECT_TRUE(contains(result.out, "--color")) << command;
    EXPECT_EQ(result.err, "") << command;
  }
}

// A usage error is two short lines: what was wrong, and where help is.
void expect_usage_error(const test::ProcessResult& result, const std::string& what,
                        const std::string& help_command, const std::string& context) {
  EXPECT_EQ(result.exit_code, usage_exit_code(help_command)) << context << "\n" << result.err;
  EXPECT_EQ(result.out, "") << context;
  const auto lines = split(result.err);
  ASSERT_EQ(lines.size(), 2u) << context << "\n" << result.err;
  EXPECT_EQ(lines[0], "tmpctl: " + what) << context;
  EXPECT_EQ(lines[1], "tmpctl: run '" + help_command + " --help' for usage") << context;
}

TEST_F(UsageCli, UnknownOptionsPointToTheirCommandsHelp) {
  for (const std::string& command : commands) {
    // With and without the arguments the command requires: the unknown
    // option is the mistake to report either way.
    expect_usage_error(run_tmpctl({command, "--no-such-option"}),
                       "unknown option '--no-such-option'", "tmpctl " + command, command);
    expect_usage_error(run_tmpctl({command, "-Z", join(scratch(), "x")}), "unknown option '-Z'",
                       "tmpctl " + command, command);
  }
  expect_usage_error(run_tmpctl({"--no-such-option"}), "unknown option '--no-such-option'",
                     "tmpctl", "top level");
  EXPECT_TRUE(test::list_directory(scratch()).empty());
}

// Options start with '-' on every OS: on Windows "/x" is a path (relative
// to the current drive's root), never an option, as CLI11 would have it.
TEST_F(UsageCli, AWordStartingWithSlashIsAPathEverywhere) {
  const auto result = run_tmpctl({"diagnose", "/no-such-tmpctl-entry"});
  EXPECT_NE(result.exit_code, 2) << result.err;
  EXPECT_FALSE(contains(result.err, "unknown option")) << result.err;
  EXPECT_TRUE(contains(result.out + result.err, "no-such-tmpctl-entry")) << result.err;
}

TEST_F(UsageCli, UnknownOrMissingCommandsListTheCommands) {
  const std::string listed = "(commands: create, list, remove, diagnose, cleanup, run, completion)";
  expect_usage_error(run_tmpctl({"no-such-command"}), "unknown command 'no-such-command' " + listed,
                     "tmpctl", "unknown command");
  expect_usage_error(run_tmpctl({"--color=never", "rm", "x"}), "unknown command 'rm' " + listed,
                     "tmpctl", "unknown command after an option");
  expect_usage_error(run_tmpctl({}), "no command given " + listed, "tmpctl", "no command");
}

TEST_F(UsageCli, InvalidValuesOfFixedListsNameTheChoices) {
  expect_usage_error(run_tmpctl({"--color=blue", "create"}),
                     "--color: unknown value 'blue' (use auto, always, never)", "tmpctl create",
                     "--color=blue");
  expect_usage_error(run_tmpctl({"completion", "tcsh"}),
                     "SHELL: unknown value 'tcsh' (use bash, fish, zsh)", "tmpctl completion",
                     "tcsh");
  expect_usage_error(run_tmpctl({"completion", "bash", "zsh"}), "unexpected argument 'zsh'",
                     "tmpctl completion", "two shells");
}

TEST_F(UsageCli, CompletionPrintsAScriptForEachShell) {
  const std::vector<std::pair<std::string, std::string>> shells = {
      {"bash", "complete -F _tmpctl tmpctl"},
      {"zsh", "#compdef tmpctl"},
      {"fish", "complete -c tmpctl"}};
  for (const auto& [shell, registration] : shells) {
    auto result = run_tmpctl({"completion", shell});
    EXPECT_EQ(result.exit_code, 0) << shell << ": " << result.err;
    EXPECT_TRUE(contains(result.out, registration)) << shell;
    EXPECT_FALSE(contains(result.out, "\r")) << shell;  // byte-exact on Windows too
    for (const std::string& command : commands) EXPECT_TRUE(contains(result.out, command)) << shell;
  }
}

// --- colour -----------------------------------------------------------------

// A command that fails with a message on stderr (exit 4: not found).
std::vector<std::string> failing(const std::string& scratch,
                                 std::vector<std::string> options = {}) {
  std::vector<std::string> arguments = std::move(options);
  arguments.insert(arguments.end(), {"remove", join(scratch, "missing")});
  return arguments;
}

TEST_F(UsageCli, ColorAlwaysColoursStderrWithoutChangingTheText) {
  const test::ScopedEnvironment no_color("NO_COLOR", nullptr);
  auto plain = run_tmpctl(failing(scratch(), {"--color=never"}));
  EXPECT_EQ(plain.exit_code, 4) << plain.err;
  EXPECT_FALSE(contains(plain.err, escape)) << plain.err;
  EXPECT_TRUE(plain.err.starts_with("tmpctl: cannot remove ")) << plain.err;

  for (const auto& arguments :
       {failing(scratch(), {"--color=always"}), failing(scratch(), {"--color", "always"}),
        std::vector<std::string>{"remove", "--color", "always", join(scratch(), "missing")},
        std::vector<std::string>{"remove", join(scratch(), "missing"), "--color=always"}}) {
    auto coloured = run_tmpctl(arguments);
    EXPECT_EQ(coloured.exit_code, 4) << coloured.err;
    EXPECT_TRUE(contains(coloured.err, escape)) << coloured.err;
    EXPECT_TRUE(coloured.err.starts_with("\x1b[1;31mtmpctl:\x1b[0m ")) << coloured.err;
    EXPECT_EQ(without_colour(coloured.err), plain.err);
  }
}

TEST_F(UsageCli, UsageErrorsAreColouredToo) {
  auto result = run_tmpctl({"--color=always", "create", "--bogus"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, escape)) << result.err;
  EXPECT_EQ(without_colour(result.err),
            "tmpctl: unknown option '--bogus'\ntmpctl: run 'tmpctl create --help' for usage\n");
}

TEST_F(UsageCli, NeverAndAutoIntoFilesPutNoEscapeSequences) {
  const test::ScopedEnvironment no_color("NO_COLOR", nullptr);
  for (const auto& options : {std::vector<std::string>{"--color=never"}, std::vector<std::string>{},
                              std::vector<std::string>{"--color=auto"}}) {
    auto result = run_tmpctl(failing(scratch(), options));
    EXPECT_EQ(result.exit_code, 4);
    EXPECT_FALSE(contains(result.err, escape)) << result.err;
  }
}

TEST_F(UsageCli, NoColorDoesNotOverrideAnExplicitAlways) {
  const test::ScopedEnvironment no_color("NO_COLOR", "1");
  auto automatic = run_tmpctl(failing(scratch()));
  EXPECT_FALSE(contains(automatic.err, escape)) << automatic.err;
  auto always = run_tmpctl(failing(scratch(), {"--color=always"}));
  EXPECT_TRUE(contains(always.err, escape)) << always.err;
}

TEST_F(UsageCli, JsonIsNeverColoured) {
  auto result = run_tmpctl({"--color=always", "remove", "--json", join(scratch(), "missing")});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_TRUE(result.out.starts_with("{")) << result.out;
  EXPECT_FALSE(contains(result.out, escape)) << result.out;
}

TEST_F(UsageCli, CleanupColoursItsSummaryOnlyWhenAsked) {
  auto plain = run_tmpctl({"cleanup", "--color=never", scratch()});
  auto coloured = run_tmpctl({"cleanup", "--color=always", scratch()});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(coloured.exit_code, 0) << coloured.err;
  EXPECT_TRUE(plain.err.starts_with("tmpctl: removed 0 entries")) << plain.err;
  EXPECT_FALSE(contains(plain.err, escape));
  EXPECT_TRUE(contains(coloured.err, escape)) << coloured.err;
  EXPECT_EQ(without_colour(coloured.err), plain.err);
}

#ifndef _WIN32
// Runs tmpctl with stderr on a new pseudo-terminal and returns what it wrote
// there, so "auto" can be seen to colour a terminal.
std::string stderr_on_a_terminal(const std::vector<std::string>& arguments) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    ADD_FAILURE() << "no pseudo-terminal: errno " << errno;
    return "";
  }
  const std::string terminal = ::ptsname(master);
  // Held open here too, so what the child wrote stays readable after it exits.
  const int keep_open = ::open(terminal.c_str(), O_RDWR | O_NOCTTY);
  std::vector<std::string> command{test::tmpctl_path()};
  command.insert(command.end(), arguments.begin(), arguments.end());
  auto out = TempDirectory::create({.prefix = "tmpctl-test-tty."});
  if (!out) {
    ADD_FAILURE() << to_string(out.error());
    return "";
  }
  test::ChildProcess::start(command, join(out->path(), "out"), terminal).wait();
  std::string text;
  char buffer[4096];
  pollfd ready{master, POLLIN, 0};
  while (::poll(&ready, 1, 200) > 0) {
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(keep_open);
  ::close(master);
  return text;
}

TEST_F(UsageCli, AutoColoursATerminalUnlessNoColorIsSet) {
  const test::ScopedEnvironment term("TERM", "xterm");
  {
    const test::ScopedEnvironment no_color("NO_COLOR", nullptr);
    const std::string text = stderr_on_a_terminal(failing(scratch()));
    EXPECT_TRUE(contains(text, "cannot remove")) << text;
    EXPECT_TRUE(contains(text, escape)) << text;
  }
  {
    const test::ScopedEnvironment no_color("NO_COLOR", "");  // empty counts as unset
    EXPECT_TRUE(contains(stderr_on_a_terminal(failing(scratch())), escape));
  }
  {
    const test::ScopedEnvironment no_color("NO_COLOR", "1");
    const std::string text = stderr_on_a_terminal(failing(scratch()));
    EXPECT_TRUE(contains(text, "cannot remove")) << text;
    EXPECT_FALSE(contains(text, escape)) << text;
  }
  const std::string never = stderr_on_a_terminal(failing(scratch(), {"--color=never"}));
  EXPECT_TRUE(contains(never, "cannot remove")) << never;
  EXPECT_FALSE(contains(never, escape)) << never;
}

TEST_F(UsageCli, AutoThroughAPipePutsNoEscapeSequences) {
  const test::ScopedEnvironment no_color("NO_COLOR", nullptr);
  std::string line =
      "'" + test::tmpctl_path() + "' remove '" + join(scratch(), "missing") + "' 2>&1 | cat";
  auto result = test::run_process({"/bin/sh", "-c", line});
  EXPECT_TRUE(contains(result.out, "cannot remove")) << result.out << result.err;
  EXPECT_FALSE(contains(result.out, escape)) << result.out;
}
#endif

}  // namespace
}  // namespace tmpctl
