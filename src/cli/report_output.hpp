#pragma once
// Printing remove and diagnose reports, and the pieces cleanup shares with
// them (errors, holders): one text form, one JSON form.

#include <nlohmann/json.hpp>
#include <string>
#include <tmpctl/remove.hpp>
#include <vector>

#include "cli/output.hpp"

namespace tmpctl::cli {

/// The exit code an outcome stands for (docs/cli.md).
int exit_code_for(RemoveOutcome outcome);

/// A report as one JSON object. `diagnosis` adds "would_succeed".
nlohmann::ordered_json report_json(const RemoveReport& report, bool diagnosis);

/// An Error as JSON: kind, domain, code, name, message and the text form.
nlohmann::ordered_json error_json(const Error& error);
/// Holders as a JSON array.
nlohmann::ordered_json holders_json(const std::vector<Holder>& holders);
/// "  held by process 42 (python3): fd 3", one line each, coloured if
/// `stream`, where they will be written, gets colour.
std::string holder_lines(const std::vector<Holder>& holders, std::FILE* stream);

/// The indented lines under a report's headline: holders, notes, hints,
/// coloured if `stream` gets colour.
std::string report_details(const RemoveReport& report, std::FILE* stream);

}  // namespace tmpctl::cli
