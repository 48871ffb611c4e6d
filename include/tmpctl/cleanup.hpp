#pragma once
/// \file
/// Removing stale entries below a root directory: what `tmpctl cleanup` does,
/// for C++ users. Never removes what is in use, never anything outside the
/// root, never the root itself (docs/cli.md lists each safety rule).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <tmpctl/flags.hpp>
#include <tmpctl/holders.hpp>
#include <tmpctl/retry.hpp>
#include <tmpctl/terminate.hpp>
#include <vector>

namespace tmpctl {

/// The timestamps an entry's age can be judged by: it is stale when the
/// newest of the chosen ones is older than the cutoff.
enum class Timestamp : unsigned {
  access = 1,
  modification = 2,
  change = 4,  ///< inode change time (ctime); never used for directories
  birth = 8,
};
template <>
inline constexpr bool is_flag_enum<Timestamp> = true;

/// The kinds of entry cleanup may remove. Sockets, FIFOs and devices are
/// never removed: whether a socket is in use cannot be seen from its file.
enum class EntryKind : unsigned {
  file = 1,
  directory = 2,
  symlink = 4,  ///< removed as a link; never followed
};
template <>
inline constexpr bool is_flag_enum<EntryKind> = true;

/// What an entry is, as cleanup reports it (CleanupEntry::type); EntryKind
/// is how options choose among the first three.
enum class EntryType {
  file,
  directory,
  symlink,
  other,  ///< a socket, FIFO or device: cleanup never removes one
};

struct CleanupOptions {
  /// Entries whose newest chosen timestamp is older than this are stale; 0
  /// makes every entry stale, whatever its times (tmpfiles.d's age 0),
  /// except what is in use and what was born or changed after `now` (a
  /// directory: born after it).
  std::chrono::seconds older_than = std::chrono::days(10);
  /// Directories ignore change and access times, which deleting their
  /// children and listing them update. Empty: judged by the modification time.
  Flags<Timestamp> age_by = {Timestamp::access, Timestamp::modification, Timestamp::change,
                             Timestamp::birth};
  /// Globs (see glob_match); when any is given, only entries that match, or
  /// lie in a directory that matched, are removed.
  std::vector<std::string> match{};
  /// Globs; what matches is kept, and a directory that matches is not entered.
  std::vector<std::string> exclude{};
  /// The kinds of entry that may be removed; directories of other kinds are
  /// still entered.
  Flags<EntryKind> kinds = {EntryKind::file, EntryKind::directory, EntryKind::symlink};
  /// Never remove directories (their stale contents still go).
  bool keep_directories = false;
  /// Entries deeper than this are not looked at (1: the root's own entries).
  std::optional<std::size_t> max_depth{};
  /// Decide everything, delete nothing: the same walk and checks as a real run.
  bool dry_run = false;
  /// Delete read-only files (Windows), and allow a protected root.
  bool force = false;
  /// POSIX: a directory of this user's own that lacks u+rwx (`chmod 555`,
  /// `chmod 000`) gets u+rwx added when that keeps an entry from being
  /// removed, and the removal is tried again; never another user's
  /// directory, never through a link. `tmpctl cleanup --force` sets it.
  bool restore_owner_permissions = false;
  /// Windows: how often an entry refused as in use (a scanner's brief hold)
  /// is tried again, and the pauses between; by default it is tried once.
  RetryPolicy retry{};
  /// Threads removing at once, each in its own directories of a root; 0 is
  /// one per processor, at most 8. 1 walks in one thread, in listing order.
  /// Fewer when the descriptors the process may open (ulimit -n) are too
  /// few for each thread's walk.
  unsigned jobs = 0;
  /// The time the cutoff is measured from; now when unset.
  std::optional<std::chrono::system_clock::time_point> now{};
  /// Checked between entries: when it becomes true, the walk stops where it
  /// is. Everything removed so far was eligible; nothing is left half-done.
  const std::atomic<bool>* stop = nullptr;
  /// When the walk kept stale entries because they are in use: wait up to
  /// this long for their holders to let go, sampling them as remove's wait
  /// does (this process and the ones that ran it are not waited for), then
  /// look at those entries, and the directories that hold them, once more.
  /// Nothing else is looked at twice. 0: no wait.
  std::chrono::milliseconds wait{0};
  /// After any wait, end the processes that still hold such entries, with
  /// terminate_holders()'s guard rails, then look at the entries once more.
  /// In a dry run nobody is ended: CleanupSummary::terminated says whom it
  /// would end.
  std::optional<TerminateOptions> terminate{};
};

enum class CleanupAction {
  removed,       ///< deleted
  would_remove,  ///< a dry run's answer
  skipped,       ///< eligible, but kept for a safety reason (see reason)
  failed,        ///< the OS refused, or a directory could not be read
};

/// Why an eligible entry was kept.
enum class SkipReason {
  none,
  in_use,            ///< open, mapped, locked or a working directory
  not_owned,         ///< another user's entry in a sticky directory
  changed,           ///< not what was listed any more when about to delete it
  other_filesystem,  ///< a mount point
  read_only,         ///< Windows read-only attribute, without options.force
  replaced,          ///< cleanup_records(): the name now belongs to another entry
};

/// One entry the caller is told about: every removal, every entry kept for
/// safety, every failure.
struct CleanupEntry {
  CleanupAction action = CleanupAction::removed;
  SkipReason reason = SkipReason::none;
  std::string path;
  /// Its name in JSON: to_string(type).
  EntryType type = EntryType::other;
  std::uint64_t size = 0;
  std::vector<Holder> holders{};
  std::optional<Error> error{};
};

struct CleanupSummary {
  std::uint64_t examined = 0;
  std::uint64_t removed = 0;  ///< or would be, in a dry run
  std::uint64_t removed_bytes = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped_in_use = 0;
  std::uint64_t skipped_not_owned = 0;
  std::uint64_t skipped_changed = 0;
  std::uint64_t skipped_other_filesystem = 0;
  std::uint64_t skipped_read_only = 0;
  std::uint64_t skipped_replaced = 0;
  /// Entries that simply were not eligible: counted, never listed.
  std::uint64_t kept_too_new = 0;
  std::uint64_t kept_excluded = 0;
  std::uint64_t kept_not_matched = 0;  ///< --match, the kind filter or --max-depth
  std::uint64_t kept_not_empty = 0;    ///< directories with something kept inside
  /// cleanup_records(): records forgotten, because their entry was removed,
  /// is gone, or its name belongs to another entry now.
  std::uint64_t records_forgotten = 0;
  bool interrupted = false;
  /// What the in-use check could not see (processes of other users...).
  std::vector<std::string> notes{};
  /// With CleanupOptions::wait: every process seen holding a kept entry
  /// while waiting (its `how`: the entries), and how long the wait took.
  std::vector<HoldSpan> timeline{};
  std::chrono::milliseconds waited{0};
  /// With CleanupOptions::terminate: each process ended (or, in a dry run,
  /// that would be), or why not.
  std::vector<Termination> terminated{};
};

/// Told of each listed entry as it happens, and of progress now and then.
/// With more than one job, calls come from several threads, one at a time.
struct CleanupObserver {
  std::function<void(const CleanupEntry&)> entry;
  /// Called at most about every 200 ms with the counts so far.
  std::function<void(const CleanupSummary&)> progress{};
};

/// Removes the stale entries below each root. Fails, with nothing removed,
/// when a root cannot be opened or is protected (a file system root, the home
/// directory or a parent of it, a system directory) without options.force:
/// the latter an Error of kind protected_directory.
/// Everything else, failures to remove or to read a subdirectory included,
/// goes to the observer and the summary, and the walk goes on.
std::expected<CleanupSummary, Error> cleanup(std::span<const std::string> roots,
                                             const CleanupOptions& options,
                                             const CleanupObserver& observer);

/// Whether a duration of 0 ("0", "0s", "0d") is a value or an error.
enum class ZeroDuration {
  refused,  ///< a lifetime (--ttl): 0 would expire at once
  allowed,  ///< an age (--older-than): 0 means regardless of age, as in tmpfiles.d
};

/// "12h" and "1d6h" to seconds: a whole number of units s, m, h, d, w, in
/// any order, repeated as in "1h30m"; a bare number means seconds. At most
/// 100 years; 0 only where `zero` allows it.
std::expected<std::chrono::seconds, Error> parse_duration(
    std::string_view text, ZeroDuration zero = ZeroDuration::refused);

/// Whether `text` matches `pattern`, the same on every OS: `*` any run of
/// characters but `/`, `**` any run including `/`, `?` one character but
/// `/`, `[abc]`, `[a-z]` and `[!abc]` one of (or none of) a set. There is no
/// escape character: `[*]` matches a literal `*`. `case_insensitive` folds
/// ASCII letters (Windows names). A character is one UTF-8 sequence (RFC
/// 3629); a byte that starts none is a character of its own.
bool glob_match(std::string_view pattern, std::string_view text, bool case_insensitive = false);

/// Checks a glob's syntax (an unclosed `[`): an Error of kind invalid_argument.
std::expected<void, Error> check_glob(std::string_view pattern);

/// Stable lower_snake_case names, as used in `tmpctl cleanup --json`.
std::string_view to_string(EntryType type);
std::string_view to_string(CleanupAction action);
std::string_view to_string(SkipReason reason);

}  // namespace tmpctl
