#pragma once
// Printing remove and diagnose reports: one text form, one JSON form.

#include <nlohmann/json.hpp>
#include <string>
#include <tmpctl/remove.hpp>

#include "cli/output.hpp"

namespace tmpctl::cli {

/// The exit code an outcome stands for (docs/cli.md).
int exit_code_for(RemoveOutcome outcome);

/// A report as one JSON object. `diagnosis` adds "would_succeed".
nlohmann::ordered_json report_json(const RemoveReport& report, bool diagnosis);

/// The indented lines under a report's headline: holders, notes, hints.
std::string report_details(const RemoveReport& report);

}  // namespace tmpctl::cli
