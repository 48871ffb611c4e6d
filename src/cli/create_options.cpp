#include "cli/create_options.hpp"

#include "cli/option_values.hpp"

namespace tmpctl::cli {
namespace {

bool given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

}  // namespace

CreateOptions CreateOptionValues::options() const {
  CreateOptions options;
  options.directory = dir;
  if (given(prefix_option)) options.prefix = prefix;
  options.suffix = suffix;
  options.name_template = name_template;
  return options;
}

std::optional<std::string> CreateOptionValues::last_directory(const CLI::App& app) const {
  // The last of -p and --tmpdir wins, as with GNU getopt: CLI11 keeps each
  // option's values apart, and the order they came in.
  std::optional<std::string> last;
  std::size_t dirs = 0;
  std::size_t tmpdirs = 0;
  for (const CLI::Option* option : app.parse_order()) {
    const CLI::results_t& results = option->results();
    if (option == dir_option && dirs < results.size())
      last = results[dirs++];
    else if (option == tmpdir_option && tmpdirs < results.size())
      last = results[tmpdirs++];
  }
  return last;
}

CLI::Option* add_create_options(CLI::App& app, CreateOptionValues& values,
                                const std::string& directory_help, DirectoryOptions style) {
  app.add_flag("-d,--directory", values.directory, directory_help);
  if (style == DirectoryOptions::tmpctl) {
    path_value(app.add_option("-p,--dir,--tmpdir", values.dir,
                              "Create in DIR instead of the temporary directory")
                   ->type_name("DIR"),
               OptionValues::Kind::directory);
  } else {
    values.dir_option = path_value(app.add_option("-p,--dir", values.dir_word,
                                                  "Create in DIR (empty: the temporary directory)")
                                       ->type_name("DIR")
                                       ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast),
                                   OptionValues::Kind::directory);
    // A flag, so that it never takes the next word: GNU's optional argument.
    values.tmpdir_option =
        app.add_flag("--tmpdir{}", values.tmpdir_word,
                     "As -p DIR, the value only after '='; alone: the temporary directory")
            ->type_name("DIR")
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_flag("-t", values.single_name,
                 "TEMPLATE is one file name, in $TMPDIR if set, else in -p DIR, else in the "
                 "temporary directory (GNU mktemp's deprecated -t)");
  }
  CLI::Option* prefix =
      app.add_option("--prefix", values.prefix, "Text before the random part (default tmp.)")
          ->type_name("TEXT");
  values.prefix_option = prefix;
  values.suffix_option =
      app.add_option("--suffix", values.suffix, "Text after the random part, e.g. .json")
          ->type_name("TEXT")
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // the last, as GNU
  return prefix;
}

}  // namespace tmpctl::cli
