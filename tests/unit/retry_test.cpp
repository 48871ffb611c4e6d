// The one retry policy of remove(), cleanup() and cleanup_records(): the
// pauses docs/cli.md promises for --retry.

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <chrono>
#include <vector>

namespace tmpctl {
namespace {

using std::chrono::milliseconds;

std::vector<long long> delays(const RetryPolicy& policy, unsigned count) {
  std::vector<long long> waits;
  for (unsigned retry = 1; retry <= count; ++retry)
    waits.push_back(policy.delay_before(retry).count());
  return waits;
}

TEST(RetryPolicy, ByDefaultTriesOnce) { EXPECT_EQ(RetryPolicy{}.retries, 0u); }

TEST(RetryPolicy, WaitsTenMillisecondsThenTwiceAsLongCappedAtTwoSeconds) {
  EXPECT_EQ(delays(RetryPolicy{.retries = 12}, 12),
            (std::vector<long long>{10, 20, 40, 80, 160, 320, 640, 1280, 2000, 2000, 2000, 2000}));
  // As docs/windows-locks.md adds them up: --retry 5 waits 0.31 s, --retry 10 6.55 s.
  const auto total = [](unsigned retries) {
    milliseconds sum{0};
    for (unsigned retry = 1; retry <= retries; ++retry)
      sum += RetryPolicy{.retries = retries}.delay_before(retry);
    return sum.count();
  };
  EXPECT_EQ(total(5), 310);
  EXPECT_EQ(total(10), 6550);
}

TEST(RetryPolicy, AnotherFirstDelayAndCapDoubleTheSameWay) {
  EXPECT_EQ(delays({.first_delay = milliseconds(3), .max_delay = milliseconds(20)}, 5),
            (std::vector<long long>{3, 6, 12, 20, 20}));
  EXPECT_EQ(delays({.first_delay = milliseconds(50), .max_delay = milliseconds(20)}, 2),
            (std::vector<long long>{20, 20}));
  EXPECT_EQ(delays({.first_delay = milliseconds(0)}, 3), (std::vector<long long>{0, 0, 0}));
}

TEST(RetryPolicy, ALateRetryIsCappedWithoutOverflow) {
  EXPECT_EQ(RetryPolicy{}.delay_before(4'000'000'000u), milliseconds(2000));
}

static_assert(RetryPolicy{}.delay_before(3) == milliseconds(40), "usable in constant expressions");

}  // namespace
}  // namespace tmpctl
