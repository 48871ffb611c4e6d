#include "cli/list_command.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <tmpctl/records.hpp>

#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/report_output.hpp"

namespace tmpctl::cli {
namespace {

constexpr const char* description =
    R"(List the entries tmpctl created with --ttl, --tag or --owner that still exist.

For each: its age, when it expires, its tag, whether its owner (the script
that ran 'tmpctl create', or --owner) still runs, and whether a process holds
it open now, with the holders. An entry counts as existing only while its path
names the very file or directory that was created (same device and inode;
on Windows volume and file id): a path since replaced by another file is
listed only with --all, as "replaced".

Records live in the record store, one small file each, beside the user's
temporary files: $TMPDIR/tmpctl-records-<uid> (/tmp/... without TMPDIR); on
Windows %TEMP%\tmpctl-records. TMPCTL_RECORDS names another directory.)";

constexpr const char* footer = R"(Examples:
  tmpctl list
  tmpctl list --tag ci-1234 --json | jq -r .path
  tmpctl list --orphaned                  what finished or crashed scripts left

Output: a table (AGE, EXPIRES, TAG, OWNER, IN USE, PATH), or with --json one
object a line: {"path", "kind", "state": "present" (with --all also "gone",
"replaced" or "unknown"), "created", "age_seconds", "expires" (or null),
"expired", "tag" (or null), "owner": {"pid", "state": "alive", "gone" or
"unknown"}, "in_use", "holders": [...], "record"}. A record file that cannot be
read is named on stderr with the reason; the others are still listed.

Exit status:
  0  listed (an empty store lists nothing)
  1  some record files could not be read (each is named), the store is not
     safe to use (a link, another user's, open to others), or the list could
     not be written)";

std::string owner_text(const Record& record, ProcessState state) {
  if (record.owner.pid == 0) return "gone";
  return fmt::format("{} {}", record.owner.pid,
                     state == ProcessState::alive  ? "running"
                     : state == ProcessState::gone ? "exited"
                                                   : "unknown");
}

std::string expires_text(const Record& record, std::chrono::system_clock::time_point now) {
  if (!record.expires) return "never";
  if (*record.expires <= now) return "expired";
  return "in " + duration_text(*record.expires - now);
}

// A record "created" in the future (a clock set back since, or a record
// written by hand) is 0 seconds old, in the text and the JSON alike.
long long age_seconds(const Record& record, std::chrono::system_clock::time_point now) {
  return std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::seconds>(now - record.created).count());
}

std::string in_use_text(const RecordStatus& status) {
  if (!status.in_use) return "no";
  if (status.holders.empty()) return "yes";
  std::string pids;
  for (const Holder& holder : status.holders)
    pids += fmt::format("{}{}", pids.empty() ? "" : ",", holder.pid);
  return "pid " + pids;
}

nlohmann::ordered_json record_json(const Record& record, const RecordStatus& status,
                                   std::chrono::system_clock::time_point now) {
  nlohmann::ordered_json object;
  set_path(object, "path", record.path);
  object["kind"] = to_string(record.kind);
  object["state"] = to_string(status.presence);
  object["created"] = utc_text(record.created);
  object["age_seconds"] = age_seconds(record, now);
  object["expires"] =
      record.expires ? nlohmann::ordered_json(utc_text(*record.expires)) : nlohmann::ordered_json();
  object["expired"] = status.expired;
  object["tag"] =
      record.tag.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(record.tag);
  object["owner"] = {{"pid", record.owner.pid}, {"state", to_string(status.owner)}};
  object["in_use"] = status.in_use;
  object["holders"] = holders_json(status.holders);
  object["record"] = record.id;
  return object;
}

}  // namespace

ListCommand::ListCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(description) + "\n\n" + footer);
  selectors_.add_to(*app_, "list");
  app_->add_flag("-a,--all", all_,
                 "Also list records whose path is gone or now names another entry");
  app_->add_flag("--json", json_, "Print one JSON object a line");
}

int ListCommand::run() {
  auto store = RecordStore::open();
  if (!store) {
    print_error(store.error());
    return exit_failure;
  }
  auto set = store->read_all();
  if (!set) {
    print_error(set.error());
    return exit_failure;
  }
  const auto now = std::chrono::system_clock::now();
  auto report = inspect(set->records, now);
  if (!report) {
    print_error(report.error());
    return exit_failure;
  }
  RecordFilter filter = selectors_.filter();
  filter.now = now;

  DataOutput out(stdout);
  bool header = !json_;
  for (std::size_t i = 0; i < set->records.size(); ++i) {
    const Record& record = set->records[i];
    const RecordStatus& status = report->statuses[i];
    if (!all_ && status.presence != RecordStatus::Presence::present) continue;
    if (!selects(filter, record, status.owner)) continue;
    if (json_) {
      out.write_json_line(record_json(record, status, now));
      continue;
    }
    if (header) {
      out.write(fmt::format("{:<7} {:<11} {:<12} {:<14} {:<10} {}\n", "AGE", "EXPIRES", "TAG",
                            "OWNER", "IN USE", "PATH"));
      header = false;
    }
    std::string path = printable(record.path);
    if (status.presence != RecordStatus::Presence::present)
      path += fmt::format(" ({})", to_string(status.presence));
    out.write(fmt::format("{:<7} {:<11} {:<12} {:<14} {:<10} {}\n",
                          duration_text(std::chrono::seconds(age_seconds(record, now))),
                          expires_text(record, now),
                          record.tag.empty() ? "-" : printable(record.tag),
                          owner_text(record, status.owner), in_use_text(status), path));
  }
  for (const BadRecord& bad : set->bad) print_error(bad.error);
  for (const std::string& note : report->notes)
    print_status(styled(stderr, Style::note, "note:") + " " + printable(note));
  if (auto written = out.finish(); !written) {
    print_error(written.error());
    return exit_failure;
  }
  return set->bad.empty() ? exit_success : exit_failure;
}

}  // namespace tmpctl::cli
