// remove() and diagnose(): one report per path, with what the OS said, who
// holds the file and what to do about it. The backends delete and look; this
// file decides what to try, what it means and what to advise.

#include <tmpctl/remove.hpp>

#include <algorithm>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "core/enum_names.hpp"
#include "core/hold_wait.hpp"
#include "core/holder_details.hpp"
#include "core/paths.hpp"
#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "core/tree_removal.hpp"
#include "platform/remove.hpp"

namespace tmpctl {
namespace {

// Describes holders (relation, kind, user) from what /proc (or a Toolhelp
// snapshot) says of them and of this process's parents, read again only for
// holders it has not seen.
class HolderDescriber {
public:
  void describe(std::vector<Holder>& holders) {
    if (holders.empty()) return;
    const bool known = processes_ && std::ranges::all_of(holders, [&](const Holder& holder) {
                         return processes_->find(holder.pid) != nullptr;
                       });
    if (!known) processes_ = core::ProcessMap::around(holders);
    for (Holder& holder : holders) processes_->describe(holder);
  }
  void describe(RemoveReport& report) {
    describe(report.holders);
    for (RemoveReport& inner : report.inside) describe(inner);
  }

private:
  std::optional<core::ProcessMap> processes_;
};

bool lets_go_by_itself(HolderKind kind) {
  return kind == HolderKind::virus_scanner || kind == HolderKind::indexer ||
         kind == HolderKind::sync_client || kind == HolderKind::preview_handler;
}

// What to do about one process that holds the file (or, for a tree, an
// entry of it): close it there, in the caller, or in this process; and what
// its kind adds.
void add_holder_remedies(std::vector<Remedy>& remedies, const Holder& holder, bool hypothetical) {
  const RemedyKind kind =
      holder.is_self ? RemedyKind::close_own_handle
      : holder.relation == HolderRelation::parent || holder.relation == HolderRelation::ancestor
          ? RemedyKind::close_in_caller
          : RemedyKind::close_in_holder;
  remedies.push_back({.kind = kind, .holder = holder, .hypothetical = hypothetical});
  if (lets_go_by_itself(holder.kind))
    remedies.push_back(
        {.kind = RemedyKind::wait_for_scanner, .holder = holder, .hypothetical = hypothetical});
  else if (holder.kind == HolderKind::build_server)
    remedies.push_back(
        {.kind = RemedyKind::stop_build_server, .holder = holder, .hypothetical = hypothetical});
}

// The holders of the entries of a tree that stayed, by process.
std::vector<TreeHolder> group_by_process(const std::vector<RemoveReport>& inside) {
  std::vector<TreeHolder> grouped;
  for (const RemoveReport& inner : inside) add_held_entry(grouped, inner.path, inner.holders);
  std::ranges::sort(grouped, {}, [](const TreeHolder& held) { return held.process.pid; });
  return grouped;
}

RemoveOutcome outcome_for(RemoveCause cause) {
  switch (cause) {
    case RemoveCause::none: return RemoveOutcome::removed;
    case RemoveCause::not_found: return RemoveOutcome::not_found;
    case RemoveCause::sharing_violation:
    case RemoveCause::lock_violation:
    case RemoveCause::mount_point: return RemoveOutcome::in_use;
    case RemoveCause::delete_pending: return RemoveOutcome::delete_pending;
    case RemoveCause::read_only_attribute:
    case RemoveCause::immutable:
    case RemoveCause::read_only_filesystem: return RemoveOutcome::read_only;
    case RemoveCause::directory: return RemoveOutcome::is_a_directory;
    case RemoveCause::directory_not_empty: return RemoveOutcome::not_empty;
    case RemoveCause::sticky_directory:
    case RemoveCause::directory_not_writable:
    case RemoveCause::permission_denied: return RemoveOutcome::access_denied;
    case RemoveCause::invalid_path:
    case RemoveCause::reserved_name:
    case RemoveCause::protected_root:
    case RemoveCause::dot_or_dotdot: return RemoveOutcome::invalid;
    case RemoveCause::other: return RemoveOutcome::failed;
  }
  return RemoveOutcome::failed;
}

// Causes that go away by themselves: a scanner closing its handle, Windows
// finishing an asynchronous delete.
bool worth_retrying(RemoveCause cause) {
  return cause == RemoveCause::sharing_violation || cause == RemoveCause::lock_violation ||
         cause == RemoveCause::delete_pending || cause == RemoveCause::directory_not_empty;
}

bool wants_holders(RemoveCause cause) {
  return cause == RemoveCause::sharing_violation || cause == RemoveCause::lock_violation ||
         cause == RemoveCause::delete_pending;
}

void refuse(RemoveReport& report, Error error, RemoveCause cause) {
  report.cause = cause;
  report.outcome = outcome_for(cause);
  report.error = std::move(error);
}

// One remedy per thing the user can do, specific to the cause, as values the
// caller words. A diagnosis speaks of the delete that would happen; a
// removal of the one that did.
enum class Tense { done, would };

void add_remedies(RemoveReport& report, const RemoveOptions& options, Tense tense) {
  auto& remedies = report.remedies;
  const bool hypothetical = tense == Tense::would;
  auto add = [&](RemedyKind kind, std::optional<Holder> holder = std::nullopt) {
    remedies.push_back({.kind = kind, .holder = std::move(holder), .hypothetical = hypothetical});
  };
  auto holder_remedies = [&] {
    for (const Holder& holder : report.holders) add_holder_remedies(remedies, holder, hypothetical);
  };
  switch (report.cause) {
    case RemoveCause::none:
      // POSIX: the name goes, the inode stays. Windows: a holder that shares
      // DELETE keeps the name too.
      for (const Holder& holder : report.holders)
        add(platform::delete_succeeds_while_open() ? RemedyKind::close_to_free_space
                                                   : RemedyKind::rename_aside,
            holder);
      break;
    case RemoveCause::sharing_violation:
    case RemoveCause::lock_violation:
      holder_remedies();
      if (report.holders.empty())
        add(report.holders_complete ? RemedyKind::retry_later : RemedyKind::check_hidden_holders);
      if (!options.on_reboot && report.cause == RemoveCause::sharing_violation)
        add(RemedyKind::delete_on_reboot);
      break;
    case RemoveCause::delete_pending:
      add(RemedyKind::wait_for_last_handle);
      holder_remedies();
      break;
    case RemoveCause::read_only_attribute: add(RemedyKind::clear_read_only); break;
    case RemoveCause::immutable: add(RemedyKind::clear_immutable_flag); break;
    case RemoveCause::read_only_filesystem: add(RemedyKind::remount_read_write); break;
    case RemoveCause::mount_point: add(RemedyKind::unmount); break;
    case RemoveCause::directory: add(RemedyKind::remove_recursively); break;
    case RemoveCause::directory_not_empty:
      if (!report.inside.empty())
        add(RemedyKind::see_entries_inside);
      else
        add(options.recursive ? RemedyKind::remove_again : RemedyKind::remove_recursively);
      break;
    case RemoveCause::sticky_directory: add(RemedyKind::ask_owner); break;
    case RemoveCause::directory_not_writable: add(RemedyKind::check_directory_permissions); break;
    case RemoveCause::permission_denied: add(RemedyKind::check_permissions); break;
    case RemoveCause::reserved_name:
      if (auto verbatim = platform::verbatim_form(report.path))
        remedies.push_back({.kind = RemedyKind::use_verbatim_path,
                            .verbatim_path = std::move(*verbatim),
                            .hypothetical = hypothetical});
      break;
    case RemoveCause::protected_root: add(RemedyKind::override_preserve_root); break;
    case RemoveCause::not_found:
    case RemoveCause::invalid_path:
    case RemoveCause::dot_or_dotdot:
    case RemoveCause::other: break;
  }
  // A tree's holders, each once, unless the directory's own already said it.
  // This process holds what is in a tree only through descriptors it
  // inherited from the process that ran it: that one is named instead.
  const bool caller_holds = std::ranges::any_of(report.held_inside, [](const TreeHolder& held) {
    return held.process.relation == HolderRelation::parent ||
           held.process.relation == HolderRelation::ancestor;
  });
  for (const TreeHolder& held : report.held_inside) {
    if (held.process.is_self && caller_holds) continue;
    const bool named = std::ranges::any_of(remedies, [&](const Remedy& remedy) {
      return remedy.holder && remedy.holder->pid == held.process.pid;
    });
    if (!named) add_holder_remedies(remedies, held.process, hypothetical);
  }
}

// RemoveOptions::wait: waits for the holders of every path that exists
// (`infos`) to let go, and files each one's timeline in its report.
// The paths that exist (`infos`) as targets for waiting and ending: a
// directory is a tree with -r, and always for diagnose. `indexes`: the report
// of each.
std::vector<core::WaitTarget> holder_targets(
    const std::vector<std::string>& targets,
    const std::vector<std::optional<platform::EntryInfo>>& infos, const RemoveOptions& options,
    bool diagnosing, std::vector<std::size_t>& indexes) {
  std::vector<core::WaitTarget> found;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!infos[i]) continue;
    found.push_back(
        {.path = targets[i], .tree = infos[i]->is_directory && (options.recursive || diagnosing)});
    indexes.push_back(i);
  }
  return found;
}

void wait_for_holders(std::vector<RemoveReport>& reports, const std::vector<std::string>& targets,
                      const std::vector<std::optional<platform::EntryInfo>>& infos,
                      const RemoveOptions& options, bool diagnosing) {
  if (options.wait.count() <= 0 || !options.find_holders) return;
  std::vector<std::size_t> indexes;
  const auto waits = holder_targets(targets, infos, options, diagnosing, indexes);
  if (waits.empty()) return;
  core::WaitResult waited = core::wait_for_release(waits, options.wait);
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    reports[indexes[k]].timeline = std::move(waited.timelines[k]);
    reports[indexes[k]].waited = waited.waited;
  }
}

// RemoveOptions::terminate: ends the processes that hold the paths (or
// anything in a directory), all in one terminate_holders() call, and files
// each result under the first path its process held.
void end_holders(std::vector<RemoveReport>& reports, const std::vector<std::string>& targets,
                 const std::vector<std::optional<platform::EntryInfo>>& infos,
                 const RemoveOptions& options, bool diagnosing) {
  if (!options.terminate || !options.find_holders) return;
  std::vector<std::size_t> indexes;
  const std::vector<std::vector<Holder>> held =
      core::holders_now(holder_targets(targets, infos, options, diagnosing, indexes));
  std::vector<Holder> all;
  for (const auto& list : held) all.insert(all.end(), list.begin(), list.end());
  if (all.empty()) return;
  TerminateOptions terminate = *options.terminate;
  if (diagnosing) terminate.dry_run = true;
  for (Termination& result : terminate_holders(all, terminate)) {
    const std::uint32_t holder =
        result.descends_from != 0 ? result.descends_from : result.process.pid;
    for (std::size_t k = 0; k < held.size(); ++k) {
      if (std::ranges::none_of(held[k], [&](const Holder& h) { return h.pid == holder; })) continue;
      reports[indexes[k]].terminated.push_back(std::move(result));
      break;
    }
  }
}

// diagnose() of a directory: every process that holds anything in it, from
// one walk and one scan; the directory's own holders among them.
void attach_tree_holders(RemoveReport& report, const std::string& target,
                         std::vector<std::string>& scan_notes) {
  auto found = find_tree_holders(target);
  if (!found) {
    report.holders_complete = false;
    scan_notes.push_back("could not look for holders inside: " + to_string(found.error()));
    return;
  }
  for (TreeHolder& held : found->processes) {
    for (const HeldEntry& entry : held.entries) {
      if (entry.path != found->root) continue;
      Holder holder = held.process;
      holder.how = entry.how;
      report.holders.push_back(std::move(holder));
    }
    report.held_inside.push_back(std::move(held));
  }
  report.holders_complete = found->complete;
  scan_notes = std::move(found->notes);
}

// Runs one holder scan for `targets` (path to look at, report index) and files
// what it found. The scan's own notes go to `scan_notes`, to be shown only
// where holders matter.
void attach_holders(std::vector<RemoveReport>& reports,
                    const std::vector<std::pair<std::string, std::size_t>>& targets,
                    std::vector<std::vector<std::string>>& scan_notes) {
  if (targets.empty()) return;
  std::vector<std::string> batch;
  for (const auto& target : targets) batch.push_back(target.first);
  auto found = platform::find_holders(batch);
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const std::size_t i = targets[k].second;
    if (!found) {
      reports[i].holders_complete = false;
      scan_notes[i].push_back("could not look for holders: " + to_string(found.error()));
      continue;
    }
    reports[i].holders = found->holders[k];
    reports[i].holders_complete = found->complete;
    scan_notes[i] = found->notes;
  }
}

// Keeps holders where they explain something: a refusal they cause, a removed
// file they keep alive, or a diagnosis (where they are the point).
void settle_holders(RemoveReport& report, std::vector<std::string>& scan_notes, bool diagnosing) {
  const bool relevant = diagnosing || wants_holders(report.cause) ||
                        (report.outcome == RemoveOutcome::removed && !report.holders.empty());
  if (!relevant) {
    report.holders.clear();
    report.holders_complete = true;
    return;
  }
  report.notes.insert(report.notes.end(), scan_notes.begin(), scan_notes.end());
}

// "dir/" and "dir" name the same entry, but lstat("link/") follows the link:
// look at paths without trailing separators (a root keeps its own).
std::string without_trailing_separators(std::string path) {
  const std::string_view separators = platform::path_separators();
  auto is_separator = [&](char c) { return separators.find(c) != std::string_view::npos; };
  while (path.size() > 1 && is_separator(path.back()) &&
         !(path.size() == 3 && path[1] == ':' && separators.size() > 1))  // "C:\"
    path.pop_back();
  return path;
}

// The operands rm refuses before touching anything, by spelling first: '.'
// or '..' last ("x/." is x itself, followed through a link; "e/.." is e's
// parent), and with -r the root, also as "//", "/tmp/.." or a link to it.
std::optional<std::pair<RemoveCause, std::string>> guarded_operand(const std::string& target,
                                                                   const RemoveOptions& options) {
  if (core::ends_in_dot_or_dotdot(target))
    return std::pair{RemoveCause::dot_or_dotdot,
                     std::string("refusing to remove '.' or '..' directory")};
  if (options.recursive && options.preserve_root && platform::is_root_directory(target))
    return std::pair{RemoveCause::protected_root,
                     std::string("it is the root of a file system or volume: refusing to "
                                 "remove it recursively")};
  return std::nullopt;
}

// What remove() and diagnose() share: empty paths, guarded operands,
// missing paths and directories without -r are settled before anything is
// attempted.
std::optional<platform::EntryInfo> settle_or_inspect(RemoveReport& report,
                                                     const std::string& target,
                                                     const RemoveOptions& options) {
  if (report.path.empty()) {
    refuse(report, Error::invalid(ErrorKind::invalid_argument, "remove", "", "the path is empty"),
           RemoveCause::invalid_path);
    return std::nullopt;
  }
  if (auto guarded = guarded_operand(target, options)) {
    refuse(report,
           Error::invalid(ErrorKind::invalid_argument, "remove", report.path,
                          std::move(guarded->second)),
           guarded->first);
    return std::nullopt;
  }
  auto info = platform::inspect_entry(target);
  if (!info) {
    refuse(report, info.error(), platform::explain_refusal(target, info.error()));
    return std::nullopt;
  }
  if (info->is_directory && !options.recursive) {
    refuse(report,
           Error::invalid(ErrorKind::is_a_directory, "remove", report.path, "Is a directory"),
           RemoveCause::directory);
    return std::nullopt;
  }
  return *info;
}

platform::DeleteStrategy strategy_of(const RemoveOptions& options) {
  return {options.force, options.posix_semantics, options.rename_aside};
}

// An entry a tree removal kept, as a report of its own: the OS's refusal, or
// for what was kept before any attempt (a mount point, another user's entry
// in a sticky directory, in use, read-only), what a delete would meet there,
// found by looking.
RemoveReport report_of_kept(const CleanupEntry& kept, const platform::DeleteStrategy& strategy) {
  RemoveReport report;
  report.path = kept.path;
  report.holders = kept.holders;
  if (kept.action == CleanupAction::failed) {
    const Error error =
        kept.error.value_or(Error::invalid(ErrorKind::other, "remove", kept.path, "failed"));
    refuse(report, error, platform::explain_refusal(kept.path, error));
    return report;
  }
  const auto kept_because = [&](ErrorKind kind, std::string why, RemoveCause cause) {
    refuse(report, Error::invalid(kind, "remove", kept.path, std::move(why)), cause);
  };
  switch (kept.reason) {
    case SkipReason::other_filesystem:
      kept_because(ErrorKind::in_use,
                   "a file system is mounted there; tmpctl does not cross into another file "
                   "system, so nothing in it was removed",
                   RemoveCause::mount_point);
      return report;
    case SkipReason::changed:
    case SkipReason::replaced:
      // What the walk saw lead elsewhere: a link the OS does not report as
      // one (Wine's view of a Unix symlink) says so itself.
      if (auto link = platform::check_not_disguised_link(kept.path); !link) {
        refuse(report, link.error(), RemoveCause::other);
        return report;
      }
      kept_because(ErrorKind::other,
                   "it changed while tmpctl was removing it (replaced, or written to); left alone",
                   RemoveCause::other);
      return report;
    case SkipReason::in_use:
    case SkipReason::not_owned:
    case SkipReason::read_only:
    case SkipReason::none: break;
  }
  // In use, another user's, read-only: what the OS would say, by looking.
  auto info = platform::inspect_entry(kept.path);
  std::optional<platform::Refusal> refusal;
  if (info) refusal = platform::probe_delete(kept.path, *info, strategy);
  if (refusal) {
    refuse(report, std::move(refusal->error), refusal->cause);
  } else if (kept.reason == SkipReason::not_owned) {
    kept_because(ErrorKind::permission_denied,
                 "another user's entry in a sticky directory: only its owner, the directory's "
                 "owner or root may remove it",
                 RemoveCause::sticky_directory);
  } else if (kept.reason == SkipReason::read_only) {
    kept_because(ErrorKind::permission_denied, "the read-only attribute is set",
                 RemoveCause::read_only_attribute);
  } else {
    kept_because(ErrorKind::in_use, "another process held it", RemoveCause::sharing_violation);
  }
  return report;
}

// One pass of the walker over the directory `target` (a dry run for
// diagnose): true when it went. Otherwise the report says why, with every
// entry inside that stayed in `inside`.
bool remove_directory_tree(RemoveReport& report, const std::string& target,
                           const RemoveOptions& options, bool dry_run) {
  report.inside.clear();
  const platform::DeleteStrategy strategy = strategy_of(options);
  auto removal = core::remove_tree(target, {.dry_run = dry_run,
                                            .force = options.force,
                                            .restore_owner_permissions = options.force,
                                            .find_holders = options.find_holders});
  if (!removal) {
    refuse(report, removal.error(), platform::explain_refusal(target, removal.error()));
    return false;
  }
  bool refused_itself = false;
  HolderDescriber describer;
  for (const CleanupEntry& kept : removal->kept) {
    RemoveReport inner = report_of_kept(kept, strategy);
    if (kept.path == removal->path) {  // the directory itself, for a reason of its own
      refuse(report, std::move(*inner.error), inner.cause);  // report_of_kept always refuses
      report.holders = std::move(inner.holders);
      refused_itself = true;
      continue;
    }
    describer.describe(inner.holders);
    add_remedies(inner, options, dry_run ? Tense::would : Tense::done);
    report.inside.push_back(std::move(inner));
  }
  for (const std::string& note : removal->notes)
    if (std::ranges::find(report.notes, note) == report.notes.end()) report.notes.push_back(note);
  if (removal->removed && report.inside.empty()) {
    report.error.reset();
    report.cause = RemoveCause::none;
    report.outcome = RemoveOutcome::removed;
    return true;
  }
  if (refused_itself && report.inside.empty()) return false;
  const std::size_t count = report.inside.size();
  if (removal->is_root && count == 0) {
    refuse(report,
           Error::invalid(ErrorKind::other, "remove", report.path,
                          dry_run ? "the root of a file system cannot itself be removed"
                                  : "everything in it was removed; the root of a file system "
                                    "cannot itself be removed"),
           RemoveCause::other);
    return false;
  }
  refuse(report,
         Error::invalid(
             ErrorKind::directory_not_empty, "remove", report.path,
             count == 0 ? std::string("entries appeared in it meanwhile")
                        : fmt::format("{} {} inside {}", count, count == 1 ? "entry" : "entries",
                                      dry_run ? "would stay" : "could not be removed")),
         RemoveCause::directory_not_empty);
  return false;
}

// Whether another pass could remove what a tree removal left: only when
// everything left stayed for a cause that passes by itself.
bool tree_worth_retrying(const RemoveReport& report) {
  return worth_retrying(report.cause) &&
         std::ranges::all_of(report.inside,
                             [](const RemoveReport& inner) { return worth_retrying(inner.cause); });
}

}  // namespace

std::vector<RemoveReport> remove(std::span<const std::string> paths, const RemoveOptions& options) {
  std::vector<RemoveReport> reports(paths.size());
  std::vector<std::string> targets(paths.size());
  std::vector<std::optional<platform::EntryInfo>> infos(paths.size());
  std::vector<std::vector<std::string>> scan_notes(paths.size());
  std::vector<std::pair<std::string, std::size_t>> scan_first;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    reports[i].path = paths[i];
    targets[i] = without_trailing_separators(paths[i]);
    infos[i] = settle_or_inspect(reports[i], targets[i], options);
  }
  wait_for_holders(reports, targets, infos, options, false);
  end_holders(reports, targets, infos, options, false);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    // Where a delete succeeds while the file is open, the holders can only
    // be found while the name still leads to the file: look first.
    if (infos[i] && options.find_holders && platform::delete_succeeds_while_open() &&
        !infos[i]->is_directory && !infos[i]->is_link && infos[i]->links <= 1)
      scan_first.emplace_back(targets[i], i);
  }
  attach_holders(reports, scan_first, scan_notes);

  const platform::DeleteStrategy strategy = strategy_of(options);
  std::vector<std::pair<std::string, std::size_t>> scan_after;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (!infos[i]) continue;
    RemoveReport& report = reports[i];
    const std::string& target = targets[i];
    unsigned waits = 0;
    auto wait = [&] { std::this_thread::sleep_for(options.retry.delay_before(++waits)); };
    // Do not empty a directory that cannot be removed itself (its directory
    // is not writable, sticky, read-only...): look first. Refusals that may
    // pass (in use) are left to the attempts and their retries.
    if (options.recursive && infos[i]->is_directory) {
      if (auto refusal = platform::probe_delete(target, *infos[i], strategy);
          refusal && !worth_retrying(refusal->cause) && refusal->cause != RemoveCause::other) {
        refuse(report, std::move(refusal->error), refusal->cause);
        continue;
      }
    }
    const bool tree = options.recursive && infos[i]->is_directory;
    for (unsigned attempt = 0; attempt <= options.retry.retries; ++attempt) {
      if (attempt > 0) wait();
      report.attempts = static_cast<int>(attempt + 1);
      if (tree) {
        if (remove_directory_tree(report, target, options, false) || !tree_worth_retrying(report))
          break;
        continue;
      }
      auto deleted = platform::delete_entry(target, *infos[i], strategy, report.notes);
      if (deleted) {
        report.error.reset();
        report.cause = RemoveCause::none;
        report.outcome = RemoveOutcome::removed;
        break;
      }
      const std::string failed_path = deleted.error().path.empty() ? target : deleted.error().path;
      const RemoveCause cause = platform::explain_refusal(failed_path, deleted.error());
      // Gone after an earlier refusal: what held it let go and a pending
      // delete completed.
      if (attempt > 0 && cause == RemoveCause::not_found && failed_path == target) {
        report.error.reset();
        report.cause = RemoveCause::none;
        report.outcome = RemoveOutcome::removed;
        break;
      }
      refuse(report, deleted.error(), cause);
      if (!worth_retrying(report.cause)) break;
    }
    // Windows: a delete accepted while others hold the file (sharing DELETE)
    // leaves the name until the last handle closes; wait within the budget.
    if (report.outcome == RemoveOutcome::removed && !platform::delete_succeeds_while_open()) {
      for (auto attempt = static_cast<unsigned>(report.attempts);; ++attempt) {
        auto still_there = platform::entry_exists(target);
        if (!still_there || !*still_there) break;
        if (attempt > options.retry.retries) {
          report.cause = RemoveCause::delete_pending;
          report.outcome = RemoveOutcome::delete_pending;
          break;
        }
        wait();
      }
    }
    // Only for what is refused because it is in use: a pending delete
    // completes by itself, and other refusals would refuse at boot too.
    if (report.outcome == RemoveOutcome::in_use && options.on_reboot) {
      if (auto scheduled = platform::delete_at_reboot(target); scheduled) {
        report.outcome = RemoveOutcome::scheduled;
        report.notes.push_back("scheduled for deletion when Windows next starts");
      } else {
        report.notes.push_back(to_string(scheduled.error()));
      }
    }
    // Holders of what refused: inside a tree, that is the entry, not the tree.
    if (options.find_holders && !platform::delete_succeeds_while_open() &&
        wants_holders(report.cause))
      scan_after.emplace_back(
          report.error && !report.error->path.empty() ? report.error->path : target, i);
  }
  attach_holders(reports, scan_after, scan_notes);

  HolderDescriber describer;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    settle_holders(reports[i], scan_notes[i], false);
    describer.describe(reports[i]);
    reports[i].held_inside = group_by_process(reports[i].inside);
    add_remedies(reports[i], options, Tense::done);
  }
  return reports;
}

std::vector<RemoveReport> diagnose(std::span<const std::string> paths,
                                   const RemoveOptions& options) {
  std::vector<RemoveReport> reports(paths.size());
  std::vector<std::vector<std::string>> scan_notes(paths.size());
  std::vector<std::pair<std::string, std::size_t>> existing;
  const platform::DeleteStrategy strategy = strategy_of(options);
  std::vector<std::string> targets(paths.size());
  std::vector<std::optional<platform::EntryInfo>> infos(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    reports[i].path = paths[i];
    targets[i] = without_trailing_separators(paths[i]);
  }
  if (options.wait.count() > 0 || options.terminate) {
    // What exists, to wait for or end its holders before judging. Without -r
    // a directory is refused, but only after it was looked at.
    RemoveOptions look = options;
    look.recursive = true;
    for (std::size_t i = 0; i < paths.size(); ++i)
      infos[i] = settle_or_inspect(reports[i], targets[i], look);
    wait_for_holders(reports, targets, infos, options, true);
    end_holders(reports, targets, infos, options, true);
  }
  for (std::size_t i = 0; i < paths.size(); ++i) {
    RemoveReport& report = reports[i];
    const std::string& target = targets[i];
    report.error.reset();
    report.cause = RemoveCause::none;
    report.outcome = RemoveOutcome::failed;
    // A directory's holders come with its tree's: settle_or_inspect refuses
    // one without -r only after looking at it.
    auto info = settle_or_inspect(report, target, options);
    const bool directory = report.cause == RemoveCause::directory || (info && info->is_directory);
    if (directory && options.find_holders) {
      attach_tree_holders(report, target, scan_notes[i]);
    } else if (report.cause != RemoveCause::not_found && report.outcome != RemoveOutcome::invalid) {
      existing.emplace_back(target, i);
    }
    if (!info) continue;
    if (auto refusal = platform::probe_delete(target, *info, strategy))
      refuse(report, std::move(refusal->error), refusal->cause);
    else if (options.recursive && info->is_directory)
      (void)remove_directory_tree(report, target, options, true);  // the same walk, dry
    else
      report.outcome = RemoveOutcome::removed;  // a delete would succeed now
  }
  if (options.find_holders) attach_holders(reports, existing, scan_notes);
  HolderDescriber describer;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    settle_holders(reports[i], scan_notes[i], true);
    describer.describe(reports[i]);
    for (TreeHolder& held : reports[i].held_inside) {
      std::vector<Holder> one{held.process};
      describer.describe(one);
      held.process = std::move(one.front());
    }
    add_remedies(reports[i], options, Tense::would);
  }
  return reports;
}

constexpr core::EnumName<RemoveOutcome> remove_outcome_names[] = {
    {RemoveOutcome::removed, "removed"},
    {RemoveOutcome::delete_pending, "delete_pending"},
    {RemoveOutcome::scheduled, "scheduled"},
    {RemoveOutcome::not_found, "not_found"},
    {RemoveOutcome::in_use, "in_use"},
    {RemoveOutcome::read_only, "read_only"},
    {RemoveOutcome::access_denied, "access_denied"},
    {RemoveOutcome::is_a_directory, "is_a_directory"},
    {RemoveOutcome::not_empty, "not_empty"},
    {RemoveOutcome::invalid, "invalid"},
    {RemoveOutcome::failed, "failed"}};
static_assert(core::in_declaration_order(remove_outcome_names));

std::string_view to_string(RemoveOutcome outcome) {
  return core::name_in(remove_outcome_names, outcome);
}

constexpr core::EnumName<RemoveCause> remove_cause_names[] = {
    {RemoveCause::none, "none"},
    {RemoveCause::not_found, "not_found"},
    {RemoveCause::sharing_violation, "sharing_violation"},
    {RemoveCause::lock_violation, "lock_violation"},
    {RemoveCause::mount_point, "mount_point"},
    {RemoveCause::read_only_attribute, "read_only_attribute"},
    {RemoveCause::immutable, "immutable"},
    {RemoveCause::read_only_filesystem, "read_only_filesystem"},
    {RemoveCause::delete_pending, "delete_pending"},
    {RemoveCause::directory, "directory"},
    {RemoveCause::directory_not_empty, "directory_not_empty"},
    {RemoveCause::sticky_directory, "sticky_directory"},
    {RemoveCause::directory_not_writable, "directory_not_writable"},
    {RemoveCause::permission_denied, "permission_denied"},
    {RemoveCause::invalid_path, "invalid_path"},
    {RemoveCause::reserved_name, "reserved_name"},
    {RemoveCause::protected_root, "protected_root"},
    {RemoveCause::dot_or_dotdot, "dot_or_dotdot"},
    {RemoveCause::other, "other"}};
static_assert(core::in_declaration_order(remove_cause_names));

std::string_view to_string(RemoveCause cause) { return core::name_in(remove_cause_names, cause); }

constexpr core::EnumName<RemedyKind> remedy_kind_names[] = {
    {RemedyKind::close_own_handle, "close_own_handle"},
    {RemedyKind::close_in_holder, "close_in_holder"},
    {RemedyKind::retry_later, "retry_later"},
    {RemedyKind::check_hidden_holders, "check_hidden_holders"},
    {RemedyKind::delete_on_reboot, "delete_on_reboot"},
    {RemedyKind::wait_for_last_handle, "wait_for_last_handle"},
    {RemedyKind::close_to_free_space, "close_to_free_space"},
    {RemedyKind::rename_aside, "rename_aside"},
    {RemedyKind::clear_read_only, "clear_read_only"},
    {RemedyKind::clear_immutable_flag, "clear_immutable_flag"},
    {RemedyKind::remount_read_write, "remount_read_write"},
    {RemedyKind::unmount, "unmount"},
    {RemedyKind::remove_recursively, "remove_recursively"},
    {RemedyKind::remove_again, "remove_again"},
    {RemedyKind::see_entries_inside, "see_entries_inside"},
    {RemedyKind::ask_owner, "ask_owner"},
    {RemedyKind::check_directory_permissions, "check_directory_permissions"},
    {RemedyKind::check_permissions, "check_permissions"},
    {RemedyKind::use_verbatim_path, "use_verbatim_path"},
    {RemedyKind::override_preserve_root, "override_preserve_root"},
    {RemedyKind::close_in_caller, "close_in_caller"},
    {RemedyKind::wait_for_scanner, "wait_for_scanner"},
    {RemedyKind::stop_build_server, "stop_build_server"}};
static_assert(core::in_declaration_order(remedy_kind_names));

std::string_view to_string(RemedyKind kind) { return core::name_in(remedy_kind_names, kind); }

}  // namespace tmpctl
