#pragma once
// Turning CreateOptions into names: the template rules and the random part.

#include <cstddef>
#include <expected>
#include <string>
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

/// Validates the naming options (template rules, no separators in the parts).
std::expected<NamePattern, Error> parse_name_pattern(const CreateOptions& options);

/// Appends `count` characters drawn uniformly from [0-9A-Za-z] using the
/// OS's CSPRNG (rejection sampling, so no character is more likely).
std::expected<void, Error> append_random_chars(std::string& out, std::size_t count);

/// A fresh candidate name for the pattern.
std::expected<std::string, Error> make_name(const NamePattern& pattern);

}  // namespace tmpctl::core
