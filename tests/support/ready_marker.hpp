#pragma once
// How the test helpers (tests/helpers/) tell a test they are ready: a marker
// file that appears whole, and whose removal tells them to finish.

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace tmpctl::test {

/// Writes `text` to `path` under another name first, then renames it, so the
/// test never reads it half-written.
inline bool write_ready_marker(const std::string& path, const std::string& text) {
  const std::string partial = path + ".partial";
  std::FILE* out = std::fopen(partial.c_str(), "wb");
  if (out == nullptr) return false;
  const bool written = std::fputs(text.c_str(), out) >= 0;
  return std::fclose(out) == 0 && written && std::rename(partial.c_str(), path.c_str()) == 0;
}

/// Waits while `still_waiting()` holds, for at most `limit`.
template <class Predicate>
void wait_while(Predicate still_waiting, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (still_waiting() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace tmpctl::test
