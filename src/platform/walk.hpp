#pragma once
// Walking a directory tree for cleanup, one entry at a time, through directory
// handles: what the core's cleanup() needs from each backend
// (posix/walk_posix.cpp, win32/walk_win32.cpp). The backend touches the OS;
// the core decides what to remove.
//
// Every step is relative to an open directory (openat/unlinkat on POSIX,
// NtOpenFile with a RootDirectory on Windows). Links, junctions and other
// reparse points are reported as symlinks and never entered. Each entry is
// looked at once more through its directory's handle just before it is
// deleted, and left alone if it changed.

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tmpctl/cleanup.hpp>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl::platform {

/// What makes a file itself, whatever its name: device and inode on POSIX,
/// volume serial number and file index on Windows.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t file = 0;
  bool operator==(const FileIdentity&) const = default;
};

struct FileIdentityHash {
  std::size_t operator()(const FileIdentity& id) const noexcept {
    return static_cast<std::size_t>(id.file * 0x9E3779B97F4A7C15ull ^ id.device);
  }
};

/// The identity of what `path` names, following symlinks (the caller named it).
std::expected<FileIdentity, Error> identity_of(const std::string& path);

// What an entry is: the type cleanup reports (CleanupEntry::type).
using EntryType = tmpctl::EntryType;

/// Timestamps in nanoseconds since the Unix epoch; nullopt where the file
/// system does not keep one (birth time on many Linux file systems).
struct EntryTimes {
  std::optional<std::int64_t> access;
  std::optional<std::int64_t> modification;
  std::optional<std::int64_t> change;  ///< inode change (POSIX ctime, Windows ChangeTime)
  std::optional<std::int64_t> birth;
  bool operator==(const EntryTimes&) const = default;
};

/// One entry of the directory being walked, as it was when listed.
struct WalkEntry {
  std::string name;  ///< within its directory: bytes on POSIX, UTF-8 on Windows
  EntryType type = EntryType::other;
  FileIdentity identity;
  std::uint64_t size = 0;
  std::uint64_t links = 1;  ///< hard links to it (1 where unknown)
  EntryTimes times;
  /// POSIX: a mount point (another file system, or a bind mount); never entered.
  bool other_filesystem = false;
  /// POSIX: in a sticky directory (like /tmp), another user's entry that this
  /// user may not delete.
  bool not_owned = false;
  /// Windows: FILE_ATTRIBUTE_READONLY.
  bool read_only = false;
};

enum class WalkStep {
  entry,               ///< `entry` holds the next entry of the current directory
  finished_directory,  ///< the current directory (not the root) has no more
                       ///< entries; it stays current until the next call
  done,                ///< the root has no more entries
};

enum class RemoveResult {
  removed,      ///< deleted (or, in a dry run, every check passed)
  in_use,       ///< refused because another process holds it (Windows: WinError 32)
  changed,      ///< no longer what was listed: left alone
  gone,         ///< someone else removed it meanwhile
  mount_point,  ///< POSIX: a mount point (a file bind-mounted there): not removed
};

enum class RemoveMode { remove, dry_run };

/// How a walk may treat what it meets, beyond what every walk does.
struct WalkOptions {
  /// POSIX: a directory of this user's own (owned by the effective user id,
  /// a real directory, reached through its parent's descriptor, never through
  /// a link) that cannot be entered, or in which a name cannot be removed,
  /// because it lacks u+rwx gets u+rwx added (its other bits kept) and the
  /// step is tried once more: `chmod 555` or `chmod 000` by the program that
  /// made the tree (Go's module cache) does not keep it. Another user's
  /// directory is never changed. Windows: nothing (read-only attributes are
  /// the `force` of each removal).
  bool restore_owner_permissions = false;
  /// POSIX: an entry the directory listing says is not a directory (d_type)
  /// is not looked at: next() gives its name, listed type and identity (the
  /// directory's device and the listed inode number: for a file with
  /// something mounted on it, the file beneath), and leaves its size, times
  /// and link count unknown (zero). For removing a
  /// whole tree, where age and identity decide nothing: an unlink without
  /// AT_REMOVEDIR removes neither a directory nor what a link points to, and
  /// a file mount point refuses it (RemoveResult::mount_point). Directories,
  /// entries listed as DT_UNKNOWN and the entries of another user's sticky
  /// directory (their owner decides) are still looked at. Windows: nothing
  /// (a listing there gives everything a look would).
  bool trust_listed_types = false;
};

/// How many walks split off a root (TreeWalk::split) may descend at once,
/// besides the root's own walk, within the descriptors the process may open:
/// POSIX counts every walk's descriptors against RLIMIT_NOFILE, less those
/// open already and a reserve for the rest of the program, and each walk
/// needs three at least. At least 1.
std::size_t split_walks_at_most();

/// A depth-first walk of the tree below a root. The root itself is never
/// removed. Descriptors or handles in use stay bounded however deep the tree
/// is, and, on POSIX, across every walk of the process: a walk past its share
/// reads a level ahead and closes it, and an open refused for want of
/// descriptors (EMFILE) closes a level or waits and tries again rather than
/// failing. POSIX: a directory below the root that the walk removed something
/// in gets its access and modification times back as they were listed when
/// the walk leaves or closes it (an interrupted run too; after each removal
/// with restore_times_after_each_removal, which even SIGKILL cannot undo).
/// Moving is allowed; copying is not.
class TreeWalk {
public:
  /// Opens the root directory. A symlink given as the root itself is followed
  /// (the caller named it); nothing below it ever is. Walks split off this
  /// one keep its `options`.
  static std::expected<TreeWalk, Error> open(const std::string& root, WalkOptions options = {});

  TreeWalk(TreeWalk&&) noexcept;
  TreeWalk& operator=(TreeWalk&&) noexcept;
  ~TreeWalk();

  /// The root's identity, from the open handle.
  FileIdentity root_identity() const;
  /// The identities of the root and of each directory above it, up to its
  /// file system's root, as they really are (POSIX: through "..", so links
  /// and ".." in the path given do not mislead).
  std::vector<FileIdentity> root_ancestors() const;

  /// The next step. An Error means the current directory could not be read
  /// further (or re-reached after a deep descent): it is then finished, and
  /// the next call reports finished_directory (or done for the root).
  std::expected<WalkStep, Error> next(WalkEntry& entry);

  /// Looks at the entry `name` of the root (a plain name, no separators) as
  /// next() would have listed it, without listing the rest: cleanup of
  /// recorded paths (tmpctl cleanup --expired) goes straight to each one.
  /// Only while depth() is 0. remove_entry(), enter() and split() then take
  /// `entry` as if next() had returned it, this look being their first.
  /// ErrorKind::not_found when nothing has that name.
  std::expected<void, Error> look_up(const std::string& name, WalkEntry& entry);

  /// Enters `entry`, the directory next() returned last. False, with nothing
  /// entered, when it is no longer that directory (swapped for a link or
  /// another directory). An Error (permission denied...) enters nothing.
  /// ErrorKind::in_use (Windows): an open for delete met a sharing violation,
  /// as some process's working directory does; a directory in use is not
  /// emptied (POSIX finds those in the open-file table before entering).
  std::expected<bool, Error> enter(const WalkEntry& entry);

  /// Splits the walk of `entry`, a directory of the root that next() returned
  /// last (depth() is 0), off into a walk of its own, for another thread. The
  /// new walk has entered `entry`; its next() lists what is below it, then
  /// reports `entry` finished (remove_finished_directory removes it from the
  /// root), then done. The two walks share no state, only the root, through
  /// a handle of the new walk's own. `walks` is how many walks will be open
  /// at once: they share the descriptor budget. nullopt, with nothing
  /// entered, when `entry` is no longer that directory; an Error as enter().
  std::expected<std::optional<TreeWalk>, Error> split(const WalkEntry& entry, std::size_t walks);

  /// Deletes `entry` of the current directory (anything but a directory: a
  /// symlink is deleted as a link), after looking at it again through the
  /// directory's handle: changed when its identity, type or a timestamp
  /// differs from `entry`. A dry run does every check (on Windows the open
  /// for delete, which is what finds it in use; on POSIX whether this user
  /// may write to the directory) and deletes nothing. `force` deletes a
  /// read-only file (Windows). POSIX: called right after next() returned this
  /// very object, next()'s look is that second look.
  std::expected<RemoveResult, Error> remove_entry(const WalkEntry& entry, RemoveMode mode,
                                                  bool force);

  /// Deletes the directory next() has just reported finished (`entry` is how
  /// it was listed in its parent), if it is empty and still that directory
  /// (same identity; same modification time too when the walk removed
  /// nothing in it). Error kind directory_not_empty when something is in it;
  /// a dry run does not look inside (the caller knows what it kept there).
  /// `force` deletes a read-only directory (Windows).
  std::expected<RemoveResult, Error> remove_finished_directory(const WalkEntry& entry,
                                                               RemoveMode mode, bool force);

  /// For messages and output only, never handed back to the OS: the path of
  /// `name` in the current directory, and of the current directory.
  std::string path_of(std::string_view name) const;
  std::string current_path() const;
  /// 0 while in the root, 1 in its subdirectories...
  std::size_t depth() const;

  /// POSIX: the current directory (not the root) gets its access and
  /// modification times, as listed, back after each removal in it, rather
  /// than once when the walk leaves or closes it: one futimens per removal
  /// (about 15% more CPU on tmpfs), so that even a SIGKILL leaves it as old
  /// as it was. For a directory that is itself stale, which the next run
  /// must still find stale. Windows: nothing yet.
  void restore_times_after_each_removal();

  struct State;  ///< the backend's own

private:
  explicit TreeWalk(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tmpctl::platform
