#pragma once
// A command's whole process tree, for `tmpctl run --isolate`: everything it
// starts, and everything those start, known to tmpctl until the end, however
// they detach (posix/process_tree_posix.cpp: a child subreaper, a process
// group and, where one is writable, a cgroup v2 sub-tree;
// win32/process_tree_win32.cpp: a Job Object). run_command() puts the
// command in it before the command runs; the CLI lists and ends what is left
// with the core's terminate_holders(). Built into the CLI's platform target,
// never into the installed library.

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <tmpctl/error.hpp>
#include <vector>

#include "platform/process_control.hpp"

namespace tmpctl::platform {

struct ProcessTreeOptions {
  /// Windows: JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, so that the tree ends with
  /// tmpctl even if tmpctl itself is killed. Off for --keep-running. POSIX:
  /// nothing (a subreaper's orphans outlive it).
  bool end_with_tmpctl = true;
};

/// A process tree in the making: create it, hand it to run_command(), then
/// ask what is left of it. Moving is allowed; copying is not.
class ProcessTree {
public:
  /// Linux: makes this process a child subreaper (PR_SET_CHILD_SUBREAPER),
  /// so that orphans of the tree are re-parented to it and stay known, and
  /// creates a cgroup v2 directory beside this process's own
  /// ("tmpctl-run.PID") when the user may; without a controlling terminal
  /// the command gets a process group of its own (new_group). Other POSIX
  /// systems: the process group, and the descendants still parented to this
  /// process. Windows: a Job
  /// Object, which every process the command starts joins and none may leave.
  /// Fails only when no containment at all can be had.
  static std::expected<ProcessTree, Error> create(const ProcessTreeOptions& options = {});
  ProcessTree(ProcessTree&&) noexcept;
  ProcessTree& operator=(ProcessTree&&) noexcept;
  ProcessTree(const ProcessTree&) = delete;
  ProcessTree& operator=(const ProcessTree&) = delete;
  /// Removes the cgroup directory (once empty) and stops being a subreaper;
  /// Windows closes the Job Object (which ends what is in it, with
  /// end_with_tmpctl). Reaps nothing and ends nothing else.
  ~ProcessTree();

  /// How the tree is held, for the report: "job object", "cgroup v2
  /// /sys/fs/cgroup/tmpctl-run.123, child subreaper and process group",
  /// "child subreaper" (on a terminal, no process group of its own).
  std::string mechanism() const;
  /// Why a stronger mechanism was not used, in plain sentences ("no cgroup
  /// v2 sub-tree: cannot create '/sys/fs/cgroup/...': Permission denied (errno 13)").
  std::vector<std::string> notes() const;

  // For run_command() only.
  /// POSIX: whether the command gets a process group of its own, to which
  /// every interruption is passed on. Only when this process has no
  /// controlling terminal (a CI job, a service): on a terminal the command
  /// stays in tmpctl's job, so that job control (Ctrl-Z, fg) and a password
  /// prompt on /dev/tty work as without --isolate; the subreaper (and the
  /// cgroup) still know the whole tree.
  bool new_group() const;
  /// Puts the command, just started (Windows: suspended, `process` its
  /// handle), in the tree. An Error: it could not be put there.
  std::expected<void, Error> adopt(std::uint32_t pid, void* process = nullptr);
  /// The command's pid, once adopted (0 before).
  std::uint32_t command() const;
  /// POSIX: reaps every child of this process that has ended (the orphans
  /// re-parented here), so that none is left a zombie. Windows: nothing.
  void reap();

  /// The processes of the tree still running, the command included if it
  /// still runs; never this process. POSIX: every descendant of this process
  /// that is not a zombie, and everything in the cgroup.
  std::expected<std::vector<ProcessEntry>, Error> members() const;
  /// The last word: ends everything in the tree at once (cgroup.kill;
  /// TerminateJobObject), started meanwhile or not, then (POSIX) SIGKILL to
  /// each member still listed, through a pidfd, until none is. Only ever
  /// what is in the tree.
  std::expected<void, Error> end_all();

private:
  struct State;
  explicit ProcessTree(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// How long ago a process started, from ProcessEntry::start_time (Linux:
/// clock ticks after boot; Windows: a FILETIME); nullopt when unknown.
std::optional<std::chrono::milliseconds> running_for(std::uint64_t start_time);

}  // namespace tmpctl::platform
