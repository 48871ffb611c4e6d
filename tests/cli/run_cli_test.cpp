// Black-box tests of `tmpctl run`, with tests/helpers/run_probe as COMMAND:
// the temp path is removed after success, failure and interruption, the
// exit status passes through, {} and TMPCTL_PATH, and a command that leaves
// a holder behind. Run on Linux and, under Wine, on Windows.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/ready_marker.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::fs_path;
using test::join;
using test::list_directory;
using test::read_file;
using test::split;

const std::string holder_name = test::hold_file_name;

// The probe reports pids as text.
bool process_gone(const std::string& pid) {
  return test::process_gone(static_cast<std::uint32_t>(std::stoul(pid)));
}

class RunCli : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    temp_ = join(scratch(), "temp");
    fs::create_directory(fs_path(temp_));
    records_ = join(scratch(), "records");
    store_.emplace("TMPCTL_RECORDS", records_.c_str());
  }

  // The record files in this test's store.
  std::vector<std::string> record_files() const { return test::record_files(records_); }

  // tmpctl run -p <temp> OPTIONS -- run_probe PROBE...
  test::ProcessResult run(std::vector<std::string> options, const std::vector<std::string>& probe) {
    return test::run_tmpctl(command(std::move(options), probe));
  }
  std::vector<std::string> command(std::vector<std::string> options,
                                   const std::vector<std::string>& probe) const {
    std::vector<std::string> arguments{"run", "-p", temp_};
    arguments.insert(arguments.end(), options.begin(), options.end());
    arguments.push_back("--");
    arguments.push_back(test::helper_path("run_probe"));
    arguments.insert(arguments.end(), probe.begin(), probe.end());
    return arguments;
  }
  // What the probe printed as TMPCTL_PATH.
  static std::string temp_path_in(const std::string& out) {
    for (const std::string& line : split(out))
      if (line.starts_with("TMPCTL_PATH=")) return line.substr(12);
    return "";
  }
  std::string ready() const { return join(scratch(), "ready"); }
  // Waits (at most 30 s) for a helper to write its pid to READY.
  std::string wait_until_ready() const {
    test::wait_while([&] { return read_file(ready()).empty(); }, std::chrono::seconds(30));
    const std::string pid = read_file(ready());
    EXPECT_FALSE(pid.empty()) << "the helper never got ready";
    return pid.empty() ? "" : pid.substr(0, pid.find('\n'));
  }

  // Tells hold_file (started by the probe, not by the test) to let go, waits
  // for it to end, and removes what it kept in place.
  void release_holder(const std::string& pid) {
    std::error_code ignored;
    fs::remove(fs_path(ready()), ignored);
    if (!pid.empty())
      test::wait_while([&] { return !process_gone(pid); }, std::chrono::seconds(30));
    for (const std::string& name : list_directory(temp_))
      fs::remove_all(fs_path(join(temp_, name)));
  }

  std::string temp_;     // where tmpctl run creates, empty again after each run
  std::string records_;  // the record store (TMPCTL_RECORDS)
  std::optional<test::ScopedEnvironment> store_;
};

TEST_F(RunCli, RemovesTheFileAfterSuccessAndFailureAndPassesTheStatusOn) {
  for (const int status : {0, 42}) {
    auto result = run({}, {"args", std::to_string(status)});
    EXPECT_EQ(result.exit_code, status) << result.err;
    EXPECT_EQ(result.err, "");
    const std::string path = temp_path_in(result.out);
    EXPECT_EQ(fs_path(path).parent_path(), fs_path(temp_)) << result.out;
    EXPECT_TRUE(test::base_name(path).starts_with("tmp.")) << path;
    EXPECT_EQ(result.out, "TMPCTL_PATH=" + path + "\n");  // tmpctl itself wrote nothing
    EXPECT_TRUE(list_directory(temp_).empty()) << status;
  }
}

TEST_F(RunCli, RemovesTheDirectoryWithAllItContains) {
  for (const int status : {0, 42}) {
    auto result = run({"-d", "--prefix", "build."}, {"args", std::to_string(status)});
    EXPECT_EQ(result.exit_code, status) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_TRUE(test::base_name(temp_path_in(result.out)).starts_with("build.")) << result.out;
    EXPECT_TRUE(list_directory(temp_).empty()) << status;
  }
}

#ifndef _WIN32
// issue 12 item 11: COMMAND made a directory of the temp dir read-only
// (`chmod 555`, as Go's module cache does) and another unreadable (`chmod
// 000`): run -d still removes it all, as Python's TemporaryDirectory does.
// Permission bits never stop root: as root, tmpctl runs as nobody. Issue 12
// item 11: run's removal gives the user's own directories u+rwx back.
TEST_F(RunCli, ADirectoryTheCommandMadeReadOnlyOrUnreadableIsStillRemoved) {
  std::vector<std::string> arguments;
  if (::geteuid() == 0) {
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "needs setpriv to run as nobody";
    ASSERT_EQ(::chmod(scratch().c_str(), 0755), 0);
    ASSERT_EQ(::chown(temp_.c_str(), 65534, 65534), 0);
    fs::create_directory(fs_path(records_));
    ASSERT_EQ(::chown(records_.c_str(), 65534, 65534), 0);
    arguments = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  arguments.push_back(test::tmpctl_path());
  for (const char* argument : {"run", "-d", "-p", temp_.c_str(), "--", "/bin/sh", "-c",
                               "mkdir -p \"$TMPCTL_PATH/m/x\" && touch \"$TMPCTL_PATH/m/x/f\" && "
                               "chmod 555 \"$TMPCTL_PATH/m/x\" && mkdir \"$TMPCTL_PATH/z\" && "
                               "chmod 000 \"$TMPCTL_PATH/z\""})
    arguments.emplace_back(argument);
  auto result = test::run_process(arguments);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(list_directory(temp_).empty()) << result.err;
  // What a failure left must not stop the scratch directory's removal.
  (void)test::run_process({"/bin/chmod", "-R", "u+rwx", temp_});
}
#endif

// The temp path is in the record store while COMMAND runs, owned by tmpctl
// itself, and forgotten once removed.
TEST_F(RunCli, TheTempPathIsRecordedWhileTheCommandRunsAndForgottenAfter) {
  const test::ProcessResult result =
      test::run_tmpctl({"run", "-p", temp_, "--tag", "running", "--ttl", "1h", "--",
                        test::tmpctl_path(), "list", "--json", "--tag", "running"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines = split(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;
  const nlohmann::json entry = nlohmann::json::parse(lines.front());
  EXPECT_TRUE(entry.at("path").get<std::string>().starts_with(temp_)) << lines.front();
  EXPECT_EQ(entry.at("owner").at("state"), "alive");
  EXPECT_FALSE(entry.at("expires").is_null());
#ifdef _WIN32
  EXPECT_NE(entry.at("owner").at("pid").get<std::uint32_t>(), GetCurrentProcessId());
#else
  EXPECT_NE(entry.at("owner").at("pid").get<std::uint32_t>(),
            static_cast<std::uint32_t>(::getpid()));
#endif
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_TRUE(record_files().empty());

  // Without --ttl or --tag too: the record is what finds a killed run's leftover.
  ASSERT_EQ(run({}, {"args", "0"}).exit_code, 0);
  EXPECT_TRUE(record_files().empty());
  EXPECT_EQ(
      test::run_tmpctl({"run", "--ttl", "0", "--", test::tmpctl_path(), "--version"}).exit_code,
      125);
}

#ifdef _WIN32
// The temp path is tmpctl's own: a read-only attribute COMMAND set does not
// keep it.
TEST_F(RunCli, AReadOnlyTempFileIsStillRemoved) {
  const test::ProcessResult result =
      test::run_tmpctl({"run", "-p", temp_, "--", "C:\\windows\\system32\\attrib.exe", "+r", "{}"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(list_directory(temp_).empty());
}
#endif

TEST_F(RunCli, BracesInArgumentsBecomeThePathAndTmpctlPathIsSet) {
  // A TMPCTL_PATH from outside is replaced, not added to.
  const test::ScopedEnvironment outer("TMPCTL_PATH", "from-outside");
  auto result = run({"--template", "run.XXXXXX.txt"},
                    {"args", "0", "{}", "--out={}", "a{}b{}c", "{", "}", "{ }"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string path = temp_path_in(result.out);
  EXPECT_TRUE(test::base_name(path).starts_with("run.") && path.ends_with(".txt")) << path;
  EXPECT_EQ(split(result.out),
            (std::vector<std::string>{"arg=" + path, "arg=--out=" + path,
                                      "arg=a" + path + "b" + path + "c", "arg={", "arg=}",
                                      "arg={ }", "TMPCTL_PATH=" + path}));
  EXPECT_TRUE(list_directory(temp_).empty());

  // Not in COMMAND itself.
  auto braces = test::run_tmpctl({"run", "-p", temp_, "--", "{}"});
  EXPECT_EQ(braces.exit_code, 127) << braces.err;
  EXPECT_TRUE(contains(braces.err, "cannot run '{}'")) << braces.err;
}

// Each argument reaches COMMAND byte for byte: on Windows through the quoting
// of the command line and the C runtime's splitting of it.
TEST_F(RunCli, ArgumentsReachTheCommandExactly) {
  const std::vector<std::string> arguments = {"",
                                              "two words",
                                              "tab\there",
                                              "quote\"inside",
                                              "\"",
                                              "back\\slash",
                                              "trailing\\",
                                              "two trailing\\\\",
                                              "\\\"",
                                              "a\\\\\"b",
                                              "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC",
                                              "--color=never",
                                              "-d",
                                              "--",
                                              "%PATH%",
                                              "$HOME",
                                              "*"};
  std::vector<std::string> probe{"args", "3"};
  probe.insert(probe.end(), arguments.begin(), arguments.end());
  auto result = run({}, probe);
  ASSERT_EQ(result.exit_code, 3) << result.err;
  std::vector<std::string> expected;
  for (const std::string& argument : arguments) expected.push_back("arg=" + argument);
  expected.push_back("TMPCTL_PATH=" + temp_path_in(result.out));
  EXPECT_EQ(split(result.out), expected);
}

TEST_F(RunCli, ACommandThatRemovesThePathItselfIsFine) {
  auto result = run({}, {"remove", "5"});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_EQ(result.err, "");
  auto directory = run({"-d"}, {"remove", "0"});
  EXPECT_EQ(directory.exit_code, 0) << directory.err;
  EXPECT_EQ(directory.err, "");
  EXPECT_TRUE(list_directory(temp_).empty());
}

TEST_F(RunCli, ACommandNotFoundIs127AndLeavesNothing) {
  auto result = test::run_tmpctl({"run", "-p", temp_, "--", "no-such-command-for-tmpctl"});
  EXPECT_EQ(result.exit_code, 127) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(contains(result.err, "tmpctl: cannot run 'no-such-command-for-tmpctl': "))
      << result.err;
#ifdef _WIN32
  EXPECT_TRUE(contains(result.err, "(WinError 2, ERROR_FILE_NOT_FOUND)")) << result.err;
#else
  EXPECT_TRUE(contains(result.err, "(errno 2, ENOENT)")) << result.err;
#endif
  auto missing_path = test::run_tmpctl({"run", "-p", temp_, "--", join(scratch(), "missing")});
  EXPECT_EQ(missing_path.exit_code, 127) << missing_path.err;
  EXPECT_TRUE(list_directory(temp_).empty());
}

TEST_F(RunCli, AFileThatIsNotAProgramIs126) {
#ifdef _WIN32
  const std::string not_a_program = join(scratch(), "text.exe");
  std::ofstream(fs_path(not_a_program)) << "not a program\r\n";
  const std::string batch = join(scratch(), "script.bat");
  std::ofstream(fs_path(batch)) << "@echo off\r\necho should not run\r\n";
  auto refused = test::run_tmpctl({"run", "-p", temp_, "--", batch, "&", "echo", "injected"});
  EXPECT_EQ(refused.exit_code, 126) << refused.err;
  EXPECT_EQ(refused.out, "");
  EXPECT_TRUE(
      contains(refused.err, "cannot run '" + batch + "': a batch file runs through cmd.exe"))
      << refused.err;
  EXPECT_TRUE(contains(refused.err, "run 'cmd /c' explicitly")) << refused.err;
  // Windows drops trailing dots and spaces: still a batch file.
  EXPECT_EQ(test::run_tmpctl({"run", "-p", temp_, "--", batch + ". "}).exit_code, 126);
#else
  const std::string not_a_program = join(scratch(), "text");
  std::ofstream(fs_path(not_a_program)) << "not a program\n";
  fs::permissions(fs_path(not_a_program), fs::perms::owner_read | fs::perms::owner_write);
#endif
  auto result = test::run_tmpctl({"run", "-p", temp_, "--", not_a_program});
  EXPECT_EQ(result.exit_code, 126) << result.err;
  EXPECT_TRUE(contains(result.err, "tmpctl: cannot run '" + not_a_program + "': ")) << result.err;
#ifdef _WIN32
  EXPECT_TRUE(contains(result.err, "(WinError 193, ERROR_BAD_EXE_FORMAT)")) << result.err;
#else
  EXPECT_TRUE(contains(result.err, "(errno 13, EACCES)")) << result.err;
#endif
  EXPECT_TRUE(list_directory(temp_).empty());
}

TEST_F(RunCli, UsageErrorsAndCreationFailuresExit125WithoutRunningTheCommand) {
  auto missing = test::run_tmpctl({"run"});
  EXPECT_EQ(missing.exit_code, 125);
  EXPECT_EQ(missing.err,
            "tmpctl: COMMAND is required\ntmpctl: run 'tmpctl run --help' for usage\n");
  auto only_dashes = test::run_tmpctl({"run", "-d", "--"});
  EXPECT_EQ(only_dashes.exit_code, 125);
  EXPECT_TRUE(contains(only_dashes.err, "COMMAND is required")) << only_dashes.err;
  auto unknown = run({"--bogus"}, {"args", "0"});
  EXPECT_EQ(unknown.exit_code, 125);
  EXPECT_TRUE(unknown.err.starts_with("tmpctl: unknown option '--bogus'")) << unknown.err;
  auto both = run({"--prefix", "a.", "--template", "b.XXXXXX"}, {"args", "0"});
  EXPECT_EQ(both.exit_code, 125) << both.err;
  auto bad_template = run({"--template", "fooXX"}, {"args", "0"});
  EXPECT_EQ(bad_template.exit_code, 125);
  EXPECT_TRUE(contains(bad_template.err, "too few X's")) << bad_template.err;
  auto no_directory = test::run_tmpctl(
      {"run", "-p", join(scratch(), "missing"), "--", test::helper_path("run_probe"), "args", "0"});
  EXPECT_EQ(no_directory.exit_code, 125);
  EXPECT_TRUE(
      contains(no_directory.err, "cannot create file in '" + join(scratch(), "missing") + "'"))
      << no_directory.err;
  for (const auto* result : {&missing, &only_dashes, &unknown, &both, &bad_template, &no_directory})
    EXPECT_EQ(result->out, "");  // the probe never ran
  EXPECT_TRUE(list_directory(temp_).empty());

  auto help = test::run_tmpctl({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "Examples:\n  tmpctl run ")) << help.out;
  EXPECT_TRUE(contains(help.out, "TMPCTL_PATH")) << help.out;
}

// The command leaves a process behind that holds the temp file, opened as
// Python's mkstemp opens (on Windows without FILE_SHARE_DELETE).
TEST_F(RunCli, ACommandThatLeavesAHolderGetsTheReportRemoveWouldPrint) {
  auto result = run({}, {"hold", ready(), "7"});
  const std::string pid = wait_until_ready();
  const std::string path = [&] {
    const auto names = list_directory(temp_);
    return names.empty() ? std::string() : join(temp_, names.front());
  }();
#ifdef _WIN32
  EXPECT_EQ(result.exit_code, 124) << result.err;
  EXPECT_TRUE(result.err.starts_with("tmpctl: cannot remove '" + path + "': ")) << result.err;
  EXPECT_TRUE(contains(result.err, "(WinError 32, ERROR_SHARING_VIOLATION)")) << result.err;
  EXPECT_TRUE(contains(result.err, "\n  held by process " + pid + " (" + holder_name + ")"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "\n  hint: process " + pid + " (" + holder_name + ") holds it"))
      << result.err;
  EXPECT_TRUE(contains(result.err,
                       "exited with status 7, but its temp file is left behind: exit status 124"))
      << result.err;
  EXPECT_FALSE(path.empty());
  EXPECT_TRUE(fs::exists(fs_path(path)));  // until the holder lets go
#else
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_TRUE(result.err.starts_with("tmpctl: removed '")) << result.err;
  EXPECT_TRUE(contains(result.err, "', but it is still open:\n  held by process " + pid + " (" +
                                       holder_name + "): fd "))
      << result.err;
  EXPECT_TRUE(list_directory(temp_).empty());  // unlinked while held
#endif
  EXPECT_EQ(result.out, "");
  release_holder(pid);
}

TEST_F(RunCli, KeepOnFailureWarnsAndPassesTheStatusOn) {
  auto result = run({"--keep-on-failure"}, {"hold", ready(), "7"});
  const std::string pid = wait_until_ready();
  EXPECT_EQ(result.exit_code, 7) << result.err;
#ifdef _WIN32
  EXPECT_TRUE(contains(result.err, "(WinError 32, ERROR_SHARING_VIOLATION)")) << result.err;
  EXPECT_TRUE(contains(result.err, "held by process " + pid)) << result.err;
  EXPECT_TRUE(contains(result.err,
                       "exited with status 7; its temp file is left behind (--keep-on-failure)"))
      << result.err;
  EXPECT_EQ(list_directory(temp_).size(), 1u);
#else
  EXPECT_TRUE(contains(result.err, "held by process " + pid)) << result.err;
  EXPECT_TRUE(list_directory(temp_).empty());
#endif
  release_holder(pid);
}

#ifdef _WIN32
// A holder that shares delete (as Rust's std and .NET open files): the
// delete is accepted, and the name goes when the holder closes the file.
TEST_F(RunCli, AHolderThatSharesDeleteGetsAWarningOnly) {
  auto result = run({}, {"hold", ready(), "6", "--share-delete"});
  const std::string pid = wait_until_ready();
  EXPECT_EQ(result.exit_code, 6) << result.err;
  EXPECT_TRUE(result.err.starts_with("tmpctl: '")) << result.err;
  EXPECT_TRUE(contains(
      result.err, "' is marked for deletion, but other handles keep the name until they close"))
      << result.err;
  EXPECT_FALSE(contains(result.err, "left behind")) << result.err;
  fs::remove(fs_path(ready()));
  test::wait_while([&] { return !process_gone(pid); }, std::chrono::seconds(30));
  test::wait_while([&] { return !list_directory(temp_).empty(); }, std::chrono::seconds(5));
  EXPECT_TRUE(list_directory(temp_).empty());
}
#endif

TEST_F(RunCli, NoHoldersLeavesTheHoldersOut) {
  auto result = run({"--no-holders"}, {"hold", ready(), "0"});
  const std::string pid = wait_until_ready();
#ifdef _WIN32
  EXPECT_EQ(result.exit_code, 124) << result.err;
  EXPECT_TRUE(contains(result.err, "WinError 32")) << result.err;
#else
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
#endif
  EXPECT_FALSE(contains(result.err, "held by")) << result.err;
  release_holder(pid);
}

#ifdef _WIN32
// A handle tmpctl inherited (from this test) does not reach the command: only
// the standard handles do (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
TEST_F(RunCli, OnlyTheStandardHandlesReachTheCommand) {
  const std::string path = join(scratch(), "inheritable");
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  const HANDLE handle = CreateFileW(fs_path(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    &inherit, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(handle, INVALID_HANDLE_VALUE);
  const std::string value = std::to_string(reinterpret_cast<std::uintptr_t>(handle));
  // The probe started directly, as tmpctl was, does inherit it: the check works.
  auto direct = test::run_process({test::helper_path("run_probe"), "handle", value, path});
  auto through_tmpctl = run({}, {"handle", value, path});
  CloseHandle(handle);
  EXPECT_EQ(direct.out, "inherited\n") << direct.err;
  EXPECT_EQ(through_tmpctl.exit_code, 0) << through_tmpctl.err;
  EXPECT_EQ(through_tmpctl.out, "not inherited\n") << through_tmpctl.err;
}

BOOL WINAPI carry_on(DWORD /*event*/) { return TRUE; }

// Ctrl-C on tmpctl's console: the command on the same console gets it too
// and ends; tmpctl stays, removes the temp file and passes the command's
// status on. The test program takes a console of its own (under ctest it has
// none that can carry events; on Windows, ctest's would get the event too),
// shares it and its process group with tmpctl, and outlives the event by a
// handler of its own. Wine 8 cannot send Ctrl-Break or a console's closing:
// docs/platforms.md.
TEST_F(RunCli, CtrlCReachesTheCommandAndTheFileIsStillRemoved) {
  static const bool own_console = [] {
    FreeConsole();
    return AllocConsole() != 0;
  }();
  ASSERT_TRUE(own_console) << GetLastError();
  std::vector<std::string> arguments = command({}, {"wait", ready()});
  arguments.insert(arguments.begin(), test::tmpctl_path());
  const std::string err = join(scratch(), "err");
  test::ChildProcess tmpctl = test::ChildProcess::start(arguments, join(scratch(), "out"), err);
  ASSERT_FALSE(wait_until_ready().empty());
  EXPECT_EQ(list_directory(temp_).size(), 1u);
  SetConsoleCtrlHandler(carry_on, TRUE);
  EXPECT_TRUE(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) << GetLastError();
  const int code = tmpctl.wait();
  SetConsoleCtrlHandler(carry_on, FALSE);
  EXPECT_EQ(static_cast<DWORD>(code), static_cast<DWORD>(STATUS_CONTROL_C_EXIT)) << read_file(err);
  EXPECT_EQ(read_file(ready() + ".signals"), "ctrl 0\n");
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_EQ(read_file(err), "");
}
#else
// Starts `command` with stdout and stderr going to files; with `terminal`, in
// a new session whose controlling terminal (and stdin) `terminal` is, so that
// the terminal's Ctrl-C reaches its process group, as in an interactive shell.
// With `new_session` and no `terminal`: in a new session without a
// controlling terminal, as a CI job or a service runs.
pid_t spawn(const std::vector<std::string>& command, const std::string& out, const std::string& err,
            const std::string& terminal = "", bool new_session = false) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (terminal.empty()) {
    if (new_session) posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  } else {
    // Opened without O_NOCTTY by a session leader: it becomes the controlling terminal.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    posix_spawn_file_actions_addopen(&actions, 0, terminal.c_str(), O_RDWR, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (const std::string& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  EXPECT_EQ(error, 0) << "posix_spawn " << argv[0];
  return error == 0 ? pid : -1;
}

// The raw wait status: a death by a signal is not the same as exit(128 + N).
int wait_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describe(int status) {
  return WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                             : "exit " + std::to_string(WEXITSTATUS(status));
}

// Whether a cgroup v2 directory tmpctl run --isolate (pid `tmpctl`) made
// beside this process's own is still there, where the usual mounts put it.
bool cgroup_left_by(pid_t tmpctl) {
  std::string relative;
  for (const std::string& line : split(read_file("/proc/self/cgroup")))
    if (line.starts_with("0::")) relative = line.substr(3);
  if (relative == "/") relative.clear();
  for (const char* mount : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
    if (fs::exists(std::string(mount) + relative + "/tmpctl-run." + std::to_string(tmpctl)))
      return true;
  return false;
}

class RunCliSignals : public RunCli {
protected:
  std::vector<std::string> waiting_command(std::vector<std::string> options = {}) const {
    std::vector<std::string> arguments = command(std::move(options), {"wait", ready()});
    arguments.insert(arguments.begin(), test::tmpctl_path());
    return arguments;
  }
  std::string signals() const { return read_file(ready() + ".signals"); }
  std::string err() const { return read_file(join(scratch(), "err")); }
  void forget_the_probe() {
    fs::remove(fs_path(ready()));
    fs::remove(fs_path(ready() + ".signals"));
  }

  // kill(1) to tmpctl, as a CI runner or a service manager sends it, with no
  // controlling terminal: passed on once, and the temp path is still
  // removed; tmpctl then dies as the command did. With --isolate, COMMAND
  // leads a process group of its own, the signal goes to that whole group,
  // once, and the cgroup tmpctl made is removed although tmpctl ends by the
  // signal.
  void expect_signals_reach_the_command_once(const std::vector<std::string>& options) {
    const bool isolate = !options.empty();
    for (const int signal : {SIGTERM, SIGINT, SIGHUP, SIGUSR2}) {
      // Without --isolate in the test's own group: a tmpctl that signalled
      // its group would end the test too.
      const pid_t tmpctl = spawn(waiting_command(options), join(scratch(), "out"),
                                 join(scratch(), "err"), "", isolate);
      ASSERT_GT(tmpctl, 0);
      const std::string probe = wait_until_ready();
      ASSERT_FALSE(probe.empty());
      EXPECT_EQ(list_directory(temp_).size(), 1u);
      if (isolate) {
        EXPECT_EQ(::getpgid(static_cast<pid_t>(std::stol(probe))), std::stol(probe))
            << "the command leads a group of its own";
      }
      ::kill(tmpctl, signal);
      const int status = wait_status(tmpctl);
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal)
          << "signal " << signal << ": " << describe(status) << "\n"
          << err();
      // The probe writes down what it handles; SIGUSR2 ends it at once.
      EXPECT_EQ(signals(), signal == SIGUSR2 ? "" : std::to_string(signal) + "\n");
      EXPECT_TRUE(list_directory(temp_).empty()) << signal;
      EXPECT_EQ(err(), "") << signal;
      if (isolate) {
        EXPECT_FALSE(cgroup_left_by(tmpctl)) << signal;
      }
      forget_the_probe();
    }
  }

  // Ctrl-C on a terminal: the terminal sends SIGINT to the whole foreground
  // process group, the command included; tmpctl must not send it a second
  // one. With --isolate too, COMMAND stays in tmpctl's process group, the
  // terminal's foreground job, so that job control (Ctrl-Z, fg) and terminal
  // prompts work as without it.
  void expect_ctrl_c_on_a_terminal_reaches_the_command_once(
      const std::vector<std::string>& options) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    ASSERT_GE(master, 0);
    ASSERT_EQ(::grantpt(master), 0);
    ASSERT_EQ(::unlockpt(master), 0);
    const pid_t tmpctl = spawn(waiting_command(options), join(scratch(), "out"),
                               join(scratch(), "err"), ::ptsname(master));
    ASSERT_GT(tmpctl, 0);
    const std::string probe = wait_until_ready();
    ASSERT_FALSE(probe.empty());
    EXPECT_EQ(::getpgid(static_cast<pid_t>(std::stol(probe))), tmpctl) << "tmpctl's own group";
    EXPECT_EQ(::tcgetpgrp(master), tmpctl) << "still the terminal's foreground job";
    // tmpctl stopped meanwhile, so that the command has handled the terminal's
    // SIGINT before tmpctl sees its own: one passed on would then be a second
    // SIGINT, not merged into the first while pending. The probe lives 300 ms
    // after the first.
    ::kill(tmpctl, SIGSTOP);
    ASSERT_EQ(::write(master, "\x03", 1), 1);
    test::wait_while([&] { return signals().empty(); }, std::chrono::seconds(10));
    ::kill(tmpctl, SIGCONT);
    const int status = wait_status(tmpctl);
    ::close(master);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << describe(status) << "\n"
                                                                   << err();
    EXPECT_EQ(signals(), std::to_string(SIGINT) + "\n");
    EXPECT_TRUE(list_directory(temp_).empty());
  }
};

TEST_F(RunCliSignals, ASignalSentToTmpctlReachesTheCommandOnceAndTheFileIsStillRemoved) {
  expect_signals_reach_the_command_once({});
}

TEST_F(RunCliSignals, WithIsolateASignalSentToTmpctlReachesTheCommandOnce) {
  expect_signals_reach_the_command_once({"--isolate"});
}

TEST_F(RunCliSignals, CtrlCOnATerminalReachesTheCommandOnce) {
  expect_ctrl_c_on_a_terminal_reaches_the_command_once({});
}

TEST_F(RunCliSignals, WithIsolateOnATerminalCtrlCReachesTheCommandOnce) {
  expect_ctrl_c_on_a_terminal_reaches_the_command_once({"--isolate"});
}

// kill -9 leaves tmpctl no chance to clean up. The record names COMMAND as
// the owner once it runs: while COMMAND (which outlives tmpctl) runs, its
// path is no orphan; once it has ended, cleanup --orphaned removes it.
TEST_F(RunCliSignals, AKilledTmpctlLeavesAnOrphanOnceTheCommandEnds) {
  const pid_t tmpctl = spawn(waiting_command(), join(scratch(), "out"), join(scratch(), "err"));
  ASSERT_GT(tmpctl, 0);
  const std::string probe = wait_until_ready();
  ASSERT_FALSE(probe.empty());
  ::kill(tmpctl, SIGKILL);
  EXPECT_EQ(WTERMSIG(wait_status(tmpctl)), SIGKILL);
  ASSERT_EQ(list_directory(temp_).size(), 1u);
  const std::string left = join(temp_, list_directory(temp_).front());

  const test::ProcessResult running = test::run_tmpctl({"cleanup", "--orphaned"});
  EXPECT_EQ(running.exit_code, 0) << running.err;
  EXPECT_EQ(list_directory(temp_).size(), 1u) << "removed while its command still ran";
  const test::ProcessResult owned = test::run_tmpctl({"list", "--json"});
  EXPECT_NE(owned.out.find("\"pid\":" + probe + ","), std::string::npos) << owned.out;

  forget_the_probe();  // the command ends
  test::wait_while([&] { return !process_gone(probe); }, std::chrono::seconds(30));
  const test::ProcessResult orphans = test::run_tmpctl({"list", "--orphaned"});
  EXPECT_EQ(orphans.exit_code, 0) << orphans.err;
  EXPECT_NE(orphans.out.find(left), std::string::npos) << orphans.out;
  const test::ProcessResult cleaned = test::run_tmpctl({"cleanup", "--orphaned", "-v"});
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.err;
  EXPECT_NE(cleaned.out.find("removed " + left), std::string::npos) << cleaned.out;
  EXPECT_TRUE(list_directory(temp_).empty());
  EXPECT_TRUE(record_files().empty());
}

// The command itself killed: tmpctl removes the file, then ends by the same
// signal; by a signal that dumps core, it exits with 128 + N instead.
TEST_F(RunCliSignals, ACommandEndedBySignalEndsTmpctlTheSameWay) {
  // The probe's SIGQUIT must not write a core file here.
  struct rlimit no_core = {0, 0};
  ASSERT_EQ(::setrlimit(RLIMIT_CORE, &no_core), 0);
  for (const int signal : {SIGUSR1, SIGQUIT}) {
    const pid_t tmpctl = spawn(waiting_command(), join(scratch(), "out"), join(scratch(), "err"));
    ASSERT_GT(tmpctl, 0);
    const std::string probe = wait_until_ready();
    ASSERT_FALSE(probe.empty());
    ::kill(static_cast<pid_t>(std::stol(probe)), signal);
    const int status = wait_status(tmpctl);
    if (signal == SIGQUIT)
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGQUIT) << describe(status);
    else
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal) << describe(status);
    EXPECT_TRUE(list_directory(temp_).empty()) << signal;
    EXPECT_EQ(err(), "") << signal;
    forget_the_probe();
  }
}
#endif

}  // namespace
}  // namespace tmpctl
