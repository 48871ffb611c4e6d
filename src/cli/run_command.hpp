#pragma once

#include <CLI/CLI.hpp>
#include <expected>
#include <string>
#include <tmpctl/error.hpp>
#include <vector>

#include "cli/create_options.hpp"

namespace tmpctl::cli {

/// `tmpctl run`: a temporary file for the time a command runs.
class RunCommand {
public:
  explicit RunCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  std::expected<std::string, Error> create_temp_path() const;
  // Where the record store (create --ttl/--tag) will hook in: right after the
  // temp path was created, and right after it was removed. Nothing yet.
  void record_created(const std::string& path);
  void record_removed(const std::string& path);

  CLI::App* app_;
  CreateOptionValues create_;
  bool keep_on_failure_ = false;
  bool no_holders_ = false;
  std::vector<std::string> command_;
};

}  // namespace tmpctl::cli
