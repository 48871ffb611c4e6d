#pragma once
// Printing remove and diagnose reports, and the pieces cleanup shares with
// them (errors, holders): one text form, one JSON form.

#include <chrono>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <tmpctl/remove.hpp>
#include <vector>

#include "cli/output.hpp"

namespace tmpctl::cli {

/// The exit code an outcome, for this cause, stands for (docs/cli.md).
int exit_code_for(RemoveOutcome outcome, RemoveCause cause);
/// The exit code of a report: its outcome's, or, for a tree that kept
/// entries (`inside`), the worst of theirs.
int exit_code_for(const RemoveReport& report);

/// A report as one JSON object. `diagnosis` adds "would_succeed".
nlohmann::ordered_json report_json(const RemoveReport& report, bool diagnosis);

/// An Error as JSON: kind, domain, code, name, message and the text form.
nlohmann::ordered_json error_json(const Error& error);
/// One holder as a JSON object: pid, name, start_time, self, user,
/// relation, kind, service, how.
nlohmann::ordered_json holder_json(const Holder& holder);
/// A tree's holders by process, each with its "entries" (path, how).
/// [{"path", "how"}] for the entries one process holds.
nlohmann::ordered_json held_entries_json(const std::vector<HeldEntry>& entries);
nlohmann::ordered_json held_inside_json(const std::vector<TreeHolder>& held_inside);
/// "process 42 (python3) [the parent of tmpctl] [virus scanner], user alice"
/// (the user only `with_user`).
std::string holder_label(const Holder& holder, std::FILE* stream, bool with_user = true);
/// A tree's holders by process, each followed by the entries it holds.
/// "    PATH: fd 3\n" for each entry one process holds.
std::string held_entry_lines(const std::vector<HeldEntry>& entries);
std::string held_inside_lines(const std::vector<TreeHolder>& held_inside, std::FILE* stream);
/// "2.5 s".
std::string seconds_text(std::chrono::milliseconds duration);
/// A wait's timeline (RemoveReport::timeline): "  held 3.8 s by process 4
/// (MsMpEng.exe), then released", "  still held after 30.0 s by ...".
std::string timeline_lines(const RemoveReport& report, std::FILE* stream);
std::string timeline_lines(std::span<const HoldSpan> timeline, std::chrono::milliseconds waited,
                           std::FILE* stream);
/// The timeline as JSON: holder objects with from_ms, until_ms, released.
nlohmann::ordered_json timeline_json(std::span<const HoldSpan> spans);
/// "ended process 42 (node) (SIGTERM)", "would end ...", "will not end ...: why".
std::string termination_text(const Termination& termination, std::FILE* stream);
nlohmann::ordered_json terminations_json(const std::vector<Termination>& terminations);
/// Each ended process on stderr as a status line; each spared or failed one
/// as a warning.
void print_terminations(std::span<const Termination> terminations);
/// Holders as a JSON array.
nlohmann::ordered_json holders_json(const std::vector<Holder>& holders);
/// "  held by process 42 (python3): fd 3", one line each, coloured if
/// `stream`, where they will be written, gets colour.
std::string holder_lines(const std::vector<Holder>& holders, std::FILE* stream);

/// The indented lines under a report's headline: holders, notes, hints,
/// coloured if `stream` gets colour.
std::string report_details(const RemoveReport& report, std::FILE* stream);

/// How print_remove_report prints a report, beyond what `tmpctl remove` always prints.
struct RemoveReportText {
  /// "removed 'PATH'" (and notes) on `out` for a removed path (remove -v).
  bool list_removed = false;
  /// A refusal labelled as a warning, not an error: the caller leaves the
  /// path behind on purpose (run --keep-on-failure).
  bool refusal_is_warning = false;
};

/// A remove report in text, as `tmpctl remove` prints it: a refusal on
/// stderr, "tmpctl: cannot remove 'PATH': <OS error>" with holders, notes and
/// hints under it, each entry a tree kept first (remove -r); on stderr too, as a warning, a path
/// removed that a process still has open (POSIX) or that stays until its holders close it (Windows,
/// delete pending); a path scheduled for the next restart on `out`.
void print_remove_report(const RemoveReport& report, DataOutput& out, RemoveReportText text = {});

}  // namespace tmpctl::cli
