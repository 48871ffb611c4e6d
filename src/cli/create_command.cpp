#include "cli/create_command.hpp"

#include <nlohmann/json.hpp>
#include <tmpctl/records.hpp>
#include <tmpctl/temp_file.hpp>
#include <unordered_set>
#include <vector>

#include "cli/create_options.hpp"
#include "cli/exit_codes.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "core/mktemp_rules.hpp"

namespace tmpctl::cli {
namespace {

constexpr const char* description =
    R"(Create temporary files or directories and print their absolute paths.

Each entry is created exclusively (O_EXCL / CREATE_NEW), owner-only (mode 0600
for files, 0700 for directories) and named with characters from the OS's secure
random generator. Unlike mkstemp, tmpctl closes the file before it exits:
nothing is left open, so the file can be written, renamed or removed at once,
on Windows too.

Takes every GNU mktemp command line, with GNU's meaning (alias
mktemp='tmpctl create'): TEMPLATE alone is a path (in the current directory
unless it has a directory part); with -p DIR, --tmpdir[=DIR] or -t, and with
no TEMPLATE, entries go to DIR or to the temporary directory: $TMPDIR (empty
counts as unset), else /tmp; on Windows GetTempPath2W (%TMP%, %TEMP%, ...).
The printed path is always absolute.)";

constexpr const char* footer =
    R"(In TEMPLATE, the X's that end at its last X (3 or more) become random
characters, e.g. build.XXXXXX.log; what follows is kept as a suffix. The
default is tmp.XXXXXXXXXX (10 random characters).

Examples:
  tmpctl create                           /tmp/tmp.k3J9xQ2vLm
  tmpctl create -d --prefix build.        a private directory: /tmp/build.Qw81...
  tmpctl create -d --tmpdir build.XXXXXX  the same, as mktemp spells it
  tmpctl create report.XXXXXX.csv         ./report.<6 random>.csv
  tmpctl create -n 3 --json               three files, one JSON object a line
  tmp=$(tmpctl create) && trap 'rm -f -- "$tmp"' EXIT
  tmp=$(tmpctl create --ttl 2h --tag ci)  found later by 'tmpctl list', removed by
                                          'tmpctl cleanup --expired', '--tag ci'
                                          or '--orphaned' once this script is gone

Output: one absolute path a line (-0: a NUL after each), or with --json one
object a line: {"path": "...", "kind": "file" or "directory", "created": bool}
(a path that is not valid UTF-8 also gets its exact bytes in "path_base64");
with a lifetime also "record", "expires" and "tag".

Lifetimes: --ttl, --tag or --owner also record each entry in the record store
(path, kind, times, tag, owner and identity; see 'tmpctl list --help'). The
owner is the process that ran tmpctl (the script), with its start time.
If the paths cannot be written (disk full, closed pipe), what was created is
removed again.

Exit status:
  0  everything asked for was created and printed
  1  the OS refused (missing or unwritable directory, disk full, output not
     written, record store unsafe or not writable): the message names the
     path and the error number; nothing is left behind
  2  invalid options, TEMPLATE, prefix, suffix, --ttl, --tag or --owner:
     nothing was created)";

int exit_code_for(const Error& error) {
  return error.kind == ErrorKind::invalid_argument ? exit_usage : exit_failure;
}

}  // namespace

CreateCommand::CreateCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  // CLI11 lists a command's description in the parent's help: keep that to
  // one line and put the long text with the command's own help.
  app_->footer(std::string(description) + "\n\n" + footer);
  auto* name_template =
      app_->add_option("TEMPLATE", create_.name_template,
                       "Name template, e.g. build.XXXXXX.log, in the current directory unless "
                       "-p, --tmpdir or -t is given");
  path_value(name_template, OptionValues::Kind::file);
  create_.template_option = name_template;
  auto* prefix = add_create_options(*app_, create_, "Create directories instead of files",
                                    DirectoryOptions::mktemp);
  app_->add_option("-n,--count", count_, "Create N entries in one go (all or none)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, max_create_count));
  auto* json = app_->add_flag("--json", json_, "Print one JSON object a line");
  app_->add_flag("-0,--null", null_, "End each path with NUL instead of a newline")->excludes(json);
  app_->add_flag("-q,--quiet", quiet_, "Print no message when creation fails");
  auto* dry_run =
      app_->add_flag("-u,--dry-run", dry_run_,
                     "Only print a name that is free now; UNSAFE: another process may take it");
  prefix->excludes(app_->get_option("TEMPLATE"));
  lifetime_.add_to(*app_, {dry_run});
}

CreateArgs CreateCommand::args() const {
  CreateArgs args;
  args.directory = create_.directory;
  if (create_.template_option->count() > 0) args.name_template = create_.name_template;
  if (create_.prefix_option->count() > 0) args.prefix = create_.prefix;
  if (create_.suffix_option->count() > 0) args.suffix = create_.suffix;
  args.dir = create_.last_directory(*app_);
  args.single_name = create_.single_name;
  args.count = count_;
  args.json = json_;
  args.null = null_;
  args.quiet = quiet_;
  args.dry_run = dry_run_;
  return args;
}

int run_create(const CreateArgs& args, const LifetimeOptions* lifetime_options) {
  // -q silences failures to create, never a usage error (as GNU mktemp).
  auto fail = [&](const Error& error) {
    if (!args.quiet || error.kind == ErrorKind::invalid_argument) print_error(error);
    return exit_code_for(error);
  };
  // With a lifetime, each entry is recorded before its path is printed: a
  // path a script was given always has its record.
  std::optional<Lifetime> lifetime;
  std::optional<RecordStore> store;
  if (lifetime_options != nullptr && lifetime_options->requested()) {
    auto wanted = lifetime_options->lifetime();
    if (!wanted) {
      print_error(wanted.error());
      return exit_usage;
    }
    lifetime = std::move(*wanted);
  }
  CreateOptions base;
  base.prefix = args.prefix;
  auto resolved = core::mktemp_options({.name_template = args.name_template,
                                        .suffix = args.suffix,
                                        .directory = args.dir,
                                        .single_name = args.single_name},
                                       std::move(base));
  if (!resolved) return fail(resolved.error());
  const CreateOptions& options = *resolved;
  const std::string_view kind =
      to_string(args.directory ? RecordKind::directory : RecordKind::file);

  DataOutput out(stdout);
  auto print_path = [&](const std::string& path, const Record* record) {
    if (args.json) {
      nlohmann::ordered_json object;
      set_path(object, "path", path);
      object["kind"] = kind;
      object["created"] = !args.dry_run;
      if (record != nullptr) {
        object["record"] = record->id;
        object["expires"] = record->expires ? nlohmann::ordered_json(utc_text(*record->expires))
                                            : nlohmann::ordered_json();
        object["tag"] =
            record->tag.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(record->tag);
      }
      out.write_json_line(object);
    } else {
      out.write(path);
      out.write(args.null ? std::string_view("\0", 1) : std::string_view("\n"));
    }
  };

  if (args.dry_run) {
    // Nothing is created, so only this set keeps the names apart.
    std::unordered_set<std::string> printed;
    for (std::size_t i = 0; i < args.count; ++i) {
      std::expected<std::string, Error> name;
      for (int draw = 0; draw < max_create_attempts; ++draw) {
        name = unused_name(options);
        if (!name || !printed.contains(*name)) break;
      }
      if (!name) return fail(name.error());
      if (printed.contains(*name))
        return fail(Error::invalid(ErrorKind::too_many_attempts, "pick a name in",
                                   options.directory,
                                   "no more distinct free names for this template"));
      printed.insert(*name);
      print_path(*name, nullptr);
    }
    if (auto written = out.finish(); !written) return fail(written.error());
    return exit_success;
  }

  // All or nothing: entries made so far are discarded (by their destructors)
  // if a later one fails or the paths cannot be printed.
  auto create_all = [&]<class Entry>(std::vector<Entry>& created) -> int {
    created.reserve(args.count);
    for (std::size_t i = 0; i < args.count; ++i) {
      auto entry = Entry::create(options);
      if (!entry) return fail(entry.error());
      if constexpr (std::is_same_v<Entry, TempFile>) {
        if (auto closed = entry->close(); !closed) return fail(closed.error());
      }
      created.push_back(std::move(*entry));
    }
    std::vector<Record> records;
    // Records of entries that are discarded again go too.
    const auto forget_all = [&] {
      for (const Record& record : records) (void)store->forget(record.id);
    };
    if (lifetime) {
      auto opened = RecordStore::open({}, true);
      if (!opened) return fail(opened.error());
      store = std::move(*opened);
      for (const Entry& entry : created) {
        auto record = store->add(
            entry.path(), args.directory ? RecordKind::directory : RecordKind::file, *lifetime);
        if (!record) {
          forget_all();
          return fail(record.error());
        }
        records.push_back(std::move(*record));
      }
    }
    for (std::size_t i = 0; i < created.size(); ++i)
      print_path(created[i].path(), records.empty() ? nullptr : &records[i]);
    if (auto written = out.finish(); !written) {
      forget_all();
      return fail(written.error());
    }
    for (Entry& entry : created) (void)entry.keep();
    return exit_success;
  };
  if (args.directory) {
    std::vector<TempDirectory> created;
    return create_all(created);
  }
  std::vector<TempFile> created;
  return create_all(created);
}

}  // namespace tmpctl::cli
