#include "cli/output.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tmpctl::cli {
namespace {

bool is_valid_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

std::string base64(std::string_view bytes) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

}  // namespace

void set_path(nlohmann::ordered_json& object, const std::string& key, const std::string& path) {
  object[key] = path;  // dump() replaces invalid bytes with U+FFFD
  if (!is_valid_utf8(path)) object[key + "_base64"] = base64(path);
}

void DataOutput::write(std::string_view text) {
  if (first_errno_ != 0) return;
  if (std::fwrite(text.data(), 1, text.size(), stream_) != text.size())
    first_errno_ = errno != 0 ? errno : EIO;
}

void DataOutput::write_json_line(const nlohmann::ordered_json& value) {
  write(value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  write("\n");
}

std::expected<void, Error> DataOutput::finish() {
  errno = 0;
  if (first_errno_ == 0 && std::fflush(stream_) != 0) first_errno_ = errno != 0 ? errno : EIO;
  if (first_errno_ != 0) return std::unexpected(Error::from_errno(first_errno_, "write to standard output", ""));
  return {};
}

void print_error(const Error& error) { print_error(to_string(error)); }

void print_error(std::string_view message) {
  fmt::print(stderr, "tmpctl: {}\n", message);
  std::fflush(stderr);
}

}  // namespace tmpctl::cli
