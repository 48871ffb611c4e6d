#pragma once
// Turning CreateOptions into names: the template rules and the random part.

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <tmpctl/temp_file.hpp>

namespace tmpctl::core {

/// A parsed name: prefix + random_length random characters + suffix.
struct NamePattern {
  std::string prefix;
  std::size_t random_length = 0;
  std::string suffix;
};

/// Minimum run of X's a template needs (GNU mktemp).
inline constexpr std::size_t min_template_xs = 3;

/// The run of X's that ends at the last X of a template, [begin, end): the
/// part that becomes random; what follows it is the suffix. Without an X,
/// an empty run at the template's end.
struct XRun {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
};
XRun last_x_run(std::string_view name_template) noexcept;

/// Validates the naming options (template rules, no separators in the parts).
std::expected<NamePattern, Error> parse_name_pattern(const CreateOptions& options);

/// Appends `count` characters drawn uniformly from [0-9A-Za-z] using the
/// OS's CSPRNG (rejection sampling, so no character is more likely).
std::expected<void, Error> append_random_chars(std::string& out, std::size_t count);

/// A fresh candidate name for the pattern.
std::expected<std::string, Error> make_name(const NamePattern& pattern);

}  // namespace tmpctl::core
