// tmpctl's entry point: parse, dispatch to one subcommand, return its exit code.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>
#include <tmpctl/version.hpp>
#include <vector>

#include "cli/cleanup_command.hpp"
#include "cli/completion_command.hpp"
#include "cli/create_command.hpp"
#include "cli/list_command.hpp"
#include "cli/remove_command.hpp"
#include "cli/run_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "platform/console.hpp"

namespace {

constexpr const char* description =
    "tmpctl: temporary files with explicit handle, close and delete semantics, on every OS.";

constexpr const char* footer = R"(Examples:
  tmpctl create                           a new private file in the temp directory
  tmpctl remove --retry 5 build.log       delete it, and say who holds it if refused
  tmpctl cleanup --dry-run --older-than 2d
  tmp=$(tmpctl create --ttl 1h --tag ci)  recorded: 'tmpctl list', 'cleanup --orphaned'
  tmpctl run -- ./test-suite --db {}      a temp file for one command, removed after it
  tmpctl completion bash > ~/.local/share/bash-completion/completions/tmpctl

Run 'tmpctl COMMAND --help' for a command's options and examples.

Exit status: 0 success, 1 the OS refused (the message names the path and the
error number), 2 invalid usage; remove and diagnose add 3 in use, 4 not found,
5 denied; cleanup adds 3 in use (with --strict), 4 a missing DIR. run exits
with COMMAND's status, or 124-127 (see 'tmpctl run --help').)";

// --help and --version: CLI11 prints them to std::cout; a reader who got
// nothing (full disk, closed pipe) must not be told it worked.
int print_requested_text(CLI::App& app, const CLI::ParseError& request) {
  const int code = app.exit(request);
  std::cout.flush();
  if (!std::cout) {
    tmpctl::cli::print_error("cannot write to standard output");
    return tmpctl::cli::exit_failure;
  }
  return code;
}

// CLI11's words for a word it did not expect, in tmpctl's: the word itself
// and what it was taken for.
std::string usage_error(const CLI::App& app, const CLI::ParseError& error, bool command_given) {
  std::string commands;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    commands += (commands.empty() ? "" : ", ") + sub->get_name();
  const std::vector<std::string> extras = app.remaining(true);
  const bool required = dynamic_cast<const CLI::RequiredError*>(&error) != nullptr;
  const bool extra = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr;
  // An unknown option is the real mistake even when CLI11 first stumbled on
  // something else ("remove --nope" is not about a missing PATH).
  for (const std::string& word : extras)
    if (word.starts_with("-") && word.size() > 1 && word != "--")
      return fmt::format("unknown option '{}'", word);
  if ((required || extra) && !extras.empty()) {
    const std::string& word = extras.front();
    if (!command_given) return fmt::format("unknown command '{}' (commands: {})", word, commands);
    if (extra) return fmt::format("unexpected argument '{}'", word);
  }
  if (required && !command_given) return fmt::format("no command given (commands: {})", commands);
  return error.what();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tmpctl::cli;
  tmpctl::platform::prepare_standard_streams();

  CLI::App app(description, "tmpctl");
  app.footer(footer);
  app.set_version_flag("--version", "tmpctl " TMPCTL_VERSION);
  app.require_subcommand(1);
  CreateCommand create(app);
  ListCommand list(app);
  RemoveCommand remove(app);
  DiagnoseCommand diagnose(app);
  CleanupCommand cleanup(app);
  RunCommand run(app);
  CompletionCommand completion(app);

  // --color is global: accepted before the command and after it, listed in
  // every command's help, one definition and one variable for all.
  std::string color = "auto";
  const auto add_color_option = [&color](CLI::App& command) {
    one_of(command.add_option("--color", color,
                              "Colour messages: auto (default: on a terminal, unless NO_COLOR "
                              "is set), always, never")
               ->type_name("WHEN"),
           color_choices);
  };
  add_color_option(app);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
    add_color_option(*command);

  std::vector<std::string> arguments = tmpctl::platform::utf8_arguments(argc, argv);
  std::vector<char*> pointers;
  for (std::string& argument : arguments) pointers.push_back(argument.data());
  try {
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return print_requested_text(app, e);
  } catch (const CLI::CallForAllHelp& e) {
    return print_requested_text(app, e);
  } catch (const CLI::CallForVersion& e) {
    return print_requested_text(app, e);
  } catch (const CLI::ParseError& e) {
    use_color(color);  // as far as it was parsed: an invalid --color leaves "auto"
    std::string command = "tmpctl";
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App* sub) { return sub->parsed(); }))
      command += " " + sub->get_name();
    print_error(usage_error(app, e, command != "tmpctl"));
    print_error(fmt::format("run '{} --help' for usage", command));
    // run's own codes leave 1-123 to COMMAND: its usage errors are tmpctl's
    // failures before COMMAND ran, as with env, nice and timeout.
    return run.selected() ? exit_run_failed : exit_usage;
  }
  use_color(color);

  if (create.selected()) return create.run();
  if (remove.selected()) return remove.run();
  if (diagnose.selected()) return diagnose.run();
  if (cleanup.selected()) return cleanup.run();
  if (list.selected()) return list.run();
  if (run.selected()) return run.run();
  if (completion.selected()) return completion.run();
  return exit_usage;  // unreachable: require_subcommand(1)
}
