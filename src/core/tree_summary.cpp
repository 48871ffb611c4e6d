// summarize_tree(): one walk, each entry counted in the top-level entry it is under.

#include "core/tree_summary.hpp"

#include <algorithm>

#include "platform/walk.hpp"

namespace tmpctl::core {

std::expected<TreeSummary, Error> summarize_tree(const std::string& directory) {
  auto walk = platform::TreeWalk::open(directory);
  if (!walk) return std::unexpected(walk.error());
  TreeSummary summary;
  platform::WalkEntry entry;
  for (;;) {
    auto step = walk->next(entry);
    if (!step) {
      summary.errors.push_back(step.error());
      continue;  // that directory is finished; the next call says so
    }
    if (*step == platform::WalkStep::done) break;
    if (*step == platform::WalkStep::finished_directory) continue;
    const std::size_t depth = walk->depth();  // of the directory `entry` is in
    const std::uint64_t bytes = entry.type == EntryType::file ? entry.size : 0;
    if (depth == 0)
      summary.entries.push_back({entry.name, entry.type, bytes, 1});
    else if (!summary.entries.empty())
      summary.entries.back().bytes += bytes, ++summary.entries.back().entries;
    summary.bytes += bytes;
    ++summary.count;
    if (entry.type == EntryType::directory && !entry.other_filesystem) {
      if (auto entered = walk->enter(entry); !entered) summary.errors.push_back(entered.error());
    }
  }
  std::sort(summary.entries.begin(), summary.entries.end(),
            [](const TopEntry& a, const TopEntry& b) { return a.name < b.name; });
  return summary;
}

}  // namespace tmpctl::core
