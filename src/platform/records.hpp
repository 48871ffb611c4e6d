#pragma once
// What the core's record store (core/records.cpp) needs from each backend
// (posix/records_posix.cpp, win32/records_win32.cpp): who a process is, and a
// private directory of small files, each written whole or not at all.

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl::platform {

/// A process, told apart from a later one that reuses its pid by the time it
/// started.
struct ProcessIdentity {
  std::uint32_t pid = 0;
  /// When it started, in the same units as Holder::start_time: on Linux clock
  /// ticks after boot (/proc/PID/stat field 22), on macOS microseconds since
  /// the epoch, on Windows a FILETIME. 0 when unknown.
  std::uint64_t start_time = 0;
  bool operator==(const ProcessIdentity&) const = default;
};

/// This process.
ProcessIdentity current_process();

/// The pid the OS names as this process's parent, unchecked (POSIX getppid(),
/// an adopter such as init once the parent exited; Windows the creator's pid,
/// which may be free or reused by now); 0 when it names none. The core's
/// parent_process() checks it.
std::uint32_t parent_pid();

/// The process with this pid now. not_found when there is none, or it has
/// exited but was not waited for yet (a zombie). start_time 0 when it runs
/// but cannot be inspected (another user's: Windows access denied, Linux
/// /proc mounted with hidepid).
std::expected<ProcessIdentity, Error> process_with_pid(std::uint32_t pid);

/// The record store's directory when TMPCTL_RECORDS is not set, inside the
/// user's temp directory `temp_directory`: POSIX "<temp>/tmpctl-records-<uid>"
/// (the temp directory is shared there), Windows "<temp>\tmpctl-records".
std::string default_record_directory(const std::string& temp_directory);

/// A directory only its owner can use, holding small files that are each
/// written completely or not at all. Every operation goes through the open
/// directory handle, so a directory renamed or replaced after open() is never
/// written to by name.
class RecordDirectory {
public:
  /// Opens the directory; when it is missing and `create`, creates it
  /// owner-only (POSIX 0700; Windows a protected ACL for the user and SYSTEM,
  /// as TempDirectory makes). Refuses (ErrorKind::permission_denied, the
  /// message says why: "it is a symbolic link", "it is owned by uid 1001...",
  /// "its mode 0777 lets other users in...") a directory that is a symlink or
  /// junction, is not a directory, belongs to another user, or (POSIX) lets
  /// group or others in. ErrorKind::not_found when it is missing and not
  /// `create`. The object may be used from several threads at once.
  static std::expected<RecordDirectory, Error> open(const std::string& path, bool create);

  RecordDirectory(RecordDirectory&&) noexcept;
  RecordDirectory& operator=(RecordDirectory&&) noexcept;
  ~RecordDirectory();

  /// The path it was opened by, for messages.
  const std::string& path() const;

  /// Writes `content` as the file `name`: first to a new owner-only file
  /// named "." + name + ".partial" (created exclusively), then renamed to
  /// `name`, so a reader sees the whole content or no file. A crash leaves at
  /// most a partial file, which names() also lists. No fsync: a power loss
  /// may lose the newest records, never corrupt older ones. An existing
  /// `name` is replaced. ErrorKind::already_exists when the partial file is
  /// there already: another writer of `name` at this moment, or one that
  /// crashed (remove() takes its name). ErrorKind::invalid_argument for a
  /// name that is not one plain entry name (empty, ".", "..", a separator);
  /// every function below checks names so.
  std::expected<void, Error> write(const std::string& name, std::string_view content);

  /// The names of the files in the directory, in no particular order: the
  /// records, and names starting with '.' that are no record: partial files
  /// (".NAME.partial") and, on Windows without POSIX-semantics rename (Wine,
  /// before Windows 10 1709), a replaced record others still had open
  /// (".NAME.<file id>.old", deleted, gone when they close it).
  std::expected<std::vector<std::string>, Error> names() const;

  /// The content of the file `name`, up to `limit` bytes; ErrorKind::not_found
  /// when it is gone, ErrorKind::invalid_argument when it is larger than
  /// `limit` or not a regular file.
  std::expected<std::string, Error> read(const std::string& name, std::size_t limit) const;

  /// Last modification of the file `name`, in nanoseconds since the Unix epoch.
  std::expected<std::int64_t, Error> modified(const std::string& name) const;

  /// Deletes the file `name`; ErrorKind::not_found when it is gone already.
  std::expected<void, Error> remove(const std::string& name);

  struct State;  ///< the backend's own

private:
  explicit RecordDirectory(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tmpctl::platform
