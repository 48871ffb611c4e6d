#include <cstdlib>

#include "platform/environment.hpp"

namespace tmpctl::platform {

std::string environment_variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace tmpctl::platform
