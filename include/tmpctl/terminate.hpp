#pragma once
/// \file
/// Ending the processes that hold files, with guard rails: never the process
/// asking or the processes that ran it, never the system's own, never another
/// user's unless asked for and allowed.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <tmpctl/holders.hpp>
#include <vector>

namespace tmpctl {

struct Termination;

/// How terminate_holders() ends processes.
struct TerminateOptions {
  /// Their descendants too: on Windows the process tree (as taskkill /T),
  /// on POSIX every process started by one of them, and by those, still
  /// running (orphans re-parented elsewhere are no longer known as theirs).
  bool tree = false;
  /// POSIX: how long to wait after SIGTERM before SIGKILL. Windows has no
  /// polite request for an arbitrary process: TerminateProcess at once.
  std::chrono::milliseconds grace{5000};
  /// Other users' processes too; only root or an elevated administrator
  /// may, and only with this.
  bool all_users = false;
  /// Decide only: every Termination says would_end or why not.
  bool dry_run = false;
  /// Called once with the plan (every would_end and refused), before
  /// anything is ended: false ends nothing (each would_end becomes
  /// declined). Not called when nothing would be ended, nor in a dry run.
  std::function<bool(std::span<const Termination>)> confirm{};
};

enum class TerminateOutcome {
  ended,      ///< it exited after being asked (SIGTERM)
  killed,     ///< it had to be forced: SIGKILL after the grace, or TerminateProcess
  would_end,  ///< dry run: it would be ended
  refused,    ///< a guard rail kept it (TerminateRefusal says which)
  declined,   ///< TerminateOptions::confirm said no
  gone,       ///< it had exited already (or its pid names another process now)
  failed,     ///< the OS refused to end it (Termination::error)
};

enum class TerminateRefusal {
  none,
  self,        ///< the process asking
  caller,      ///< its parent or an ancestor: the shell or script that ran it
  system,      ///< pid 1, a kernel thread, System, csrss.exe... (HolderKind::system)
  other_user,  ///< another user's, without TerminateOptions::all_users
  not_allowed  ///< another user's, with all_users, but this process is neither root nor
               ///< an elevated administrator
};

/// What happened to one process.
struct Termination {
  Holder process{};  ///< `how`: what it held (empty for a descendant)
  /// For a descendant (TerminateOptions::tree): the pid of the holder it
  /// descends from; 0 for a holder.
  std::uint32_t descends_from = 0;
  TerminateOutcome outcome = TerminateOutcome::refused;
  TerminateRefusal refusal = TerminateRefusal::none;
  std::optional<Error> error{};
  /// How it was ended: "SIGTERM", "SIGKILL" (after the grace) or
  /// "TerminateProcess"; empty when it was not.
  std::string method{};
};

/// Ends `holders` (and with `tree` their descendants), each process once:
/// POSIX SIGTERM to all, then SIGKILL to those still running after the
/// grace; Windows TerminateProcess. A process is only ever signalled through
/// a handle checked to be the one that started at Holder::start_time, so a
/// pid reused meanwhile is never hit. One result per process, holders first.
std::vector<Termination> terminate_holders(std::span<const Holder> holders,
                                           const TerminateOptions& options);

/// Stable lower_snake_case names, as used in JSON output.
std::string_view to_string(TerminateOutcome outcome);
std::string_view to_string(TerminateRefusal refusal);

}  // namespace tmpctl
