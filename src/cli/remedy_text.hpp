#pragma once
// The CLI's words for what the core reports as values: a remove report's
// remedies (its "hint:" lines and JSON "hints") and the refusal of a
// protected cleanup root. Here, and only here, they name tmpctl's options.

#include <string>
#include <tmpctl/error.hpp>
#include <tmpctl/remove.hpp>
#include <vector>

namespace tmpctl::cli {

/// A remedy in words, as the CLI's "hint:" lines and JSON "hints" give it:
/// one sentence naming the option or command that applies.
std::string remedy_text(const RemoveReport& report, const Remedy& remedy);
/// Each of a report's remedies in words, in order.
std::vector<std::string> hint_texts(const RemoveReport& report);

/// A cleanup error in words: a protected directory (ErrorKind::
/// protected_directory) adds that --force cleans it anyway.
std::string cleanup_error_text(const Error& error);

}  // namespace tmpctl::cli
