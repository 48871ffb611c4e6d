#pragma once
/// \file
/// How patiently a delete refused because another process holds the file for
/// a moment (a virus scanner, an indexer) is tried again: one policy for
/// remove(), cleanup() and cleanup_records().

#include <algorithm>
#include <chrono>

namespace tmpctl {

/// Further attempts after the first, with a pause before each that starts at
/// `first_delay` and doubles, capped at `max_delay`: by default 10, 20, 40 ...
/// 1280 ms, then 2 s each.
struct RetryPolicy {
  /// Further attempts; 0 tries once.
  unsigned retries = 0;
  std::chrono::milliseconds first_delay{10};
  std::chrono::milliseconds max_delay{2000};

  /// The pause before further attempt `retry` (1 for the first).
  constexpr std::chrono::milliseconds delay_before(unsigned retry) const {
    std::chrono::milliseconds delay = std::min(first_delay, max_delay);
    for (unsigned i = 1; i < retry && delay < max_delay && delay.count() > 0; ++i)
      delay = std::min(delay * 2, max_delay);
    return delay;
  }
};

}  // namespace tmpctl
