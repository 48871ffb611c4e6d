#include "core/name_pattern.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

#include "platform/platform.hpp"

namespace tmpctl::core {
namespace {

constexpr std::string_view alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// The largest multiple of 62 that fits in a byte: bytes at or above it are
// rejected so that `byte % 62` is uniform.
constexpr unsigned accept_below = 256 - 256 % alphabet.size();

Error invalid_name(std::string message) {
  return Error::invalid(ErrorKind::invalid_argument, "", "", std::move(message));
}

std::expected<void, Error> check_component(std::string_view what, const std::string& text) {
  if (const std::string problem = platform::name_part_problem(text); !problem.empty())
    return std::unexpected(invalid_name(fmt::format("{} '{}' {}", what, text, problem)));
  return {};
}

// Draws of names that spell a device before giving up: a prefix such as
// "nul." makes every name one, while a random part makes most names fine.
constexpr int max_reserved_redraws = 100;

}  // namespace

std::expected<NamePattern, Error> parse_name_pattern(const CreateOptions& options) {
  if (auto ok = check_component("suffix", options.suffix); !ok) return std::unexpected(ok.error());

  if (options.name_template.empty()) {
    NamePattern pattern{options.prefix.value_or("tmp."), default_random_length, options.suffix};
    if (auto ok = check_component("prefix", pattern.prefix); !ok)
      return std::unexpected(ok.error());
    if (const std::string problem = platform::name_end_problem(pattern.suffix); !problem.empty())
      return std::unexpected(invalid_name(fmt::format("suffix '{}' {}", pattern.suffix, problem)));
    return pattern;
  }

  const std::string& tmpl = options.name_template;
  if (options.prefix)
    return std::unexpected(invalid_name("a prefix cannot be combined with a template"));
  if (auto ok = check_component("template", tmpl); !ok) return std::unexpected(ok.error());

  const XRun run = last_x_run(tmpl);
  if (run.size() < min_template_xs)
    return std::unexpected(invalid_name(fmt::format(
        "too few X's in template '{}': at least {} in a row are needed", tmpl, min_template_xs)));
  if (!options.suffix.empty() && run.end != tmpl.size())
    return std::unexpected(
        invalid_name(fmt::format("with a suffix, template '{}' must end in X", tmpl)));

  NamePattern pattern{tmpl.substr(0, run.begin), run.size(), tmpl.substr(run.end) + options.suffix};
  if (const std::string problem = platform::name_end_problem(pattern.suffix); !problem.empty())
    return std::unexpected(invalid_name(fmt::format("template '{}' {}", tmpl, problem)));
  return pattern;
}

XRun last_x_run(std::string_view name_template) noexcept {
  const std::size_t last = name_template.find_last_of('X');
  if (last == std::string_view::npos) return {name_template.size(), name_template.size()};
  std::size_t begin = last;
  while (begin > 0 && name_template[begin - 1] == 'X') --begin;
  return {begin, last + 1};
}

std::expected<void, Error> append_random_chars(std::string& out, std::size_t count) {
  std::array<std::uint8_t, 64> bytes;
  while (count > 0) {
    // Ask for a little more than needed: about 3% of bytes are rejected.
    const std::size_t want = std::min(bytes.size(), count + count / 16 + 2);
    if (auto ok = platform::random_bytes(std::span(bytes.data(), want)); !ok)
      return std::unexpected(ok.error());
    for (std::size_t i = 0; i < want && count > 0; ++i) {
      if (bytes[i] >= accept_below) continue;
      out.push_back(alphabet[bytes[i] % alphabet.size()]);
      --count;
    }
  }
  return {};
}

std::expected<std::string, Error> make_name(const NamePattern& pattern) {
  std::string name;
  name.reserve(pattern.prefix.size() + pattern.random_length + pattern.suffix.size());
  // A short template can spell a Windows device name ("NUL", "con.txt"),
  // which opens the device instead of a file: draw again.
  for (int draw = 0; draw < max_reserved_redraws; ++draw) {
    name = pattern.prefix;
    if (auto ok = append_random_chars(name, pattern.random_length); !ok)
      return std::unexpected(ok.error());
    name += pattern.suffix;
    if (!platform::is_reserved_name(name)) return name;
  }
  return std::unexpected(
      invalid_name(fmt::format("names made from '{}{}{}' are reserved device names", pattern.prefix,
                               std::string(pattern.random_length, 'X'), pattern.suffix)));
}

}  // namespace tmpctl::core
