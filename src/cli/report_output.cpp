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

nlohmann::ordered_json holder_json(const Holder& holder) {
  nlohmann::ordered_json entry;
  entry["pid"] = holder.pid;
  entry["name"] = holder.name;
  entry["start_time"] = holder.start_time;
  entry["self"] = holder.is_self;
  entry["user"] = holder.user;
  entry["relation"] = to_string(holder.relation);
  entry["kind"] = to_string(holder.kind);
  entry["service"] = holder.service;
  entry["how"] = holder.how;
  return entry;
}

nlohmann::ordered_json holders_json(const std::vector<Holder>& holders) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Holder& holder : holders) list.push_back(holder_json(holder));
  return list;
}

nlohmann::ordered_json held_entries_json(const std::vector<HeldEntry>& entries) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const HeldEntry& entry : entries) {
    nlohmann::ordered_json object;
    set_path(object, "path", entry.path);
    object["how"] = entry.how;
    list.push_back(std::move(object));
  }
  return list;
}

nlohmann::ordered_json held_inside_json(const std::vector<TreeHolder>& held_inside) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const TreeHolder& held : held_inside) {
    nlohmann::ordered_json process = holder_json(held.process);
    process.erase("how");
    process["entries"] = held_entries_json(held.entries);
    list.push_back(std::move(process));
  }
  return list;
}

std::string_view kind_label(HolderKind kind) {
  switch (kind) {
    case HolderKind::virus_scanner: return "virus scanner";
    case HolderKind::indexer: return "search indexer";
    case HolderKind::sync_client: return "sync client";
    case HolderKind::preview_handler: return "preview handler";
    case HolderKind::build_server: return "build server";
    case HolderKind::system: return "system process";
    case HolderKind::unknown: break;
  }
  return {};
}

std::string holder_label(const Holder& holder, std::FILE* stream, bool with_user) {
  // A process names itself (prctl(PR_SET_NAME), its executable's name):
  // never a terminal's escape sequence.
  const std::string process = fmt::format(
      "process {}{}", holder.pid, holder.name.empty() ? "" : " (" + printable(holder.name) + ")");
  std::string text = styled(stream, Style::holder, process);
  switch (holder.relation) {
    case HolderRelation::self: text += " [this process]"; break;
    case HolderRelation::parent: text += " [the parent of tmpctl]"; break;
    case HolderRelation::ancestor: text += " [an ancestor of tmpctl]"; break;
    case HolderRelation::unrelated: break;
  }
  if (const std::string_view kind = kind_label(holder.kind); !kind.empty())
    text += fmt::format(" [{}]", kind);
  if (!holder.service.empty()) text += fmt::format(" [service {}]", printable(holder.service));
  if (with_user && !holder.user.empty()) text += fmt::format(", user {}", printable(holder.user));
  return text;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  return fmt::format("{:.1f} s", static_cast<double>(duration.count()) / 1000.0);
}

std::string timeline_lines(const RemoveReport& report, std::FILE* stream) {
  return timeline_lines(report.timeline, report.waited, stream);
}

std::string timeline_lines(std::span<const HoldSpan> timeline, std::chrono::milliseconds waited,
                           std::FILE* stream) {
  std::string text;
  for (const HoldSpan& span : timeline) {
    const std::string who = holder_label(span.holder, stream);
    const std::string since =
        span.from.count() > 0 ? fmt::format(" (from {} on)", seconds_text(span.from)) : "";
    if (span.until)
      text += fmt::format("  held {} by {}{}, then released\n",
                          seconds_text(*span.until - span.from), who, since);
    else
      text += fmt::format("  still held after {} by {}{}\n", seconds_text(waited), who, since);
  }
  return text;
}

std::string termination_text(const Termination& termination, std::FILE* stream) {
  const std::string who = holder_label(termination.process, stream);
  const std::string descent =
      termination.descends_from != 0
          ? fmt::format(", started by process {}", termination.descends_from)
          : "";
  switch (termination.outcome) {
    case TerminateOutcome::ended:
    case TerminateOutcome::killed:
      if (termination.method == "SIGKILL")
        return fmt::format("killed {}{}: it was still running after the grace, so SIGKILL", who,
                           descent);
      return fmt::format("ended {}{} ({})", who, descent, termination.method);
    case TerminateOutcome::would_end: return fmt::format("would end {}{}", who, descent);
    case TerminateOutcome::declined:
      return fmt::format("did not end {}{}: not confirmed", who, descent);
    case TerminateOutcome::gone: return fmt::format("{}{} had exited already", who, descent);
    case TerminateOutcome::failed:
      return fmt::format("could not end {}{}: {}", who, descent,
                         termination.error ? printable(*termination.error) : "failed");
    case TerminateOutcome::refused: break;
  }
  std::string why;
  switch (termination.refusal) {
    case TerminateRefusal::self: why = "it is tmpctl itself"; break;
    case TerminateRefusal::caller:
      why =
          "it ran tmpctl (its parent or an ancestor: the shell or script that called it); close "
          "the file there before calling tmpctl";
      break;
    case TerminateRefusal::system: why = "it is part of the system"; break;
    case TerminateRefusal::other_user:
      why = "it runs as another user; --all-users, as root or an administrator, allows it";
      break;
    case TerminateRefusal::not_allowed:
      why = "it runs as another user, and only root or an elevated administrator may end it";
      break;
    case TerminateRefusal::none: why = "refused"; break;
  }
  return fmt::format("will not end {}{}: {}", who, descent, why);
}

nlohmann::ordered_json timeline_json(std::span<const HoldSpan> spans) {
  nlohmann::ordered_json timeline = nlohmann::ordered_json::array();
  for (const HoldSpan& span : spans) {
    nlohmann::ordered_json entry = holder_json(span.holder);
    entry["from_ms"] = span.from.count();
    entry["until_ms"] =
        span.until ? nlohmann::ordered_json(span.until->count()) : nlohmann::ordered_json();
    entry["released"] = span.until.has_value();
    timeline.push_back(std::move(entry));
  }
  return timeline;
}

void print_terminations(std::span<const Termination> terminations) {
  for (const Termination& termination : terminations) {
    if (termination.outcome == TerminateOutcome::ended ||
        termination.outcome == TerminateOutcome::killed ||
        termination.outcome == TerminateOutcome::gone)
      print_status(termination_text(termination, stderr));
    else
      print_warning(termination_text(termination, stderr));
  }
}

nlohmann::ordered_json terminations_json(const std::vector<Termination>& terminations) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Termination& termination : terminations) {
    nlohmann::ordered_json entry = holder_json(termination.process);
    entry["descends_from"] = termination.descends_from;
    entry["outcome"] = to_string(termination.outcome);
    entry["refusal"] = to_string(termination.refusal);
    entry["method"] = termination.method;
    entry["error"] = termination.error ? error_json(*termination.error) : nlohmann::ordered_json();
    list.push_back(std::move(entry));
  }
  return list;
}

std::string holder_lines(const std::vector<Holder>& holders, std::FILE* stream) {
  std::string text;
  for (const Holder& holder : holders) {
    std::string how;
    for (const std::string& way : holder.how) how += (how.empty() ? ": " : ", ") + printable(way);
    text += fmt::format("  held by {}{}\n", holder_label(holder, stream, false), how);
  }
  return text;
}

std::string held_inside_lines(const std::vector<TreeHolder>& held_inside, std::FILE* stream) {
  std::string text;
  for (const TreeHolder& held : held_inside) {
    const std::size_t count = held.entries.size();
    text += fmt::format("  {} holds {} {}:\n", holder_label(held.process, stream), count,
                        count == 1 ? "entry" : "entries");
    text += held_entry_lines(held.entries);
  }
  return text;
}

std::string held_entry_lines(const std::vector<HeldEntry>& entries) {
  std::string text;
  for (const HeldEntry& entry : entries) {
    std::string how;
    for (const std::string& way : entry.how) how += (how.empty() ? "" : ", ") + printable(way);
    text += fmt::format("    {}: {}\n", printable(entry.path), how);
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
  object["held_inside"] = held_inside_json(report.held_inside);
  object["waited_ms"] = report.waited.count();
  object["timeline"] = timeline_json(report.timeline);
  object["terminated"] = terminations_json(report.terminated);
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
    entry.erase("held_inside");
    entry.erase("waited_ms");
    entry.erase("timeline");
    entry.erase("terminated");
    inside.push_back(std::move(entry));
  }
  object["inside"] = std::move(inside);
  return object;
}

std::string report_details(const RemoveReport& report, std::FILE* stream) {
  // A tree's holders, by process, name the directory's own among them.
  std::string text = timeline_lines(report, stream);
  for (const Termination& termination : report.terminated)
    text += "  " + termination_text(termination, stream) + "\n";
  text += report.held_inside.empty() ? holder_lines(report.holders, stream)
                                     : held_inside_lines(report.held_inside, stream);
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
      if (!report.timeline.empty()) {
        const std::string lines = timeline_lines(report, stderr);
        print_status(fmt::format("waited {} before removing '{}':\n{}", seconds_text(report.waited),
                                 printable(report.path), lines.substr(0, lines.size() - 1)));
      }
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
