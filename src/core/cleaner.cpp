// The Cleaner: which entries of a walk are stale, and which of those are
// safe to remove. The platform's TreeWalk lists, enters, re-checks and
// deletes through directory handles; this file only decides.

#include "core/cleaner.hpp"

#include <algorithm>
#include <iterator>
#include <thread>
#include <utility>

#include "core/job_queue.hpp"
#include "platform/remove.hpp"

namespace tmpctl::core {
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

// What removing an entry frees, as cleanup counts it: a directory's own size
// is the file system's bookkeeping, not the user's data.
std::uint64_t size_of(const WalkEntry& entry) {
  return entry.type == EntryType::directory ? 0 : entry.size;
}

// Whether `kinds` holds an entry of `type`; never sockets, FIFOs or devices.
bool kind_chosen(Flags<EntryKind> kinds, EntryType type) {
  switch (type) {
    case EntryType::file: return kinds.contains(EntryKind::file);
    case EntryType::directory: return kinds.contains(EntryKind::directory);
    case EntryType::symlink: return kinds.contains(EntryKind::symlink);
    case EntryType::other: break;
  }
  return false;
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

}  // namespace

void add_counts(CleanupSummary& to, CleanupSummary& from) {
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

Cleaner::Cleaner(const CleanupOptions& rules, Shared& shared,
                 const platform::OpenFileTable& open_files, CleanerOptions options)
    : rules_(rules), shared_(shared), open_files_(open_files), options_(options) {
  const auto now = rules.now.value_or(std::chrono::system_clock::now());
  started_ = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  cutoff_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                (now - rules.older_than).time_since_epoch())
                .count();
  const auto has_slash = [](const std::string& glob) {
    return glob.find('/') != std::string::npos;
  };
  need_relative_ =
      std::ranges::any_of(rules.match, has_slash) || std::ranges::any_of(rules.exclude, has_slash);
}

void Cleaner::run(platform::TreeWalk& walk) {
  frames_.clear();
  walk_all(walk);
}

void Cleaner::run(Job& job) {
  frames_.assign(1, std::move(job.frame));
  walk_all(job.walk);
}

Cleaner::Recorded Cleaner::clean_recorded(platform::TreeWalk& walk, const std::string& name,
                                          const platform::FileIdentity& identity, bool directory) {
  WalkEntry entry;
  const std::string path = walk.path_of(name);
  if (auto found = walk.look_up(name, entry); !found) {
    if (found.error().kind == ErrorKind::not_found) return Recorded::gone;
    fail(path, directory ? EntryType::directory : EntryType::file, 0, found.error());
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
  } else if (auto split = walk.split(entry, options_.walks); !split) {
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

void Cleaner::flush() {
  std::lock_guard lock(shared_.mutex);
  add_counts(shared_.summary, summary_);
  std::ranges::move(in_use_, std::back_inserter(shared_.in_use));
  in_use_.clear();
  shared_.ancestors_retried += std::exchange(ancestors_retried_, 0);
}

void Cleaner::walk_all(platform::TreeWalk& walk) {
  WalkEntry entry;
  for (;;) {
    if (rules_.stop != nullptr && rules_.stop->load(std::memory_order_relaxed)) {
      summary_.interrupted = true;
      return;
    }
    report_progress();
    auto step = walk.next(entry);
    if (!step) {
      fail(step.error().path, EntryType::directory, 0, step.error());
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

bool Cleaner::is_stale(const WalkEntry& entry) {
  if (options_.all_stale) return true;
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
  if (rules_.older_than == std::chrono::seconds(0)) {
    // Age 0: stale whatever its times say (a time set in the future too),
    // but not what was born or changed after the run began, which the
    // snapshot of what is in use cannot cover: a file made and opened
    // meanwhile. A directory's change time moves with this run's own
    // removals in it, so for a directory only its birth counts.
    const auto since_start = [this](const std::optional<std::int64_t>& time) {
      return time && *time >= started_;
    };
    if (since_start(times->birth)) return false;
    return entry.type == EntryType::directory || !since_start(times->change);
  }
  Flags<Timestamp> chosen = rules_.age_by;
  if (entry.type == EntryType::directory)
    chosen = chosen.without(Timestamp::change | Timestamp::access);
  std::optional<std::int64_t> newest;
  const auto consider = [&](Timestamp which, const std::optional<std::int64_t>& time) {
    if (chosen.contains(which) && time) newest = std::max(newest.value_or(*time), *time);
  };
  consider(Timestamp::access, times->access);
  consider(Timestamp::modification, times->modification);
  consider(Timestamp::change, times->change);
  consider(Timestamp::birth, times->birth);
  // None of the chosen ones is kept here: judge by the modification time.
  if (!newest) newest = times->modification;
  return newest && *newest < cutoff_;
}

bool Cleaner::chosen(const WalkEntry& entry, bool selected) const {
  return selected && (kind_chosen(rules_.kinds, entry.type) || options_.every_kind) &&
         !(entry.type == EntryType::directory && rules_.keep_directories);
}

bool Cleaner::eligible(const WalkEntry& entry, bool selected) {
  return chosen(entry, selected) && is_stale(entry);
}

bool Cleaner::counted_as_ineligible(const WalkEntry& entry, bool selected) {
  if (!chosen(entry, selected)) {
    ++summary_.kept_not_matched;
    return true;
  }
  if (!is_stale(entry)) {
    ++summary_.kept_too_new;
    return true;
  }
  return false;
}

void Cleaner::look_at(platform::TreeWalk& walk, const WalkEntry& entry) {
  const std::size_t depth = walk.depth() + 1;
  Frame* parent = frames_.empty() ? nullptr : &frames_.back();
  std::string relative;
  if (need_relative_)
    relative = parent != nullptr ? parent->relative + '/' + entry.name : entry.name;
  if (matches_any(rules_.exclude, entry.name, relative) ||
      (entry.type == EntryType::directory &&
       (shared_.record_store == entry.identity ||
        std::ranges::find(shared_.roots, entry.identity) != shared_.roots.end() ||
        (frames_.empty() && entry.name.starts_with(record_store_prefix))))) {
    if (shared_.second_look == nullptr)
      ++summary_.kept_excluded;
    else
      --summary_.examined;  // the first look counted it
    keep_in_current();
    return;
  }
  const bool selected = rules_.match.empty() || (parent != nullptr && parent->selected) ||
                        matches_any(rules_.match, entry.name, relative);
  if (shared_.second_look != nullptr && !looked_at_again(walk, entry, selected, relative)) return;
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

bool Cleaner::looked_at_again(platform::TreeWalk& walk, const WalkEntry& entry, bool selected,
                              std::string& relative) {
  const SecondLook& second = *shared_.second_look;
  if (!frames_.empty() && frames_.back().in_scope) return true;  // inside an entry looked at again
  const std::string path = walk.path_of(entry.name);
  --summary_.examined;  // counted by the first look, or not to be counted
  if (second.entries.contains(path)) return true;
  if (entry.type != EntryType::directory || !second.directories.contains(path)) {
    keep_in_current();
    return false;
  }
  // On the way to entries looked at again: entered as the first look did.
  auto entered = walk.enter(entry);
  if (!entered || !*entered) {
    keep_in_current();
    return false;
  }
  keep_times_of_stale(walk, entry);
  frames_.push_back(Frame{entry, selected, std::move(relative)});
  frames_.back().ancestor_only = true;
  return false;
}

SkipReason Cleaner::safety_reason(const WalkEntry& entry) const {
  if (entry.other_filesystem) return SkipReason::other_filesystem;
  if (entry.not_owned) return SkipReason::not_owned;
  if (open_files_.contains(entry.identity)) return SkipReason::in_use;
  if (entry.read_only && !rules_.force) return SkipReason::read_only;
  return SkipReason::none;
}

void Cleaner::enter_or_keep(platform::TreeWalk& walk, const WalkEntry& entry, bool selected,
                            std::size_t depth, std::string relative) {
  const bool beyond = rules_.max_depth && depth >= *rules_.max_depth;
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
  if (options_.queue != nullptr && walk.depth() == 0) {
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
  frames_.back().in_scope = shared_.second_look != nullptr;
}

void Cleaner::keep_times_of_stale(platform::TreeWalk& walk, const WalkEntry& entry) {
  if (!options_.all_stale && is_stale(entry)) walk.restore_times_after_each_removal();
}

void Cleaner::split(platform::TreeWalk& walk, Frame frame) {
  auto split = walk.split(frame.entry, options_.walks);
  if (!split) {
    fail_or_keep_in_use(walk.path_of(frame.entry.name), frame.entry, frame.selected, split.error());
    return;
  }
  if (!*split) {
    skip(walk.path_of(frame.entry.name), frame.entry, SkipReason::changed);
    return;
  }
  Job job{std::move(**split), std::move(frame)};
  keep_times_of_stale(job.walk, job.frame.entry);
  if (options_.queue->try_push(job)) return;
  CleanerOptions here_options = options_;
  here_options.queue = nullptr;
  here_options.walks = 1;
  Cleaner here(rules_, shared_, open_files_, here_options);
  here.run(job);
}

void Cleaner::fail_or_keep_in_use(const std::string& path, const WalkEntry& entry, bool selected,
                                  const Error& error) {
  if (error.kind != ErrorKind::in_use) {
    fail(path, entry.type, 0, error);
    keep_in_current();
  } else if (counted_as_ineligible(entry, selected)) {
    keep_in_current();
  } else {
    skip(path, entry, SkipReason::in_use);
  }
}

void Cleaner::finish_directory(platform::TreeWalk& walk) {
  Frame frame = std::move(frames_.back());
  frames_.pop_back();
  if (frame.ancestor_only) {
    // Counted by the first look as kept_not_empty; tried again only when
    // what kept it has gone, and then counted as what happens to it now.
    if (frame.kept > 0 || !eligible(frame.entry, frame.selected) ||
        (frame.entry.read_only && !rules_.force)) {
      keep_in_current();
      return;
    }
    ++ancestors_retried_;
    remove(walk, frame.entry, true);
    return;
  }
  if (frame.kept > 0) {
    ++summary_.kept_not_empty;
    keep_in_current();
    return;
  }
  if (counted_as_ineligible(frame.entry, frame.selected)) {
    keep_in_current();
    return;
  }
  if (frame.entry.read_only && !rules_.force) {
    skip(walk.current_path(), frame.entry, SkipReason::read_only);
    return;
  }
  remove(walk, frame.entry, true);
}

void Cleaner::remove(platform::TreeWalk& walk, const WalkEntry& entry, bool finished_directory,
                     const std::string& known_path) {
  const auto path = [&] {
    if (!known_path.empty()) return known_path;
    return finished_directory ? walk.current_path() : walk.path_of(entry.name);
  };
  const RemoveMode mode = rules_.dry_run ? RemoveMode::dry_run : RemoveMode::remove;
  std::expected<RemoveResult, Error> result;
  for (unsigned attempt = 0;; ++attempt) {
    result = finished_directory ? walk.remove_finished_directory(entry, mode, rules_.force)
                                : walk.remove_entry(entry, mode, rules_.force);
    if (!result || *result != RemoveResult::in_use || attempt >= rules_.retry.retries) break;
    std::this_thread::sleep_for(rules_.retry.delay_before(attempt + 1));
  }
  if (!result) {
    if (result.error().kind == ErrorKind::directory_not_empty) {
      ++summary_.kept_not_empty;  // something new arrived in it
      keep_in_current();
      return;
    }
    fail(path(), entry.type, size_of(entry), result.error());
    keep_in_current();
    return;
  }
  switch (*result) {
    case RemoveResult::removed:
      if (watched_ && entry.identity == *watched_) watched_removed_ = true;
      ++summary_.removed;
      summary_.removed_bytes += size_of(entry);
      if (!options_.report_removed) return;
      emit(CleanupEntry{
          .action = rules_.dry_run ? CleanupAction::would_remove : CleanupAction::removed,
          .path = path(),
          .type = entry.type,
          .size = size_of(entry)});
      return;
    case RemoveResult::gone: return;  // someone else removed it
    case RemoveResult::changed: skip(path(), entry, SkipReason::changed); return;
    case RemoveResult::in_use: skip(path(), entry, SkipReason::in_use); return;
    case RemoveResult::mount_point: skip(path(), entry, SkipReason::other_filesystem); return;
  }
}

void Cleaner::skip(std::string path, const WalkEntry& entry, SkipReason reason) {
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
                      .type = entry.type,
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

void Cleaner::fail(std::string path, EntryType type, std::uint64_t size, const Error& error) {
  ++summary_.failed;
  emit(CleanupEntry{.action = CleanupAction::failed,
                    .path = std::move(path),
                    .type = type,
                    .size = size,
                    .error = error});
}

void Cleaner::keep_in_current() {
  if (!frames_.empty()) ++frames_.back().kept;
}

void Cleaner::emit(const CleanupEntry& entry) {
  if (!shared_.observer.entry) return;  // a library caller may want counts only
  std::lock_guard lock(shared_.mutex);
  shared_.observer.entry(entry);
}

void Cleaner::report_progress() {
  if (!shared_.observer.progress || (++ticks_ & 255) != 0) return;
  std::lock_guard lock(shared_.mutex);
  add_counts(shared_.summary, summary_);
  const auto now = std::chrono::steady_clock::now();
  if (now - shared_.last_progress < std::chrono::milliseconds(200)) return;
  shared_.last_progress = now;
  shared_.observer.progress(shared_.summary);
}

// Entries Windows refused as in use: their holders, found in one batch
// (unless the caller wants none).
void report_in_use(Shared& shared, bool with_holders) {
  std::vector<CleanupEntry> in_use = std::exchange(shared.in_use, {});
  if (in_use.empty() || !shared.observer.entry) return;
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

}  // namespace tmpctl::core
