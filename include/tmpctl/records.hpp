#pragma once
/// \file
/// Lifetimes for temporary entries: a per-user store of what was created, by
/// whom, until when and under which tag, so that what a finished or crashed
/// job left behind can be found and removed (`tmpctl create --ttl/--tag`,
/// `tmpctl list`, `tmpctl cleanup --expired/--tag/--orphaned`).
///
/// The store is a directory of small files, one per record, each written
/// under a temporary name and renamed into place: many processes add records
/// at once without a lock, and a crash at any point leaves every other record
/// readable. A record keeps the entry's identity (device and inode; volume
/// serial and file index), so a path that now names another file is never
/// removed because of it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tmpctl/cleanup.hpp>
#include <tmpctl/error.hpp>
#include <tmpctl/holders.hpp>
#include <tmpctl/retry.hpp>
#include <vector>

namespace tmpctl {

/// A process, told apart from a later one with the same pid by its start
/// time (units as Holder::start_time; 0 when unknown).
struct ProcessRef {
  std::uint32_t pid = 0;
  std::uint64_t start_time = 0;
  bool operator==(const ProcessRef&) const = default;
};

/// The largest process id: pid_t is a signed int on POSIX, where a larger
/// number would turn negative and name a process group to kill(); a DWORD
/// on Windows. Pids above it (and 0) name no process.
#ifdef _WIN32
inline constexpr std::uint32_t max_pid = 0xFFFFFFFFu;
#else
inline constexpr std::uint32_t max_pid = 0x7FFFFFFFu;
#endif

/// This process.
ProcessRef current_process();
/// The process that started this one. not_found once it has exited.
std::expected<ProcessRef, Error> parent_process();
/// The process running with `pid` now. not_found when there is none.
std::expected<ProcessRef, Error> process_with_pid(std::uint32_t pid);

enum class ProcessState {
  alive,    ///< still running
  gone,     ///< exited (its pid may belong to another process now)
  unknown,  ///< cannot be told
};
ProcessState process_state(const ProcessRef& process);

enum class RecordKind { file, directory };

/// One entry tmpctl created, as the store remembers it.
struct Record {
  /// The record's name in the store (random, 16 characters).
  std::string id;
  /// The absolute path the entry was created at.
  std::string path;
  RecordKind kind = RecordKind::file;
  std::chrono::system_clock::time_point created{};
  /// When the entry may be removed by `cleanup --expired`; none: never expires.
  std::optional<std::chrono::system_clock::time_point> expires{};
  /// A name the creator chose ("ci-1234"); empty: none.
  std::string tag;
  /// The process the entry belongs to: `cleanup --orphaned` removes it once
  /// that process has exited.
  ProcessRef owner;
  /// The entry's identity when it was created: device and inode on POSIX,
  /// volume serial number and file index on Windows.
  std::uint64_t device = 0;
  std::uint64_t file = 0;
};

/// What to record about a new entry.
struct Lifetime {
  /// Expire this long after creation; none: never.
  std::optional<std::chrono::seconds> ttl{};
  std::string tag{};
  /// Whose entry it is; none: the process that started this one (for a
  /// command-line tool, the script that ran it).
  std::optional<ProcessRef> owner{};
};

/// Whether a lifetime can be recorded: a tag of at most 128 bytes of UTF-8
/// text without control characters, a ttl between 1 second and 100 years.
/// ErrorKind::invalid_argument otherwise. RecordStore::add() checks it too;
/// callers check first so that nothing is created for a lifetime that fails.
std::expected<void, Error> check_lifetime(const Lifetime& lifetime);

/// A record file that could not be read or understood.
struct BadRecord {
  /// The record file's path.
  std::string file;
  Error error;
};

struct RecordSet {
  std::vector<Record> records;
  std::vector<BadRecord> bad;
};

/// Which records a command acts on. All given conditions must hold; with
/// none, every record.
struct RecordFilter {
  bool expired = false;             ///< expiry passed
  std::vector<std::string> tags{};  ///< tagged with one of these
  bool orphaned = false;            ///< owner has exited
  std::optional<std::chrono::system_clock::time_point> now{};
  bool empty() const { return !expired && tags.empty() && !orphaned; }
};

/// Whether `record` passes `filter`; `owner` is the owner's state (looked up
/// by the caller once per owner).
bool selects(const RecordFilter& filter, const Record& record, ProcessState owner);

/// The per-user record store.
class RecordStore {
public:
  /// $TMPCTL_RECORDS when set; else, beside the user's temp files,
  /// "<temp>/tmpctl-records-<uid>" on POSIX, "<temp>\tmpctl-records" on
  /// Windows (<temp> as system_temp_directory() finds it).
  static std::expected<std::string, Error> default_path();

  /// Opens the store at `path` (default_path() when empty). A missing store
  /// is created owner-only when `create`; otherwise it opens as an empty
  /// store that cannot be written. Refuses a store directory that is a link,
  /// not a directory, belongs to another user, or (POSIX) lets group or
  /// others in (ErrorKind::permission_denied). On Windows the ACL of an
  /// existing store is not checked (one tmpctl creates is owner-only).
  static std::expected<RecordStore, Error> open(const std::string& path = {}, bool create = false);

  RecordStore(RecordStore&&) noexcept;
  RecordStore& operator=(RecordStore&&) noexcept;
  ~RecordStore();

  const std::string& path() const noexcept { return path_; }

  /// Records the entry at `path`, just created: its identity is taken now.
  /// Returns the record as stored, with its id.
  std::expected<Record, Error> add(const std::string& path, RecordKind kind,
                                   const Lifetime& lifetime);
  /// Every record, and every record file that could not be read (each with
  /// its path and the reason). Order: by creation time.
  std::expected<RecordSet, Error> read_all() const;
  /// Deletes a record (not the entry). A record already gone is forgotten.
  std::expected<void, Error> forget(const std::string& id);
  /// Deletes what a crash can leave behind, once older than `age`: partial
  /// record files, records moved aside to be replaced (Windows), and empty
  /// record files (a power loss). Never a record that names an entry, not
  /// even a damaged one. Returns how many.
  std::size_t remove_partials(std::chrono::seconds age);

  struct State;

private:
  RecordStore(std::string path, std::unique_ptr<State> state);
  std::string path_;
  std::unique_ptr<State> state_;
};

/// What list shows of a record now.
struct RecordStatus {
  enum class Presence {
    present,   ///< the path names the very entry that was created
    gone,      ///< nothing has that name
    replaced,  ///< the name now belongs to another file, directory or link
    unknown,   ///< its directory could not be read
  };
  Presence presence = Presence::gone;
  ProcessState owner = ProcessState::unknown;
  bool expired = false;
  /// Held open by some process (Linux: any descriptor, map, lock or working
  /// directory; Windows: a handle that does not share delete).
  bool in_use = false;
  std::vector<Holder> holders{};
};

struct RecordStatusReport {
  /// One per record, in order.
  std::vector<RecordStatus> statuses;
  /// What the in-use check could not see.
  std::vector<std::string> notes;
};

/// Looks at each record's path, owner and holders now, in one pass.
std::expected<RecordStatusReport, Error> inspect(std::span<const Record> records,
                                                 std::chrono::system_clock::time_point now);

/// How cleanup_records() removes.
struct RecordCleanupOptions {
  RecordFilter filter;
  bool dry_run = false;
  /// Delete read-only files (Windows); POSIX: restore u+rwx on the user's
  /// own directories that lack it (CleanupOptions::restore_owner_permissions).
  bool force = false;
  /// Windows: how often an entry refused as in use is tried again
  /// (CleanupOptions::retry).
  RetryPolicy retry{};
  /// Checked between entries: when it becomes true, the cleanup stops there.
  const std::atomic<bool>* stop = nullptr;
};

/// Removes the entries of the records `options.filter` selects, with every
/// safety rule of cleanup(): only the entry that was created (same identity),
/// never what is in use, never following a link; a directory goes with all
/// it holds, whatever its age. The records of removed entries are forgotten,
/// and so are those (selected or not) whose path is gone or names another
/// entry now. The summary counts them in records_forgotten; records that
/// could not be read are in `bad`, untouched.
std::expected<CleanupSummary, Error> cleanup_records(RecordStore& store,
                                                     const RecordCleanupOptions& options,
                                                     const CleanupObserver& observer,
                                                     std::vector<BadRecord>* bad = nullptr);

std::string_view to_string(RecordKind kind);
std::string_view to_string(ProcessState state);
std::string_view to_string(RecordStatus::Presence presence);

}  // namespace tmpctl
