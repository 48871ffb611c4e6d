#pragma once
// Running a command for `tmpctl run`: no shell, this process's standard
// streams and environment plus one variable, and an exit status the caller
// can pass on. Interruptions while it runs are left to the command
// (pass_interrupts_to_command in console.hpp), so this process can clean up
// after it.

#include <cstdint>
#include <expected>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl::platform {

/// How a command ended.
struct CommandExit {
  /// Its exit status: 0-255 on POSIX; on Windows the 32-bit exit code
  /// (0xC000013A, STATUS_CONTROL_C_EXIT, is negative here).
  int code = 0;
  /// POSIX: the signal that ended it, else 0. When `started` is false: the
  /// interruption that came before it could be started.
  int signal = 0;
  /// False when an interruption (interrupt_signal()) came first, so the
  /// command was never started.
  bool started = true;
};

/// Why a command could not be started.
enum class StartFailure {
  not_found,     ///< no such program: ENOENT; on Windows not on the PATH, also with ".exe"
  not_runnable,  ///< found, but it cannot be run: no execute permission, not an
                 ///< executable, a directory; on Windows a batch file (.bat, .cmd)
  failed,        ///< no program could have been started now: out of memory or processes
};

struct StartError {
  StartFailure failure = StartFailure::failed;
  Error error;  ///< operation "run", path: the program as given
};

/// One environment variable the command gets: set to `value`, replacing
/// whatever this process has (names compared as the OS does: exactly on
/// POSIX, without regard to case on Windows).
struct EnvironmentSetting {
  std::string name;
  std::string value;
};

class ProcessTree;

/// Runs arguments[0] with arguments[1...], no shell involved, and waits for
/// it. POSIX: posix_spawnp (a name without '/' is looked up on PATH); the
/// command gets default dispositions for the signals tmpctl handles or
/// ignores itself (SIGPIPE, SIGCHLD, the interruptions) and an empty signal
/// mask; a signal tmpctl was started with ignored (nohup) stays ignored.
/// Windows: a name without a path is looked up on PATH only (not the current
/// directory), with ".exe" added when it has no extension; batch files are
/// refused (CreateProcessW would run them through cmd.exe, whose parsing is
/// CVE-2024-24576); the command line is quoted so that CommandLineToArgvW
/// and the C runtime give back exactly `arguments`. Both: the standard
/// streams are inherited and nothing else of tmpctl's; the environment is
/// this process's with `environment` set. `started`, when given, is called
/// with the command's pid once it runs, before the wait. With `tree`, the
/// command is put in it before it can start anything (Windows: created
/// suspended, assigned to the Job Object, then resumed; POSIX: a process
/// group of its own, and the orphans re-parented here reaped while it runs).
std::expected<CommandExit, StartError> run_command(
    std::span<const std::string> arguments, std::span<const EnvironmentSetting> environment,
    const std::function<void(std::uint32_t pid)>& started = {}, ProcessTree* tree = nullptr);

/// Ends this process by `signal` with its default action, so that whoever
/// started it sees the death its command died: for the ordinary terminating
/// signals (SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
/// SIGKILL). Flushes stdio first. Returns for any other signal (those that
/// dump core), and always on Windows.
void end_by_signal(int signal);

/// "SIGTERM" for SIGTERM; empty for numbers tmpctl has no name for, and on Windows.
std::string_view signal_name(int signal) noexcept;

}  // namespace tmpctl::platform
