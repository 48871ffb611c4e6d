// find_tree_holders(): everything under a directory that some process holds,
// by process. One walk collects the identity of every entry, one scan of the
// system's holders matches them all: never one scan per entry.

#include <tmpctl/holders.hpp>

#include <algorithm>
#include <fmt/format.h>
#include <iterator>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/holder_details.hpp"
#include "platform/holders.hpp"
#include "platform/walk.hpp"

namespace tmpctl {
namespace {

std::string base_name(const std::string& path) {
  const std::size_t separator = path.find_last_of("/\\");
  return separator == std::string::npos ? path : path.substr(separator + 1);
}

// Every entry of the tree: its identity, path and name, the root first.
struct TreeEntries {
  std::vector<platform::FileIdentity> identities;
  std::vector<std::string> paths;
  std::vector<std::string> names;
  void add(const platform::FileIdentity& identity, std::string path, std::string name) {
    identities.push_back(identity);
    paths.push_back(std::move(path));
    names.push_back(std::move(name));
  }
};

void note_once(TreeHolderReport& report, std::string note) {
  if (std::ranges::find(report.notes, note) == report.notes.end())
    report.notes.push_back(std::move(note));
}

// Walks the tree below `directory`, noting in `report` what could not be
// looked at. The walk's own descriptors are closed when this returns, so the
// scan that follows does not find tmpctl holding the tree.
std::expected<TreeEntries, Error> collect_entries(const std::string& directory,
                                                  TreeHolderReport& report) {
  // Files are taken from the listing, their inode number with them: one
  // statx less per file (most of the time on a tree of files).
  auto walk = platform::TreeWalk::open(directory, {.trust_listed_types = true});
  if (!walk) return std::unexpected(walk.error());
  TreeEntries tree;
  tree.add(walk->root_identity(), directory, base_name(directory));

  std::uint64_t mounts = 0;
  platform::WalkEntry entry;
  for (;;) {
    auto step = walk->next(entry);
    if (!step) {  // that directory is finished; the walk goes on
      report.complete = false;
      note_once(report, to_string(step.error()));
      continue;
    }
    if (*step == platform::WalkStep::done) break;
    if (*step == platform::WalkStep::finished_directory) continue;
    tree.add(entry.identity, walk->path_of(entry.name), entry.name);
    if (entry.type != EntryType::directory) continue;
    if (entry.other_filesystem) {
      ++mounts;
      continue;
    }
    auto entered = walk->enter(entry);
    if (!entered) {
      report.complete = false;
      note_once(report,
                fmt::format("{}: what is inside was not looked at", to_string(entered.error())));
    }
  }
  if (mounts > 0)
    report.notes.push_back(fmt::format(
        "{} mount point{} inside {} not entered: what another file system holds was not looked at",
        mounts, mounts == 1 ? "" : "s", mounts == 1 ? "was" : "were"));
  return tree;
}

}  // namespace

std::expected<TreeHolderReport, Error> find_tree_holders(const std::string& directory) {
  TreeHolderReport report;
  report.root = directory;
  auto collected = collect_entries(directory, report);
  if (!collected) return std::unexpected(collected.error());
  const TreeEntries& tree = *collected;
  report.entries = tree.identities.size();

  auto found = platform::find_holders_of(tree.identities, tree.names);
  if (!found) return std::unexpected(found.error());
  report.method = found->method;
  report.complete = report.complete && found->complete;
  for (std::string& note : found->notes) note_once(report, std::move(note));

  std::map<std::uint32_t, TreeHolder> by_pid;
  for (std::size_t i = 0; i < found->holders.size(); ++i) {
    for (Holder& holder : found->holders[i]) {
      auto [it, inserted] = by_pid.try_emplace(holder.pid);
      if (inserted) {
        it->second.process = holder;
        it->second.process.how.clear();
      }
      it->second.entries.push_back({tree.paths[i], std::move(holder.how)});
    }
  }
  if (!by_pid.empty()) {
    std::vector<Holder> holders;
    for (const auto& [pid, held] : by_pid) holders.push_back(held.process);
    const core::ProcessMap processes = core::ProcessMap::around(holders);
    for (auto& [pid, held] : by_pid) {
      processes.describe(held.process);
      std::ranges::sort(held.entries, {}, &HeldEntry::path);
      report.processes.push_back(std::move(held));
    }
  }
  return report;
}

std::expected<DeletedFileReport, Error> find_deleted_open_files(const std::string& directory) {
  DeletedFileReport report;
  report.method = platform::deleted_open_files_method();
  auto found = platform::deleted_open_files(directory, report.notes, report.complete);
  if (!found) return std::unexpected(found.error());
  std::map<std::uint32_t, DeletedFileHolder> by_pid;
  std::unordered_set<platform::FileIdentity, platform::FileIdentityHash> counted;
  for (platform::DeletedHold& hold : *found) {
    auto [it, inserted] = by_pid.try_emplace(hold.holder.pid);
    DeletedFileHolder& process = it->second;
    if (inserted) {
      process.process = hold.holder;
      process.process.how.clear();
    }
    auto same = std::ranges::find(process.files, hold.path, &DeletedFile::path);
    if (same == process.files.end()) {
      process.files.push_back({hold.path, hold.size, {}});
      process.bytes += hold.size;
      same = std::prev(process.files.end());
    }
    same->how.insert(same->how.end(), hold.holder.how.begin(), hold.holder.how.end());
    if (counted.insert(hold.file).second) report.bytes += hold.size;
  }
  if (!by_pid.empty()) {
    std::vector<Holder> holders;
    for (const auto& [pid, process] : by_pid) holders.push_back(process.process);
    const core::ProcessMap processes = core::ProcessMap::around(holders);
    for (auto& [pid, process] : by_pid) {
      processes.describe(process.process);
      report.processes.push_back(std::move(process));
    }
  }
  return report;
}

}  // namespace tmpctl
