#pragma once
// Starting real processes from tests, the same way on Linux and under Wine:
// posix_spawn or CreateProcessW, with stdout and stderr sent to files.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tmpctl::test {

/// For an output path below: the stream is closed in the child (POSIX: the
/// descriptor is not open; Windows: no standard handle at all).
inline constexpr const char* closed_stream = "<closed>";
/// For an output path below: a pipe whose reading end is already closed, so
/// that every write fails (EPIPE; Windows: ERROR_NO_DATA).
inline constexpr const char* broken_pipe = "<broken pipe>";

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Longer than any process a test starts may take: past it wait() ends the
/// process and fails the test, naming the command (and under Wine, with
/// Wine's backtrace of each of its threads). A hang then costs one test, not
/// the whole program's CTest timeout with nothing said of where it hung.
inline constexpr int child_time_limit_seconds = 180;

/// A started process; wait() returns its exit code (128 + signal if killed).
class ChildProcess {
public:
  /// Starts command[0] with the rest as arguments (no shell involved), stdin
  /// from the null device, stdout and stderr to the given files (or
  /// closed_stream, broken_pipe).
  static ChildProcess start(const std::vector<std::string>& command, const std::string& out_path,
                            const std::string& err_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();
  int wait();
  /// The process id (0 when the start failed).
  std::uint32_t pid() const;

private:
  ChildProcess() = default;
  std::string command_;  // for the message when it outlives the time limit
#ifdef _WIN32
  void* process_ = nullptr;
#else
  int pid_ = -1;
#endif
  int exit_code_ = -1;
};

/// Runs a command to completion and returns what it printed.
/// `stdout_path`, when given, receives stdout instead of a capture file
/// (e.g. "/dev/full", closed_stream, broken_pipe); `out` is then empty. The same for
/// `stderr_path` and `err`.
ProcessResult run_process(const std::vector<std::string>& command,
                          const std::string& stdout_path = "", const std::string& stderr_path = "");

/// Path of the tmpctl executable built beside the test programs.
std::string tmpctl_path();
/// Path of a helper program built beside the test programs ("hold_file").
std::string helper_path(const std::string& name);

/// A running hold_file: holds `path` until destroyed (see tests/helpers/hold_file.cpp).
class HeldFile {
public:
  /// working_directory: `path` is a directory the helper makes its working directory.
  enum class Mode { open, map, working_directory };
  /// Starts hold_file and waits until it holds the file; `scratch` is a
  /// directory for its ready marker and output. `name` (Linux): the
  /// process name it gives itself.
  HeldFile(const std::string& path, const std::string& scratch, Mode mode = Mode::open,
           const std::string& name = "");
  ~HeldFile();
  HeldFile(const HeldFile&) = delete;
  HeldFile& operator=(const HeldFile&) = delete;
  /// Tells the helper to close and exit, and waits for it.
  void release();
  /// Waits for a helper something else ended (tmpctl remove --terminate),
  /// and returns its exit code (128 + signal if killed).
  int wait_ended();
  std::uint32_t pid() const { return pid_; }

private:
  std::string ready_;
  std::optional<ChildProcess> child_;
  std::uint32_t pid_ = 0;
};
/// This process's pid.
std::uint32_t this_pid();

/// Whether process `pid` has ended (on Linux: or is a zombie nobody reaped yet).
bool process_gone(std::uint32_t pid);

/// The process name tmpctl reports for a HeldFile.
#ifdef _WIN32
inline constexpr const char* hold_file_name = "hold_file.exe";
#else
inline constexpr const char* hold_file_name = "hold_file";
#endif

/// Runs tmpctl with the given arguments.
ProcessResult run_tmpctl(const std::vector<std::string>& arguments,
                         const std::string& stdout_path = "", const std::string& stderr_path = "");
#ifndef _WIN32
/// Runs tmpctl as nobody (uid and gid 65534, through setpriv) when the tests
/// run as root, whom permission bits never stop; as itself otherwise.
ProcessResult run_tmpctl_unprivileged(const std::vector<std::string>& arguments);
#endif

/// Sets (or with nullptr, unsets) an environment variable of this process,
/// which child processes and the library then see.
void set_environment(const std::string& name, const char* value);

/// Sets an environment variable for one scope and restores its previous value
/// (or absence) afterwards: under Wine all tests share one process.
class ScopedEnvironment {
public:
  ScopedEnvironment(std::string name, const char* value);
  ~ScopedEnvironment();
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
  std::string name_;
  bool had_value_ = false;
  std::string previous_;
};

}  // namespace tmpctl::test
