#pragma once
// What an option's value may be, recorded beside the option's definition, so
// that the parser's check, the help and the shell completions
// (completion_command.cpp) all read one list and cannot drift apart.

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tmpctl::cli {

struct OptionValues {
  enum class Kind {
    any,        ///< free text (a number, a duration, a glob): nothing to complete
    one_of,     ///< exactly one of `names`; the parser rejects anything else
    list_of,    ///< a comma-separated list of `names`; the command checks each
    file,       ///< a path to a file or directory
    directory,  ///< a path to a directory
  };
  Kind kind = Kind::any;
  std::vector<std::string> names;
};

/// Accepts exactly one of `names` (checked by the parser, which answers
/// "OPTION: unknown value 'X' (use a, b, c)") and completes them.
CLI::Option* one_of(CLI::Option* option, std::vector<std::string> names);
/// A comma-separated list of `names`, repeatable: completes them; the
/// command parses the list itself (it needs the names as bits).
CLI::Option* list_of(CLI::Option* option, std::vector<std::string> names);
/// Completes paths: any file (Kind::file) or directories only.
CLI::Option* path_value(CLI::Option* option, OptionValues::Kind kind);

/// What was recorded for `option`; Kind::any if nothing.
const OptionValues& values_of(const CLI::Option* option);

/// "unknown value 'X' (use a, b, c)": the one message for a value not in a list.
std::string unknown_value_message(std::string_view value, const std::vector<std::string>& names);

}  // namespace tmpctl::cli
