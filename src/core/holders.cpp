#include <tmpctl/holders.hpp>

#include <algorithm>
#include <iterator>

#include "platform/holders.hpp"

namespace tmpctl {

std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths) {
  return platform::find_holders(paths);
}

void add_held_entry(std::vector<TreeHolder>& grouped, const std::string& path,
                    const std::vector<Holder>& holders) {
  for (const Holder& holder : holders) {
    auto it = std::ranges::find_if(
        grouped, [&](const TreeHolder& held) { return held.process.pid == holder.pid; });
    if (it == grouped.end()) {
      grouped.push_back({.process = holder, .entries = {}});
      grouped.back().process.how.clear();
      it = std::prev(grouped.end());
    }
    it->entries.push_back({path, holder.how});
  }
}

}  // namespace tmpctl
