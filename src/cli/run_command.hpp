#pragma once

#include <CLI/CLI.hpp>
#include <expected>
#include <string>
#include <tmpctl/error.hpp>
#include <vector>

#include <optional>
#include <tmpctl/records.hpp>

#include "cli/create_options.hpp"
#include "cli/record_options.hpp"

namespace tmpctl::cli {

/// `tmpctl run`: a temporary file for the time a command runs.
class RunCommand {
public:
  static constexpr const char* command_name = "run";
  static constexpr const char* command_summary =
      "Run a command with a temporary file, removed afterwards";
  explicit RunCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  std::expected<std::string, Error> create_temp_path() const;
  // The temp path's record in the store: written right after the path was
  // created (owner: tmpctl itself, so that a killed tmpctl leaves an orphan
  // that 'cleanup --orphaned' removes), forgotten right after it was removed.
  std::expected<void, Error> record_created(const std::string& path, const Lifetime& lifetime);
  // Records the path anew, as it is now, as `owner`'s: COMMAND's once it
  // runs (a killed tmpctl leaves COMMAND running: its path is no orphan until
  // COMMAND ends), and with the identity it has when it cannot be removed
  // (COMMAND may have replaced the file). The old record goes; if the new one
  // cannot be written, the old one stays.
  void record_again(const std::string& path, const ProcessRef& owner);
  void record_removed();

  CLI::App* app_;
  CreateOptionValues create_;
  bool keep_on_failure_ = false;
  bool no_holders_ = false;
  // --isolate and what goes with it.
  bool isolate_ = false;
  bool keep_running_ = false;
  bool fail_on_leak_ = false;
  bool json_ = false;
  std::string grace_;
  CLI::Option* grace_option_ = nullptr;
  std::vector<std::string> command_;
  LifetimeOptions lifetime_;
  std::optional<RecordStore> store_;
  std::optional<Record> record_;
  Lifetime lifetime_values_;
};

}  // namespace tmpctl::cli
