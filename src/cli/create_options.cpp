#include "cli/create_options.hpp"

#include "cli/option_values.hpp"

namespace tmpctl::cli {

CreateOptions CreateOptionValues::options() const {
  CreateOptions options;
  options.directory = dir;
  if (prefix_option != nullptr && prefix_option->count() > 0) options.prefix = prefix;
  options.suffix = suffix;
  options.name_template = name_template;
  return options;
}

CLI::Option* add_create_options(CLI::App& app, CreateOptionValues& values,
                                const std::string& directory_help) {
  app.add_flag("-d,--directory", values.directory, directory_help);
  path_value(app.add_option("-p,--dir,--tmpdir", values.dir,
                            "Create in DIR instead of the temporary directory")
                 ->type_name("DIR"),
             OptionValues::Kind::directory);
  CLI::Option* prefix =
      app.add_option("--prefix", values.prefix, "Text before the random part (default tmp.)")
          ->type_name("TEXT");
  values.prefix_option = prefix;
  app.add_option("--suffix", values.suffix, "Text after the random part, e.g. .json")
      ->type_name("TEXT");
  return prefix;
}

}  // namespace tmpctl::cli
