#pragma once
// The processes of the system as the core needs them for locked trees: who
// they are (name, parent, start time, user), this process's chain of parents,
// and ending one (posix/process_control_posix.cpp: /proc and pidfds;
// win32/process_control_win32.cpp: a Toolhelp snapshot and TerminateProcess).
// The core decides whom to end; this only looks and acts.

#include <chrono>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl::platform {

/// One process, as a snapshot saw it.
struct ProcessEntry {
  std::uint32_t pid = 0;
  std::uint32_t parent = 0;  ///< 0 when it has none, or it is unknown
  /// In the units of Holder::start_time; 0 when unknown.
  std::uint64_t start_time = 0;
  std::string name;  ///< "python3", "python.exe"; empty when unknown
  std::string user;  ///< "alice", "DESKTOP\alice"; empty when unknown
  /// Whether it runs as the same user as this process (false when unknown).
  bool same_user = false;
  /// Linux: a kernel thread (no program of its own), which nobody ends.
  bool kernel = false;
  /// Windows: the services it runs, from the service control manager
  /// ("PlugPlay", "Dnscache, LanmanWorkstation"); empty otherwise.
  std::string service{};
};

/// Every process this user can see, in one pass: /proc on Linux, a Toolhelp
/// snapshot on Windows. With `only`, just those pids, those that exist (in
/// no particular order): Linux reads only their /proc entries, Windows opens
/// only them for their start time and user.
std::expected<std::vector<ProcessEntry>, Error> list_processes(
    std::span<const std::uint32_t> only = {});

/// This process's pid and start time (in the units of ProcessEntry).
ProcessEntry this_process();

/// Whether this process may end other users' processes: root (euid 0) on
/// POSIX, an elevated administrator on Windows.
bool may_end_other_users_processes();

/// Whether there is a polite request to end a process (SIGTERM on POSIX);
/// Windows has none for an arbitrary process, only TerminateProcess.
bool polite_end_exists();

/// How to end a process.
enum class EndHow {
  polite,  ///< SIGTERM (POSIX); TerminateProcess on Windows, which has no polite way
  force,   ///< SIGKILL; TerminateProcess
};

/// A process to act on, named so that a reused pid is never mistaken for it.
struct ProcessRef {
  std::uint32_t pid = 0;
  std::uint64_t start_time = 0;  ///< 0: do not check (only for tests)
};

/// An opened process, still the one `ref` named when opened (POSIX: a pidfd;
/// Windows: a process handle), so that signals cannot reach another process
/// that reused its pid. Moving is allowed; copying is not.
class ProcessHandle {
public:
  /// ErrorKind::not_found when it has exited or the pid now names another
  /// process; permission_denied when it may not be ended by this user.
  static std::expected<ProcessHandle, Error> open(const ProcessRef& ref);
  ProcessHandle(ProcessHandle&& other) noexcept;
  ProcessHandle& operator=(ProcessHandle&& other) noexcept;
  ProcessHandle(const ProcessHandle&) = delete;
  ProcessHandle& operator=(const ProcessHandle&) = delete;
  ~ProcessHandle();

  /// Asks it to end, or ends it. Succeeds when it has exited already.
  std::expected<void, Error> end(EndHow how);
  /// Waits up to `timeout` for it to exit: true when it has.
  bool wait_for_exit(std::chrono::milliseconds timeout);

private:
  ProcessHandle() = default;
  std::uint32_t pid_ = 0;
#ifdef _WIN32
  void* handle_ = nullptr;
#else
  int fd_ = -1;
#endif
};

}  // namespace tmpctl::platform
