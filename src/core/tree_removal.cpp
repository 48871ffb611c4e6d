// remove_tree(): one whole tree, removed through the same Cleaner and the
// same guards as a cleanup, every entry in it counting as stale.

#include "core/tree_removal.hpp"

#include <optional>
#include <utility>

#include "core/cleaner.hpp"
#include "core/paths.hpp"
#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "platform/remove.hpp"
#include "platform/walk.hpp"

namespace tmpctl {
namespace {

using core::Cleaner;
using core::Shared;
using platform::EntryType;
using platform::WalkEntry;

// What a tree removal's Cleaner works with: every entry stale and of every
// kind, and nothing in use by a table: removing a tree deletes what others
// hold open where the OS allows it (POSIX); where it refuses (Windows), the
// walk reports the refusal and the holders are found in one batch.
struct TreeRemover {
  TreeRemover(core::TreeRemoval& removal, const core::TreeRemovalOptions& options)
      : observer{.entry =
                     [&removal](const CleanupEntry& kept) {
                       if (kept.action == CleanupAction::skipped ||
                           kept.action == CleanupAction::failed)
                         removal.kept.push_back(kept);
                     }},
        shared(observer) {
    cleanup_options.dry_run = options.dry_run;
    cleanup_options.force = options.force;
    cleanup_options.restore_owner_permissions = options.restore_owner_permissions;
    cleanup_options.jobs = 1;
  }
  Cleaner cleaner() {
    return Cleaner(cleanup_options, shared, nothing_held,
                   {.all_stale = true, .every_kind = true, .report_removed = false, .walks = 2});
  }
  void finish(core::TreeRemoval& removal, bool find_holders) {
    core::report_in_use(shared, find_holders);
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
  auto walk = platform::TreeWalk::open(path, tree_walk_options(options));
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
  auto walk = platform::TreeWalk::open(parts->directory, tree_walk_options(options));
  if (!walk) return std::unexpected(walk.error());
  WalkEntry entry;
  if (auto found = walk->look_up(parts->name, entry); !found) return std::unexpected(found.error());
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

}  // namespace tmpctl
