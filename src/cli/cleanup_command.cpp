#include "cli/cleanup_command.hpp"

#include <fmt/format.h>
#include <numeric>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <nlohmann/json.hpp>
#include <tmpctl/records.hpp>
#include <tmpctl/temp_file.hpp>

#include "cli/exit_codes.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "cli/remedy_text.hpp"
#include "cli/report_output.hpp"
#include "core/enum_names.hpp"
#include "platform/console.hpp"

namespace tmpctl::cli {
namespace {

constexpr const char* description = R"(Remove stale temporary files and directories below each DIR.

An entry is stale when the newest of its --age-by timestamps is older than
--older-than. Directories are removed after their contents, once empty and
stale themselves (their access and change times are ignored: listing and
emptying them updates those). DIR itself is never removed. Default DIR: the
system temp directory, as 'tmpctl create' finds it ($TMPDIR or /tmp; on
Windows GetTempPath2W).

Safety: the walk goes through directory handles and never follows a symlink,
junction or mount point (an old link is removed as a link); each entry is
looked at again just before it is deleted and kept if it changed. Entries in
use are kept and listed with their holders: on Linux, files any process has
open, mapped, locked (flock, as systemd-tmpfiles honours) or as its working
directory; on Windows, files the OS refuses to delete (WinError 32). Other
users' entries in a sticky directory are kept as "not owned". Sockets, FIFOs
and devices are never removed. A directory without u+rwx (chmod 555) keeps
what is in it, unless --force: then your own such directories (never another
user's, never through a link) get u+rwx and are emptied. Without --force, DIR
may not be a file system's root, a home directory or one that holds homes, or
a system directory or anything inside one that is not inside a temp directory
first (/var/tmp and /dev/shm are fine; /usr/share and /var/lib are not).

Globs (--match, --exclude): * any run of characters but /, ** any run
including /, ? one character, [abc] [a-z] [!abc] sets; no escape character
([*] is a literal *). A glob without / is matched against the entry's name,
one with / against its path below DIR. Case-insensitive on Windows.)";

constexpr const char* footer = R"(Examples:
  tmpctl cleanup                          stale entries of the temp dir (10 days)
  tmpctl cleanup --dry-run --older-than 2d /var/tmp
  tmpctl cleanup --older-than 12h --match 'tmp.*' --exclude 'systemd-private-*'
  tmpctl cleanup --json "$RUNNER_TEMP" | jq 'select(.action == "skipped")'
  tmpctl cleanup --older-than 0 --wait 30s --terminate "$RUNNER_TEMP"
                                          CI: wait for what holds stale entries, then end it
  tmpctl cleanup --orphaned               what finished scripts left (create --tag...)
  tmpctl cleanup --tag ci-1234 --expired

Recorded entries: with --expired, --tag or --orphaned, cleanup walks no DIR.
It removes the entries 'tmpctl create --ttl/--tag/--owner' recorded that
match (all given conditions), whatever their age, a directory with all it
holds; only while the path still names the very entry created (same device
and inode): one replaced by another file or a link is skipped as "replaced".
What is in use is kept, as in a walk. Records of removed entries, and of
entries that are gone or replaced, are forgotten.

Output: entries kept for safety and failures are always listed (on stderr,
or as JSON); -v lists removals too; --dry-run lists what would be removed on
stdout. A summary ends the run on stderr. In text, control characters and
bytes that are not UTF-8 in names are written as \n, \t and \xHH; in JSON,
names are exact ("path_base64" holds the bytes of a name that is not UTF-8).

Exit status:
  0  every stale entry was removed or kept for a safe reason
  1  some entries could not be removed, or a directory could not be read
  2  invalid usage, or a protected DIR without --force: nothing was removed
  3  with --strict: some stale entries were kept because they are in use
  4  a DIR does not exist: nothing was removed
  130, 143  interrupted (Ctrl-C, SIGTERM): what was removed was eligible)";

constexpr core::EnumName<SkipReason> reason_texts[] = {
    {SkipReason::none, "kept"},
    {SkipReason::in_use, "in use"},
    {SkipReason::not_owned, "not owned by this user (sticky directory)"},
    {SkipReason::changed, "changed during the run"},
    {SkipReason::other_filesystem, "on another file system (a mount point)"},
    {SkipReason::read_only, "read-only attribute set (--force removes it)"},
    {SkipReason::replaced,
     "not the entry tmpctl created: its name belongs to another one now (record forgotten)"}};
static_assert(core::in_declaration_order(reason_texts));

std::string_view reason_text(SkipReason reason) { return core::name_in(reason_texts, reason); }

nlohmann::ordered_json entry_json(const CleanupEntry& entry) {
  nlohmann::ordered_json object;
  object["action"] = to_string(entry.action);
  set_path(object, "path", entry.path);
  object["type"] = to_string(entry.type);
  object["size"] = entry.size;
  object["reason"] = entry.reason == SkipReason::none
                         ? nlohmann::ordered_json()
                         : nlohmann::ordered_json(to_string(entry.reason));
  object["holders"] = holders_json(entry.holders);
  object["error"] = entry.error ? error_json(*entry.error) : nlohmann::ordered_json();
  return object;
}

nlohmann::ordered_json summary_json(const CleanupSummary& summary, bool dry_run) {
  nlohmann::ordered_json counts;
  counts["dry_run"] = dry_run;
  counts["examined"] = summary.examined;
  counts["removed"] = summary.removed;
  counts["removed_bytes"] = summary.removed_bytes;
  counts["failed"] = summary.failed;
  counts["skipped"] = {{"in_use", summary.skipped_in_use},
                       {"not_owned", summary.skipped_not_owned},
                       {"changed", summary.skipped_changed},
                       {"other_filesystem", summary.skipped_other_filesystem},
                       {"read_only", summary.skipped_read_only},
                       {"replaced", summary.skipped_replaced}};
  counts["kept"] = {{"too_new", summary.kept_too_new},
                    {"excluded", summary.kept_excluded},
                    {"not_matched", summary.kept_not_matched},
                    {"not_empty", summary.kept_not_empty}};
  counts["records_forgotten"] = summary.records_forgotten;
  counts["interrupted"] = summary.interrupted;
  counts["notes"] = summary.notes;
  nlohmann::ordered_json object;
  object["summary"] = std::move(counts);
  return object;
}

// The summary line, coloured for stderr: what was removed, kept for safety, failed.
std::string summary_text(const CleanupSummary& s, bool dry_run, bool records) {
  const auto paint = [](Style style, std::string text) { return styled(stderr, style, text); };
  const std::uint64_t skipped = s.skipped_in_use + s.skipped_not_owned + s.skipped_changed +
                                s.skipped_other_filesystem + s.skipped_read_only +
                                s.skipped_replaced;
  std::string removed = fmt::format("{} {} {}", dry_run ? "would remove" : "removed", s.removed,
                                    s.removed == 1 ? "entry" : "entries");
  std::string text =
      fmt::format("{} ({})", s.removed > 0 ? paint(Style::success, removed) : removed,
                  size_text(s.removed_bytes));
  std::string reasons;
  const auto add = [&](std::uint64_t count, std::string_view what) {
    if (count > 0) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count, what);
  };
  add(s.skipped_in_use, "in use");
  add(s.skipped_not_owned, "not owned");
  add(s.skipped_changed, "changed");
  add(s.skipped_other_filesystem, "other file system");
  add(s.skipped_read_only, "read-only");
  add(s.skipped_replaced, "replaced");
  const std::string skipped_text = fmt::format("skipped {}", skipped);
  text += fmt::format("; {}{}", skipped > 0 ? paint(Style::reason, skipped_text) : skipped_text,
                      reasons.empty() ? "" : " (" + reasons + ")");
  const std::string failed_text = fmt::format("failed {}", s.failed);
  text += "; " + (s.failed > 0 ? paint(Style::error, failed_text) : failed_text);
  const std::string_view directories = s.kept_not_empty == 1 ? "directory" : "directories";
  if (records)
    text += fmt::format("; kept {} non-empty {}; {} {} {}", s.kept_not_empty, directories,
                        dry_run ? "would forget" : "forgot", s.records_forgotten,
                        s.records_forgotten == 1 ? "record" : "records");
  else
    text += fmt::format("; kept {} too new, {} excluded, {} not matched, {} non-empty {}",
                        s.kept_too_new, s.kept_excluded, s.kept_not_matched, s.kept_not_empty,
                        directories);
  if (s.interrupted) text += "; " + paint(Style::warning, "interrupted");
  return text;
}

// The CLI's spellings of the flags of --age-by and --type.
template <typename Enum>
struct NamedFlag {
  std::string_view name;
  Enum flag;
};

constexpr NamedFlag<Timestamp> timestamp_names[] = {{"atime", Timestamp::access},
                                                    {"mtime", Timestamp::modification},
                                                    {"ctime", Timestamp::change},
                                                    {"btime", Timestamp::birth}};

constexpr NamedFlag<EntryKind> kind_names[] = {
    {"file", EntryKind::file}, {"dir", EntryKind::directory}, {"symlink", EntryKind::symlink}};

template <typename Enum, std::size_t N>
std::vector<std::string> names_of(const NamedFlag<Enum> (&names)[N]) {
  std::vector<std::string> list;
  for (const NamedFlag<Enum>& named : names) list.emplace_back(named.name);
  return list;
}

// "mtime,ctime" (and the option repeated) to a set of flags.
template <typename Enum, std::size_t N>
std::expected<Flags<Enum>, std::string> parse_names(const std::vector<std::string>& values,
                                                    const NamedFlag<Enum> (&names)[N],
                                                    std::string_view option) {
  Flags<Enum> flags;
  for (const std::string& value : values) {
    for (std::size_t start = 0; start <= value.size();) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      const std::string_view name = std::string_view(value).substr(start, comma - start);
      const auto found = std::ranges::find(names, name, &NamedFlag<Enum>::name);
      if (found == std::end(names))
        return std::unexpected(
            fmt::format("{}: {}", option, unknown_value_message(name, names_of(names))));
      flags |= found->flag;
      start = comma + 1;
    }
  }
  return flags;
}

// An option's list, when given, as the set it names; false after printing why not.
template <typename Enum, std::size_t N>
bool parse_option(const std::vector<std::string>& values, const NamedFlag<Enum> (&names)[N],
                  std::string_view option, Flags<Enum>& into) {
  if (values.empty()) return true;
  auto parsed = parse_names(values, names, option);
  if (!parsed) {
    print_error(parsed.error());
    return false;
  }
  into = *parsed;
  return true;
}

// The progress line: on a terminal only, once the run has lasted a second.
class Progress {
public:
  Progress() : shown_(platform::is_terminal(stderr)) {}
  void update(const CleanupSummary& s, bool dry_run) {
    if (!shown_ || std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
    write_diagnostic(fmt::format("\r\x1b[Ktmpctl: examined {}, {} {} ({})", s.examined,
                                 dry_run ? "would remove" : "removed", s.removed,
                                 size_text(s.removed_bytes)));
    drawn_ = true;
  }
  // Before any other line on stderr.
  void clear() {
    if (!drawn_) return;
    write_diagnostic("\r\x1b[K");
    drawn_ = false;
  }

private:
  bool shown_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::atomic<bool> interrupted{false};

}  // namespace

CleanupCommand::CleanupCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(description) + "\n\n" + footer);
  path_value(app_->add_option("DIR", roots_,
                              "Directories to clean (default: the system temp directory); "
                              "'--' before names that start with '-'"),
             OptionValues::Kind::directory);
  app_->add_option("--older-than", older_than_,
                   "Stale after this long: 90s, 30m, 12h, 7d, 2w, 1d6h (default 10d, as "
                   "systemd-tmpfiles uses for /tmp); 0: regardless of age")
      ->type_name("DURATION");
  list_of(app_->add_option("--age-by", age_by_,
                           "Timestamps that make an entry young, comma-separated: atime, mtime, "
                           "ctime, btime (default all four: any recent one keeps an entry)")
              ->type_name("LIST")
              ->expected(1)
              ->allow_extra_args(false)
              ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll),
          names_of(timestamp_names));
  // "--match: a glob cannot be empty" before anything is walked.
  const CLI::Validator glob_check(
      [](std::string& glob) {
        auto checked = check_glob(glob);
        return checked ? std::string() : checked.error().message;
      },
      "", "glob");
  app_->add_option(
          "--match", options_.match,
          "Only remove entries matching GLOB, or inside a directory that does (repeatable)")
      ->type_name("GLOB")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(glob_check);
  app_->add_option("--exclude", options_.exclude,
                   "Keep entries matching GLOB; a matching directory is not entered (repeatable)")
      ->type_name("GLOB")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(glob_check);
  list_of(
      app_->add_option("--type", types_,
                       "Only remove these kinds, comma-separated: file, dir, symlink (default all)")
          ->type_name("LIST")
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll),
      names_of(kind_names));
  app_->add_flag("--keep-dirs", options_.keep_directories,
                 "Never remove directories, only what is in them");
  app_->add_option("--max-depth", options_.max_depth,
                   "Look no deeper than N levels below DIR (1: DIR's own entries)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app_->add_flag("-n,--dry-run", options_.dry_run,
                 "List what would be removed, on stdout; remove nothing");
  app_->add_flag("--force", options_.force,
                 "Remove read-only files (Windows), open up your own read-only directories "
                 "(POSIX: u+rwx), and allow /, home or system directories as DIR");
  app_->add_option("--retry", options_.retry.retries,
                   "Windows: try an entry in use N more times, waiting 10 ms, 20 ms, ... (max 2 s)")
      ->type_name("N")
      ->check(CLI::Range(0, 100));
  app_->add_option("-j,--jobs", options_.jobs,
                   "Remove in N threads at once, each in its own directories of DIR "
                   "(default: one per processor, at most 8; 1 keeps listing order)")
      ->type_name("N")
      ->check(CLI::Range(1, 64));
  wait_option_ = add_wait_option(app_, wait_, TerminateFor::cleanup);
  add_terminate_options(app_, terminate_, TerminateFor::cleanup);
  app_->add_flag("--strict", strict_, "Exit with 3 when stale entries were kept for being in use");
  app_->add_flag("--json", json_,
                 "Print one JSON object a line per listed entry, then a summary object");
  app_->add_flag("-v,--verbose", verbose_, "Also list each entry removed");
  app_->add_flag("-q,--quiet", quiet_, "No summary line");
  // Recorded entries are found through the record store, not by walking a
  // DIR, and they go whatever their age.
  selectors_.add_to(*app_, "remove");
  for (CLI::Option* selector : selectors_.options())
    for (const char* walk_only :
         {"DIR", "--older-than", "--age-by", "--match", "--exclude", "--type", "--keep-dirs",
          "--max-depth", "--jobs", "--wait", "--terminate", "--terminate-tree"})
      selector->excludes(app_->get_option(walk_only));
}

int CleanupCommand::prepare_walk() {
  auto older_than = parse_duration(older_than_, ZeroDuration::allowed);
  if (!older_than) {
    print_error(fmt::format("--older-than: {}", older_than.error().message));
    return exit_usage;
  }
  options_.older_than = *older_than;
  if (!parse_duration_option(wait_option_, wait_, options_.wait) ||
      !apply_terminate(terminate_, options_.terminate))
    return exit_usage;
  if (!parse_option(age_by_, timestamp_names, "--age-by", options_.age_by) ||
      !parse_option(types_, kind_names, "--type", options_.kinds))
    return exit_usage;
  if (roots_.empty()) {
    auto temp = system_temp_directory();
    if (!temp) {
      print_error(temp.error());
      return exit_failure;
    }
    roots_.push_back(*temp);
  }
  return exit_success;
}

int CleanupCommand::run() {
  const bool records = selectors_.any();
  if (!records)
    if (const int code = prepare_walk(); code != exit_success) return code;
  platform::stop_on_interrupt(interrupted);
  options_.stop = &interrupted;

  DataOutput out(stdout);
  Progress progress;
  CleanupObserver observer;
  std::vector<TreeHolder> held_by;  // the holders of what was kept in use, by process
  observer.entry = [&](const CleanupEntry& entry) {
    add_held_entry(held_by, entry.path, entry.holders);  // in use, kept
    const bool removal =
        entry.action == CleanupAction::removed || entry.action == CleanupAction::would_remove;
    const bool listed = !removal || verbose_ || entry.action == CleanupAction::would_remove;
    if (!listed) return;
    progress.clear();  // stdout and stderr may be the same terminal
    if (json_ || removal) {
      if (json_)
        out.write_json_line(entry_json(entry));
      else
        out.write(fmt::format("{} {}\n", options_.dry_run ? "would remove" : "removed",
                              printable(entry.path)));
      // Whoever reads the list is gone: stop rather than go on unseen.
      if (out.failed()) interrupted = true;
      return;
    }
    if (entry.action == CleanupAction::failed && entry.error) {
      print_error(*entry.error);
      return;
    }
    std::string text = fmt::format("skipped {}: {}", printable(entry.path),
                                   styled(stderr, Style::reason, reason_text(entry.reason)));
    const std::string holders = holder_lines(entry.holders, stderr);
    if (!holders.empty()) text += "\n" + holders.substr(0, holders.size() - 1);
    print_warning(text);
  };
  observer.progress = [&](const CleanupSummary& summary) {
    progress.update(summary, options_.dry_run);
  };

  std::expected<CleanupSummary, Error> summary;
  std::vector<BadRecord> bad;
  if (records) {
    auto store = RecordStore::open();
    if (!store) {
      print_error(store.error());
      return exit_failure;
    }
    summary = cleanup_records(*store,
                              RecordCleanupOptions{.filter = selectors_.filter(),
                                                   .dry_run = options_.dry_run,
                                                   .force = options_.force,
                                                   .retry = options_.retry,
                                                   .stop = &interrupted},
                              observer, &bad);
  } else {
    options_.restore_owner_permissions = options_.force;
    summary = cleanup(roots_, options_, observer);
  }
  progress.clear();
  // A damaged record names no entry that could be removed safely: said, and left.
  for (const BadRecord& record : bad) print_warning(printable(record.error));
  if (!summary) {
    print_error(cleanup_error_text(summary.error()));
    switch (summary.error().kind) {
      case ErrorKind::not_found: return exit_not_found;
      case ErrorKind::invalid_argument:
      case ErrorKind::protected_directory: return exit_usage;
      default: return exit_failure;
    }
  }
  std::ranges::sort(held_by, {}, [](const TreeHolder& held) { return held.process.pid; });
  for (TreeHolder& held : held_by) std::ranges::sort(held.entries, {}, &HeldEntry::path);
  // Several entries in use: who holds them, by process, as diagnose DIR says it.
  const std::size_t held_entries = std::accumulate(
      held_by.begin(), held_by.end(), std::size_t{0},
      [](std::size_t sum, const TreeHolder& held) { return sum + held.entries.size(); });
  if (json_) {
    nlohmann::ordered_json last = summary_json(*summary, options_.dry_run);
    last["held_by"] = held_inside_json(held_by);
    last["waited_ms"] = summary->waited.count();
    last["timeline"] = timeline_json(summary->timeline);
    last["terminated"] = terminations_json(summary->terminated);
    out.write_json_line(last);
  } else if (!quiet_) {
    if (!summary->timeline.empty()) {
      const std::string lines = timeline_lines(summary->timeline, summary->waited, stderr);
      print_status(fmt::format("waited {} for the processes holding stale entries:\n{}",
                               seconds_text(summary->waited), lines.substr(0, lines.size() - 1)));
    }
    print_terminations(summary->terminated);
    if (held_entries > 1) {
      const std::string lines = held_inside_lines(held_by, stderr);
      print_status("entries kept because they are in use, by process:\n" +
                   lines.substr(0, lines.size() - 1));
    }
    print_status(summary_text(*summary, options_.dry_run, records));
    for (const std::string& note : summary->notes)
      print_status(styled(stderr, Style::note, "note:") + " " + printable(note));
  }
  const auto written = out.finish();
  if (summary->interrupted && platform::interrupt_signal() != 0)
    return 128 + platform::interrupt_signal();
  if (!written) {
    print_error(written.error());
    return exit_failure;
  }
  if (summary->failed > 0) return exit_failure;
  if (strict_ && summary->skipped_in_use > 0) return exit_in_use;
  return exit_success;
}

}  // namespace tmpctl::cli
