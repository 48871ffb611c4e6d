#pragma once
// Removing a whole directory tree through the platform's TreeWalk, with the
// same Cleaner and the same guards as cleanup: what remove -r, diagnose -r,
// run's removal and TempDirectory share. One tree remover, not two.

#include <tmpctl/cleanup.hpp>
#include <tmpctl/error.hpp>

#include <expected>
#include <string>
#include <vector>

namespace tmpctl::core {

struct TreeRemovalOptions {
  /// Decide and check everything, delete nothing (diagnose -r).
  bool dry_run = false;
  /// Delete read-only entries (Windows attribute).
  bool force = false;
  /// POSIX: the user's own directories that lack u+rwx (chmod 555, 000) get
  /// it back so that what is in them can go (platform::WalkOptions).
  bool restore_owner_permissions = false;
  /// Look for the processes holding entries refused as in use (Windows).
  bool find_holders = true;
};

/// What removing a tree did. Everything that could go went; what stayed is
/// listed, each entry once, with the reason (kept for safety: a mount point,
/// another user's entry in a sticky directory, in use, read-only) or the OS's
/// refusal. Holders of entries refused as in use are attached (Windows).
struct TreeRemoval {
  /// The directory itself is gone (a dry run: would be).
  bool removed = false;
  /// The path of the directory as the entries' paths spell it.
  std::string path;
  /// The directory is a file system's root (remove -r --no-preserve-root /):
  /// everything in it was removed that could be, the root itself never is.
  bool is_root = false;
  /// Entries kept or refused, the directory itself included when it stayed
  /// for a reason of its own.
  std::vector<CleanupEntry> kept;
  /// What the holder search could not see.
  std::vector<std::string> notes;
};

/// Removes the directory `path` and all it holds without following a link
/// or crossing a mount point, with bounded descriptors at any depth. The last
/// component must be a directory (a link to one is an error, never
/// followed); "." and ".." are refused. Fails only when the tree cannot be
/// reached at all (its parent cannot be opened, it is gone, not a
/// directory); every other problem is listed in the result.
std::expected<TreeRemoval, Error> remove_tree(const std::string& path,
                                              const TreeRemovalOptions& options);

}  // namespace tmpctl::core
