#include "core/hold_wait.hpp"

#include <algorithm>
#include <thread>

#include "core/holder_details.hpp"
#include "platform/holders.hpp"

namespace tmpctl::core {

std::vector<std::vector<Holder>> holders_now(std::span<const WaitTarget> targets) {
  std::vector<std::vector<Holder>> now(targets.size());
  std::vector<std::string> files;
  std::vector<std::size_t> file_indexes;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!targets[i].tree) {
      files.push_back(targets[i].path);
      file_indexes.push_back(i);
      continue;
    }
    auto found = find_tree_holders(targets[i].path);
    if (!found) continue;
    for (TreeHolder& held : found->processes) {
      Holder holder = std::move(held.process);
      for (HeldEntry& entry : held.entries) holder.how.push_back(std::move(entry.path));
      now[i].push_back(std::move(holder));
    }
  }
  if (!files.empty()) {
    if (auto found = platform::find_holders(files))
      for (std::size_t k = 0; k < file_indexes.size(); ++k)
        now[file_indexes[k]] = std::move(found->holders[k]);
  }
  return now;
}

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool same_process(const Holder& a, const Holder& b) {
  return a.pid == b.pid && a.start_time == b.start_time;
}

}  // namespace

WaitResult wait_for_release(std::span<const WaitTarget> targets, milliseconds limit) {
  WaitResult result;
  result.timelines.resize(targets.size());
  const ProcessMap processes = ProcessMap::take();
  const auto started = Clock::now();
  const auto deadline = started + limit;
  for (int round = 0;; ++round) {
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    const std::vector<std::vector<Holder>> now = holders_now(targets);
    bool waiting = false;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      std::vector<HoldSpan>& timeline = result.timelines[i];
      // Those that held and are not there now let go just now.
      for (HoldSpan& span : timeline)
        if (!span.until && std::ranges::none_of(now[i], [&](const Holder& holder) {
              return same_process(holder, span.holder);
            }))
          span.until = elapsed;
      for (const Holder& holder : now[i]) {
        const auto open = std::ranges::find_if(timeline, [&](const HoldSpan& span) {
          return !span.until && same_process(span.holder, holder);
        });
        if (open == timeline.end()) {
          HoldSpan span{.holder = holder, .from = elapsed, .until = std::nullopt};
          processes.describe(span.holder);
          timeline.push_back(std::move(span));
        }
        const HolderRelation relation = processes.relation_of(holder.pid, holder.start_time);
        if (relation == HolderRelation::unrelated) waiting = true;
      }
    }
    result.waited = elapsed;
    if (!waiting || Clock::now() >= deadline) break;
    const milliseconds pause = round < 5 ? milliseconds(100) : milliseconds(250);
    std::this_thread::sleep_until(std::min(deadline, Clock::now() + pause));
  }
  return result;
}

}  // namespace tmpctl::core
