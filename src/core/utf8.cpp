#include "core/utf8.hpp"

namespace tmpctl::core {

Utf8Char utf8_char_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  // RFC 3629, section 4: the lead byte fixes the length, the payload bits it
  // carries and the range of the second byte, which is where overlong forms,
  // surrogates and code points above U+10FFFF are ruled out.
  std::size_t length = 0;
  std::uint32_t code_point = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
    if (lead == 0xE0) second_low = 0xA0;   // below U+0800: overlong
    if (lead == 0xED) second_high = 0x9F;  // U+D800..U+DFFF: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
    if (lead == 0xF0) second_low = 0x90;   // below U+10000: overlong
    if (lead == 0xF4) second_high = 0x8F;  // above U+10FFFF
  }
  const Utf8Char invalid{lead, 1, false};
  if (length == 0 || text.size() - i < length) return invalid;
  if (byte(1) < second_low || byte(1) > second_high) return invalid;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return invalid;
    code_point = code_point << 6 | (byte(k) & 0x3Fu);
  }
  return {code_point, length, true};
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = utf8_char_at(text, i);
    if (!c.valid) return false;
    i += c.length;
  }
  return true;
}

}  // namespace tmpctl::core
