// cleanup(): which entries below a root are stale, and which of those are
// safe to remove. The platform's TreeWalk lists, enters, re-checks and
// deletes through directory handles; this file only decides.

#include <tmpctl/cleanup.hpp>
#include <tmpctl/records.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "core/owner_states.hpp"
#include "core/paths.hpp"
#include "core/retry_delay.hpp"
#include "core/tree_removal.hpp"
#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "platform/remove.hpp"
#include "platform/walk.hpp"

namespace tmpctl {
namespace {

using platform::EntryTimes;
using platform::EntryType;
using platform::RemoveMode;
using platform::RemoveResult;
using platform::WalkEntry;
using platform::WalkStep;

#ifdef _WIN32
constexpr bool names_ignore_case = true;  // as Windows file systems compare them
#else
constexpr bool names_ignore_case = false;
#endif

std::string_view type_name(EntryType type) {
  switch (type) {
    case EntryType::file: return "file";
    case EntryType::directory: return "directory";
    case EntryType::symlink: return "symlink";
    case EntryType::other: break;
  }
  return "other";
}

// What removing an entry frees, as cleanup counts it: a directory's own size
// is the file system's bookkeeping, not the user's data.
std::uint64_t size_of(const WalkEntry& entry) {
  return entry.type == EntryType::directory ? 0 : entry.size;
}

unsigned kind_bit(EntryType type) {
  switch (type) {
    case EntryType::file: return static_cast<unsigned>(EntryKind::file);
    case EntryType::directory: return static_cast<unsigned>(EntryKind::directory);
    case EntryType::symlink: return static_cast<unsigned>(EntryKind::symlink);
    case EntryType::other: break;
  }
  return 0;  // sockets, FIFOs, devices: never removed
}

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
  const auto refuse = [&](const std::string& what) {
    return std::unexpected(Error::invalid(
        ErrorKind::invalid_argument, "clean up", root,
        "it is " + what + "; tmpctl cleans temporary directories (--force to clean it anyway)"));
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

bool matches_any(const std::vector<std::string>& globs, std::string_view name,
                 std::string_view relative) {
  return std::ranges::any_of(globs, [&](const std::string& glob) {
    return glob_match(glob, glob.find('/') == std::string::npos ? name : relative,
                      names_ignore_case);
  });
}

// Record stores in a temp directory (other users' too, as root cleans
// /tmp): "tmpctl-records-<uid>", "tmpctl-records".
constexpr std::string_view record_store_prefix = "tmpctl-records";

// A directory being walked, as cleanup sees it.
struct Frame {
  WalkEntry entry;        // as listed in its parent
  bool selected = false;  // it, or a directory above it, matched --match
  std::string relative;   // below the root, '/'-separated; kept only for globs with '/'
  std::uint64_t kept = 0;  // entries left inside it
};

// A directory of a root, split off to be cleaned by another thread.
struct Job {
  platform::TreeWalk walk;
  Frame frame;
};

void add(CleanupSummary& to, CleanupSummary& from) {
  to.examined += from.examined;
  to.removed += from.removed;
  to.removed_bytes += from.removed_bytes;
  to.failed += from.failed;
  to.skipped_in_use += from.skipped_in_use;
  to.skipped_not_owned += from.skipped_not_owned;
  to.skipped_changed += from.skipped_changed;
  to.skipped_other_filesystem += from.skipped_other_filesystem;
  to.skipped_read_only += from.skipped_read_only;
  to.skipped_replaced += from.skipped_replaced;
  to.kept_too_new += from.kept_too_new;
  to.kept_excluded += from.kept_excluded;
  to.kept_not_matched += from.kept_not_matched;
  to.kept_not_empty += from.kept_not_empty;
  to.records_forgotten += from.records_forgotten;
  to.interrupted = to.interrupted || from.interrupted;
  to.notes.insert(to.notes.end(), std::make_move_iterator(from.notes.begin()),
                  std::make_move_iterator(from.notes.end()));
  from = {};
}

// What the threads of one cleanup share; the mutex guards all of it, and
// the observer's calls.
struct Shared {
  explicit Shared(const CleanupObserver& watcher) : observer(watcher) {}
  const CleanupObserver& observer;
  std::mutex mutex;
  CleanupSummary summary;
  std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();
  // Removing one name of a file with several changes its ctime: its other
  // names are judged by the times its first name showed, in every thread.
  std::unordered_map<platform::FileIdentity, EntryTimes, platform::FileIdentityHash> first_seen{};
  std::atomic<bool> any_first_seen{false};
  // Entries Windows refused as in use: their holders are found in one batch.
  std::vector<CleanupEntry> in_use{};
  // The record store, which a walk leaves alone: its records go only with
  // their entries (cleanup_records).
  std::optional<platform::FileIdentity> record_store{};
  // Every root of this cleanup: one root met inside another is left to its
  // own walk and never removed (no DIR operand is).
  std::vector<platform::FileIdentity> roots{};
};

// Directories split off a root, waiting for a thread. Bounded: each holds
// descriptors.
class JobQueue {
public:
  explicit JobQueue(std::size_t capacity) : capacity_(capacity) {}

  // False, with `job` untouched, when the queue is full.
  bool try_push(Job& job) {
    {
      std::lock_guard lock(mutex_);
      if (jobs_.size() >= capacity_) return false;
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
    return true;
  }

  // The next job; nullopt once the queue is closed and empty.
  std::optional<Job> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !jobs_.empty() || closed_; });
    if (jobs_.empty()) return std::nullopt;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
  }

  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool closed_ = false;
};

// What a Cleaner removes beyond cleanup's own rules of age and kind.
struct Scope {
  /// Every entry counts as stale: a recorded entry whose time has come, or a
  /// tree remove -r was asked to remove, with all it holds.
  bool all_stale = false;
  /// Sockets, FIFOs and devices too (remove -r, as rm -r removes them).
  bool every_kind = false;
  /// Each removed entry goes to the observer; a tree removal wants only
  /// what stays, and saves the path of every entry that goes.
  bool report_removed = true;
};

class Cleaner {
public:
  Cleaner(const CleanupOptions& options, Shared& shared, const platform::OpenFileTable& open_files,
          JobQueue* queue = nullptr, std::size_t walks = 1, Scope scope = {})
      : options_(options),
        shared_(shared),
        open_files_(open_files),
        queue_(queue),
        walks_(walks),
        scope_(scope) {
    const auto now = options.now.value_or(std::chrono::system_clock::now());
    cutoff_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  (now - options.older_than).time_since_epoch())
                  .count();
    const auto has_slash = [](const std::string& glob) {
      return glob.find('/') != std::string::npos;
    };
    need_relative_ = std::ranges::any_of(options.match, has_slash) ||
                     std::ranges::any_of(options.exclude, has_slash);
  }

  ~Cleaner() { flush(); }

  // Walks a root; with a queue, splits its directories off into jobs.
  void run(platform::TreeWalk& walk) {
    frames_.clear();
    walk_all(walk);
  }

  // Cleans a directory split off a root, and then the directory itself.
  void run(Job& job) {
    frames_.assign(1, std::move(job.frame));
    walk_all(job.walk);
  }

  enum class Recorded { removed, kept, gone, replaced };

  // Cleans the recorded entry `name` of `walk`'s root, if it is still the
  // entry that was created (`identity`); a directory with all it holds.
  Recorded clean_recorded(platform::TreeWalk& walk, const std::string& name,
                          const platform::FileIdentity& identity, bool directory) {
    WalkEntry entry;
    const std::string path = walk.path_of(name);
    if (auto found = walk.look_up(name, entry); !found) {
      if (found.error().kind == ErrorKind::not_found) return Recorded::gone;
      fail(path, directory ? "directory" : "file", 0, found.error());
      return Recorded::kept;
    }
    ++summary_.examined;
    const EntryType type = directory ? EntryType::directory : EntryType::file;
    if (entry.identity != identity || entry.type != type) {
      skip(path, entry, SkipReason::replaced);
      return Recorded::replaced;
    }
    watched_ = identity;
    watched_removed_ = false;
    if (const auto reason = safety_reason(entry);
        reason != SkipReason::none && !(directory && reason == SkipReason::read_only)) {
      skip(path, entry, reason);
    } else if (!directory) {
      remove(walk, entry, false, path);
    } else if (auto split = walk.split(entry, walks_); !split) {
      fail_or_keep_in_use(path, entry, true, split.error());
    } else if (!*split) {
      skip(path, entry, SkipReason::changed);
    } else {
      Job job{std::move(**split), Frame{entry, true, {}}};
      keep_times_of_stale(job.walk, entry);
      run(job);
    }
    watched_.reset();
    return watched_removed_ ? Recorded::removed : Recorded::kept;
  }

  // Hands what this thread counted and found in use over to the others.
  void flush() {
    std::lock_guard lock(shared_.mutex);
    add(shared_.summary, summary_);
    std::ranges::move(in_use_, std::back_inserter(shared_.in_use));
    in_use_.clear();
  }

private:
  void walk_all(platform::TreeWalk& walk) {
    WalkEntry entry;
    for (;;) {
      if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) {
        summary_.interrupted = true;
        return;
      }
      report_progress();
      auto step = walk.next(entry);
      if (!step) {
        fail(step.error().path, "directory", 0, step.error());
        keep_in_current();  // what could not be read is still there
        continue;
      }
      if (*step == WalkStep::done) return;
      if (*step == WalkStep::finished_directory) {
        finish_directory(walk);
        continue;
      }
      ++summary_.examined;
      look_at(walk, entry);
    }
  }

  // Whether the newest of the chosen timestamps is older than the cutoff.
  // Directories ignore change and access times: removing their children
  // changes the one, listing them (a dry run, ls, a backup) the other.
  bool is_stale(const WalkEntry& entry) {
    if (scope_.all_stale) return true;
    // Removing one name of a file with several changes its ctime: its other
    // names are judged by the times seen first, as a dry run sees them.
    // Copied out of the shared table only for such files; the rest are
    // judged by their own times, with no lock.
    const EntryTimes* times = &entry.times;
    EntryTimes first_seen;
    if (entry.type != EntryType::directory &&
        (entry.links > 1 || shared_.any_first_seen.load(std::memory_order_acquire))) {
      std::lock_guard lock(shared_.mutex);
      if (entry.links > 1) {
        first_seen = shared_.first_seen.try_emplace(entry.identity, entry.times).first->second;
        times = &first_seen;
        shared_.any_first_seen.store(true, std::memory_order_release);
      } else if (const auto seen = shared_.first_seen.find(entry.identity);
                 seen != shared_.first_seen.end()) {
        first_seen = seen->second;  // its last name: the others were removed
        times = &first_seen;
      }
    }
    unsigned chosen = options_.age_by;
    if (entry.type == EntryType::directory)
      chosen &= ~(static_cast<unsigned>(Timestamp::change) | static_cast<unsigned>(Timestamp::access));
    std::optional<std::int64_t> newest;
    const auto consider = [&](Timestamp which, const std::optional<std::int64_t>& time) {
      if ((chosen & static_cast<unsigned>(which)) != 0 && time)
        newest = std::max(newest.value_or(*time), *time);
    };
    consider(Timestamp::access, times->access);
    consider(Timestamp::modification, times->modification);
    consider(Timestamp::change, times->change);
    consider(Timestamp::birth, times->birth);
    // None of the chosen ones is kept here: judge by the modification time.
    if (!newest) newest = times->modification;
    return newest && *newest < cutoff_;
  }

  // What keeps an entry that is not simply removable: a count for entries
  // that are not eligible (listed nowhere), or the reason to list it.
  bool counted_as_ineligible(const WalkEntry& entry, bool selected) {
    if (!selected || ((kind_bit(entry.type) & options_.kinds) == 0 && !scope_.every_kind) ||
        (entry.type == EntryType::directory && options_.keep_directories)) {
      ++summary_.kept_not_matched;
      return true;
    }
    if (!is_stale(entry)) {
      ++summary_.kept_too_new;
      return true;
    }
    return false;
  }

  void look_at(platform::TreeWalk& walk, const WalkEntry& entry) {
    const std::size_t depth = walk.depth() + 1;
    Frame* parent = frames_.empty() ? nullptr : &frames_.back();
    std::string relative;
    if (need_relative_)
      relative = parent != nullptr ? parent->relative + '/' + entry.name : entry.name;
    if (matches_any(options_.exclude, entry.name, relative) ||
        (entry.type == EntryType::directory &&
         (shared_.record_store == entry.identity || contains(shared_.roots, entry.identity) ||
          (frames_.empty() && entry.name.starts_with(record_store_prefix))))) {
      ++summary_.kept_excluded;
      keep_in_current();
      return;
    }
    const bool selected = options_.match.empty() || (parent != nullptr && parent->selected) ||
                          matches_any(options_.match, entry.name, relative);
    if (entry.type == EntryType::directory) {
      enter_or_keep(walk, entry, selected, depth, std::move(relative));
      return;
    }
    if (counted_as_ineligible(entry, selected)) {
      keep_in_current();
      return;
    }
    if (const auto reason = safety_reason(entry); reason != SkipReason::none) {
      skip(walk.path_of(entry.name), entry, reason);
      return;
    }
    remove(walk, entry, false);
  }

  // Why an eligible entry must be kept, from what is known before deleting.
  SkipReason safety_reason(const WalkEntry& entry) const {
    if (entry.other_filesystem) return SkipReason::other_filesystem;
    if (entry.not_owned) return SkipReason::not_owned;
    if (open_files_.contains(entry.identity)) return SkipReason::in_use;
    if (entry.read_only && !options_.force) return SkipReason::read_only;
    return SkipReason::none;
  }

  void enter_or_keep(platform::TreeWalk& walk, const WalkEntry& entry, bool selected,
                     std::size_t depth, std::string relative) {
    const bool beyond = options_.max_depth && depth >= *options_.max_depth;
    // A directory not entered stays, with all it holds. Those kept for
    // safety are listed when they are themselves stale and selected.
    const auto reason = safety_reason(entry);
    if (beyond || (reason != SkipReason::none && reason != SkipReason::read_only)) {
      if (beyond) {
        ++summary_.kept_not_matched;
        keep_in_current();
      } else if (counted_as_ineligible(entry, selected)) {
        keep_in_current();
      } else {
        skip(walk.path_of(entry.name), entry, reason);
      }
      return;
    }
    if (queue_ != nullptr && walk.depth() == 0) {
      split(walk, Frame{entry, selected, std::move(relative)});
      return;
    }
    auto entered = walk.enter(entry);
    if (!entered) {
      fail_or_keep_in_use(walk.path_of(entry.name), entry, selected, entered.error());
      return;
    }
    if (!*entered) {
      skip(walk.path_of(entry.name), entry, SkipReason::changed);
      return;
    }
    keep_times_of_stale(walk, entry);
    frames_.push_back(Frame{entry, selected, std::move(relative)});
  }

  // A stale directory just entered must still look stale to the next run
  // however this one ends, SIGKILL included: its times go back after each
  // removal in it, not only when the walk leaves it.
  // Not for an entry that goes whole (remove -r, a recorded entry): its age
  // decides nothing.
  void keep_times_of_stale(platform::TreeWalk& walk, const WalkEntry& entry) {
    if (!scope_.all_stale && is_stale(entry)) walk.restore_times_after_each_removal();
  }

  // Hands a directory of the root to another thread, or cleans it here when
  // every thread is busy.
  void split(platform::TreeWalk& walk, Frame frame) {
    auto split = walk.split(frame.entry, walks_);
    if (!split) {
      fail_or_keep_in_use(walk.path_of(frame.entry.name), frame.entry, frame.selected,
                          split.error());
      return;
    }
    if (!*split) {
      skip(walk.path_of(frame.entry.name), frame.entry, SkipReason::changed);
      return;
    }
    Job job{std::move(**split), std::move(frame)};
    keep_times_of_stale(job.walk, job.frame.entry);
    if (queue_->try_push(job)) return;
    Cleaner here(options_, shared_, open_files_, nullptr, 1, scope_);
    here.run(job);
  }

  // A directory the walk could not enter. In use (Windows: an open for delete
  // met some process's working directory) it is kept whole, as safety_reason
  // keeps the directories the open-file table names: listed when stale and
  // selected. Anything else is a failure.
  void fail_or_keep_in_use(const std::string& path, const WalkEntry& entry, bool selected,
                           const Error& error) {
    if (error.kind != ErrorKind::in_use) {
      fail(path, type_name(entry.type), 0, error);
      keep_in_current();
    } else if (counted_as_ineligible(entry, selected)) {
      keep_in_current();
    } else {
      skip(path, entry, SkipReason::in_use);
    }
  }

  void finish_directory(platform::TreeWalk& walk) {
    Frame frame = std::move(frames_.back());
    frames_.pop_back();
    if (frame.kept > 0) {
      ++summary_.kept_not_empty;
      keep_in_current();
      return;
    }
    if (counted_as_ineligible(frame.entry, frame.selected)) {
      keep_in_current();
      return;
    }
    if (frame.entry.read_only && !options_.force) {
      skip(walk.current_path(), frame.entry, SkipReason::read_only);
      return;
    }
    remove(walk, frame.entry, true);
  }

  // Removes `entry`, the current directory when `finished_directory`, and
  // reports the outcome under `known_path`, or, when that is empty, the path
  // the walk gives, made only when it is reported.
  void remove(platform::TreeWalk& walk, const WalkEntry& entry, bool finished_directory,
              const std::string& known_path = {}) {
    const auto path = [&] {
      if (!known_path.empty()) return known_path;
      return finished_directory ? walk.current_path() : walk.path_of(entry.name);
    };
    const RemoveMode mode = options_.dry_run ? RemoveMode::dry_run : RemoveMode::remove;
    RetryDelay delay;
    std::expected<RemoveResult, Error> result;
    for (unsigned attempt = 0;; ++attempt) {
      result = finished_directory ? walk.remove_finished_directory(entry, mode, options_.force)
                                  : walk.remove_entry(entry, mode, options_.force);
      if (!result || *result != RemoveResult::in_use || attempt >= options_.retries) break;
      delay.wait();
    }
    if (!result) {
      if (result.error().kind == ErrorKind::directory_not_empty) {
        ++summary_.kept_not_empty;  // something new arrived in it
        keep_in_current();
        return;
      }
      fail(path(), type_name(entry.type), size_of(entry), result.error());
      keep_in_current();
      return;
    }
    switch (*result) {
      case RemoveResult::removed:
        if (watched_ && entry.identity == *watched_) watched_removed_ = true;
        ++summary_.removed;
        summary_.removed_bytes += size_of(entry);
        if (!scope_.report_removed) return;
        emit(CleanupEntry{
            .action = options_.dry_run ? CleanupAction::would_remove : CleanupAction::removed,
            .path = path(),
            .type = type_name(entry.type),
            .size = size_of(entry)});
        return;
      case RemoveResult::gone: return;  // someone else removed it
      case RemoveResult::changed: skip(path(), entry, SkipReason::changed); return;
      case RemoveResult::in_use: skip(path(), entry, SkipReason::in_use); return;
      case RemoveResult::mount_point: skip(path(), entry, SkipReason::other_filesystem); return;
    }
  }

  void skip(std::string path, const WalkEntry& entry, SkipReason reason) {
    keep_in_current();
    switch (reason) {
      case SkipReason::in_use: ++summary_.skipped_in_use; break;
      case SkipReason::not_owned: ++summary_.skipped_not_owned; break;
      case SkipReason::changed: ++summary_.skipped_changed; break;
      case SkipReason::other_filesystem: ++summary_.skipped_other_filesystem; break;
      case SkipReason::read_only: ++summary_.skipped_read_only; break;
      case SkipReason::replaced: ++summary_.skipped_replaced; break;
      case SkipReason::none: break;
    }
    CleanupEntry listed{.action = CleanupAction::skipped,
                        .reason = reason,
                        .path = std::move(path),
                        .type = type_name(entry.type),
                        .size = size_of(entry)};
    if (reason == SkipReason::in_use) {
      if (!open_files_.available) {
        // Found by a refused delete (Windows): holders come in one batch at the end.
        in_use_.push_back(std::move(listed));
        return;
      }
      listed.holders = open_files_.holders_of(entry.identity);
    }
    emit(listed);
  }

  void fail(std::string path, std::string_view type, std::uint64_t size, const Error& error) {
    ++summary_.failed;
    emit(CleanupEntry{.action = CleanupAction::failed,
                                 .path = std::move(path),
                                 .type = type,
                                 .size = size,
                                 .error = error});
  }

  // The current directory keeps something, so it cannot be removed.
  void keep_in_current() {
    if (!frames_.empty()) ++frames_.back().kept;
  }

  void emit(const CleanupEntry& entry) {
    std::lock_guard lock(shared_.mutex);
    shared_.observer.entry(entry);
  }

  // Now and then: the counts so far, of every thread, to the observer.
  void report_progress() {
    if (!shared_.observer.progress || (++ticks_ & 255) != 0) return;
    std::lock_guard lock(shared_.mutex);
    add(shared_.summary, summary_);
    const auto now = std::chrono::steady_clock::now();
    if (now - shared_.last_progress < std::chrono::milliseconds(200)) return;
    shared_.last_progress = now;
    shared_.observer.progress(shared_.summary);
  }

  const CleanupOptions& options_;
  Shared& shared_;
  const platform::OpenFileTable& open_files_;
  JobQueue* queue_;
  std::size_t walks_;
  Scope scope_;
  // cleanup_records(): the recorded entry being cleaned, and whether it went.
  std::optional<platform::FileIdentity> watched_;
  bool watched_removed_ = false;
  CleanupSummary summary_;  // counted here since the last flush
  std::int64_t cutoff_ = 0;
  bool need_relative_ = false;
  std::vector<Frame> frames_;
  std::vector<CleanupEntry> in_use_;
  std::uint64_t ticks_ = 0;
};

// Entries Windows refused as in use: their holders, found in one batch
// (unless the caller wants none).
void report_in_use(Shared& shared, bool with_holders = true) {
  std::vector<CleanupEntry> in_use = std::exchange(shared.in_use, {});
  if (in_use.empty()) return;
  if (!with_holders) {
    for (const CleanupEntry& entry : in_use) shared.observer.entry(entry);
    return;
  }
  std::vector<std::string> paths;
  for (const CleanupEntry& entry : in_use) paths.push_back(entry.path);
  auto report = find_holders(paths);
  for (std::size_t i = 0; i < in_use.size(); ++i) {
    if (report && i < report->holders.size()) in_use[i].holders = std::move(report->holders[i]);
    shared.observer.entry(in_use[i]);
  }
  if (report && !report->complete)
    shared.summary.notes.insert(shared.summary.notes.end(), report->notes.begin(),
                                report->notes.end());
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
    {
      Cleaner cleaner(options, shared, open_files, &queue, jobs + 1);
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

  if (options.older_than <= std::chrono::seconds(0) ||
      options.older_than > std::chrono::days(100 * 366))
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "clean up", "",
                                          "the age must be between 1 second and 100 years"));

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
    clean_root(walk, options, shared, *open_files);
    report_in_use(shared);
    if (shared.summary.interrupted) break;
  }
  return std::move(shared.summary);
}

std::expected<CleanupSummary, Error> cleanup_records(RecordStore& store,
                                                     const RecordCleanupOptions& options,
                                                     const CleanupObserver& observer,
                                                     std::vector<BadRecord>* bad) {
  auto set = store.read_all();
  if (!set) return std::unexpected(set.error());
  if (bad != nullptr) *bad = std::move(set->bad);
  auto open_files = platform::snapshot_open_files();
  if (!open_files) return std::unexpected(open_files.error());

  RecordFilter filter = options.filter;
  filter.now = filter.now.value_or(std::chrono::system_clock::now());
  CleanupOptions cleanup_options;
  cleanup_options.dry_run = options.dry_run;
  cleanup_options.force = options.force;
  cleanup_options.restore_owner_permissions = options.force;
  cleanup_options.retries = options.retries;
  cleanup_options.stop = options.stop;
  cleanup_options.jobs = 1;

  Shared shared(observer);
  shared.summary.notes = open_files->notes;
  core::OwnerStates owners;
  std::uint64_t forgotten = 0;
  const auto forget = [&](const Record& record) {
    ++forgotten;
    if (!options.dry_run) (void)store.forget(record.id);
  };

  // Each directory is opened once; its recorded entries are looked up by name.
  std::map<std::string, std::vector<const Record*>> by_directory;
  for (const Record& record : set->records)
    if (auto parts = core::split_path(record.path)) by_directory[parts->directory].push_back(&record);
  {
    Cleaner cleaner(cleanup_options, shared, *open_files, nullptr, 2, Scope{.all_stale = true});
    for (const auto& [directory, records] : by_directory) {
      auto walk = platform::TreeWalk::open(
          directory, {.restore_owner_permissions = cleanup_options.restore_owner_permissions});
      if (!walk && walk.error().kind == ErrorKind::not_found) {
        std::ranges::for_each(records, [&](const Record* record) { forget(*record); });
        continue;
      }
      for (const Record* record : records) {
        if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) break;
        const std::string name = core::split_path(record->path)->name;
        const platform::FileIdentity identity{record->device, record->file};
        if (!selects(filter, *record, owners.of(record->owner))) {
          // Not asked for: forgotten only when its entry is gone or replaced.
          WalkEntry entry;
          if (!walk) continue;
          auto found = walk->look_up(name, entry);
          if (found ? entry.identity != identity
                    : found.error().kind == ErrorKind::not_found)
            forget(*record);
          continue;
        }
        if (!walk) {
          std::lock_guard lock(shared.mutex);
          ++shared.summary.failed;
          observer.entry(CleanupEntry{.action = CleanupAction::failed,
                                      .path = record->path,
                                      .type = to_string(record->kind),
                                      .error = walk.error()});
          continue;
        }
        switch (cleaner.clean_recorded(*walk, name, identity,
                                       record->kind == RecordKind::directory)) {
          case Cleaner::Recorded::kept: break;
          case Cleaner::Recorded::removed:
          case Cleaner::Recorded::gone:
          case Cleaner::Recorded::replaced: forget(*record); break;
        }
      }
      if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
        shared.summary.interrupted = true;
        break;
      }
    }
  }
  report_in_use(shared);
  shared.summary.records_forgotten += forgotten;
  // A crash between writing a record and renaming it leaves a partial file.
  if (!options.dry_run) (void)store.remove_partials(std::chrono::hours(1));
  return std::move(shared.summary);
}

namespace {

// What a tree removal's Cleaner works with: every entry stale and of every
// kind, and nothing in use by a table: removing a tree deletes what others
// hold open where the OS allows it (POSIX); where it refuses (Windows), the
// walk reports the refusal and the holders are found in one batch.
struct TreeRemover {
  TreeRemover(core::TreeRemoval& removal, const core::TreeRemovalOptions& options)
      : observer{.entry = [&removal](const CleanupEntry& kept) {
          if (kept.action == CleanupAction::skipped || kept.action == CleanupAction::failed)
            removal.kept.push_back(kept);
        }},
        shared(observer) {
    cleanup_options.dry_run = options.dry_run;
    cleanup_options.force = options.force;
    cleanup_options.retries = options.retries;
    cleanup_options.restore_owner_permissions = options.restore_owner_permissions;
    cleanup_options.jobs = 1;
  }
  Cleaner cleaner() {
    return Cleaner(cleanup_options, shared, nothing_held, nullptr, 2,
                   Scope{.all_stale = true, .every_kind = true, .report_removed = false});
  }
  void finish(core::TreeRemoval& removal, bool find_holders) {
    report_in_use(shared, find_holders);
    removal.notes = std::move(shared.summary.notes);
  }

  CleanupObserver observer;
  Shared shared;
  CleanupOptions cleanup_options;
  const platform::OpenFileTable nothing_held;
};

// A tree removal's walk: files are taken from the listing, unlooked at, when
// they are removed (a file mount point then refuses the unlink); a dry run
// (diagnose -r) cannot try, and looks.
platform::WalkOptions tree_walk_options(const core::TreeRemovalOptions& options) {
  return {.restore_owner_permissions = options.restore_owner_permissions,
          .trust_listed_types = !options.dry_run};
}

// A file system's root, asked for by --no-preserve-root: everything in it
// goes, as rm removes it; the root itself cannot.
std::expected<core::TreeRemoval, Error> empty_root(const std::string& path,
                                                  const core::TreeRemovalOptions& options) {
  auto walk = platform::TreeWalk::open(
      path, tree_walk_options(options));
  if (!walk) return std::unexpected(walk.error());
  core::TreeRemoval removal;
  removal.path = walk->current_path();
  removal.is_root = true;
  TreeRemover remover(removal, options);
  remover.cleaner().run(*walk);
  remover.finish(removal, options.find_holders);
  return removal;
}

}  // namespace

std::expected<core::TreeRemoval, Error> core::remove_tree(const std::string& path,
                                                        const TreeRemovalOptions& options) {
  // A name without a directory is an entry of the current directory; its
  // entries are then spelled as the user spelled the name, without "./".
  std::optional<PathParts> parts = split_path(path);
  const bool in_current_directory =
      !parts && path.find_first_of(platform::path_separators()) == std::string::npos;
  if (in_current_directory) parts = PathParts{".", path};
  if (!parts && platform::is_root_directory(path))
    return empty_root(path, options);  // remove -r --no-preserve-root /
  if (!parts || !platform::plain_name_problem(parts->name).empty())
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "remove", path,
                                          "it names no entry of a directory"));
  auto walk = platform::TreeWalk::open(
      parts->directory, tree_walk_options(options));
  if (!walk) return std::unexpected(walk.error());
  WalkEntry entry;
  if (auto found = walk->look_up(parts->name, entry); !found)
    return std::unexpected(found.error());
  if (entry.type != EntryType::directory)
    return std::unexpected(Error::invalid(ErrorKind::not_a_directory, "remove", path,
                                          "not a directory (a link is never followed)"));

  TreeRemoval removal;
  removal.path = walk->path_of(parts->name);
  TreeRemover remover(removal, options);
  removal.removed = remover.cleaner().clean_recorded(*walk, parts->name, entry.identity, true) ==
                    Cleaner::Recorded::removed;
  remover.finish(removal, options.find_holders);
  if (in_current_directory) {
    const std::size_t prefix = removal.path.size() - parts->name.size();
    removal.path.erase(0, prefix);
    for (CleanupEntry& kept : removal.kept) kept.path.erase(0, prefix);
  }
  return removal;
}

std::string_view to_string(CleanupAction action) {
  switch (action) {
    case CleanupAction::removed: return "removed";
    case CleanupAction::would_remove: return "would_remove";
    case CleanupAction::skipped: return "skipped";
    case CleanupAction::failed: return "failed";
  }
  return "unknown";
}

std::string_view to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::none: return "none";
    case SkipReason::in_use: return "in_use";
    case SkipReason::not_owned: return "not_owned";
    case SkipReason::changed: return "changed";
    case SkipReason::other_filesystem: return "other_filesystem";
    case SkipReason::read_only: return "read_only";
    case SkipReason::replaced: return "replaced";
  }
  return "unknown";
}

}  // namespace tmpctl
