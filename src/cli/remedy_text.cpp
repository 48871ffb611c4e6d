#include "cli/remedy_text.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "cli/output.hpp"

namespace tmpctl::cli {
namespace {

std::string describe(const Holder& holder) {
  if (holder.name.empty()) return fmt::format("process {}", holder.pid);
  return fmt::format("process {} ({})", holder.pid, holder.name);
}

// What `holder` holds: the path itself, or, only through a tree's grouping,
// entries inside it.
std::string what_is_held(const RemoveReport& report, const Holder& holder) {
  const bool direct = std::ranges::any_of(
      report.holders, [&](const Holder& named) { return named.pid == holder.pid; });
  if (direct) return "it";
  for (const TreeHolder& held : report.held_inside)
    if (held.process.pid == holder.pid)
      return held.entries.size() == 1 ? "an entry inside it"
                                      : fmt::format("{} entries inside it", held.entries.size());
  return "it";
}

std::string scanner_text(const Holder& holder) {
  switch (holder.kind) {
    case HolderKind::virus_scanner:
      return describe(holder) +
             " is a virus scanner reading a new file: it lets go by itself, and --wait 10s "
             "usually suffices; to stop it for good, exclude this directory from scanning";
    case HolderKind::indexer:
      return describe(holder) +
             " is a search indexer: it lets go by itself, and --wait 10s usually suffices; to "
             "stop it for good, exclude this directory from indexing";
    case HolderKind::sync_client:
      return describe(holder) +
             " is a sync client uploading what is new: it lets go by itself (--wait); to stop it "
             "for good, keep temporary files out of the synced folder";
    default:
      return describe(holder) +
             " shows a preview or thumbnail of it: close the preview pane, or --wait until it "
             "lets go";
  }
}

}  // namespace

std::string remedy_text(const RemoveReport& report, const Remedy& remedy) {
  const Holder holder = remedy.holder.value_or(Holder{});
  const std::string who = holder.is_self ? "this process" : describe(holder);
  const char* until = holder.is_self ? "it" : "that process";
  switch (remedy.kind) {
    case RemedyKind::close_own_handle:
      return "this process itself still holds the file: close that handle before removing it "
             "(Python: os.close(fd) before os.remove(path), or use tempfile.NamedTemporaryFile)";
    case RemedyKind::close_in_holder:
      return fmt::format("{} holds {}: close it there, or end that process (--terminate)",
                         describe(holder), what_is_held(report, holder));
    case RemedyKind::close_in_caller:
      return fmt::format(
          "{}, {} of tmpctl (the shell or script that ran it), holds {}: close the file there "
          "before calling tmpctl (Python: os.close(fd) after tempfile.mkstemp()); tmpctl never "
          "ends the processes that ran it",
          describe(holder),
          holder.relation == HolderRelation::parent ? "the parent" : "an ancestor",
          what_is_held(report, holder));
    case RemedyKind::wait_for_scanner: return scanner_text(holder);
    case RemedyKind::stop_build_server:
      return describe(holder) +
             " is a build server, which keeps files of a build open between builds: shut it "
             "down (dotnet build-server shutdown, mspdbsrv -stop, gradle --stop), or end it "
             "(--terminate)";
    case RemedyKind::retry_later:
      return "no process visible to tmpctl holds it: often an antivirus or search indexer "
             "scanning a new file; try again with 'tmpctl remove --retry 5'";
    case RemedyKind::check_hidden_holders:
      return "tmpctl could not inspect every process (see the notes): the holder "
             "may be among them";
    case RemedyKind::delete_on_reboot:
      return "as a last resort, 'tmpctl remove --on-reboot' deletes it when Windows next starts";
    case RemedyKind::wait_for_last_handle:
      return "the file is already marked for deletion: it disappears when the last "
             "handle to it closes";
    case RemedyKind::close_to_free_space:
      return fmt::format(
          "{} still has it open: {}, but its space is freed only when {} closes it", who,
          remedy.hypothetical ? "a delete would remove the name" : "the name is gone", until);
    case RemedyKind::rename_aside:
      return fmt::format(
          "{} has it open, sharing delete: a delete would be accepted, but the name stays "
          "until {} closes it (--rename-aside frees the name at once)",
          who, until);
    case RemedyKind::clear_read_only:
      return "the file is read-only: --force clears the attribute and deletes it";
    case RemedyKind::clear_immutable_flag:
      return "the file is immutable or append-only: as root, run 'chattr -i -a' on it first";
    case RemedyKind::remount_read_write:
      return "the file system is mounted read-only: remount it read-write first";
    case RemedyKind::unmount: return "a file system is mounted there: unmount it first";
    case RemedyKind::remove_recursively:
      return report.cause == RemoveCause::directory
                 ? "it is a directory: use -r to remove it and its contents"
                 : "the directory is not empty: use -r to remove it and its contents";
    case RemedyKind::remove_again:
      return "the directory still has entries: some may still be open or being "
             "deleted, or were added meanwhile; try again, or with --retry";
    case RemedyKind::see_entries_inside:
      return fmt::format(
          "everything else in it {}; each entry that stays is reported with its cause",
          remedy.hypothetical ? "could go" : "was removed");
    case RemedyKind::ask_owner:
      return "its directory is sticky (like /tmp) and the entry belongs to another "
             "user: only its owner, the directory's owner or root can remove it";
    case RemedyKind::check_directory_permissions:
      return "removing a name changes its directory, and you may not write to that "
             "directory: check its permissions";
    case RemedyKind::check_permissions:
      return "the OS denied access: check the permissions of the file and of its "
             "directory (on Windows: icacls)";
    case RemedyKind::use_verbatim_path: {
      const std::string& verbatim = remedy.verbatim_path;
      return fmt::format(
          "'{}' is a reserved device name on Windows: to remove a file really named so, use '{}'",
          verbatim.substr(verbatim.find_last_of('\\') + 1), verbatim);
    }
    case RemedyKind::override_preserve_root:
      return "removing it would remove everything on the file system or volume; "
             "--no-preserve-root overrides this safeguard";
  }
  return std::string(to_string(remedy.kind));
}

std::vector<std::string> hint_texts(const RemoveReport& report) {
  std::vector<std::string> hints;
  for (const Remedy& remedy : report.remedies) hints.push_back(remedy_text(report, remedy));
  return hints;
}

std::string cleanup_error_text(const Error& error) {
  std::string text = printable(error);
  if (error.kind == ErrorKind::protected_directory) text += " (--force to clean it anyway)";
  return text;
}

}  // namespace tmpctl::cli
