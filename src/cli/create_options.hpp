#pragma once
// The options that say where and how a temp entry is made, for every command
// that makes one: create (with GNU mktemp's -p, --tmpdir[=DIR] and -t) and run.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <tmpctl/temp_file.hpp>

namespace tmpctl::cli {

/// How the directory is chosen on the command line.
enum class DirectoryOptions {
  /// run: -p DIR, --dir DIR, --tmpdir DIR (the value always follows).
  tmpctl,
  /// create, as GNU mktemp: -p DIR and --dir DIR; --tmpdir takes a value
  /// only as --tmpdir=DIR (alone it means the temporary directory, so
  /// "--tmpdir NAME.XXXXXX" is a TEMPLATE); -t; the last of -p and --tmpdir wins.
  mktemp,
};

struct CreateOptionValues {
  bool directory = false;
  std::string dir;
  bool single_name = false;  // create -t
  std::string dir_word;      // create: where CLI11 puts -p's and --tmpdir's own
  std::string tmpdir_word;   // values; last_directory() says which came last
  const CLI::Option* dir_option = nullptr;
  const CLI::Option* tmpdir_option = nullptr;
  std::string prefix;
  std::string suffix;
  std::string name_template;
  const CLI::Option* prefix_option = nullptr;    // "--prefix ''" is not the default prefix
  const CLI::Option* suffix_option = nullptr;    // "--suffix ''" still asks for a final X
  const CLI::Option* template_option = nullptr;  // create: an empty TEMPLATE is refused

  /// create: the DIR of the last -p, --dir or --tmpdir[=DIR] that `app`
  /// parsed (empty: the temporary directory); nothing when none was given.
  std::optional<std::string> last_directory(const CLI::App& app) const;
  /// The core's options for these values, by tmpctl's own rules (run): a
  /// template without a directory part goes to the temporary directory.
  CreateOptions options() const;
};

/// Adds -d/--directory (described by `directory_help`), the directory options
/// of `style`, --prefix TEXT and --suffix TEXT to `app`, and returns --prefix,
/// which cannot go with a template.
CLI::Option* add_create_options(CLI::App& app, CreateOptionValues& values,
                                const std::string& directory_help, DirectoryOptions style);

}  // namespace tmpctl::cli
