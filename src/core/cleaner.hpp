#pragma once
// The Cleaner: how cleanup, cleanup_records and remove_tree decide, entry by
// entry of a platform::TreeWalk, what goes and what stays, with the same
// guards for all three; and what the threads of one cleanup share. Internal
// to the core.

#include <tmpctl/cleanup.hpp>
#include <tmpctl/error.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "platform/holders.hpp"
#include "platform/walk.hpp"

namespace tmpctl::core {

// A directory being walked, as cleanup sees it.
struct Frame {
  platform::WalkEntry entry;  // as listed in its parent
  bool selected = false;      // it, or a directory above it, matched --match
  std::string relative;       // below the root, '/'-separated; kept only for globs with '/'
  std::uint64_t kept = 0;     // entries left inside it
  // A second look (SecondLook): everything in it is looked at again.
  bool in_scope = false;
  // A second look: it only holds entries looked at again.
  bool ancestor_only = false;
};

// cleanup() with a wait or --terminate looks a second time at the entries it
// kept because they were in use, by path: those (with what they hold) and
// the directories on the way to them; nothing else is counted or reported.
struct SecondLook {
  std::unordered_set<std::string> entries;
  std::unordered_set<std::string> directories;  // every directory above an entry
};

// A directory of a root, split off to be cleaned by another thread.
struct Job {
  platform::TreeWalk walk;
  Frame frame;
};

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
  std::unordered_map<platform::FileIdentity, platform::EntryTimes, platform::FileIdentityHash>
      first_seen{};
  std::atomic<bool> any_first_seen{false};
  // Entries Windows refused as in use: their holders are found in one batch.
  std::vector<CleanupEntry> in_use{};
  // The record store, which a walk leaves alone: its records go only with
  // their entries (cleanup_records).
  std::optional<platform::FileIdentity> record_store{};
  // Every root of this cleanup: one root met inside another is left to its
  // own walk and never removed (no DIR operand is).
  std::vector<platform::FileIdentity> roots{};
  // Set for a second look: only what it names is looked at.
  const SecondLook* second_look = nullptr;
  // A second look: directories above an entry that were tried again (the
  // first look counted each as kept_not_empty).
  std::uint64_t ancestors_retried = 0;
};

class JobQueue;

// What a Cleaner removes beyond cleanup's own rules of age and kind, and
// where it hands a root's directories.
struct CleanerOptions {
  /// Every entry counts as stale: a recorded entry whose time has come, or a
  /// tree remove -r was asked to remove, with all it holds.
  bool all_stale = false;
  /// Sockets, FIFOs and devices too (remove -r, as rm -r removes them).
  bool every_kind = false;
  /// Each removed entry goes to the observer; a tree removal wants only
  /// what stays, and saves the path of every entry that goes.
  bool report_removed = true;
  /// The directories of a root go to other threads through it; without one,
  /// the Cleaner cleans them itself.
  JobQueue* queue = nullptr;
  /// How many walks are open at once: a walk split off shares the
  /// descriptor budget with them (TreeWalk::split).
  std::size_t walks = 1;
};

class Cleaner {
public:
  /// Judges by `rules` (cleanup's options: age, kinds, globs, dry run,
  /// force, retries, stop) and `options` (what it removes beyond them, and
  /// where it hands a root's directories); counts and reports into `shared`.
  Cleaner(const CleanupOptions& rules, Shared& shared, const platform::OpenFileTable& open_files,
          CleanerOptions options = {});

  ~Cleaner() { flush(); }

  // Walks a root; with a queue, splits its directories off into jobs.
  void run(platform::TreeWalk& walk);

  // Cleans a directory split off a root, and then the directory itself.
  void run(Job& job);

  enum class Recorded { removed, kept, gone, replaced };

  // Cleans the recorded entry `name` of `walk`'s root, if it is still the
  // entry that was created (`identity`); a directory with all it holds.
  Recorded clean_recorded(platform::TreeWalk& walk, const std::string& name,
                          const platform::FileIdentity& identity, bool directory);

  // Hands what this thread counted and found in use over to the others.
  void flush();

private:
  void walk_all(platform::TreeWalk& walk);

  // Whether the newest of the chosen timestamps is older than the cutoff.
  // Directories ignore change and access times: removing their children
  // changes the one, listing them (a dry run, ls, a backup) the other.
  bool is_stale(const platform::WalkEntry& entry);

  // Whether the options choose `entry` (--match, kinds, --keep-directories).
  bool chosen(const platform::WalkEntry& entry, bool selected) const;
  // Chosen and stale, counting nothing.
  bool eligible(const platform::WalkEntry& entry, bool selected);

  // What keeps an entry that is not simply removable: a count for entries
  // that are not eligible (listed nowhere), or the reason to list it.
  bool counted_as_ineligible(const platform::WalkEntry& entry, bool selected);

  void look_at(platform::TreeWalk& walk, const platform::WalkEntry& entry);

  // A second look: whether `entry` is looked at again; a directory on the
  // way to such entries is entered here, and anything else kept unseen.
  bool looked_at_again(platform::TreeWalk& walk, const platform::WalkEntry& entry, bool selected,
                       std::string& relative);

  // Why an eligible entry must be kept, from what is known before deleting.
  SkipReason safety_reason(const platform::WalkEntry& entry) const;

  void enter_or_keep(platform::TreeWalk& walk, const platform::WalkEntry& entry, bool selected,
                     std::size_t depth, std::string relative);

  // A stale directory just entered must still look stale to the next run
  // however this one ends, SIGKILL included: its times go back after each
  // removal in it, not only when the walk leaves it.
  // Not for an entry that goes whole (remove -r, a recorded entry): its age
  // decides nothing.
  void keep_times_of_stale(platform::TreeWalk& walk, const platform::WalkEntry& entry);

  // Hands a directory of the root to another thread, or cleans it here when
  // every thread is busy.
  void split(platform::TreeWalk& walk, Frame frame);

  // A directory the walk could not enter. In use (Windows: an open for delete
  // met some process's working directory) it is kept whole, as safety_reason
  // keeps the directories the open-file table names: listed when stale and
  // selected. Anything else is a failure.
  void fail_or_keep_in_use(const std::string& path, const platform::WalkEntry& entry, bool selected,
                           const Error& error);

  void finish_directory(platform::TreeWalk& walk);

  // Removes `entry`, the current directory when `finished_directory`, and
  // reports the outcome under `known_path`, or, when that is empty, the path
  // the walk gives, made only when it is reported.
  void remove(platform::TreeWalk& walk, const platform::WalkEntry& entry, bool finished_directory,
              const std::string& known_path = {});

  void skip(std::string path, const platform::WalkEntry& entry, SkipReason reason);

  void fail(std::string path, EntryType type, std::uint64_t size, const Error& error);

  // The current directory keeps something, so it cannot be removed.
  void keep_in_current();

  void emit(const CleanupEntry& entry);

  // Now and then: the counts so far, of every thread, to the observer.
  void report_progress();

  const CleanupOptions& rules_;
  Shared& shared_;
  const platform::OpenFileTable& open_files_;
  CleanerOptions options_;
  // cleanup_records(): the recorded entry being cleaned, and whether it went.
  std::optional<platform::FileIdentity> watched_;
  bool watched_removed_ = false;
  CleanupSummary summary_;  // counted here since the last flush
  std::int64_t cutoff_ = 0;
  std::int64_t started_ = 0;  // the run's "now", in the units of EntryTimes
  bool need_relative_ = false;
  std::vector<Frame> frames_;
  std::vector<CleanupEntry> in_use_;
  std::uint64_t ancestors_retried_ = 0;
  std::uint64_t ticks_ = 0;
};

// Adds the counts (and notes) of `from` to `to`, and empties `from`.
void add_counts(CleanupSummary& to, CleanupSummary& from);

// Entries Windows refused as in use: their holders, found in one batch
// (unless the caller wants none).
void report_in_use(Shared& shared, bool with_holders = true);

}  // namespace tmpctl::core
