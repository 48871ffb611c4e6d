#pragma once
/// \file
/// Removing files with explicit semantics, and explaining why the OS refused.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <tmpctl/error.hpp>
#include <tmpctl/holders.hpp>
#include <tmpctl/retry.hpp>
#include <vector>

namespace tmpctl {

/// What happened to a path (remove), or would happen now (diagnose).
enum class RemoveOutcome {
  removed,         ///< the name is gone
  delete_pending,  ///< marked for deletion; the name goes when the last handle closes (Windows)
  scheduled,       ///< will be deleted at the next reboot (Windows, --on-reboot)
  not_found,       ///< nothing by that name
  in_use,          ///< another handle prevents it (WinError 32/33), or a mount point (EBUSY)
  read_only,       ///< read-only attribute, immutable flag, or read-only file system
  access_denied,   ///< permissions: ACL, directory not writable, sticky directory
  is_a_directory,  ///< a directory, and recursive removal was not asked for
  not_empty,       ///< a directory that still has entries
  invalid,         ///< not a usable path (empty, not UTF-8 on Windows, a reserved device
                   ///< name), or one refused before anything is tried: '.' or '..' last,
                   ///< the root with -r
  failed,          ///< any other OS error
};

/// The precise reason behind an outcome, found by looking, never by mutating.
enum class RemoveCause {
  none,
  not_found,
  sharing_violation,     ///< Windows 32: a handle was opened without FILE_SHARE_DELETE
  lock_violation,        ///< Windows 33: a byte-range lock
  mount_point,           ///< POSIX EBUSY: something is mounted there
  read_only_attribute,   ///< Windows FILE_ATTRIBUTE_READONLY
  immutable,             ///< Linux immutable or append-only flag (chattr +i / +a)
  read_only_filesystem,  ///< EROFS / ERROR_WRITE_PROTECT
  delete_pending,        ///< Windows: already marked for deletion
  directory,             ///< the path is a directory
  directory_not_empty,
  sticky_directory,  ///< POSIX: sticky parent (like /tmp), and neither file nor directory is yours
  directory_not_writable,  ///< POSIX: no write permission on the parent directory
  permission_denied,       ///< an ACL or other denial with no finer explanation
  invalid_path,
  reserved_name,   ///< Windows: a device name (NUL, CON, COM1, lpt1.log...) that Win32 opens as the
                   ///< device
  protected_root,  ///< recursive removal of '/' or a volume root, without preserve_root off
  dot_or_dotdot,   ///< the last component is '.' or '..' (as rm refuses it)
  other,
};

/// Opt-in strategies for `remove`. All off by default: a plain remove makes
/// exactly one attempt per path.
struct RemoveOptions {
  /// Remove directories and their contents, through the same walker as
  /// cleanup: never following symlinks, junctions or other reparse points,
  /// never entering another file system (a mount point inside is kept and
  /// reported), with bounded descriptors at any depth. Everything that can
  /// go goes; each entry that cannot is reported in `inside`.
  bool recursive = false;
  /// Further attempts after a delete refused because the file is in use
  /// (or, with `recursive`, a directory not yet empty), and the pauses
  /// between them.
  RetryPolicy retry{};
  /// Clear the read-only attribute first (Windows). With `recursive`, on
  /// POSIX: give the user's own directories inside that lack u+rwx (chmod
  /// 555, 000) that access back, so that what they hold can go; never
  /// another user's.
  bool force = false;
  /// Windows 10 1607+: delete with POSIX semantics (the name goes at once,
  /// open handles keep working); falls back to a classic delete where
  /// unsupported (ERROR_INVALID_PARAMETER under Wine and older Windows).
  bool posix_semantics = false;
  /// Windows: rename the file aside in its directory before deleting it, so
  /// the name is free at once even while a delete is pending.
  bool rename_aside = false;
  /// Windows: when the delete is refused because the file is in use,
  /// schedule it for the next reboot (MOVEFILE_DELAY_UNTIL_REBOOT).
  bool on_reboot = false;
  /// With `recursive`, refuse the root of the file system ('/', and what is
  /// the same directory: '//', a link to it; Windows: a drive, share or
  /// volume root), as rm's --preserve-root does. Off: rm --no-preserve-root.
  bool preserve_root = true;
  /// Look for the processes that hold what could not be removed (and, on
  /// POSIX, what was removed but is still open somewhere).
  bool find_holders = true;
};

/// What `remove` did to one path, or what `diagnose` found.
struct RemoveReport {
  std::string path;
  RemoveOutcome outcome = RemoveOutcome::failed;
  RemoveCause cause = RemoveCause::none;
  /// What the OS said on the last attempt, if it refused.
  std::optional<Error> error;
  /// Processes holding the file (after a refusal; on POSIX also after a
  /// successful remove of a file still open elsewhere).
  std::vector<Holder> holders;
  /// Whether `holders` is known to be complete (see HolderReport::complete).
  bool holders_complete = true;
  /// What to do about it, one sentence each.
  std::vector<std::string> hints;
  /// What tmpctl did along the way, e.g. a strategy's fallback.
  std::vector<std::string> notes;
  /// Delete attempts made (0 when none was made, e.g. a directory without -r).
  int attempts = 0;
  /// A directory removed with -r (or diagnosed with -r): each entry inside
  /// it that stayed (or would stay), with its own outcome, cause, error,
  /// holders and hints. Everything else inside went. When this is not empty
  /// the directory itself stays: outcome not_empty.
  std::vector<RemoveReport> inside;
};

/// Removes each path, carrying on past failures; one report per path, in
/// order. Holder discovery runs once for the whole batch.
std::vector<RemoveReport> remove(std::span<const std::string> paths,
                                 const RemoveOptions& options = {});

/// Deletes nothing: says for each path whether a delete would succeed now
/// and, if not, why, with holders and hints. On Windows this opens the file
/// for DELETE with full sharing and closes it without deleting; on POSIX it
/// checks the directory's write permission, the sticky bit, immutable flags,
/// read-only file systems and mount points. `outcome` is `removed` when a
/// delete would succeed.
std::vector<RemoveReport> diagnose(std::span<const std::string> paths,
                                   const RemoveOptions& options = {});

/// Stable lower_snake_case names, as used in JSON output.
std::string_view to_string(RemoveOutcome outcome);
std::string_view to_string(RemoveCause cause);

}  // namespace tmpctl
