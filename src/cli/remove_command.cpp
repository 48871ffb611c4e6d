#include "cli/remove_command.hpp"

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "cli/report_output.hpp"
#include "platform/console.hpp"
#include <nlohmann/json.hpp>
#include <tmpctl/holders.hpp>

namespace tmpctl::cli {
namespace {

constexpr const char* description = R"(Remove files, and say exactly why when the OS refuses.

Each PATH gets one attempt (more with --retry); tmpctl carries on past
failures. For every refusal it prints the OS error with its number
(WinError 32, errno 13...), the processes holding the file, and what to do.
On Linux, removing a file that another process still has open succeeds, and
tmpctl names that process: it keeps the file's space until it closes it.)";

constexpr const char* footer = R"(Examples:
  tmpctl remove /tmp/tmp.k3J9xQ2vLm
  tmpctl remove -r build-cache/           a directory and all it contains
  tmpctl remove --retry 5 C:\Temp\a.tmp   wait out a virus scanner (10 ms, 20 ms, ...)
  tmpctl remove -r --wait 30s build/      wait for whatever holds files in it to let go
  tmpctl remove -r --terminate-tree ws/   end what still holds it (and its children)
  tmpctl remove --json *.tmp              one JSON object a line, for programs

A typical refusal on Windows:
  tmpctl: cannot remove 'C:\Temp\a.tmp': The process cannot access the file
  because it is being used by another process (WinError 32, ERROR_SHARING_VIOLATION)
    held by process 4242 (python.exe): handle 0x1c
    hint: process 4242 (python.exe) holds it: close the file there, or end that process

Exit status (with many paths, the worst wins: 2 > 1 > 5 > 3 > 4 > 0):
  0  every path removed (or scheduled with --on-reboot)
  1  other failure (a directory without -r, a directory not empty, ...)
  2  invalid usage: nothing was attempted; a PATH refused before anything was
     tried ('.' or '..' last, or with -r the root without --no-preserve-root)
  3  in use: held by another handle, locked, or a deletion is pending
  4  not found
  5  denied: permissions, read-only attribute or file system, sticky directory)";

constexpr const char* diagnose_description =
    R"(Who holds a file, and would a delete succeed now. Deletes nothing.

On Windows tmpctl opens the file for DELETE with full sharing, exactly as a
delete would, and closes it again without deleting. On POSIX it checks the
directory's write permission, the sticky bit, immutable flags, read-only file
systems and mount points.

For a directory, every entry inside that some process holds is listed,
grouped by process (pid, name, user, whether it ran tmpctl, its kind), from
one walk and one scan of the holders.)";

constexpr const char* diagnose_footer = R"(Examples:
  tmpctl diagnose /tmp/report.csv
  tmpctl diagnose build/                  every process that holds anything in it
  tmpctl diagnose --terminate-tree ws/    whom remove --terminate-tree would end
  tmpctl diagnose --json C:\Temp\a.tmp C:\Temp\b.tmp

Exit status: as for remove, for the delete that would happen now (0 when
every delete would succeed; 3 in use, 4 not found, 5 denied, 1 other).)";

// The OS's refusal without "cannot remove '<path>'", which the line already says.
std::string reason(const RemoveReport& report) {
  if (!report.error) return std::string(to_string(report.outcome));
  Error error = *report.error;
  error.operation.clear();
  error.path.clear();
  return printable(error);
}

// Prints each report, as JSON or through `print_text`, and returns the worst
// exit code; a failure to write stdout is a failure of the command.
template <class PrintText>
int print_reports(const std::vector<RemoveReport>& reports, bool json, bool diagnosis,
                  PrintText print_text) {
  DataOutput out(stdout);
  int code = exit_success;
  for (const RemoveReport& report : reports) {
    code = worse_exit_code(code, exit_code_for(report));
    if (json)
      out.write_json_line(report_json(report, diagnosis));
    else
      print_text(out, report);
  }
  if (auto written = out.finish(); !written) {
    print_error(written.error());
    return exit_failure;
  }
  return code;
}

// A diagnosis in text; for a tree (-r), each entry that would stay first.
void print_diagnosis(DataOutput& out, const RemoveReport& report) {
  for (const RemoveReport& inner : report.inside) print_diagnosis(out, inner);
  if (report.outcome == RemoveOutcome::removed)
    out.write(fmt::format("'{}': a delete would succeed now\n", printable(report.path)));
  else
    out.write(
        fmt::format("'{}': a delete would fail: {}\n", printable(report.path), reason(report)));
  out.write(report_details(report, stdout));
}

CLI::Option* add_path_arguments(CLI::App* app, std::vector<std::string>& paths) {
  CLI::Option* option = app->add_option("PATH", paths,
                                        "Files (or with -r, directories) to act on; '--' "
                                        "before paths that start with '-'");
  path_value(option, OptionValues::Kind::file);
  return option;
}

// diagnose --deleted: files removed but still open, by process, with sizes.
int print_deleted(const DeletedFileReport& report, bool json) {
  DataOutput out(stdout);
  if (json) {
    nlohmann::ordered_json object;
    nlohmann::ordered_json processes = nlohmann::ordered_json::array();
    for (const DeletedFileHolder& holder : report.processes) {
      nlohmann::ordered_json process = holder_json(holder.process);
      process.erase("how");
      process["bytes"] = holder.bytes;
      nlohmann::ordered_json files = nlohmann::ordered_json::array();
      for (const DeletedFile& file : holder.files) {
        nlohmann::ordered_json entry;
        set_path(entry, "path", file.path);
        entry["size"] = file.size;
        entry["how"] = file.how;
        files.push_back(std::move(entry));
      }
      process["files"] = std::move(files);
      processes.push_back(std::move(process));
    }
    object["deleted_open"] = std::move(processes);
    object["bytes"] = report.bytes;
    object["complete"] = report.complete;
    object["notes"] = report.notes;
    out.write_json_line(object);
  } else {
    for (const DeletedFileHolder& holder : report.processes) {
      out.write(fmt::format("{} keeps {} deleted:\n", holder_label(holder.process, stdout),
                            size_text(holder.bytes)));
      for (const DeletedFile& file : holder.files) {
        std::string how;
        for (const std::string& way : file.how) how += (how.empty() ? "" : ", ") + printable(way);
        out.write(fmt::format("  {} ({}): {}\n", printable(file.path), size_text(file.size), how));
      }
    }
    out.write(fmt::format("{} in files deleted but still open\n", size_text(report.bytes)));
    for (const std::string& note : report.notes)
      out.write("  " + styled(stdout, Style::note, "note:") + " " + printable(note) + "\n");
  }
  if (auto written = out.finish(); !written) {
    print_error(written.error());
    return exit_failure;
  }
  return exit_success;
}

// rm's pair: --preserve-root (the default) and --no-preserve-root; the last one given wins.
void add_preserve_root_flag(CLI::App* app, RemoveOptions& options, const std::string& help) {
  app->add_flag("--preserve-root,!--no-preserve-root", options.preserve_root, help);
}

}  // namespace

CLI::Option* add_wait_option(CLI::App* app, std::string& wait, TerminateFor command) {
  return app
      ->add_option("--wait", wait,
                   command == TerminateFor::cleanup
                       ? "Wait up to DURATION (30s, 2m) for the processes holding stale entries "
                         "to let go, then look at those entries again; report who held them how "
                         "long"
                       : "Wait up to DURATION (30s, 2m) for the processes holding a PATH, or "
                         "anything in a directory, to let go, and report who held it how long")
      ->type_name("DURATION");
}

bool parse_duration_option(const CLI::Option* option, const std::string& text,
                           std::chrono::milliseconds& value) {
  if (!option || option->count() == 0) return true;
  auto parsed = parse_duration(text, ZeroDuration::allowed);
  if (!parsed) {
    print_error(fmt::format("{}: {}", option->get_name(), parsed.error().message));
    return false;
  }
  value = *parsed;
  return true;
}

void add_terminate_options(CLI::App* app, TerminateFlags& flags, TerminateFor command) {
  const bool dry_run = command == TerminateFor::diagnose;
  app->add_flag("--terminate", flags.terminate,
                dry_run ? "Say which processes remove --terminate would end, and which it would "
                          "not, and why (ends nothing)"
                : command == TerminateFor::cleanup
                    ? "End the processes that hold stale entries after any --wait, then look at "
                      "those entries again; never tmpctl, the processes that ran it, the "
                      "system's own or other users'"
                    : "End the processes that hold a PATH (or anything in a directory with -r) "
                      "after any --wait, then remove; never tmpctl, the processes that ran it, "
                      "the system's own or other users'");
  app->add_flag("--terminate-tree", flags.tree,
                "As --terminate, and the processes they started, and those started by them");
  app->add_flag("--all-users", flags.all_users,
                "With --terminate: other users' processes too (root or administrator only)");
  if (dry_run) return;
  flags.grace_option =
      app->add_option("--grace", flags.grace,
                      "With --terminate: how long to wait after SIGTERM before SIGKILL (default "
                      "5s; Windows ends at once, having no polite request)")
          ->type_name("DURATION");
  app->add_flag("-y,--yes", flags.yes,
                "With --terminate: do not ask on a terminal (without a terminal, never asked)");
}

namespace {

// On a terminal, unless --yes: lists whom it would end and asks.
bool confirm_on_terminal(std::span<const Termination> plan) {
  std::string text = "tmpctl: about to end:\n";
  for (const Termination& termination : plan)
    if (termination.outcome == TerminateOutcome::would_end)
      text += "  " + holder_label(termination.process, stderr) +
              (termination.descends_from != 0
                   ? fmt::format(", started by process {}", termination.descends_from)
                   : "") +
              "\n";
  text += "End them? [y/N] ";
  write_diagnostic(text);
  char answer[16] = {};
  if (!std::fgets(answer, sizeof answer, stdin)) return false;
  return answer[0] == 'y' || answer[0] == 'Y';
}

}  // namespace

bool apply_terminate(const TerminateFlags& flags, std::optional<TerminateOptions>& options) {
  if (!flags.terminate && !flags.tree) {
    if (flags.all_users || flags.yes || (flags.grace_option && flags.grace_option->count() > 0)) {
      print_error("--all-users, --grace and --yes go with --terminate or --terminate-tree");
      return false;
    }
    return true;
  }
  TerminateOptions terminate;
  terminate.tree = flags.tree;
  terminate.all_users = flags.all_users;
  if (!parse_duration_option(flags.grace_option, flags.grace, terminate.grace)) return false;
  if (!flags.yes && platform::input_is_terminal()) terminate.confirm = confirm_on_terminal;
  options = std::move(terminate);
  return true;
}

RemoveCommand::RemoveCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(description) + "\n\n" + footer);
  add_path_arguments(app_, paths_)->required();
  app_->add_flag("-r,--recursive", options_.recursive,
                 "Remove directories and their contents (never following links out)");
  add_preserve_root_flag(app_, options_,
                         "Refuse -r on '/' or a drive or volume root, also by another name such "
                         "as '//' or a link (the default); --no-preserve-root allows it");
  app_->add_option("--retry", options_.retry.retries,
                   "Try N more times while the file is in use, waiting 10 ms, 20 ms, ... (max 2 s)")
      ->type_name("N")
      ->check(CLI::Range(0, 100));
  app_->add_flag("--force", options_.force, "Clear a read-only attribute first (Windows)");
  app_->add_flag("--posix-delete", options_.posix_semantics,
                 "Windows 10+: free the name at once even while holders that share delete keep "
                 "the file open (falls back to a classic delete where unsupported)");
  app_->add_flag("--rename-aside", options_.rename_aside,
                 "Windows: rename the file aside before deleting it, so the name is free at once");
  app_->add_flag("--on-reboot", options_.on_reboot,
                 "Windows: if the file is in use, delete it when Windows next starts");
  wait_option_ = add_wait_option(app_, wait_, TerminateFor::remove);
  add_terminate_options(app_, terminate_, TerminateFor::remove);
  app_->add_flag("--no-holders", no_holders_, "Do not look for the processes holding a file");
  app_->add_flag("--json", json_, "Print one JSON object a line, one per PATH");
  app_->add_flag("-v,--verbose", verbose_, "Also print each path removed");
}

int RemoveCommand::run() {
  options_.find_holders = !no_holders_;
  if (!parse_duration_option(wait_option_, wait_, options_.wait) ||
      !apply_terminate(terminate_, options_.terminate))
    return exit_usage;
  if (options_.terminate && !options_.find_holders) {
    print_error("--terminate needs the holders: it cannot go with --no-holders");
    return exit_usage;
  }
  const std::vector<RemoveReport> reports = remove(paths_, options_);
  if (!json_)
    for (const RemoveReport& report : reports) print_terminations(report.terminated);
  return print_reports(reports, json_, false, [&](DataOutput& out, const RemoveReport& report) {
    print_remove_report(report, out, {.list_removed = verbose_});
  });
}

DiagnoseCommand::DiagnoseCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(diagnose_description) + "\n\n" + diagnose_footer);
  add_path_arguments(app_, paths_);
  app_->add_flag("-r,--recursive", options_.recursive, "Judge directories as remove -r would");
  app_->add_flag(
      "--deleted", deleted_,
      "Files removed but still open or mapped (Windows: handles to files whose delete is "
      "pending), with the path each had, its size and who keeps its space: under the "
      "one PATH given, or everywhere");
  add_preserve_root_flag(app_, options_,
                         "Judge -r on '/' or a drive or volume root as remove does: refused "
                         "(the default), or with --no-preserve-root allowed");
  app_->add_flag("--force", options_.force, "Judge as remove --force would");
  wait_option_ = add_wait_option(app_, wait_, TerminateFor::diagnose);
  add_terminate_options(app_, terminate_, TerminateFor::diagnose);
  app_->add_flag("--json", json_, "Print one JSON object a line, one per PATH");
}

int DiagnoseCommand::run() {
  if (deleted_) {
    if (paths_.size() > 1) {
      print_error("--deleted takes at most one PATH, a directory");
      return exit_usage;
    }
    auto report = find_deleted_open_files(paths_.empty() ? std::string() : paths_.front());
    if (!report) {
      print_error(report.error());
      return report.error().kind == ErrorKind::not_found ? exit_not_found : exit_failure;
    }
    return print_deleted(*report, json_);
  }
  if (paths_.empty()) {
    print_error("PATH is required");
    write_diagnostic("tmpctl: run 'tmpctl diagnose --help' for usage\n");
    return exit_usage;
  }
  if (!parse_duration_option(wait_option_, wait_, options_.wait) ||
      !apply_terminate(terminate_, options_.terminate))
    return exit_usage;
  if (options_.terminate) options_.terminate->dry_run = true;
  return print_reports(diagnose(paths_, options_), json_, true, print_diagnosis);
}

}  // namespace tmpctl::cli
