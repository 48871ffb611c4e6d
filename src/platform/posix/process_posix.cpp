// Running a command on POSIX (Linux, macOS): posix_spawnp, never a shell, and
// a wait that leaves interruptions to the command (console_posix.cpp passes
// on what a process sends).

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "platform/console.hpp"
#include "platform/platform.hpp"
#include "platform/process.hpp"
#include "platform/process_tree.hpp"

extern char** environ;

namespace tmpctl::platform {
namespace {

// Every signal blocked, for a moment: while the command starts and while its
// pid is handed over, so that no interruption is lost, or sent to a pid that
// is no longer the command's. What came meanwhile is delivered at the end.
class BlockedSignals {
public:
  BlockedSignals() {
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &previous_);
  }
  ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

private:
  sigset_t previous_;
};

StartFailure failure_for(int error) {
  switch (error) {
    case ENOENT: return StartFailure::not_found;
    // No process could be made (fork/clone), whatever the program is.
    case EAGAIN:
    case ENOMEM: return StartFailure::failed;
    // EACCES, ENOEXEC, ENOTDIR, ELOOP, E2BIG, ETXTBSY...: the program is the problem.
    default: return StartFailure::not_runnable;
  }
}

// This process's environment with each of `settings` set.
std::vector<std::string> environment_with(std::span<const EnvironmentSetting> settings) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    bool replaced = false;
    for (const EnvironmentSetting& setting : settings)
      replaced = replaced || (text.starts_with(setting.name) && text.size() > setting.name.size() &&
                              text[setting.name.size()] == '=');
    if (!replaced) entries.emplace_back(text);
  }
  for (const EnvironmentSetting& setting : settings)
    entries.push_back(setting.name + "=" + setting.value);
  return entries;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

class SpawnAttributes {
public:
  explicit SpawnAttributes(const ProcessTree* tree) {
    posix_spawnattr_init(&attributes_);
    // What the command starts with: no signal blocked, and the default
    // action for what tmpctl ignores itself (SIGPIPE: see
    // prepare_standard_streams). Handled signals are reset by exec.
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes_, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigdefault(&attributes_, &defaults);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    // A process group of its own, led by the command, so that its tree is
    // signalled as one (only without a controlling terminal: see
    // ProcessTree::new_group).
    if (tree != nullptr && tree->new_group()) {
      posix_spawnattr_setpgroup(&attributes_, 0);
      flags |= POSIX_SPAWN_SETPGROUP;
    }
    posix_spawnattr_setflags(&attributes_, flags);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  const posix_spawnattr_t* get() const { return &attributes_; }

private:
  posix_spawnattr_t attributes_;
};

}  // namespace

std::expected<CommandExit, StartError> run_command(
    std::span<const std::string> arguments,
    std::span<const EnvironmentSetting> environment_settings,
    const std::function<void(std::uint32_t pid)>& started, ProcessTree* tree) {
  std::vector<std::string> argument_copies(arguments.begin(), arguments.end());
  std::vector<char*> argv = pointers_to(argument_copies);
  std::vector<std::string> environment = environment_with(environment_settings);
  std::vector<char*> envp = pointers_to(environment);
  const SpawnAttributes attributes(tree);
  // waitpid needs SIGCHLD not ignored: with SIG_IGN the kernel reaps the
  // command itself and waitpid fails with ECHILD.
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &default_action, nullptr);

  pid_t pid = 0;
  {
    const BlockedSignals blocked;
    if (const int signal = interrupt_signal(); signal != 0)
      return CommandExit{.code = 0, .signal = signal, .started = false};
    // glibc and macOS report exec's errors (ENOENT, EACCES, ENOEXEC) as the
    // result, and never retry through /bin/sh on ENOEXEC, as execvp would.
    const int error =
        ::posix_spawnp(&pid, argv[0], nullptr, attributes.get(), argv.data(), envp.data());
    if (error != 0)
      return std::unexpected(
          StartError{failure_for(error), errno_error(error, "run", arguments[0])});
    if (tree != nullptr) (void)tree->adopt(static_cast<std::uint32_t>(pid));
    set_interrupted_command(static_cast<std::uint32_t>(pid), tree != nullptr && tree->new_group());
  }
  if (started) started(static_cast<std::uint32_t>(pid));

  // Wait without reaping, so the pid cannot be reused by another process
  // while the handler may still send it a signal. In a tree, the orphans
  // re-parented here (a subreaper) are reaped as they end.
  siginfo_t info = {};
  for (;;) {
    info = {};
    const int waited =
        ::waitid(tree != nullptr ? P_ALL : P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
    if (waited != 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (info.si_pid == pid) break;
    int ignored = 0;
    ::waitpid(info.si_pid, &ignored, WNOHANG);
  }
  int status = 0;
  {
    const BlockedSignals blocked;
    set_interrupted_command(0);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFSIGNALED(status))
    return CommandExit{.code = 128 + WTERMSIG(status), .signal = WTERMSIG(status)};
  return CommandExit{.code = WEXITSTATUS(status), .signal = 0};
}

void end_by_signal(int signal) {
  switch (signal) {
    case SIGINT:
    case SIGTERM:
    case SIGHUP:
    case SIGPIPE:
    case SIGALRM:
    case SIGUSR1:
    case SIGUSR2:
    case SIGKILL: break;
    default: return;  // the caller exits with 128 + signal instead of dumping core
  }
  std::fflush(nullptr);
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(signal, &default_action, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::kill(::getpid(), signal);
}

std::string_view signal_name(int signal) noexcept {
  switch (signal) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    default: return {};
  }
}

}  // namespace tmpctl::platform
