#pragma once
// When a process started, in the units Holder::start_time and
// ProcessIdentity::start_time use: one reading for holder discovery
// (holders_posix.cpp) and the record store (records_posix.cpp).

#include <cstdint>
#include <string_view>

#ifdef __APPLE__
#include <sys/proc_info.h>
#else
#include <charconv>
#endif

namespace tmpctl::platform::posix {

#ifdef __APPLE__

/// libproc's start time, as microseconds since the epoch.
inline std::uint64_t start_time_of(const struct proc_bsdinfo& info) {
  return info.pbi_start_tvsec * 1'000'000ull + info.pbi_start_tvusec;
}

#else

/// Field 22 of /proc/PID/stat, the start time in clock ticks after boot; 0
/// when it cannot be read. Counting starts after the last ')': the name in
/// field 2 may hold anything, spaces and parentheses included.
inline std::uint64_t start_time_from_stat(std::string_view stat) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return 0;
  std::string_view rest = stat.substr(close + 1);
  for (int field = 3; field < 22; ++field) {
    const std::size_t space = rest.find(' ', 1);
    if (space == std::string_view::npos) return 0;
    rest.remove_prefix(space);
  }
  rest.remove_prefix(1);
  std::uint64_t ticks = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), ticks);
  return ticks;
}

/// Field 3 of /proc/PID/stat, the state letter ('R', 'S', 'Z' for a zombie...);
/// '\0' when it cannot be read.
inline char state_from_stat(std::string_view stat) {
  const std::size_t close = stat.rfind(')');
  return close != std::string_view::npos && close + 2 < stat.size() ? stat[close + 2] : '\0';
}

#endif

}  // namespace tmpctl::platform::posix
