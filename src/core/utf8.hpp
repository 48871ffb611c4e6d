#pragma once
// UTF-8 as RFC 3629 defines it: what is valid text (for JSON, tags, names
// shown to a user) and where each character of a name starts and ends (for
// patterns). Overlong forms, surrogates (U+D800..U+DFFF) and code points
// above U+10FFFF are not UTF-8; a byte that starts no valid sequence is a
// character of its own, one byte long.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tmpctl::core {

/// One character of a byte string.
struct Utf8Char {
  /// The code point; for an invalid byte, the byte's value.
  std::uint32_t code_point = 0;
  /// Bytes it takes: 1..4; 1 for an invalid byte.
  std::size_t length = 1;
  /// Whether the bytes are a well-formed UTF-8 sequence.
  bool valid = false;
};

/// The character starting at text[i] (i < text.size()).
Utf8Char utf8_char_at(std::string_view text, std::size_t i);

/// Whether all of `text` is well-formed UTF-8 (the empty string is).
bool is_valid_utf8(std::string_view text);

}  // namespace tmpctl::core
