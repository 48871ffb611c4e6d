#include "cli/output.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tmpctl::cli {

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
