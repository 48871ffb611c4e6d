#include "cli/empty_values.hpp"

namespace tmpctl::cli {
namespace {

bool takes_value(const CLI::Option* option) {
  return option != nullptr && option->nonpositional() && option->get_items_expected_max() > 0;
}

const CLI::App* subcommand_named(const CLI::App& app, const std::string& word) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_name().empty() && sub->check_name(word)) return sub;
  return nullptr;
}

}  // namespace

std::vector<std::string> with_empty_values_split(const CLI::App& app,
                                                 const std::vector<std::string>& arguments,
                                                 std::string_view operands_end_options_of) {
  std::vector<std::string> out;
  out.reserve(arguments.size() + 1);
  const CLI::App* command = &app;
  bool value_next = false;  // the word is the value of the option before it
  bool options_ended = false;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& word = arguments[i];
    out.push_back(word);
    if (i == 0 || options_ended) continue;
    if (value_next) {  // CLI11 takes it whatever it looks like
      value_next = false;
      continue;
    }
    if (word == "--") {
      options_ended = true;
    } else if (word.starts_with("--") && word.size() > 2) {
      const std::size_t equals = word.find('=');
      const CLI::Option* option = command->get_option_no_throw(word.substr(0, equals));
      if (!takes_value(option)) continue;
      if (equals == std::string::npos) {
        value_next = true;
      } else if (equals + 1 == word.size()) {
        out.back().pop_back();  // "--NAME=" -> "--NAME" ""
        out.emplace_back();
      }
    } else if (word.starts_with("-") && word.size() > 1) {
      // A cluster of short options: flags, then perhaps one taking a value,
      // given in the rest of the word or as the next word.
      for (std::size_t k = 1; k < word.size(); ++k) {
        const CLI::Option* option = command->get_option_no_throw(std::string{'-', word[k]});
        if (option == nullptr || !option->nonpositional()) break;
        if (takes_value(option)) {
          value_next = k + 1 == word.size();
          break;
        }
      }
    } else if (command == &app) {
      const CLI::App* sub = subcommand_named(app, word);
      if (sub == nullptr)
        options_ended = true;  // CLI11 will refuse it
      else
        command = sub;
    } else if (command->get_positionals_at_end()) {
      options_ended = true;  // run: COMMAND's arguments from here on
    } else if (!operands_end_options_of.empty() && command->get_name() == operands_end_options_of) {
      out.insert(out.end() - 1, "--");
      options_ended = true;
    }
  }
  return out;
}

}  // namespace tmpctl::cli
