// Holder relations and kinds. The kind table is the one place that knows
// program names: extend it here (and in docs/windows-locks.md, which lists
// it).

#include "core/holder_details.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/enum_names.hpp"

namespace tmpctl {
namespace core {
namespace {

// How many generations of parents are looked at: deeper chains exist only
// when something spawns itself in a loop.
constexpr int max_ancestor_depth = 256;

struct KnownProgram {
  std::string_view name;  ///< compared without case; Linux truncates names to 15 bytes
  HolderKind kind;
};

// Linux process names (/proc/PID/comm) are cut to 15 bytes: the table holds
// them as the kernel shows them.
constexpr KnownProgram known_programs[] = {
    // Virus scanners: they open a new file to read it, then let go.
    {"MsMpEng.exe", HolderKind::virus_scanner},
    {"MpDefenderCoreService.exe", HolderKind::virus_scanner},
    {"NisSrv.exe", HolderKind::virus_scanner},
    {"MsSense.exe", HolderKind::virus_scanner},
    {"wdavdaemon", HolderKind::virus_scanner},  // Defender for Endpoint on Linux
    {"clamd", HolderKind::virus_scanner},
    {"clamscan", HolderKind::virus_scanner},
    {"clamonacc", HolderKind::virus_scanner},
    {"freshclam", HolderKind::virus_scanner},
    {"savscand", HolderKind::virus_scanner},  // Sophos
    {"falcon-sensor", HolderKind::virus_scanner},
    // Indexers: they read what is new to index it.
    {"SearchIndexer.exe", HolderKind::indexer},
    {"SearchProtocolHost.exe", HolderKind::indexer},
    {"SearchFilterHost.exe", HolderKind::indexer},
    {"tracker-miner-f", HolderKind::indexer},  // tracker-miner-fs(-3)
    {"tracker-extract", HolderKind::indexer},  // tracker-extract(-3)
    {"baloo_file", HolderKind::indexer},
    {"baloo_file_extr", HolderKind::indexer},  // baloo_file_extractor
    {"updatedb", HolderKind::indexer},
    {"updatedb.mlocat", HolderKind::indexer},  // updatedb.mlocate
    {"plocate-build", HolderKind::indexer},
    {"locate", HolderKind::indexer},
    // Sync clients: they upload what is new.
    {"OneDrive.exe", HolderKind::sync_client},
    {"Dropbox.exe", HolderKind::sync_client},
    {"dropbox", HolderKind::sync_client},
    {"GoogleDriveFS.exe", HolderKind::sync_client},
    {"onedrive", HolderKind::sync_client},
    {"insync", HolderKind::sync_client},
    {"nextcloud", HolderKind::sync_client},
    {"nextcloud.exe", HolderKind::sync_client},
    // Explorer's preview and thumbnail hosts.
    {"prevhost.exe", HolderKind::preview_handler},
    {"dllhost.exe", HolderKind::preview_handler},  // COM Surrogate: thumbnails
    {"SearchUI.exe", HolderKind::preview_handler},
    // Build servers: they keep files of the build open between builds.
    {"VBCSCompiler.exe", HolderKind::build_server},
    {"mspdbsrv.exe", HolderKind::build_server},
    {"MSBuild.exe", HolderKind::build_server},
    {"MSBuildTaskHost.exe", HolderKind::build_server},
    {"sccache", HolderKind::build_server},
    {"sccache.exe", HolderKind::build_server},
    {"bazel", HolderKind::build_server},
    {"kotlin-daemon", HolderKind::build_server},
    // The system: never ended.
    {"System", HolderKind::system},
    {"Registry", HolderKind::system},
    {"smss.exe", HolderKind::system},
    {"csrss.exe", HolderKind::system},
    {"wininit.exe", HolderKind::system},
    {"winlogon.exe", HolderKind::system},
    {"services.exe", HolderKind::system},
    {"lsass.exe", HolderKind::system},
    {"LsaIso.exe", HolderKind::system},
    {"svchost.exe", HolderKind::system},
    {"fontdrvhost.exe", HolderKind::system},
    {"dwm.exe", HolderKind::system},
    {"winedevice.exe", HolderKind::system},  // Wine's services
    {"plugplay.exe", HolderKind::system},
    {"rpcss.exe", HolderKind::system},
    {"init", HolderKind::system},
    {"systemd", HolderKind::system},
    {"systemd-journal", HolderKind::system},
    {"systemd-logind", HolderKind::system},
    {"systemd-udevd", HolderKind::system},
    {"systemd-resolve", HolderKind::system},
    {"systemd-network", HolderKind::system},
    {"systemd-timesyn", HolderKind::system},
    {"dbus-daemon", HolderKind::system},
    {"dbus-broker", HolderKind::system},
    {"sshd", HolderKind::system},
    {"agetty", HolderKind::system},
    {"login", HolderKind::system},
    {"Xorg", HolderKind::system},
    {"Xwayland", HolderKind::system},
};

bool same_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

HolderKind kind_of(std::string_view name, std::uint32_t pid) {
  // pid 1 is init on POSIX; 0 and 4 are Windows' Idle and System.
  if (pid == 1 || pid == 0) return HolderKind::system;
  for (const KnownProgram& program : known_programs)
    if (same_name(program.name, name)) return program.kind;
  return HolderKind::unknown;
}

ProcessMap ProcessMap::take() {
  ProcessMap map;
  map.self_ = platform::this_process();
  if (auto processes = platform::list_processes()) {
    for (platform::ProcessEntry& entry : *processes) {
      const std::uint32_t pid = entry.pid;
      map.processes_.insert_or_assign(pid, std::move(entry));
    }
  }
  map.find_ancestors();
  return map;
}

ProcessMap ProcessMap::around(std::span<const Holder> holders) {
  ProcessMap map;
  map.self_ = platform::this_process();
  std::vector<std::uint32_t> wanted;
  for (const Holder& holder : holders) wanted.push_back(holder.pid);
  // The chain of parents, read one generation at a time, as deep as
  // find_ancestors() looks. A pid seen before ends it: pids are reused, and a
  // chain through a reused one can come back on itself.
  std::uint32_t parent = map.self_.parent;
  for (int depth = 0; depth < max_ancestor_depth && parent != 0; ++depth) {
    if (parent == map.self_.pid || map.processes_.contains(parent)) break;
    const std::uint32_t one[] = {parent};
    auto read = platform::list_processes(one);
    if (!read) break;
    const auto found = std::ranges::find(*read, parent, &platform::ProcessEntry::pid);
    if (found == read->end()) break;  // it has exited
    const std::uint32_t next = found->parent;
    map.processes_.insert_or_assign(parent, std::move(*found));
    parent = next;
  }
  if (auto processes = platform::list_processes(wanted)) {
    for (platform::ProcessEntry& entry : *processes) {
      const std::uint32_t pid = entry.pid;
      map.processes_.insert_or_assign(pid, std::move(entry));
    }
  }
  map.find_ancestors();
  return map;
}

void ProcessMap::find_ancestors() {
  ProcessMap& map = *this;
  // The chain of parents, each started no later than its child: a parent
  // that exited leaves its pid free for a later process, which is no parent.
  const platform::ProcessEntry* child = &map.self_;
  for (int depth = 0; depth < max_ancestor_depth && child->parent != 0; ++depth) {
    const platform::ProcessEntry* parent = map.find(child->parent);
    if (!parent || parent->pid == child->pid) break;
    if (parent->start_time != 0 && child->start_time != 0 && parent->start_time > child->start_time)
      break;
    if (std::ranges::any_of(map.ancestors_, [&](const platform::ProcessEntry& seen) {
          return seen.pid == parent->pid;
        }))
      break;
    map.ancestors_.push_back(*parent);
    child = &map.ancestors_.back();
  }
}

std::vector<std::uint32_t> ProcessMap::pids() const {
  std::vector<std::uint32_t> pids;
  pids.reserve(processes_.size());
  for (const auto& [pid, entry] : processes_) pids.push_back(pid);
  return pids;
}

const platform::ProcessEntry* ProcessMap::find(std::uint32_t pid) const {
  const auto found = processes_.find(pid);
  return found == processes_.end() ? nullptr : &found->second;
}

HolderRelation ProcessMap::relation_of(std::uint32_t pid, std::uint64_t start_time) const {
  const auto same = [&](const platform::ProcessEntry& entry) {
    return entry.pid == pid &&
           (start_time == 0 || entry.start_time == 0 || entry.start_time == start_time);
  };
  if (same(self_)) return HolderRelation::self;
  for (std::size_t i = 0; i < ancestors_.size(); ++i)
    if (same(ancestors_[i])) return i == 0 ? HolderRelation::parent : HolderRelation::ancestor;
  return HolderRelation::unrelated;
}

void ProcessMap::describe(Holder& holder) const {
  holder.relation = relation_of(holder.pid, holder.start_time);
  if (holder.relation == HolderRelation::self) holder.is_self = true;
  const platform::ProcessEntry* entry = find(holder.pid);
  if (entry && (holder.start_time == 0 || entry->start_time == holder.start_time)) {
    if (holder.user.empty()) holder.user = entry->user;
    if (holder.name.empty()) holder.name = entry->name;
    if (holder.service.empty()) holder.service = entry->service;
    if (entry->kernel) holder.kind = HolderKind::system;
  }
  if (holder.kind == HolderKind::unknown) holder.kind = kind_of(holder.name, holder.pid);
}

std::vector<platform::ProcessEntry> ProcessMap::descendants_of(std::uint32_t pid) const {
  std::vector<platform::ProcessEntry> found;
  std::vector<const platform::ProcessEntry*> parents;
  if (const platform::ProcessEntry* root = find(pid)) parents.push_back(root);
  // Breadth first: children before grandchildren.
  for (std::size_t next = 0; next < parents.size() && parents.size() < 100000; ++next) {
    const platform::ProcessEntry& parent = *parents[next];
    for (const auto& [child_pid, child] : processes_) {
      if (child.parent != parent.pid || child_pid == parent.pid) continue;
      if (child.start_time != 0 && parent.start_time != 0 && child.start_time < parent.start_time)
        continue;  // the pid was reused: not this parent's child
      if (std::ranges::any_of(parents, [&](const auto* seen) { return seen->pid == child_pid; }))
        continue;
      parents.push_back(&child);
      found.push_back(child);
    }
  }
  return found;
}

}  // namespace core

constexpr core::EnumName<HolderRelation> holder_relation_names[] = {
    {HolderRelation::unrelated, "unrelated"},
    {HolderRelation::self, "self"},
    {HolderRelation::parent, "parent"},
    {HolderRelation::ancestor, "ancestor"}};
static_assert(core::in_declaration_order(holder_relation_names));

std::string_view to_string(HolderRelation relation) {
  return core::name_in(holder_relation_names, relation);
}

constexpr core::EnumName<HolderKind> holder_kind_names[] = {
    {HolderKind::unknown, "unknown"},
    {HolderKind::virus_scanner, "virus_scanner"},
    {HolderKind::indexer, "indexer"},
    {HolderKind::sync_client, "sync_client"},
    {HolderKind::preview_handler, "preview_handler"},
    {HolderKind::build_server, "build_server"},
    {HolderKind::system, "system"}};
static_assert(core::in_declaration_order(holder_kind_names));

std::string_view to_string(HolderKind kind) { return core::name_in(holder_kind_names, kind); }

}  // namespace tmpctl
