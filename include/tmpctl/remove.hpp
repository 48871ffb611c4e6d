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
#include <tmpctl/terminate.hpp>
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

/// Something the user can do about a report, as a value: the library says
/// which, a front end words it (tmpctl's CLI as its "hint:" sentences).
enum class RemedyKind {
  close_own_handle,  ///< this process holds the file (Remedy::holder): close that handle first
  close_in_holder,   ///< another process holds it (Remedy::holder): close it there, or end it
  retry_later,  ///< in use, no visible holder (often a scanner): try again later, or with retries
  check_hidden_holders,  ///< in use, and not every process could be inspected (see the notes)
  delete_on_reboot,      ///< in use: as a last resort, delete it when Windows next starts
  wait_for_last_handle,  ///< already marked for deletion: it goes when the last handle closes
  close_to_free_space,   ///< POSIX: the name goes, but the space stays until Remedy::holder closes
  rename_aside,     ///< Windows: Remedy::holder shares delete, so the name stays until it closes;
                    ///< renaming aside (RemoveOptions::rename_aside) frees the name at once
  clear_read_only,  ///< the read-only attribute: RemoveOptions::force clears it
  clear_immutable_flag,  ///< Linux: clear the immutable and append-only flags (chattr -i -a)
  remount_read_write,    ///< the file system is mounted read-only
  unmount,               ///< a file system is mounted there
  remove_recursively,    ///< a directory, or one not empty: RemoveOptions::recursive
  remove_again,  ///< a recursive removal left entries that came or stayed meanwhile: try again
  see_entries_inside,  ///< the rest of the directory went (or could): RemoveReport::inside says
                       ///< why each entry that stays does
  ask_owner,           ///< sticky directory: only the owners or root may remove it
  check_directory_permissions,  ///< the directory may not be written to
  check_permissions,            ///< the OS denied access (an ACL)
  use_verbatim_path,  ///< Windows: a reserved device name; Remedy::verbatim_path names the file
  override_preserve_root,  ///< the root: RemoveOptions::preserve_root off overrides the safeguard
  close_in_caller,    ///< the holder (Remedy::holder) is the parent or an ancestor of the process
                      ///< asking, such as the script that ran tmpctl: close the file there first
  wait_for_scanner,   ///< the holder is a virus scanner, indexer, sync client or preview
                      ///< handler: it lets go by itself; wait, and exclude the directory for good
  stop_build_server,  ///< the holder is a build server that keeps files open between builds
};

/// One remedy, with what its wording needs.
struct Remedy {
  RemedyKind kind = RemedyKind::retry_later;
  /// The process concerned: close_own_handle, close_in_holder,
  /// close_to_free_space, rename_aside.
  std::optional<Holder> holder{};
  /// use_verbatim_path: the path in the form that names the file itself
  /// ("\\?\C:\t\nul").
  std::string verbatim_path{};
  /// From diagnose(): the delete spoken of is one that would happen, not one
  /// that did (close_to_free_space, see_entries_inside).
  bool hypothetical = false;
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
  /// Before deleting (remove) or judging (diagnose): wait up to this long
  /// for every process that holds a path (for a directory with `recursive`,
  /// or any directory in diagnose: anything in it) to let go, sampling the
  /// holders as it waits; RemoveReport::timeline says who held it when.
  /// This process and the processes that ran it are not waited for (they
  /// cannot let go while it runs). 0: no wait. Needs find_holders.
  std::chrono::milliseconds wait{0};
  /// After any wait, end the processes that still hold a path (for a
  /// directory with `recursive`, or any directory in diagnose: anything in
  /// it), with terminate_holders()'s guard rails, then delete. diagnose()
  /// only says whom it would end (a dry run). Needs find_holders.
  std::optional<TerminateOptions> terminate{};
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
  /// What the user can do about it, as values rather than sentences: no
  /// option or command line of tmpctl's CLI is named here (the CLI words
  /// each remedy as one of its "hint:" lines, and names it in JSON).
  std::vector<Remedy> remedies;
  /// What tmpctl did along the way, e.g. a strategy's fallback.
  std::vector<std::string> notes;
  /// Delete attempts made (0 when none was made, e.g. a directory without -r).
  int attempts = 0;
  /// A directory removed with -r (or diagnosed with -r): each entry inside
  /// it that stayed (or would stay), with its own outcome, cause, error,
  /// holders and remedies. Everything else inside went. When this is not empty
  /// the directory itself stays: outcome not_empty.
  std::vector<RemoveReport> inside;
  /// A directory (diagnose; remove -r when entries inside stayed because
  /// they are in use): every process that holds an entry of it, the
  /// directory included, with those entries, by pid.
  std::vector<TreeHolder> held_inside;
  /// With RemoveOptions::wait: every holder seen while waiting, in order,
  /// and how long the wait took.
  std::vector<HoldSpan> timeline;
  std::chrono::milliseconds waited{0};
  /// With RemoveOptions::terminate: each process ended (or, by diagnose,
  /// that would be), refused or gone, for the holders of this path.
  std::vector<Termination> terminated;
};

/// Removes each path, carrying on past failures; one report per path, in
/// order. Holder discovery runs once for the whole batch.
std::vector<RemoveReport> remove(std::span<const std::string> paths,
                                 const RemoveOptions& options = {});

/// Deletes nothing: says for each path whether a delete would succeed now
/// and, if not, why, with holders and remedies. On Windows this opens the file
/// for DELETE with full sharing and closes it without deleting; on POSIX it
/// checks the directory's write permission, the sticky bit, immutable flags,
/// read-only file systems and mount points. `outcome` is `removed` when a
/// delete would succeed.
std::vector<RemoveReport> diagnose(std::span<const std::string> paths,
                                   const RemoveOptions& options = {});

/// Stable lower_snake_case names, as used in JSON output.
std::string_view to_string(RemoveOutcome outcome);
std::string_view to_string(RemoveCause cause);
std::string_view to_string(RemedyKind kind);

}  // namespace tmpctl
