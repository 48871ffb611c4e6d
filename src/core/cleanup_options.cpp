// Glob matching and duration parsing for cleanup's options, written here
// rather than taken from the OS: fnmatch() does not exist on Windows and
// PathMatchSpecW matches differently, and the same pattern must select the
// same files on every OS (docs/architecture.md, "Libraries, and what is written by hand").

#include <cstdint>
#include <limits>
#include <string>
#include <tmpctl/cleanup.hpp>
#include <vector>

#include "core/utf8.hpp"

namespace tmpctl {
namespace {

std::uint32_t fold(std::uint32_t c, bool case_insensitive) {
  return case_insensitive && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

// Where the bracket expression starting at pattern[p] ('[') ends (just past
// its ']'), or npos when it is not closed. A ']' right after '[' or '[!' is a
// member, as in POSIX.
std::size_t bracket_end(std::string_view pattern, std::size_t p) {
  std::size_t i = p + 1;
  if (i < pattern.size() && pattern[i] == '!') ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;
  while (i < pattern.size() && pattern[i] != ']') ++i;
  return i < pattern.size() ? i + 1 : std::string_view::npos;
}

bool bracket_matches(std::string_view set, std::uint32_t c, bool case_insensitive) {
  bool negate = false;
  std::size_t i = 0;
  if (!set.empty() && set[0] == '!') {
    negate = true;
    i = 1;
  }
  bool found = false;
  c = fold(c, case_insensitive);
  while (i < set.size()) {
    const core::Utf8Char first = core::utf8_char_at(set, i);
    const std::uint32_t low = fold(first.code_point, case_insensitive);
    i += first.length;
    std::uint32_t high = low;
    if (i + 1 < set.size() && set[i] == '-') {
      const core::Utf8Char last = core::utf8_char_at(set, i + 1);
      high = fold(last.code_point, case_insensitive);
      i += 1 + last.length;
    }
    if (c >= low && c <= high) found = true;
  }
  return found != negate;
}

class Matcher {
public:
  Matcher(std::string_view pattern, std::string_view text, bool case_insensitive)
      : pattern_(pattern), text_(text), case_insensitive_(case_insensitive) {}

  bool matches(std::size_t p, std::size_t t) {
    while (p < pattern_.size()) {
      const char token = pattern_[p];
      if (token == '*') {
        bool crosses = false;
        while (p < pattern_.size() && pattern_[p] == '*') {
          crosses = crosses || (p + 1 < pattern_.size() && pattern_[p + 1] == '*');
          ++p;
        }
        // Each (pattern, text) position is tried once: linear in their product.
        for (std::size_t k = t;; k += core::utf8_char_at(text_, k).length) {
          if (tried(p, k)) {
            // already known not to match from here
          } else if (matches(p, k)) {
            return true;
          }
          if (k >= text_.size() || (!crosses && text_[k] == '/')) return false;
        }
      }
      if (t >= text_.size()) return false;
      // A byte that starts no valid UTF-8 sequence is a character of its own,
      // so invalid names still match `?` and `*` sensibly.
      const core::Utf8Char text_char = core::utf8_char_at(text_, t);
      const std::uint32_t c = text_char.code_point;
      if (token == '?') {
        if (c == '/') return false;
        ++p;
      } else if (token == '[' && bracket_end(pattern_, p) != std::string_view::npos) {
        const std::size_t end = bracket_end(pattern_, p);
        if (c == '/' || !bracket_matches(pattern_.substr(p + 1, end - p - 2), c, case_insensitive_))
          return false;
        p = end;
      } else {
        const core::Utf8Char pattern_char = core::utf8_char_at(pattern_, p);
        if (fold(pattern_char.code_point, case_insensitive_) != fold(c, case_insensitive_))
          return false;
        p += pattern_char.length;
      }
      t += text_char.length;
    }
    return t == text_.size();
  }

private:
  // Marks (p, t) as tried; true when it had been already.
  bool tried(std::size_t p, std::size_t t) {
    const std::size_t columns = text_.size() + 1;
    if (seen_.empty()) seen_.resize((pattern_.size() + 1) * columns);
    char& cell = seen_[p * columns + t];
    const bool before = cell != 0;
    cell = 1;
    return before;
  }

  std::string_view pattern_;
  std::string_view text_;
  bool case_insensitive_;
  std::vector<char> seen_;
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool case_insensitive) {
  return Matcher(pattern, text, case_insensitive).matches(0, 0);
}

std::expected<void, Error> check_glob(std::string_view pattern) {
  if (pattern.empty())
    return std::unexpected(
        Error::invalid(ErrorKind::invalid_argument, "use pattern", "", "a glob cannot be empty"));
  for (std::size_t p = 0; p < pattern.size(); ++p) {
    if (pattern[p] != '[') continue;
    const std::size_t end = bracket_end(pattern, p);
    if (end == std::string_view::npos)
      return std::unexpected(
          Error::invalid(ErrorKind::invalid_argument, "use pattern", std::string(pattern),
                         "'[' has no closing ']' (write [[] for a literal '[')"));
    p = end - 1;
  }
  return {};
}

std::expected<std::chrono::seconds, Error> parse_duration(std::string_view text,
                                                          ZeroDuration zero) {
  const auto invalid = [&](std::string why) {
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "use duration",
                                          std::string(text), std::move(why)));
  };
  if (text.empty()) return invalid("a duration cannot be empty");
  // A century: longer ages mean nothing for temp files, and the cutoff in
  // nanoseconds must not overflow.
  constexpr std::int64_t limit = 100LL * 366 * 86400;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      if (number > limit) return invalid("it is longer than 100 years");
      ++i;
    }
    if (i == start)
      return invalid(
          "expected a number followed by a unit (s, m, h, d, w), as in 90s, 12h or 1d6h");
    std::int64_t unit = 1;
    if (i < text.size()) {
      switch (text[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default:
          return invalid(std::string("unknown unit '") + text[i] + "' (use s, m, h, d or w)");
      }
      ++i;
    } else if (start != 0) {
      return invalid("the last number has no unit (use s, m, h, d or w)");
    }
    if (number > limit / unit || total > limit - number * unit)
      return invalid("it is longer than 100 years");
    total += number * unit;
  }
  if (total == 0 && zero == ZeroDuration::refused)
    return invalid("a duration must be longer than 0s");
  return std::chrono::seconds(total);
}

}  // namespace tmpctl
