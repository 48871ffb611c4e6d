#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/create_args.hpp"
#include "cli/create_options.hpp"
#include "cli/record_options.hpp"

namespace tmpctl::cli {

/// `tmpctl create`: mktemp for every OS.
class CreateCommand {
public:
  static constexpr const char* command_name = "create";
  static constexpr const char* command_summary = "Create temporary files or directories safely";
  explicit CreateCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run() { return run_create(args(), &lifetime_); }
  /// What the parsed command line asks for (the lifetime options aside).
  CreateArgs args() const;

private:
  CLI::App* app_;
  CreateOptionValues create_;
  std::size_t count_ = 1;
  bool json_ = false;
  bool null_ = false;
  bool quiet_ = false;
  bool dry_run_ = false;
  LifetimeOptions lifetime_;
};

}  // namespace tmpctl::cli
