#pragma once
// The process environment, for every layer that reads a variable (the record
// store's TMPCTL_RECORDS, the CLI's NO_COLOR and TERM, run's PATH).

#include <string>

namespace tmpctl::platform {

/// The value of an environment variable as UTF-8 (on Windows from the wide
/// environment); empty when unset.
std::string environment_variable(const char* name);

}  // namespace tmpctl::platform
