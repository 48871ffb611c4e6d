// tmpctl's entry point: parse, dispatch to one subcommand, return its exit code.

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>
#include <tmpctl/version.hpp>
#include <vector>

#include "cli/cleanup_command.hpp"
#include "cli/create_command.hpp"
#include "cli/remove_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "platform/console.hpp"

namespace {

constexpr const char* description =
    "tmpctl: temporary files with explicit handle, close and delete semantics, on every OS.";

constexpr const char* footer = R"(Run 'tmpctl COMMAND --help' for a command's options and examples.

Exit status: 0 success, 1 the OS refused (the message names the path and the
error number), 2 invalid usage; remove and diagnose add 3 in use, 4 not found,
5 denied.)";

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

}  // namespace

int main(int argc, char** argv) {
  using namespace tmpctl::cli;
  tmpctl::platform::prepare_standard_streams();

  CLI::App app(description, "tmpctl");
  app.footer(footer);
  app.set_version_flag("--version", "tmpctl " TMPCTL_VERSION);
  app.require_subcommand(1);
  CreateCommand create(app);
  RemoveCommand remove(app);
  DiagnoseCommand diagnose(app);
  CleanupCommand cleanup(app);

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
    print_error(e.what());
    const char* command = create.selected()     ? "tmpctl create"
                          : remove.selected()   ? "tmpctl remove"
                          : diagnose.selected() ? "tmpctl diagnose"
                          : cleanup.selected()  ? "tmpctl cleanup"
                                                : "tmpctl";
    print_error(fmt::format("run '{} --help' for usage", command));
    return exit_usage;
  }

  if (create.selected()) return create.run();
  if (remove.selected()) return remove.run();
  if (diagnose.selected()) return diagnose.run();
  if (cleanup.selected()) return cleanup.run();
  return exit_usage;  // unreachable: require_subcommand(1)
}
