#include "cli/run_command.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tmpctl/cleanup.hpp>
#include <tmpctl/remove.hpp>
#include <tmpctl/temp_file.hpp>

#include "cli/create_options.hpp"
#include "cli/exit_codes.hpp"
#include "cli/isolation.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "cli/remove_command.hpp"
#include "cli/report_output.hpp"
#include "platform/console.hpp"
#include "platform/process.hpp"
#include "platform/process_tree.hpp"

namespace tmpctl::cli {
namespace {

constexpr const char* path_variable = "TMPCTL_PATH";

constexpr const char* description =
    R"(Run a command with a temporary file, and remove the file when the command ends.

tmpctl creates a temporary file (with -d a directory) as 'tmpctl create'
does, runs COMMAND with its path in the environment variable TMPCTL_PATH and
in place of every {} in ARGS, and removes it when COMMAND ends, whatever its
exit status; a directory goes with all it contains, never following links
out of it. COMMAND runs directly, never through a shell, with tmpctl's
standard streams; tmpctl itself writes only to stderr, and only about
problems.

Interruptions go to COMMAND, and tmpctl removes the temp file after it has
ended: a SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 or SIGUSR2 sent to tmpctl
is passed on (Ctrl-C on a terminal reaches COMMAND by itself); on Windows
Ctrl-C and Ctrl-Break reach COMMAND on the console, and closing the console
gives COMMAND 3 s to end before tmpctl ends it and cleans up. On Windows a
batch file (.bat, .cmd) is refused: run 'cmd /c' explicitly.

With --isolate, COMMAND gets a private temp directory (TMPDIR, TMP and TEMP
point at it, as TMPCTL_PATH does) and runs in a process tree tmpctl knows
completely: on Linux as a child subreaper (without a terminal, COMMAND in
a process group of its own; a cgroup v2 directory of its own where the user
may make one), on Windows in a Job Object. When COMMAND exits, tmpctl
reports the processes of the tree still running, with the temp files they
hold, and ends them (SIGTERM, --grace, SIGKILL; Windows: TerminateProcess);
then what the tree left in the temp directory, by top-level entry with
sizes, and removes it all. Nothing outside the tree is ever ended.)";

constexpr const char* footer = R"(Examples:
  tmpctl run -- ./test-suite --database {}      a scratch database, gone afterwards
  tmpctl run -d -- make DESTDIR={} install      a private directory for one command
  tmpctl run --suffix .json -- ./gen --out={}   {} inside an argument is replaced too
  tmpctl run -- sh -c 'sort data.csv > "$TMPCTL_PATH" && diff -u "$TMPCTL_PATH" expected.csv'
  tmpctl run --isolate -- make check            a CI step: its temp files and daemons go
  tmpctl run --isolate --fail-on-leak --json -- sh -c './tests >&2' > report.json

If the temp file cannot be removed (on Windows: COMMAND left a process
behind that holds it), tmpctl prints why, as 'tmpctl remove' does, with the
processes holding it, and exits with 124; with --keep-on-failure it warns,
leaves the file and exits with COMMAND's status. On Linux a file still open
is removed anyway, and a warning names the process that keeps its space.

Exit status:
  COMMAND's own; on POSIX, when a signal ended COMMAND, tmpctl ends by that
  same signal after removing the temp file (128 + N for those that dump core)
  122  --fail-on-leak: COMMAND exited 0, but its tree left entries in its
       temp directory (removed all the same)
  123  --fail-on-leak: COMMAND exited 0, but processes of its tree were
       still running (ended, unless --keep-running)
  124  COMMAND ran, but its temp file could not be removed (not with
       --keep-on-failure); the message gives COMMAND's own status
  125  tmpctl failed before running COMMAND: invalid usage, or the temp file
       could not be created
  126  COMMAND was found but cannot be run (permissions, not a program)
  127  COMMAND was not found)";

// COMMAND with every "{}" in its arguments (not in the program's name)
// replaced by `path`, anywhere in an argument, as GNU find -exec does.
std::vector<std::string> with_path(std::vector<std::string> command, const std::string& path) {
  for (std::size_t i = 1; i < command.size(); ++i) {
    std::string& argument = command[i];
    for (std::size_t at = argument.find("{}"); at != std::string::npos;
         at = argument.find("{}", at + path.size()))
      argument.replace(at, 2, path);
  }
  return command;
}

// "exited with status 3", "was ended by signal 15 (SIGTERM)"; on Windows an
// NTSTATUS in hexadecimal: "exited with status 0xC000013A".
std::string how_it_ended(const platform::CommandExit& ended) {
  if (ended.signal != 0) {
    const std::string_view name = platform::signal_name(ended.signal);
    return fmt::format("was ended by signal {}{}", ended.signal,
                       name.empty() ? "" : fmt::format(" ({})", name));
  }
  if (ended.code >= 0 && ended.code <= 255) return fmt::format("exited with status {}", ended.code);
  return fmt::format("exited with status 0x{:08X}", static_cast<std::uint32_t>(ended.code));
}

// Whether the temp path is gone, or going: nothing was left to clean up.
bool cleaned_up(const RemoveReport& report) {
  switch (report.outcome) {
    case RemoveOutcome::removed:
    case RemoveOutcome::not_found:
      return true;  // COMMAND removed it itself
    // Windows: marked for deletion, the name goes when the last holder closes.
    case RemoveOutcome::delete_pending: return !report.error;
    default: return false;
  }
}

// run --isolate --json: the report, after COMMAND's own output.
void print_run_json(const IsolationReport& isolated, const platform::CommandExit& ended,
                    const std::string& path, bool removed, int code) {
  nlohmann::ordered_json object;
  set_path(object, "temp_directory", path);
  object["exit_code"] = code;
  // null when COMMAND never ran (not found, interrupted first).
  object["command_status"] = ended.started ? nlohmann::ordered_json(ended.code) : nullptr;
  object["command_signal"] = ended.started ? nlohmann::ordered_json(ended.signal) : nullptr;
  const nlohmann::ordered_json report = isolation_json(isolated);
  for (const auto& [key, value] : report.items()) object[key] = value;
  object["removed"] = removed;
  DataOutput out(stdout);
  out.write_json_line(object);
  if (auto finished = out.finish(); !finished) print_error(finished.error());
}

}  // namespace

RunCommand::RunCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(description) + "\n\n" + footer);
  // Everything from COMMAND on is COMMAND's, options included, as with env
  // and nice; '--' before COMMAND is optional.
  app_->positionals_at_end();
  path_value(app_->add_option("COMMAND", command_,
                              "The program to run, then its arguments (ARGS); put '--' before "
                              "it when it starts with '-'")
                 ->required(),
             OptionValues::Kind::file);
  auto* prefix = add_create_options(*app_, create_,
                                    "Create a directory instead of a file (removed with all it "
                                    "contains)",
                                    DirectoryOptions::tmpctl);
  path_value(
      app_->add_option("--template", create_.name_template,
                       "Name template, e.g. build.XXXXXX.log, in the temporary directory unless it "
                       "has a directory part")
          ->type_name("TEMPLATE"),
      OptionValues::Kind::file);
  app_->add_flag("--keep-on-failure", keep_on_failure_,
                 "If the temp file cannot be removed, warn, leave it, and exit with COMMAND's "
                 "status instead of 124");
  app_->add_flag("--no-holders", no_holders_,
                 "Do not look for the processes holding a temp file that cannot be removed");
  prefix->excludes(app_->get_option("--template"));
  auto* isolate = app_->add_flag(
      "--isolate", isolate_,
      "A private temp directory (TMPDIR, TMP, TEMP) and a contained process tree for COMMAND; "
      "report and end what it leaves running, report and remove what it leaves (implies -d)");
  app_->add_flag("--keep-running", keep_running_,
                 "With --isolate: leave the processes COMMAND left running, and the temp "
                 "directory they may use")
      ->needs(isolate);
  app_->add_flag("--fail-on-leak", fail_on_leak_,
                 "With --isolate: exit with 123 (processes left) or 122 (files left) when "
                 "COMMAND exited 0 but its tree left something")
      ->needs(isolate);
  grace_option_ = app_->add_option("--grace", grace_,
                                   "With --isolate: how long the processes left get after SIGTERM "
                                   "before SIGKILL (default 5s; Windows ends at once)")
                      ->type_name("DURATION")
                      ->needs(isolate);
  app_->add_flag("--json", json_,
                 "With --isolate: after COMMAND, print the report as one JSON object on stdout")
      ->needs(isolate);
  lifetime_.add_to(*app_, {}, false);
}

std::expected<std::string, Error> RunCommand::create_temp_path() const {
  const CreateOptions options = create_.options();
  if (create_.directory) {
    auto directory = TempDirectory::create(options);
    if (!directory) return std::unexpected(directory.error());
    directory->keep();
    return directory->path();
  }
  auto file = TempFile::create(options);
  if (!file) return std::unexpected(file.error());
  // Closed before COMMAND starts: no handle of tmpctl's can stand in the way
  // of what COMMAND does with the file. Still owned (and so discarded) if
  // closing fails.
  if (auto closed = file->close(); !closed) return std::unexpected(closed.error());
  if (auto kept = file->keep(); !kept) return std::unexpected(kept.error());
  return file->path();
}

std::expected<void, Error> RunCommand::record_created(const std::string& path,
                                                      const Lifetime& lifetime) {
  auto store = RecordStore::open({}, true);
  if (!store) return std::unexpected(store.error());
  auto record =
      store->add(path, create_.directory ? RecordKind::directory : RecordKind::file, lifetime);
  if (!record) return std::unexpected(record.error());
  store_ = std::move(*store);
  record_ = std::move(*record);
  lifetime_values_ = lifetime;
  return {};
}

void RunCommand::record_again(const std::string& path, const ProcessRef& owner) {
  if (!store_ || !record_) return;
  Lifetime lifetime = lifetime_values_;
  lifetime.owner = owner;
  auto again = store_->add(path, record_->kind, lifetime);
  if (!again) return;
  (void)store_->forget(record_->id);
  record_ = std::move(*again);
}

void RunCommand::record_removed() {
  if (store_ && record_) (void)store_->forget(record_->id);
}

int RunCommand::run() {
  // First, so that no interruption can end tmpctl between creating the temp
  // path and removing it.
  platform::pass_interrupts_to_command();
  auto wanted = lifetime_.lifetime();
  if (!wanted) {
    print_error(wanted.error());
    platform::command_cleanup_done();
    return exit_run_failed;
  }
  Lifetime lifetime = std::move(*wanted);
  lifetime.owner = current_process();
  IsolationSettings isolation;
  isolation.keep_running = keep_running_;
  if (isolate_) {
    create_.directory = true;
    if (!parse_duration_option(grace_option_, grace_, isolation.grace)) {
      platform::command_cleanup_done();
      return exit_run_failed;
    }
  }
  auto created = create_temp_path();
  if (!created) {
    print_error(created.error());
    platform::command_cleanup_done();
    return exit_run_failed;
  }
  const std::string& path = *created;
  if (auto recorded = record_created(path, lifetime); !recorded) {
    // Asked for (--ttl, --tag): no run without it. Otherwise the record is
    // only a safety net for a tmpctl killed before it could clean up.
    if (lifetime_.requested()) {
      print_error(recorded.error());
      (void)remove(std::span<const std::string>(&path, 1),
                   {.recursive = true, .find_holders = false});
      platform::command_cleanup_done();
      return exit_run_failed;
    }
    print_warning(
        fmt::format("the temp path is not recorded ({}); if tmpctl is killed, "
                    "'cleanup --orphaned' will not find it",
                    printable(recorded.error())));
  }

  std::optional<platform::ProcessTree> tree;
  if (isolate_) {
    auto made = platform::ProcessTree::create({.end_with_tmpctl = !keep_running_});
    if (!made) {
      print_error(made.error());
      (void)remove(std::span<const std::string>(&path, 1),
                   {.recursive = true, .force = true, .find_holders = false});
      record_removed();
      platform::command_cleanup_done();
      return exit_run_failed;
    }
    tree = std::move(*made);
  }
  std::vector<platform::EnvironmentSetting> environment{{path_variable, path}};
  if (isolate_)
    for (const char* variable : {"TMPDIR", "TMP", "TEMP"}) environment.push_back({variable, path});
  const auto ended = platform::run_command(
      with_path(command_, path), environment,
      [&](std::uint32_t pid) {
        record_again(path, process_with_pid(pid).value_or(ProcessRef{pid, 0}));
      },
      tree ? &*tree : nullptr);
  if (!ended) print_error(ended.error().error);

  std::optional<IsolationReport> isolated;
  if (tree && ended && ended->started) isolated = finish_tree(*tree, path, isolation);
  if (isolated && isolated->kept_running) {
    // The directory stays for them, recorded as the first one's: cleanup
    // --orphaned removes it once that one has ended (never what is in use).
    if (!isolated->left.empty()) {
      const Holder& first = isolated->left.front().process;
      record_again(path, ProcessRef{first.pid, first.start_time});
    }
    const bool fail = fail_on_leak_ && ended->code == 0 && ended->signal == 0;
    print_isolation_report(*isolated, command_.front(), path, false, fail);
    print_warning(
        fmt::format("the temp directory '{}' is left for them (--keep-running)", printable(path)));
    const int code = fail ? exit_left_processes : ended->code;
    if (json_) print_run_json(*isolated, *ended, path, false, code);
    platform::command_cleanup_done();
    tree.reset();  // its cgroup goes before any end_by_signal
    if (ended->signal != 0) platform::end_by_signal(ended->signal);
    return code;
  }

  // Recursive whatever was created: COMMAND may have made a directory of the
  // name. Links in it are removed, never followed.
  // --force: the path is tmpctl's own, read-only files in it (git objects) included.
  const RemoveOptions options{.recursive = true, .force = true, .find_holders = !no_holders_};
  const RemoveReport report = remove(std::span<const std::string>(&path, 1), options).front();
  const bool removed = cleaned_up(report);
  if (removed)
    record_removed();
  else if (record_)  // a leftover for 'cleanup --orphaned', as it is now
    record_again(path, record_->owner);
  const bool succeeded = ended && ended->started && ended->code == 0 && ended->signal == 0;
  if (isolated)
    print_isolation_report(*isolated, command_.front(), path, removed, fail_on_leak_ && succeeded);
  DataOutput no_stdout(stdout);  // COMMAND's; the report writes to it only for remove -v
  if (report.outcome != RemoveOutcome::not_found)  // COMMAND removed it: nothing to say
    print_remove_report(report, no_stdout, {.refusal_is_warning = keep_on_failure_});

  int code = exit_success;
  if (!ended) {
    switch (ended.error().failure) {
      case platform::StartFailure::not_found: code = exit_command_not_found; break;
      case platform::StartFailure::not_runnable: code = exit_cannot_run; break;
      case platform::StartFailure::failed: code = exit_run_failed; break;
    }
  } else if (!ended->started) {
    print_error(fmt::format("interrupted before '{}' started", printable(command_.front())));
    code = 128 + ended->signal;
  } else {
    const std::string kind = create_.directory ? "directory" : "file";
    if (!removed && keep_on_failure_) {
      print_warning(fmt::format("'{}' {}; its temp {} is left behind (--keep-on-failure)",
                                printable(command_.front()), how_it_ended(*ended), kind));
    } else if (!removed) {
      print_error(fmt::format("'{}' {}, but its temp {} is left behind: exit status {}",
                              printable(command_.front()), how_it_ended(*ended), kind,
                              int{exit_left_behind}));
    }
    code = !removed && !keep_on_failure_ ? exit_left_behind : ended->code;
    if (isolated && fail_on_leak_ && succeeded && code == exit_success) {
      // A tree that could not be listed or ended: nothing shows it left nothing.
      if (!isolated->left.empty() || isolated->error)
        code = exit_left_processes;
      else if (isolated->leaked && !isolated->leaked->entries.empty())
        code = exit_leaked_files;
    }
  }
  if (json_) {
    // COMMAND never ran: the report says so, with tmpctl's exit status.
    IsolationReport none;
    if (!isolated) {
      none.mechanism = tree ? tree->mechanism() : "";
      none.error = !ended ? ended.error().error
                          : Error::invalid(ErrorKind::other, "run", command_.front(),
                                           "interrupted before it started");
    }
    print_run_json(isolated ? *isolated : none,
                   ended ? *ended : platform::CommandExit{.code = code, .started = false}, path,
                   removed, code);
  }
  tree.reset();  // its cgroup goes before any end_by_signal
  platform::command_cleanup_done();
  // A command ended by a signal: end the same way, so that a shell sees it
  // (bash stops a script on a child's SIGINT). Returns for signals that dump core.
  if (ended && ended->signal != 0 && code != exit_left_behind)
    platform::end_by_signal(ended->signal);
  return code;
}

}  // namespace tmpctl::cli
