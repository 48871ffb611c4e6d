#pragma once
// tmpctl's exit codes, shared by every subcommand (documented in docs/cli.md).

namespace tmpctl::cli {

enum ExitCode : int {
  exit_success = 0,
  exit_failure = 1,    ///< the OS refused: nothing was left half-done
  exit_usage = 2,      ///< bad options or arguments: nothing was attempted
  exit_in_use = 3,     ///< remove/diagnose: a file is in use (held, locked, delete pending)
  exit_not_found = 4,  ///< remove/diagnose: nothing by that name
  exit_denied = 5,     ///< remove/diagnose: permissions, read-only attribute or file system
  // `tmpctl run` passes COMMAND's status on, and has these of its own (as
  // env, timeout and nice have 125-127).
  exit_leaked_files = 122,       ///< run --isolate --fail-on-leak: COMMAND left files
  exit_left_processes = 123,     ///< run --isolate --fail-on-leak: COMMAND left processes
  exit_left_behind = 124,        ///< run: COMMAND ran, but its temp path could not be removed
  exit_run_failed = 125,         ///< run: tmpctl failed before COMMAND ran (usage included)
  exit_cannot_run = 126,         ///< run: COMMAND was found but cannot be run
  exit_command_not_found = 127,  ///< run: COMMAND was not found
};

/// The exit code of a command that handled many paths: the worst one wins,
/// in the order 2 (a path refused as usage) > 1 (failure) > 5 (denied) >
/// 3 (in use) > 4 (not found) > 0.
inline int worse_exit_code(int a, int b) {
  auto rank = [](int code) {
    switch (code) {
      case exit_usage: return 5;
      case exit_failure: return 4;
      case exit_denied: return 3;
      case exit_in_use: return 2;
      case exit_not_found: return 1;
      default: return 0;
    }
  };
  return rank(b) > rank(a) ? b : a;
}

}  // namespace tmpctl::cli
