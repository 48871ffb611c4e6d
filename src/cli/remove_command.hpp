#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <tmpctl/cleanup.hpp>
#include <tmpctl/remove.hpp>
#include <vector>

namespace tmpctl::cli {

/// --terminate and the options that go with it (remove; diagnose as a dry run).
struct TerminateFlags {
  bool terminate = false;
  bool tree = false;
  bool all_users = false;
  bool yes = false;
  std::string grace;
  CLI::Option* grace_option = nullptr;
};

/// Which command the --wait and --terminate options are for (their help).
enum class TerminateFor { remove, diagnose, cleanup };

/// --wait DURATION.
CLI::Option* add_wait_option(CLI::App* app, std::string& wait, TerminateFor command);
/// The DURATION given to `option` (--wait, --grace) into `value`, when it was
/// given; false (after saying why, with the option's name) when it is bad.
bool parse_duration_option(const CLI::Option* option, const std::string& text,
                           std::chrono::milliseconds& value);
/// --terminate, --terminate-tree, --all-users; --grace and --yes where it ends.
void add_terminate_options(CLI::App* app, TerminateFlags& flags, TerminateFor command);
/// The flags into TerminateOptions (asking on a terminal unless --yes); false
/// (after saying why) when they do not go together.
bool apply_terminate(const TerminateFlags& flags, std::optional<TerminateOptions>& options);

/// `tmpctl remove`: delete with explicit semantics; explain every refusal.
class RemoveCommand {
public:
  static constexpr const char* command_name = "remove";
  static constexpr const char* command_summary = "Remove files, explaining any refusal";
  explicit RemoveCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  CLI::App* app_;
  std::vector<std::string> paths_;
  RemoveOptions options_;
  bool json_ = false;
  bool verbose_ = false;
  bool no_holders_ = false;
  std::string wait_;
  CLI::Option* wait_option_ = nullptr;
  TerminateFlags terminate_;
};

/// `tmpctl diagnose`: who holds a file, and would a delete succeed now.
class DiagnoseCommand {
public:
  static constexpr const char* command_name = "diagnose";
  static constexpr const char* command_summary = "Who holds a file; would a delete succeed now";
  explicit DiagnoseCommand(CLI::App& parent);
  bool selected() const { return app_->parsed(); }
  int run();

private:
  CLI::App* app_;
  std::vector<std::string> paths_;
  RemoveOptions options_;
  bool json_ = false;
  std::string wait_;
  CLI::Option* wait_option_ = nullptr;
  TerminateFlags terminate_;
  bool deleted_ = false;
};

}  // namespace tmpctl::cli
