#pragma once
// tmpctl's exit codes, shared by every subcommand (documented in docs/cli.md).

namespace tmpctl::cli {

enum ExitCode : int {
  exit_success = 0,
  exit_failure = 1,  ///< the OS refused: nothing was left half-done
  exit_usage = 2,    ///< bad options or arguments: nothing was attempted
};

}  // namespace tmpctl::cli
