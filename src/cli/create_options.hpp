#pragma once
// The options that say where and how a temp entry is made, for every command
// that makes one: create and run.

#include <CLI/CLI.hpp>
#include <string>
#include <tmpctl/temp_file.hpp>

namespace tmpctl::cli {

struct CreateOptionValues {
  bool directory = false;
  std::string dir;
  std::string prefix;
  std::string suffix;
  std::string name_template;
  const CLI::Option* prefix_option = nullptr;  // "--prefix ''" is not the default prefix

  /// The core's options for these values.
  CreateOptions options() const;
};

/// Adds -d/--directory (described by `directory_help`), -p/--dir/--tmpdir DIR,
/// --prefix TEXT and --suffix TEXT to `app`, and returns --prefix, which
/// cannot go with a template.
CLI::Option* add_create_options(CLI::App& app, CreateOptionValues& values,
                                const std::string& directory_help);

}  // namespace tmpctl::cli
