#pragma once
// `tmpctl run --isolate`: after COMMAND has exited, what its process tree
// left (processes still running, with the temp files they hold; entries in
// its private temp directory, with sizes), ending what is left, and the
// report of it all, as text on stderr and as JSON.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tmpctl/holders.hpp>
#include <tmpctl/terminate.hpp>
#include <vector>

#include "core/tree_summary.hpp"
#include "platform/process_tree.hpp"

namespace tmpctl::cli {

struct IsolationSettings {
  /// Leave the processes running (and their temp directory in place).
  bool keep_running = false;
  /// POSIX: SIGTERM, then this long, then SIGKILL.
  std::chrono::milliseconds grace{5000};
};

/// One process of the tree that was running when COMMAND had exited, or
/// that was started while tmpctl was ending the others.
struct LeftProcess {
  Holder process{};  ///< `how` empty; `holds` says what it held
  std::optional<std::chrono::milliseconds> running_for{};
  std::vector<HeldEntry> holds{};  ///< entries of the temp directory it held
  /// Found only after the first round of ending: started meanwhile.
  bool started_while_ending = false;
  std::optional<Termination> termination{};  ///< how it was ended (none with keep_running)
};

struct IsolationReport {
  std::string mechanism;
  std::vector<std::string> notes;
  std::vector<LeftProcess> left;
  /// The tree's last word (cgroup.kill, TerminateJobObject, SIGKILL to each
  /// process) was needed: processes were still running after every round.
  bool swept = false;
  std::optional<Error> error;  ///< the tree could not be listed or ended
  std::optional<core::TreeSummary> leaked;
  std::optional<Error> leaked_error;  ///< the temp directory could not be read
  bool kept_running = false;          ///< processes were left running, as asked
};

/// Looks at what `tree` left once COMMAND has exited, ends it (unless
/// keep_running), and sums up what is left in `directory`.
IsolationReport finish_tree(platform::ProcessTree& tree, const std::string& directory,
                            const IsolationSettings& settings);

/// The report on stderr: nothing when the tree left nothing. `command` is
/// COMMAND's name; `removed` whether the directory went afterwards.
void print_isolation_report(const IsolationReport& report, const std::string& command,
                            const std::string& directory, bool removed, bool as_error);

/// The whole report as JSON (run --isolate --json).
nlohmann::ordered_json isolation_json(const IsolationReport& report);

}  // namespace tmpctl::cli
