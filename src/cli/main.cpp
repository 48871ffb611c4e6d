// tmpctl's entry point: parse, dispatch to one subcommand, return its exit code.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <tmpctl/version.hpp>
#include <tuple>
#include <vector>

#include "cli/cleanup_command.hpp"
#include "cli/completion_command.hpp"
#include "cli/create_command.hpp"
#include "cli/create_fast_path.hpp"
#include "cli/list_command.hpp"
#include "cli/remove_command.hpp"
#include "cli/run_command.hpp"
#include "cli/empty_values.hpp"
#include "cli/exit_codes.hpp"
#include "platform/environment.hpp"
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
// `operands_only`: every word after create's first operand is one (POSIXLY_CORRECT).
std::string usage_error(const CLI::App& app, const CLI::ParseError& error, bool command_given,
                        bool operands_only) {
  std::string commands;
  bool create = false;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands += (commands.empty() ? "" : ", ") + sub->get_name();
    create =
        create || (sub->parsed() && sub->get_name() == tmpctl::cli::CreateCommand::command_name);
  }
  const std::vector<std::string> extras = app.remaining(true);
  const bool required = dynamic_cast<const CLI::RequiredError*>(&error) != nullptr;
  const bool extra = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr;
  // An unknown option is the real mistake even when CLI11 first stumbled on
  // something else ("remove --nope" is not about a missing PATH); with
  // POSIXLY_CORRECT every word after create's first operand is an operand.
  if (!(create && operands_only))
    for (const std::string& word : extras)
      if (word.starts_with("-") && word.size() > 1 && word != "--")
        return fmt::format("unknown option '{}'", word);
  // A second TEMPLATE, in GNU mktemp's words.
  const auto operand = std::ranges::find_if(extras, [](const std::string& w) { return w != "--"; });
  if (create && extra && operand != extras.end())
    return fmt::format("too many templates ('{}' after the first)", *operand);
  if ((required || extra) && !extras.empty()) {
    const std::string& word = extras.front();
    if (!command_given) return fmt::format("unknown command '{}' (commands: {})", word, commands);
    if (extra) return fmt::format("unexpected argument '{}'", word);
  }
  if (required && !command_given) return fmt::format("no command given (commands: {})", commands);
  return error.what();
}

// CLI11 2.1 shows a flag whose value is optional with its default, as
// "--tmpdir{}": the help shows GNU's "--tmpdir[=DIR]" instead.
class HelpFormatter : public CLI::Formatter {
public:
  std::string make_option_name(const CLI::Option* option, bool is_positional) const override {
    std::string name = CLI::Formatter::make_option_name(option, is_positional);
    const std::size_t open = name.find('{');
    const std::size_t close = name.find('}', open);
    if (open != std::string::npos && close != std::string::npos)
      name.replace(open, close - open + 1, "[=" + option->get_type_name() + "]");
    return name;
  }
};

// The command the arguments name, found as CLI11 will find it: the first
// word that is not a global option (--color takes a value). Empty when in
// doubt (--help, --version, anything else first): then every command is built.
std::string named_command(const std::vector<std::string>& arguments) {
  for (std::size_t i = 1; i < arguments.size(); ++i) {
    const std::string& word = arguments[i];
    if (word == "--color") {
      ++i;
      continue;
    }
    if (word.starts_with("--color=")) continue;
    if (word.starts_with("-")) return {};
    return word;
  }
  return {};
}

// Every command, named once: the table builds each, runs the one chosen, and
// its order is the help's. Each is a class with command_name, command_summary,
// a constructor that adds it to the parent app, selected() and run().
template <class... Command>
class CommandTable {
public:
  // Adds every command: in full when `only` is empty or names it, else by
  // name and summary only.
  void build(CLI::App& app, const std::string& only) {
    std::apply([&](auto&... command) { (build_one(app, only, command), ...); }, commands_);
  }

  template <class One>
  bool selected() const {
    const auto& command = std::get<std::optional<One>>(commands_);
    return command && command->selected();
  }

  // The exit code of the command chosen, if it was built in full.
  std::optional<int> run_selected() {
    std::optional<int> code;
    std::apply(
        [&](auto&... command) {
          ((command && command->selected() ? (code = command->run(), true) : false) || ...);
        },
        commands_);
    return code;
  }

private:
  template <class One>
  static void build_one(CLI::App& app, const std::string& only, std::optional<One>& command) {
    if (only.empty() || only == One::command_name)
      command.emplace(app);
    else
      app.add_subcommand(One::command_name, One::command_summary);
  }

  std::tuple<std::optional<Command>...> commands_;
};

using Commands =
    CommandTable<tmpctl::cli::CreateCommand, tmpctl::cli::ListCommand, tmpctl::cli::RemoveCommand,
                 tmpctl::cli::DiagnoseCommand, tmpctl::cli::CleanupCommand, tmpctl::cli::RunCommand,
                 tmpctl::cli::CompletionCommand>;

// Parses and runs. Building a command's options is most of tmpctl's start-up
// (CLI11 checks each new option against all before it), so only the command
// named is built in full, the others by name and summary for the help's
// list; `only` empty builds them all. Whatever does not go as planned
// (a parse error, a command built by name only being chosen) is parsed again
// with every command built, so messages are exactly those of a full parser.
int parse_and_run(std::vector<std::string> arguments, std::string only) {
  using namespace tmpctl::cli;
  if (only == CompletionCommand::command_name) only.clear();  // it walks the whole tree
  CLI::App app(description, "tmpctl");
  app.footer(footer);
  app.formatter(std::make_shared<HelpFormatter>());  // before the commands, which copy it
  app.set_version_flag("--version", "tmpctl " TMPCTL_VERSION);
  app.require_subcommand(1);
  // Options start with '-' on every OS: "/x" is a path on Windows too (CLI11
  // would take it for an option there), as the fast path of create sees it.
  app.allow_windows_style_options(false);
  Commands commands;
  commands.build(app, only);

  // --color is global: accepted before the command and after it, listed in
  // every command's help, one definition and one variable for all.
  std::string color = "auto";
  const auto add_color_option = [&color](CLI::App& command) {
    one_of(command
               .add_option("--color", color,
                           "Colour messages: auto (default: on a terminal, unless NO_COLOR "
                           "is set), always, never")
               ->type_name("WHEN"),
           color_choices);
  };
  add_color_option(app);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
    add_color_option(*command);

  // GNU getopt's POSIXLY_CORRECT, for create only (the drop-in mktemp): a
  // command that deletes never takes an option for a path.
  const bool posixly_correct = !tmpctl::platform::environment_variable("POSIXLY_CORRECT").empty();
  std::vector<std::string> split = with_empty_values_split(
      app, arguments, posixly_correct ? CreateCommand::command_name : std::string_view());
  std::vector<char*> pointers;
  for (std::string& argument : split) pointers.push_back(argument.data());
  try {
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return print_requested_text(app, e);
  } catch (const CLI::CallForAllHelp& e) {
    return print_requested_text(app, e);
  } catch (const CLI::CallForVersion& e) {
    return print_requested_text(app, e);
  } catch (const CLI::ParseError& e) {
    if (!only.empty()) return parse_and_run(std::move(arguments), {});
    use_color(color);  // as far as it was parsed: an invalid --color leaves "auto"
    std::string command = "tmpctl";
    for (const CLI::App* sub :
         app.get_subcommands([](const CLI::App* sub) { return sub->parsed(); }))
      command += " " + sub->get_name();
    print_error(usage_error(app, e, command != "tmpctl", posixly_correct));
    print_error(fmt::format("run '{} --help' for usage", command));
    // run's own codes leave 1-123 to COMMAND: its usage errors are tmpctl's
    // failures before COMMAND ran, as with env, nice and timeout.
    return commands.selected<RunCommand>() ? exit_run_failed : exit_usage;
  }
  use_color(color);

  if (const std::optional<int> code = commands.run_selected()) return *code;
  // A command built by name only was chosen after all.
  if (!only.empty()) return parse_and_run(std::move(arguments), {});
  return exit_usage;  // unreachable: require_subcommand(1)
}

// A plain create (what scripts run, often in loops) without building CLI11's
// parser. Returns only when the fast path declines: anything else goes to
// the full parser.
void run_create_quickly(const std::vector<std::string>& arguments) {
  if (arguments.size() < 2 || arguments[1] != tmpctl::cli::CreateCommand::command_name ||
      !tmpctl::platform::environment_variable("POSIXLY_CORRECT").empty())
    return;
  const auto args = tmpctl::cli::parse_create_quickly(arguments);
  if (!args) return;
  const int code = tmpctl::cli::run_create(*args, nullptr);
  // Ends here, without the destructors of static objects (CLI11's among them):
  // run_create flushed and checked stdout, and stderr is unbuffered.
  std::fflush(nullptr);
  std::_Exit(code);
}

#if defined(__GLIBC__)
// With glibc, before the program's static initialisers: those of CLI11's
// validator objects (one set in each file that includes CLI11) and of
// <iostream> were half of a fast-path create's instructions and a sixth of
// its page faults (docs/benchmarks.md). glibc calls the functions of
// .init_array with argc, argv and envp, in priority order, 101 first among
// the program's. The rule this brings: nothing on create's fast path may
// use a namespace-scope object that needs dynamic initialisation (a global
// std::string or std::vector); it would be seen zero-filled. The fast path
// (create_fast_path.cpp, run_create, the core's create and the platform
// calls under it) has none; function-local statics are fine.
__attribute__((constructor(101))) void create_before_static_initialisers(int argc, char** argv,
                                                                         char** /*envp*/) {
  tmpctl::platform::prepare_standard_streams();
  run_create_quickly(tmpctl::platform::utf8_arguments(argc, argv));
}
#endif

}  // namespace

int main(int argc, char** argv) {
  tmpctl::platform::prepare_standard_streams();
  std::vector<std::string> arguments = tmpctl::platform::utf8_arguments(argc, argv);
  run_create_quickly(arguments);  // returns only when the fast path declines
  std::string command = named_command(arguments);
  return parse_and_run(std::move(arguments), std::move(command));
}
