#pragma once

#include <CLI/CLI.hpp>

#include "cli/record_options.hpp"

namespace tmpctl::cli {

/// `tmpctl list`: what tmpctl created with a lifetime, and what became of it.
class ListCommand {
public:
  static constexpr const char* command_name = "list";
  static constexpr const char* command_summary = "List what tmpctl created with a lifetime";
  explicit ListCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  CLI::App* app_;
  RecordSelectors selectors_;
  bool all_ = false;
  bool json_ = false;
};

}  // namespace tmpctl::cli
