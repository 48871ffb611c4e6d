#include "cli/report_output.hpp"

#include <fmt/format.h>

#include "cli/exit_codes.hpp"
#include "cli/remedy_text.hpp"

namespace tmpctl::cli {

nlohmann::ordered_json error_json(const Error& error) {
  nlohmann::ordered_json object;
  object["kind"] = to_string(error.kind);
  object["domain"] = to_string(error.domain);
  object["code"] = error.native_code;
  object["name"] = native_error_name(error);
  object["message"] = error.message;
  object["text"] = to_string(error);
  return object;
}

nlohmann::ordered_json holders_json(const std::vector<Holder>& holders) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Holder& holder : holders) {
    nlohmann::ordered_json entry;
    entry["pid"] = holder.pid;
    entry["name"] = holder.name;
    entry["start_time"] = holder.start_time;
    entry["self"] = holder.is_self;
    entry["how"] = holder.how;
    list.push_back(std::move(entry));
  }
  return list;
}

std::string holder_lines(const std::vector<Holder>& holders, std::FILE* stream) {
  std::string text;
  for (const Holder& holder : holders) {
    std::string how;
    for (const std::string& way : holder.how) how += (how.empty() ? ": " : ", ") + printable(way);
    // A process names itself (prctl(PR_SET_NAME), its executable's name):
    // never a terminal's escape sequence.
    const std::string process = fmt::format(
        "process {}{}", holder.pid, holder.name.empty() ? "" : " (" + printable(holder.name) + ")");
    text += fmt::format("  held by {}{}{}\n", styled(stream, Style::holder, process),
                        holder.is_self ? " [this process]" : "", how);
  }
  return text;
}

int exit_code_for(RemoveOutcome outcome, RemoveCause cause) {
  // Refused by its spelling or as the root: a usage error, as rm's.
  if (cause == RemoveCause::protected_root || cause == RemoveCause::dot_or_dotdot)
    return exit_usage;
  switch (outcome) {
    case RemoveOutcome::removed:
    case RemoveOutcome::scheduled: return exit_success;
    case RemoveOutcome::delete_pending:
    case RemoveOutcome::in_use: return exit_in_use;
    case RemoveOutcome::not_found: return exit_not_found;
    case RemoveOutcome::read_only:
    case RemoveOutcome::access_denied: return exit_denied;
    case RemoveOutcome::is_a_directory:
    case RemoveOutcome::not_empty:
    case RemoveOutcome::invalid:
    case RemoveOutcome::failed: return exit_failure;
  }
  return exit_failure;
}

int exit_code_for(const RemoveReport& report) {
  if (report.inside.empty()) return exit_code_for(report.outcome, report.cause);
  int code = exit_success;
  for (const RemoveReport& inner : report.inside)
    code = worse_exit_code(code, exit_code_for(inner));
  return code;
}

nlohmann::ordered_json report_json(const RemoveReport& report, bool diagnosis) {
  nlohmann::ordered_json object;
  set_path(object, "path", report.path);
  if (diagnosis) object["would_succeed"] = report.outcome == RemoveOutcome::removed;
  object["outcome"] = to_string(report.outcome);
  object["cause"] = to_string(report.cause);
  object["error"] = report.error ? error_json(*report.error) : nlohmann::ordered_json();
  object["holders"] = holders_json(report.holders);
  object["holders_complete"] = report.holders_complete;
  object["hints"] = hint_texts(report);
  nlohmann::ordered_json remedies = nlohmann::ordered_json::array();
  for (const Remedy& remedy : report.remedies) remedies.push_back(to_string(remedy.kind));
  object["remedies"] = std::move(remedies);
  object["notes"] = report.notes;
  object["attempts"] = report.attempts;
  nlohmann::ordered_json inside = nlohmann::ordered_json::array();
  for (const RemoveReport& inner : report.inside) {
    nlohmann::ordered_json entry = report_json(inner, diagnosis);
    entry.erase("attempts");
    entry.erase("inside");
    inside.push_back(std::move(entry));
  }
  object["inside"] = std::move(inside);
  return object;
}

std::string report_details(const RemoveReport& report, std::FILE* stream) {
  std::string text = holder_lines(report.holders, stream);
  for (const std::string& note : report.notes)
    text += "  " + styled(stream, Style::note, "note:") + " " + printable(note) + "\n";
  for (const std::string& hint : hint_texts(report))
    text += "  " + styled(stream, Style::hint, "hint:") + " " + printable(hint) + "\n";
  return text;
}

void print_remove_report(const RemoveReport& report, DataOutput& out, RemoveReportText text) {
  for (const RemoveReport& inner : report.inside) print_remove_report(inner, out, text);
  const std::string details = report_details(report, stderr);
  const std::string indented = details.empty() ? "" : "\n" + details.substr(0, details.size() - 1);
  switch (report.outcome) {
    case RemoveOutcome::removed:
      if (text.list_removed) {
        out.write(fmt::format("removed '{}'\n", printable(report.path)));
        for (const std::string& note : report.notes)
          out.write("  " + styled(stdout, Style::note, "note:") + " " + printable(note) + "\n");
      }
      if (!report.holders.empty())
        print_warning(
            fmt::format("removed '{}', but it is still open:{}", printable(report.path), indented));
      break;
    case RemoveOutcome::scheduled:
      out.write(
          fmt::format("scheduled '{}' for deletion at the next restart\n", printable(report.path)));
      break;
    case RemoveOutcome::delete_pending:
      if (!report.error) {
        print_warning(
            fmt::format("'{}' is marked for deletion, but other handles keep the name "
                        "until they close{}",
                        printable(report.path), indented));
        break;
      }
      [[fallthrough]];
    default: {
      const std::string message = printable(report.error.value_or(Error::invalid(
                                      ErrorKind::other, "remove", report.path, "failed"))) +
                                  indented;
      if (text.refusal_is_warning)
        print_warning(message);
      else
        print_error(message);
      break;
    }
  }
}

}  // namespace tmpctl::cli
