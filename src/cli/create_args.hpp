#pragma once
// What a `tmpctl create` command line asks for, however it was parsed: by
// the full parser (CLI11, create_command.cpp) or by the fast path that
// skips it for the plain invocations scripts make (create_fast_path.cpp).

#include <cstddef>
#include <optional>
#include <string>

namespace tmpctl::cli {

class LifetimeOptions;

/// The most entries one create makes (-n).
inline constexpr std::size_t max_create_count = 1'000'000;

struct CreateArgs {
  bool directory = false;                    // -d
  std::optional<std::string> name_template;  // TEMPLATE, when given
  std::optional<std::string> prefix;         // --prefix
  std::optional<std::string> suffix;         // --suffix
  std::optional<std::string> dir;            // the last -p, --dir or --tmpdir[=DIR]
  bool single_name = false;                  // -t
  std::size_t count = 1;                     // -n
  bool json = false;
  bool null = false;
  bool quiet = false;
  bool dry_run = false;

  bool operator==(const CreateArgs&) const = default;
};

/// Runs create; `lifetime` is the --ttl, --tag and --owner given (nullptr:
/// none, as on the fast path).
int run_create(const CreateArgs& args, const LifetimeOptions* lifetime);

}  // namespace tmpctl::cli
