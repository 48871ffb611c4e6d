// cleanup(): the roots it is given, judged before anything is removed, and
// the threads that clean them, one directory of a root each. What goes and
// what stays is the Cleaner's decision (cleaner.hpp).

#include <tmpctl/cleanup.hpp>
#include <tmpctl/records.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "core/cleaner.hpp"
#include "core/enum_names.hpp"
#include "core/job_queue.hpp"
#include "core/paths.hpp"
#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "platform/protected_directories.hpp"
#include "platform/walk.hpp"

namespace tmpctl {
namespace {

using core::Cleaner;
using core::JobQueue;
using core::Shared;

// The directory `path` is in, lexically; empty for a root.
std::string parent_of(const std::string& path) {
  auto parts = core::split_path(path);
  return parts ? std::move(parts->directory) : std::string();
}

// The identities of the directories `paths` name; those that cannot be looked
// at are left out.
std::vector<platform::FileIdentity> identities_of(const std::vector<std::string>& paths) {
  std::vector<platform::FileIdentity> identities;
  for (const std::string& path : paths)
    if (auto identity = platform::identity_of(path)) identities.push_back(*identity);
  return identities;
}

bool contains(const std::vector<platform::FileIdentity>& set, const platform::FileIdentity& id) {
  return std::ranges::find(set, id) != set.end();
}

// Refuses a root that is a file system's root, a home directory or a
// directory that contains one, or a system directory or anything inside one
// that is not inside a temp directory first. Compared by identity, up the
// root's real ancestors, so "/tmp/..", "/tmp/link-to-etc" or a junction is
// caught.
std::expected<void, Error> check_root(const std::string& root, const platform::TreeWalk& walk) {
  // The caller says how to override it (tmpctl's CLI: --force).
  const auto refuse = [&](const std::string& what) {
    return std::unexpected(
        Error::invalid(ErrorKind::protected_directory, "clean up", root,
                       "it is " + what + "; tmpctl cleans temporary directories"));
  };
  const std::vector<platform::FileIdentity> ancestors = walk.root_ancestors();
  if (ancestors.size() == 1) return refuse("the root of its file system");

  std::vector<std::string> homes = platform::user_home_directories();
  if (std::string home = platform::home_directory(); !home.empty()) homes.push_back(home);
  for (const std::string& home : homes) {
    auto absolute = platform::absolute_path(home);
    if (!absolute) continue;
    for (std::string path = *absolute; !path.empty(); path = parent_of(path)) {
      const auto other = platform::identity_of(path);
      if (other && *other == ancestors.front())
        return refuse(path == *absolute ? "a home directory ('" + path + "')"
                                        : "a directory that holds home directories");
    }
  }

  const auto temp = identities_of(platform::temp_directories());
  const std::vector<std::string> system = platform::system_directories();
  const auto system_ids = identities_of(system);
  for (const platform::FileIdentity& ancestor : ancestors) {
    if (contains(temp, ancestor)) return {};
    if (contains(system_ids, ancestor))
      return refuse(ancestor == ancestors.front() ? "a system directory"
                                                  : "inside a system directory");
  }
  return {};
}

// As asked, but no more than the descriptor budget lets descend at once: with
// jobs threads, jobs + 1 walks are split off (one waits in the queue).
unsigned job_count(const CleanupOptions& options) {
  const unsigned asked =
      options.jobs != 0 ? options.jobs : std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  const std::size_t fit = platform::split_walks_at_most();
  return static_cast<unsigned>(std::max<std::size_t>(std::min<std::size_t>(asked, fit - 1), 1));
}

// Cleans one root: this thread lists the root and hands each of its
// directories to the first free thread.
void clean_root(platform::TreeWalk& walk, const CleanupOptions& options, Shared& shared,
                const platform::OpenFileTable& open_files) {
  const unsigned jobs = job_count(options);
  if (jobs <= 1) {
    Cleaner(options, shared, open_files).run(walk);
    return;
  }
  // One waiting job at most: with one running in each thread, jobs + 1 walks
  // share the descriptor budget.
  JobQueue queue(1);
  {
    std::vector<std::jthread> workers;
    for (unsigned i = 1; i < jobs; ++i)
      workers.emplace_back([&] {
        Cleaner cleaner(options, shared, open_files);
        while (auto job = queue.pop()) cleaner.run(*job);
      });
    // Closed whatever happens here, before the workers are joined: an
    // exception in this thread must not leave them waiting for a job forever.
    struct CloseOnExit {
      JobQueue& queue;
      ~CloseOnExit() { queue.close(); }
    } close_on_exit{queue};
    {
      Cleaner cleaner(options, shared, open_files, {.queue = &queue, .walks = jobs + 1});
      cleaner.run(walk);
    }
    queue.close();
    Cleaner cleaner(options, shared, open_files);
    while (auto job = queue.pop()) cleaner.run(*job);
  }  // the workers finish their last job
}

}  // namespace

std::expected<CleanupSummary, Error> cleanup(std::span<const std::string> roots,
                                             const CleanupOptions& options,
                                             const CleanupObserver& observer) {
  for (const std::string& glob : options.match)
    if (auto ok = check_glob(glob); !ok) return std::unexpected(ok.error());
  for (const std::string& glob : options.exclude)
    if (auto ok = check_glob(glob); !ok) return std::unexpected(ok.error());

  if (options.older_than < std::chrono::seconds(0) ||
      options.older_than > std::chrono::days(100 * 366))
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "clean up", "",
                                          "the age must be between 0 and 100 years"));

  // The run's "now", taken before the snapshot below: with age 0 an entry
  // born or changed after it is not judged stale (the snapshot cannot know
  // who holds what was made after it).
  CleanupOptions rules = options;
  if (!rules.now) rules.now = std::chrono::system_clock::now();

  // What processes hold is looked at once, before tmpctl opens anything of
  // its own in the trees.
  auto open_files = platform::snapshot_open_files();
  if (!open_files) return std::unexpected(open_files.error());

  // Every root is opened and judged before anything is removed.
  std::vector<platform::TreeWalk> walks;
  for (const std::string& root : roots) {
    // An empty path would mean the current directory: a script's unset
    // variable must not clean whatever directory it runs in.
    if (root.empty())
      return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "clean up", root,
                                            "an empty path names no directory"));
    auto absolute = platform::absolute_path(root);
    if (!absolute) return std::unexpected(absolute.error());
    auto walk = platform::TreeWalk::open(
        *absolute, {.restore_owner_permissions = options.restore_owner_permissions});
    if (!walk) return std::unexpected(walk.error());
    if (!options.force)
      if (auto allowed = check_root(*absolute, *walk); !allowed)
        return std::unexpected(allowed.error());
    walks.push_back(std::move(*walk));
  }

  Shared shared(observer);
  shared.summary.notes = open_files->notes;
  if (auto store = RecordStore::default_path())
    if (auto identity = platform::identity_of(*store)) shared.record_store = *identity;
  for (const platform::TreeWalk& walk : walks) shared.roots.push_back(walk.root_identity());
  for (platform::TreeWalk& walk : walks) {
    clean_root(walk, rules, shared, *open_files);
    core::report_in_use(shared);
    if (shared.summary.interrupted) break;
  }
  return std::move(shared.summary);
}

constexpr core::EnumName<EntryType> entry_type_names[] = {{EntryType::file, "file"},
                                                          {EntryType::directory, "directory"},
                                                          {EntryType::symlink, "symlink"},
                                                          {EntryType::other, "other"}};
static_assert(core::in_declaration_order(entry_type_names));

std::string_view to_string(EntryType type) { return core::name_in(entry_type_names, type); }

constexpr core::EnumName<CleanupAction> cleanup_action_names[] = {
    {CleanupAction::removed, "removed"},
    {CleanupAction::would_remove, "would_remove"},
    {CleanupAction::skipped, "skipped"},
    {CleanupAction::failed, "failed"}};
static_assert(core::in_declaration_order(cleanup_action_names));

std::string_view to_string(CleanupAction action) {
  return core::name_in(cleanup_action_names, action);
}

constexpr core::EnumName<SkipReason> skip_reason_names[] = {
    {SkipReason::none, "none"},
    {SkipReason::in_use, "in_use"},
    {SkipReason::not_owned, "not_owned"},
    {SkipReason::changed, "changed"},
    {SkipReason::other_filesystem, "other_filesystem"},
    {SkipReason::read_only, "read_only"},
    {SkipReason::replaced, "replaced"}};
static_assert(core::in_declaration_order(skip_reason_names));

std::string_view to_string(SkipReason reason) { return core::name_in(skip_reason_names, reason); }

}  // namespace tmpctl
