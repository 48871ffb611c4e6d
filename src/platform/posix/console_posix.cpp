#include <csignal>

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

}  // namespace tmpctl::platform
