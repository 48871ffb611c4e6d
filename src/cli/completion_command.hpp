#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tmpctl::cli {

/// `tmpctl completion SHELL`: prints a completion script for bash, zsh or
/// fish, generated from the parser's own definitions (the CLI::App tree and
/// the values recorded with option_values.hpp), so the two cannot drift.
class CompletionCommand {
public:
  static constexpr const char* command_name = "completion";
  static constexpr const char* command_summary = "Print a shell completion script";
  explicit CompletionCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  CLI::App* app_;
  std::string shell_;
};

/// The completion script for `shell` ("bash", "zsh", "fish") of the command
/// tree whose root is `root`.
std::string completion_script(const CLI::App& root, const std::string& shell);

}  // namespace tmpctl::cli
