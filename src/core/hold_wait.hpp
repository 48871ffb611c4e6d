#pragma once
// Waiting for the holders of paths to let go (remove, diagnose --wait):
// sampling them as it waits, and keeping a timeline of who held what from
// when until when. Internal to the core.

#include <tmpctl/remove.hpp>

#include <chrono>
#include <span>
#include <string>
#include <vector>

namespace tmpctl::core {

struct WaitTarget {
  std::string path;
  /// A directory: everything in it counts (find_tree_holders).
  bool tree = false;
};

struct WaitResult {
  /// One timeline per target, in order.
  std::vector<std::vector<HoldSpan>> timelines;
  std::chrono::milliseconds waited{0};
};

/// The holders of each target now, one list per target, in order: for a
/// tree each process once, its `how` the paths inside it holds. One batch
/// scan for all files, one walk and scan per tree (find_tree_holders).
std::vector<std::vector<Holder>> holders_now(std::span<const WaitTarget> targets);

/// Samples the holders of `targets` until none is held any more, or `limit`
/// has passed. This process and the processes that ran it (its parent and
/// ancestors) are not waited for: they cannot let go while tmpctl runs. They
/// still appear in the timelines. Samples every 100 ms at first, then every
/// 250 ms.
WaitResult wait_for_release(std::span<const WaitTarget> targets, std::chrono::milliseconds limit);

}  // namespace tmpctl::core
