#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <tmpctl/cleanup.hpp>
#include <vector>

#include "cli/record_options.hpp"
#include "cli/remove_command.hpp"

namespace tmpctl::cli {

/// `tmpctl cleanup`: remove stale temp files; never what is in use, never
/// anything outside the root.
class CleanupCommand {
public:
  static constexpr const char* command_name = "cleanup";
  static constexpr const char* command_summary = "Remove stale temp files; never what is in use";
  explicit CleanupCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  CLI::App* app_;
  std::vector<std::string> roots_;
  CleanupOptions options_;
  std::string older_than_ = "10d";
  std::vector<std::string> age_by_;
  std::vector<std::string> types_;
  bool strict_ = false;
  bool json_ = false;
  bool verbose_ = false;
  bool quiet_ = false;
  RecordSelectors selectors_;
  std::string wait_;
  CLI::Option* wait_option_ = nullptr;
  TerminateFlags terminate_;

  /// Checks the options of a walk of DIRs; an exit code.
  int prepare_walk();
};

}  // namespace tmpctl::cli
