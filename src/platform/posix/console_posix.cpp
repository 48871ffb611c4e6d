#include <unistd.h>

#include <csignal>
#include <span>

#include "platform/console.hpp"
#include "platform/environment.hpp"

namespace tmpctl::platform {

std::vector<std::string> utf8_arguments(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}

void prepare_standard_streams() {
  // A closed pipe must surface as a write error (EPIPE) that tmpctl can act
  // on, e.g. by removing what it created, not kill the process mid-way.
  std::signal(SIGPIPE, SIG_IGN);
}

bool input_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

// Terminals interpret escape sequences themselves; "dumb" ones (Emacs' shell,
// some CI logs) declare that they do not.
bool enable_color(std::FILE* stream) {
  return is_terminal(stream) && environment_variable("TERM") != "dumb";
}

namespace {
// The one handler for every interruption, for both uses: stopping a long
// operation (stop_on_interrupt) and waiting for a command to end
// (pass_interrupts_to_command). It only touches lock-free atomics and calls
// kill(2), which are async-signal-safe.
std::atomic<bool>* interrupt_flag = nullptr;
volatile std::sig_atomic_t first_signal = 0;
std::atomic<pid_t> command_pid = 0;
std::atomic<bool> command_group = false;
static_assert(std::atomic<pid_t>::is_always_lock_free);

bool sent_by_a_process(const siginfo_t& info) {
#ifdef __linux__
  return info.si_code <= 0;  // SI_USER 0, SI_QUEUE -1, SI_TKILL -6...
#else
  return info.si_code == SI_USER || info.si_code == SI_QUEUE;  // 0x10001, 0x10002 on BSDs
#endif
}

extern "C" void on_interrupt(int signal, siginfo_t* info, void*) {
  if (first_signal == 0) first_signal = signal;
  if (interrupt_flag != nullptr) interrupt_flag->store(true, std::memory_order_relaxed);
  // Sent by a process (kill, sigqueue) is passed on. What the kernel sends
  // for the terminal (Linux SI_KERNEL; elsewhere another positive code)
  // reached the command already.
  const pid_t command = command_pid.load();
  if (command > 0 && command_group.load())
    ::kill(-command, signal);  // its own group: the terminal's reached only tmpctl
  else if (command > 0 && info != nullptr && sent_by_a_process(*info))
    ::kill(command, signal);
}

enum class Use { stop, pass_on };

void handle_interrupts(Use use) {
  struct sigaction action = {};
  action.sa_sigaction = on_interrupt;
  // Waiting for a command, tmpctl's own system calls carry on (SA_RESTART);
  // a stopping operation wants them interrupted.
  action.sa_flags = SA_SIGINFO | (use == Use::pass_on ? SA_RESTART : 0);
  sigemptyset(&action.sa_mask);
  static constexpr int stopping[] = {SIGINT, SIGTERM, SIGHUP};
  static constexpr int passed_on[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (const int signal :
       use == Use::pass_on ? std::span<const int>(passed_on) : std::span<const int>(stopping)) {
    struct sigaction previous = {};
    // A signal ignored since tmpctl started (nohup, a background job of a
    // non-interactive shell) stays ignored, for the command too.
    if (use == Use::pass_on && ::sigaction(signal, nullptr, &previous) == 0 &&
        previous.sa_handler == SIG_IGN)
      continue;
    ::sigaction(signal, &action, nullptr);
  }
}
}  // namespace

void stop_on_interrupt(std::atomic<bool>& flag) {
  interrupt_flag = &flag;
  handle_interrupts(Use::stop);
}

void pass_interrupts_to_command() { handle_interrupts(Use::pass_on); }

void set_interrupted_command(std::uint32_t pid, bool group) {
  command_group = group;
  command_pid = static_cast<pid_t>(pid);
}

void command_cleanup_done() {}

int interrupt_signal() { return first_signal; }

}  // namespace tmpctl::platform
