#pragma once
// The options that give a new entry a lifetime (create, run) and those that
// choose records (list, cleanup): defined once, for every command that has them.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <tmpctl/records.hpp>
#include <vector>

namespace tmpctl::cli {

/// --ttl, --tag, --owner.
class LifetimeOptions {
public:
  /// Adds the options to `command`; they exclude each of `excluded`.
  /// `with_owner`: --owner too (run's entries belong to tmpctl itself).
  void add_to(CLI::App& command, const std::vector<CLI::Option*>& excluded = {},
              bool with_owner = true);
  /// Whether any was given: the entry is then recorded.
  bool requested() const;
  /// What to record, or a usage message ("--ttl: ...").
  std::expected<Lifetime, std::string> lifetime() const;

private:
  std::string ttl_;
  std::string tag_;
  std::uint32_t owner_ = 0;
  CLI::Option* ttl_option_ = nullptr;
  CLI::Option* tag_option_ = nullptr;
  CLI::Option* owner_option_ = nullptr;
};

/// --expired, --tag (repeatable), --orphaned.
class RecordSelectors {
public:
  /// `what` completes "Only <what> ..." in the help: "list", "remove".
  void add_to(CLI::App& command, const std::string& what);
  bool any() const { return expired_ || orphaned_ || !tags_.empty(); }
  RecordFilter filter() const;
  /// The options, for excludes().
  std::vector<CLI::Option*> options() const { return options_; }

private:
  bool expired_ = false;
  bool orphaned_ = false;
  std::vector<std::string> tags_;
  std::vector<CLI::Option*> options_;
};

/// "2026-11-24T09:30:00Z".
std::string utc_text(std::chrono::system_clock::time_point time);
/// "45s", "12m", "3h20m", "2d4h": the two largest units.
std::string duration_text(std::chrono::system_clock::duration duration);

}  // namespace tmpctl::cli
