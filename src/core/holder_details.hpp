#pragma once
// What tmpctl says about a holder beyond its pid: how it is related to the
// process asking (itself, its parent, an ancestor), what kind of program it
// is (one table, holder_details.cpp), whose it is, and which processes
// descend from it. Internal to the core.

#include <tmpctl/holders.hpp>

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/process_control.hpp"

namespace tmpctl::core {

/// The kind of program `name` (an image or process name) is, from the table;
/// `pid` catches what is critical by number (pid 1, Windows' System).
HolderKind kind_of(std::string_view name, std::uint32_t pid);

/// The processes of the system, from one snapshot, around the process asking.
class ProcessMap {
public:
  /// Takes the snapshot (list_processes); an empty map when it fails, which
  /// still knows this process and its parent.
  static ProcessMap take();
  /// Only what describing `holders` needs: this process, its chain of
  /// parents and the holders' own processes (on Linux a few reads of /proc,
  /// not all of it). descendants_of() then knows no more than those.
  static ProcessMap around(std::span<const Holder> holders);

  /// Self, parent, ancestor or unrelated; a pid whose start time differs from
  /// the one in the chain is another process that reused it.
  HolderRelation relation_of(std::uint32_t pid, std::uint64_t start_time) const;
  /// Fills in what the holder searches leave out: relation, kind, user.
  void describe(Holder& holder) const;
  /// The processes started by `pid`, and by those, and so on (started after
  /// their parent: a reused pid is no child), nearest first.
  std::vector<platform::ProcessEntry> descendants_of(std::uint32_t pid) const;
  /// The process `pid`, or nullptr when the snapshot does not have it.
  const platform::ProcessEntry* find(std::uint32_t pid) const;
  /// Every pid the map has, in no particular order.
  std::vector<std::uint32_t> pids() const;
  const platform::ProcessEntry& self() const { return self_; }

private:
  // The chain of parents of self_, from what processes_ has.
  void find_ancestors();

  platform::ProcessEntry self_;
  std::unordered_map<std::uint32_t, platform::ProcessEntry> processes_;
  std::vector<platform::ProcessEntry> ancestors_;  // parent first
};

}  // namespace tmpctl::core
