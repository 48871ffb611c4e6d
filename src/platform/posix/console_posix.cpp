#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "platform/console.hpp"

namespace tmpctl::platform {

std::vector<std::string> utf8_arguments(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}

void prepare_standard_streams() {
  // A closed pipe must surface as a write error (EPIPE) that tmpctl can act
  // on, e.g. by removing what it created, not kill the process mid-way.
  std::signal(SIGPIPE, SIG_IGN);
}

bool is_terminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

// Terminals interpret escape sequences themselves; "dumb" ones (Emacs' shell,
// some CI logs) declare that they do not.
bool enable_color(std::FILE* stream) {
  return is_terminal(stream) && environment_variable("TERM") != "dumb";
}

std::string environment_variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

namespace {
std::atomic<bool>* interrupt_flag = nullptr;
volatile std::sig_atomic_t first_signal = 0;

extern "C" void on_interrupt(int signal) {
  if (first_signal == 0) first_signal = signal;
  interrupt_flag->store(true, std::memory_order_relaxed);
}
}  // namespace

void stop_on_interrupt(std::atomic<bool>& flag) {
  interrupt_flag = &flag;
  struct sigaction action = {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
}

int interrupt_signal() { return first_signal; }

}  // namespace tmpctl::platform
