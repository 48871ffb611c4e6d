#include "cli/isolation.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <tmpctl/cleanup.hpp>

#include "cli/output.hpp"
#include "cli/report_output.hpp"

namespace tmpctl::cli {
namespace {

// Rounds of SIGTERM, grace and SIGKILL, each for what the last one found
// (processes started meanwhile), before the tree's last word.
constexpr int ending_rounds = 5;

Holder holder_of(const platform::ProcessEntry& entry) {
  Holder holder;
  holder.pid = entry.pid;
  holder.name = entry.name;
  holder.start_time = entry.start_time;
  holder.user = entry.user;
  return holder;
}

LeftProcess* find_left(IsolationReport& report, std::uint32_t pid) {
  for (LeftProcess& left : report.left)
    if (left.process.pid == pid) return &left;
  return nullptr;
}

}  // namespace

IsolationReport finish_tree(platform::ProcessTree& tree, const std::string& directory,
                            const IsolationSettings& settings) {
  IsolationReport report;
  report.mechanism = tree.mechanism();
  report.notes = tree.notes();
  tree.reap();
  auto members = tree.members();
  if (!members) {
    report.error = members.error();
  } else if (!members->empty()) {
    // What each holds in the temp directory, in one scan for all.
    std::vector<TreeHolder> held;
    if (auto found = find_tree_holders(directory)) held = std::move(found->processes);
    for (const platform::ProcessEntry& entry : *members) {
      LeftProcess left{.process = holder_of(entry),
                       .running_for = platform::running_for(entry.start_time)};
      for (TreeHolder& holder : held)
        if (holder.process.pid == entry.pid) left.holds = holder.entries;
      report.left.push_back(std::move(left));
    }
  }
  // Kept also when the tree could not be listed: what may still run there
  // keeps its directory.
  report.kept_running = settings.keep_running && (!report.left.empty() || report.error);
  if (!settings.keep_running && members && !members->empty()) {
    TerminateOptions options;
    options.grace = settings.grace;
    // Every one of them is COMMAND's, another user's too (sudo, a setuid
    // program): ended where this user may (root, an administrator), and by
    // the tree's last word below where not.
    options.all_users = true;
    for (int round = 0; round < ending_rounds && members && !members->empty(); ++round) {
      std::vector<Holder> holders;
      for (const platform::ProcessEntry& entry : *members) {
        holders.push_back(holder_of(entry));
        if (find_left(report, entry.pid) == nullptr)
          report.left.push_back({.process = holder_of(entry),
                                 .running_for = platform::running_for(entry.start_time),
                                 .started_while_ending = true});
      }
      for (Termination& termination : terminate_holders(holders, options))
        if (LeftProcess* left = find_left(report, termination.process.pid))
          left->termination = std::move(termination);
      tree.reap();
      members = tree.members();
    }
    if (!members) {
      report.error = members.error();
    } else if (!members->empty()) {
      report.swept = true;
      if (auto ended = tree.end_all(); !ended) report.error = ended.error();
    }
    tree.reap();
  }
  if (auto summary = core::summarize_tree(directory))
    report.leaked = std::move(*summary);
  else
    report.leaked_error = summary.error();
  return report;
}

void print_isolation_report(const IsolationReport& report, const std::string& command,
                            const std::string& directory, bool removed, bool as_error) {
  auto say = [&](const std::string& text) {
    if (as_error)
      print_error(text);
    else
      print_warning(text);
  };
  if (!report.left.empty()) {
    std::size_t at_exit = 0;
    for (const LeftProcess& left : report.left) at_exit += left.started_while_ending ? 0 : 1;
    std::string text = fmt::format("'{}' left {} {} running ({})", printable(command), at_exit,
                                   at_exit == 1 ? "process" : "processes", report.mechanism);
    text += report.kept_running ? ", left running (--keep-running):" : ":";
    for (const LeftProcess& left : report.left) {
      text += "\n  " + holder_label(left.process, stderr);
      if (left.running_for) text += ", running for " + seconds_text(*left.running_for);
      if (left.started_while_ending) text += ", started while tmpctl was ending the others";
      if (!left.holds.empty()) {
        text += fmt::format(", holds {} {}:\n", left.holds.size(),
                            left.holds.size() == 1 ? "entry" : "entries");
        text += held_entry_lines(left.holds);
        text.pop_back();  // the last line's end: say() ends it
      }
    }
    say(text);
    for (const LeftProcess& left : report.left)
      if (left.termination) {
        if (left.termination->outcome == TerminateOutcome::ended ||
            left.termination->outcome == TerminateOutcome::killed ||
            left.termination->outcome == TerminateOutcome::gone)
          print_status(termination_text(*left.termination, stderr));
        else
          print_warning(termination_text(*left.termination, stderr));
      }
    if (report.swept)
      print_status(
          fmt::format("ended what was still running in the tree at once ({})", report.mechanism));
  }
  if (report.error) print_error(printable(*report.error));
  for (const std::string& note : report.notes)
    if (!report.left.empty()) print_status(printable(note));
  if (report.leaked_error) print_warning(printable(*report.leaked_error));
  if (report.leaked && !report.leaked->entries.empty()) {
    const core::TreeSummary& leaked = *report.leaked;
    std::string text = fmt::format(
        "'{}' left {} {} ({}) in its temp directory '{}'{}", printable(command), leaked.count,
        leaked.count == 1 ? "entry" : "entries", size_text(leaked.bytes), printable(directory),
        removed               ? ", now removed:"
        : report.kept_running ? ", kept for the processes left running:"
                              : ":");
    std::size_t width = 0;
    for (const core::TopEntry& entry : leaked.entries)
      width = std::max(width, printable(entry.name).size() + (entry.type == EntryType::directory));
    for (const core::TopEntry& entry : leaked.entries) {
      const std::string name =
          printable(entry.name) + (entry.type == EntryType::directory ? "/" : "");
      std::string size = size_text(entry.bytes);
      if (entry.type == EntryType::directory)
        size +=
            fmt::format(" in {} {}", entry.entries - 1, entry.entries == 2 ? "entry" : "entries");
      else if (entry.type != EntryType::file)
        size = std::string(to_string(entry.type));
      text += fmt::format("\n  {:<{}}  {}", name, width, size);
    }
    say(text);
  }
}

nlohmann::ordered_json isolation_json(const IsolationReport& report) {
  nlohmann::ordered_json object;
  object["mechanism"] = report.mechanism;
  object["notes"] = report.notes;
  nlohmann::ordered_json processes = nlohmann::ordered_json::array();
  for (const LeftProcess& left : report.left) {
    nlohmann::ordered_json process = holder_json(left.process);
    process.erase("how");
    process["running_ms"] = left.running_for ? nlohmann::ordered_json(left.running_for->count())
                                             : nlohmann::ordered_json();
    process["started_while_ending"] = left.started_while_ending;
    process["holds"] = held_entries_json(left.holds);
    if (left.termination) {
      process["outcome"] = to_string(left.termination->outcome);
      process["refusal"] = to_string(left.termination->refusal);
      process["method"] = left.termination->method;
      process["error"] =
          left.termination->error ? error_json(*left.termination->error) : nlohmann::ordered_json();
    } else {
      process["outcome"] = report.kept_running ? "kept_running" : "gone";
    }
    processes.push_back(std::move(process));
  }
  object["processes"] = std::move(processes);
  object["kept_running"] = report.kept_running;
  object["swept"] = report.swept;
  object["error"] = report.error ? error_json(*report.error) : nlohmann::ordered_json();
  nlohmann::ordered_json leaked;
  leaked["bytes"] = report.leaked ? report.leaked->bytes : 0;
  leaked["count"] = report.leaked ? report.leaked->count : 0;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  if (report.leaked)
    for (const core::TopEntry& entry : report.leaked->entries) {
      nlohmann::ordered_json item;
      set_path(item, "name", entry.name);
      item["type"] = to_string(entry.type);
      item["bytes"] = entry.bytes;
      item["entries"] = entry.entries;
      entries.push_back(std::move(item));
    }
  leaked["entries"] = std::move(entries);
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  if (report.leaked)
    for (const Error& error : report.leaked->errors) errors.push_back(error_json(error));
  if (report.leaked_error) errors.push_back(error_json(*report.leaked_error));
  leaked["errors"] = std::move(errors);
  object["leaked"] = std::move(leaked);
  return object;
}

}  // namespace tmpctl::cli
