#include "core/base64.hpp"

#include <algorithm>
#include <cstdint>

namespace tmpctl::core {
namespace {

constexpr std::string_view digits =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t chunk = 0;
    for (std::size_t j = 0; j < 3; ++j)
      chunk = chunk << 8 | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    for (std::size_t j = 0; j < 4; ++j)
      out.push_back(j <= n ? digits[(chunk >> (18 - 6 * j)) & 63] : '=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    // Padding only at the end, and at most two characters of it.
    const std::size_t padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (last && text[i + 3] != '=' && text[i + 2] == '=') return std::nullopt;
    std::uint32_t chunk = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      const std::size_t value = j >= 4 - padding ? 0 : digits.find(text[i + j]);
      if (value == std::string_view::npos) return std::nullopt;
      chunk = chunk << 6 | static_cast<std::uint32_t>(value);
    }
    for (std::size_t j = 0; j < 3 - padding; ++j)
      out.push_back(static_cast<char>((chunk >> (16 - 8 * j)) & 0xFF));
  }
  return out;
}

}  // namespace tmpctl::core
