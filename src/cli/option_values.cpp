#include "cli/option_values.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace tmpctl::cli {
namespace {

// Options live as long as their App, which main() keeps until exit.
std::map<const CLI::Option*, OptionValues>& registry() {
  static std::map<const CLI::Option*, OptionValues> values;
  return values;
}

std::string joined(const std::vector<std::string>& names, std::string_view separator) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : std::string(separator)) + name;
  return text;
}

}  // namespace

CLI::Option* one_of(CLI::Option* option, std::vector<std::string> names) {
  // The description shows in the help beside the type name: "WHEN:{auto,always,never}".
  option->check(CLI::Validator(
      [names](std::string& value) {
        return std::ranges::find(names, value) != names.end() ? std::string()
                                                              : unknown_value_message(value, names);
      },
      "{" + joined(names, ",") + "}", "one_of"));
  registry()[option] = {OptionValues::Kind::one_of, std::move(names)};
  return option;
}

CLI::Option* list_of(CLI::Option* option, std::vector<std::string> names) {
  registry()[option] = {OptionValues::Kind::list_of, std::move(names)};
  return option;
}

CLI::Option* path_value(CLI::Option* option, OptionValues::Kind kind) {
  registry()[option] = {kind, {}};
  return option;
}

const OptionValues& values_of(const CLI::Option* option) {
  static const OptionValues none;
  const auto found = registry().find(option);
  return found == registry().end() ? none : found->second;
}

std::string unknown_value_message(std::string_view value, const std::vector<std::string>& names) {
  return fmt::format("unknown value '{}' (use {})", value, joined(names, ", "));
}

}  // namespace tmpctl::cli
