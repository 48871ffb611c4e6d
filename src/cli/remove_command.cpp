#include "cli/remove_command.hpp"

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "cli/report_output.hpp"

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
systems and mount points.)";

constexpr const char* diagnose_footer = R"(Examples:
  tmpctl diagnose /tmp/report.csv
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

void add_path_arguments(CLI::App* app, std::vector<std::string>& paths) {
  path_value(app->add_option("PATH", paths,
                             "Files (or with -r, directories) to act on; '--' "
                             "before paths that start with '-'")
                 ->required(),
             OptionValues::Kind::file);
}

// rm's pair: --preserve-root (the default) and --no-preserve-root; the last one given wins.
void add_preserve_root_flag(CLI::App* app, RemoveOptions& options, const std::string& help) {
  app->add_flag("--preserve-root,!--no-preserve-root", options.preserve_root, help);
}

}  // namespace

RemoveCommand::RemoveCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(description) + "\n\n" + footer);
  add_path_arguments(app_, paths_);
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
  app_->add_flag("--no-holders", no_holders_, "Do not look for the processes holding a file");
  app_->add_flag("--json", json_, "Print one JSON object a line, one per PATH");
  app_->add_flag("-v,--verbose", verbose_, "Also print each path removed");
}

int RemoveCommand::run() {
  options_.find_holders = !no_holders_;
  return print_reports(remove(paths_, options_), json_, false,
                       [&](DataOutput& out, const RemoveReport& report) {
                         print_remove_report(report, out, {.list_removed = verbose_});
                       });
}

DiagnoseCommand::DiagnoseCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(diagnose_description) + "\n\n" + diagnose_footer);
  add_path_arguments(app_, paths_);
  app_->add_flag("-r,--recursive", options_.recursive, "Judge directories as remove -r would");
  add_preserve_root_flag(app_, options_,
                         "Judge -r on '/' or a drive or volume root as remove does: refused "
                         "(the default), or with --no-preserve-root allowed");
  app_->add_flag("--force", options_.force, "Judge as remove --force would");
  app_->add_flag("--json", json_, "Print one JSON object a line, one per PATH");
}

int DiagnoseCommand::run() {
  return print_reports(diagnose(paths_, options_), json_, true, print_diagnosis);
}

}  // namespace tmpctl::cli
