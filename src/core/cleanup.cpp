// cleanup(): the roots it is given, judged before anything is removed, and
// the threads that clean them, one directory of a root each. What goes and
// what stays is the Cleaner's decision (cleaner.hpp).

#include <tmpctl/cleanup.hpp>
#include <tmpctl/records.hpp>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <thread>
#include <unordered_set>
#include <utility>

#include "core/cleaner.hpp"
#include "core/enum_names.hpp"
#include "core/hold_wait.hpp"
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

// One look at the roots; with `second_look`, only at what it names.
std::expected<CleanupSummary, Error> clean_once(std::span<const std::string> roots,
                                                const CleanupOptions& options,
                                                const CleanupObserver& observer,
                                                const core::SecondLook* second_look,
                                                std::vector<std::string>* absolute_roots,
                                                std::uint64_t* ancestors_retried) {
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
    if (absolute_roots != nullptr) absolute_roots->push_back(*absolute);
  }

  Shared shared(observer);
  shared.second_look = second_look;
  shared.summary.notes = open_files->notes;
  if (auto store = RecordStore::default_path())
    if (auto identity = platform::identity_of(*store)) shared.record_store = *identity;
  for (const platform::TreeWalk& walk : walks) shared.roots.push_back(walk.root_identity());
  for (platform::TreeWalk& walk : walks) {
    clean_root(walk, rules, shared, *open_files);
    core::report_in_use(shared);
    if (shared.summary.interrupted) break;
  }
  if (ancestors_retried != nullptr) *ancestors_retried = shared.ancestors_retried;
  return std::move(shared.summary);
}

// Every directory between the roots and `path`, for a second look.
void add_directories_above(const std::string& path, const std::vector<std::string>& roots,
                           std::unordered_set<std::string>& directories) {
  for (std::string directory = parent_of(path); !directory.empty();
       directory = parent_of(directory)) {
    if (std::ranges::find(roots, directory) != roots.end()) return;
    if (!directories.insert(directory).second) return;  // and all above it
  }
}

// The holders of the entries kept in use, merged by process across entries.
std::vector<HoldSpan> merged_timeline(std::vector<std::vector<HoldSpan>>& timelines) {
  std::vector<HoldSpan> merged;
  for (auto& timeline : timelines) {
    for (HoldSpan& span : timeline) {
      const auto same = std::ranges::find_if(merged, [&](const HoldSpan& seen) {
        return seen.holder.pid == span.holder.pid &&
               seen.holder.start_time == span.holder.start_time;
      });
      if (same == merged.end()) {
        merged.push_back(std::move(span));
        continue;
      }
      same->from = std::min(same->from, span.from);
      same->until = same->until && span.until ? std::optional(std::max(*same->until, *span.until))
                                              : std::nullopt;
      for (std::string& how : span.holder.how)
        if (std::ranges::find(same->holder.how, how) == same->holder.how.end())
          same->holder.how.push_back(std::move(how));
    }
  }
  std::ranges::sort(merged, {}, &HoldSpan::from);
  return merged;
}

}  // namespace

std::expected<CleanupSummary, Error> cleanup(std::span<const std::string> roots,
                                             const CleanupOptions& options,
                                             const CleanupObserver& observer) {
  if (options.wait.count() <= 0 && !options.terminate)
    return clean_once(roots, options, observer, nullptr, nullptr, nullptr);

  // The first look tells everything but the entries kept in use, which the
  // second look tells, as they are then.
  CleanupOptions rules = options;
  if (!rules.now) rules.now = std::chrono::system_clock::now();
  std::vector<CleanupEntry> held;
  CleanupObserver first = observer;
  first.entry = [&](const CleanupEntry& entry) {
    if (entry.action == CleanupAction::skipped && entry.reason == SkipReason::in_use)
      held.push_back(entry);
    else if (observer.entry)
      observer.entry(entry);
  };
  std::vector<std::string> absolute_roots;
  auto summary = clean_once(roots, rules, first, nullptr, &absolute_roots, nullptr);
  const auto tell_held = [&] {
    if (observer.entry)
      for (const CleanupEntry& entry : held) observer.entry(entry);
  };
  if (!summary || held.empty() || summary->interrupted) {
    tell_held();
    return summary;
  }

  std::vector<core::WaitTarget> targets;
  for (const CleanupEntry& entry : held)
    targets.push_back({.path = entry.path, .tree = entry.type == EntryType::directory});
  if (options.wait.count() > 0) {
    core::WaitResult waited = core::wait_for_release(targets, options.wait);
    summary->timeline = merged_timeline(waited.timelines);
    summary->waited = waited.waited;
  }
  if (options.terminate) {
    // terminate_holders() takes each process once.
    std::vector<Holder> holders;
    for (auto& list : core::holders_now(targets))
      std::ranges::move(list, std::back_inserter(holders));
    TerminateOptions terminate = *options.terminate;
    terminate.dry_run = terminate.dry_run || options.dry_run;
    if (!holders.empty()) summary->terminated = terminate_holders(holders, terminate);
  }
  const bool anything_ended = std::ranges::any_of(summary->terminated, [](const Termination& t) {
    return t.outcome == TerminateOutcome::ended || t.outcome == TerminateOutcome::killed;
  });
  if (options.wait.count() <= 0 && !anything_ended) {
    tell_held();  // nothing changed: the first look stands
    return summary;
  }

  core::SecondLook second;
  for (const CleanupEntry& entry : held) {
    second.entries.insert(entry.path);
    add_directories_above(entry.path, absolute_roots, second.directories);
  }
  CleanupOptions again = rules;
  again.jobs = 1;  // a few entries
  std::uint64_t ancestors_retried = 0;
  auto looked_again = clean_once(roots, again, observer, &second, nullptr, &ancestors_retried);
  if (!looked_again) {
    tell_held();
    summary->notes.push_back("could not look at the entries in use again: " +
                             to_string(looked_again.error()));
    return summary;
  }
  // The first look's counts, with what the second changed: its entries in
  // use now instead of the first's, and directories above them that went.
  CleanupSummary total = std::move(*summary);
  total.skipped_in_use -= std::min<std::uint64_t>(total.skipped_in_use, held.size());
  total.kept_not_empty -= std::min(total.kept_not_empty, ancestors_retried);
  std::vector<std::string> notes = std::move(total.notes);
  for (std::string& note : looked_again->notes)
    if (std::ranges::find(notes, note) == notes.end()) notes.push_back(std::move(note));
  looked_again->notes.clear();
  core::add_counts(total, *looked_again);
  total.notes = std::move(notes);
  return total;
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
