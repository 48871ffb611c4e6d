#pragma once
// The pause between attempts at something another process holds briefly (a
// virus scanner, an indexer): `first`, then twice as long each time, at most
// 2 s. remove --retry and cleanup --retry wait the same way.

#include <algorithm>
#include <chrono>
#include <thread>

namespace tmpctl {

class RetryDelay {
public:
  explicit RetryDelay(std::chrono::milliseconds first = std::chrono::milliseconds(10))
      : next_(first) {}
  void wait() {
    std::this_thread::sleep_for(next_);
    next_ = std::min(next_ * 2, std::chrono::milliseconds(2000));
  }

private:
  std::chrono::milliseconds next_;
};

}  // namespace tmpctl
