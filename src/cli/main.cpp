// tmpctl's entry point: parse, dispatch to one subcommand, return its exit code.

#include <CLI/CLI.hpp>
#include <tmpctl/version.hpp>
#include <vector>

#include "cli/create_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "platform/console.hpp"

namespace {

constexpr const char* description =
    "tmpctl: temporary files with explicit handle, close and delete semantics, on every OS.";

constexpr const char* footer = R"(Run 'tmpctl COMMAND --help' for a command's options and examples.

Exit status: 0 success, 1 the OS refused (the message names the path and the
error number), 2 invalid usage.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace tmpctl::cli;
  tmpctl::platform::prepare_standard_streams();

  CLI::App app(description, "tmpctl");
  app.footer(footer);
  app.set_version_flag("--version", "tmpctl " TMPCTL_VERSION);
  app.require_subcommand(1);
  CreateCommand create(app);

  std::vector<std::string> arguments = tmpctl::platform::utf8_arguments(argc, argv);
  std::vector<char*> pointers;
  for (std::string& argument : arguments) pointers.push_back(argument.data());
  try {
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    print_error(create.selected() ? "run 'tmpctl create --help' for usage"
                                  : "run 'tmpctl --help' for usage");
    return exit_usage;
  }

  if (create.selected()) return create.run();
  return exit_usage;  // unreachable: require_subcommand(1)
}
