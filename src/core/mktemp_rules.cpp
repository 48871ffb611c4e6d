#include "core/mktemp_rules.hpp"

#include <fmt/format.h>

#include "core/name_pattern.hpp"
#include "platform/platform.hpp"

namespace tmpctl::core {
namespace {

std::unexpected<Error> refuse(std::string message) {
  return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "", "", std::move(message)));
}

bool has_separator(std::string_view text) {
  return text.find_first_of(platform::path_separators()) != std::string_view::npos;
}

// GNU's checks of TEMPLATE and --suffix, in GNU's order, so that the first
// problem of several is the one reported.
std::expected<void, Error> check_template(const std::string& tmpl,
                                          const std::optional<std::string>& suffix) {
  if (suffix && (tmpl.empty() || tmpl.back() != 'X'))
    return refuse(fmt::format("with --suffix, template '{}' must end in X", tmpl));
  // Without --suffix, whatever follows the last X is the suffix.
  const XRun run = last_x_run(tmpl);
  const std::string_view suffix_part =
      suffix ? std::string_view(*suffix) : std::string_view(tmpl).substr(run.end);
  if (has_separator(suffix_part))
    return refuse(fmt::format("invalid suffix '{}', contains directory separator", suffix_part));
  if (run.size() < min_template_xs)
    return refuse(fmt::format("too few X's in template '{}': at least {} in a row are needed", tmpl,
                              min_template_xs));
  return {};
}

}  // namespace

std::expected<CreateOptions, Error> mktemp_options(const MktempRequest& request,
                                                   CreateOptions base) {
  CreateOptions options = std::move(base);
  options.suffix = request.suffix.value_or("");

  if (request.name_template) {
    const std::string& tmpl = *request.name_template;
    if (auto ok = check_template(tmpl, request.suffix); !ok) return std::unexpected(ok.error());
    if (request.single_name && has_separator(tmpl))
      return refuse(fmt::format("invalid template, '{}', contains directory separator", tmpl));
    if (request.directory && !request.single_name && platform::is_absolute_path(tmpl))
      return refuse(
          fmt::format("invalid template, '{}'; with --tmpdir, it may not be absolute", tmpl));
    options.name_template = tmpl;
  }

  // Where: -t looks at the environment first, then -p; -p and --tmpdir at
  // their DIR, then the environment. No TEMPLATE counts as --tmpdir.
  const bool in_directory = request.directory || request.single_name || !request.name_template;
  if (!in_directory) {
    // A TEMPLATE on its own is a path: its directory part, else the current
    // directory (GNU, BSD and uutils agree; not the temporary directory).
    const std::string& tmpl = *request.name_template;
    options.directory = has_separator(tmpl) ? std::string() : std::string(".");
    return options;
  }
  std::string directory;
  if (request.single_name) directory = platform::temp_directory_from_environment();
  if (directory.empty()) directory = request.directory.value_or("");
  if (directory.empty()) {
    // The system's temporary directory, named here rather than left to the
    // core's default: a TEMPLATE's own directory part ("a/bXXXX") is below it.
    auto system = platform::system_temp_directory();
    if (!system) return std::unexpected(system.error());
    directory = std::move(*system);
  }
  options.directory = std::move(directory);
  return options;
}

}  // namespace tmpctl::core
