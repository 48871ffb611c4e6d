#include <fmt/format.h>
#include <tmpctl/error.hpp>

#include "platform/platform.hpp"

namespace tmpctl {

Error Error::invalid(ErrorKind kind, std::string operation, std::string path,
                     std::string message) {
  return Error{kind, std::move(operation), std::move(path), ErrorDomain::none, 0,
               std::move(message)};
}

Error Error::from_errno(int errno_value, std::string operation, std::string path) {
  return platform::errno_error(errno_value, std::move(operation), std::move(path));
}

std::string_view native_error_name(const Error& error) {
  return platform::native_code_name(error.domain, error.native_code);
}

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::already_exists: return "already_exists";
    case ErrorKind::permission_denied: return "permission_denied";
    case ErrorKind::in_use: return "in_use";
    case ErrorKind::not_a_directory: return "not_a_directory";
    case ErrorKind::is_a_directory: return "is_a_directory";
    case ErrorKind::directory_not_empty: return "directory_not_empty";
    case ErrorKind::read_only_filesystem: return "read_only_filesystem";
    case ErrorKind::no_space: return "no_space";
    case ErrorKind::name_too_long: return "name_too_long";
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::too_many_attempts: return "too_many_attempts";
    case ErrorKind::other: return "other";
  }
  return "other";
}

std::string to_string(const Error& error) {
  std::string text;
  if (!error.operation.empty()) {
    text = fmt::format("cannot {}", error.operation);
    if (!error.path.empty()) text += fmt::format(" '{}'", error.path);
    text += ": ";
  }
  text += error.message;
  if (error.domain == ErrorDomain::none) return text;

  const std::string_view label = error.domain == ErrorDomain::win32 ? "WinError" : "errno";
  const std::string_view name = native_error_name(error);
  if (name.empty()) return text + fmt::format(" ({} {})", label, error.native_code);
  return text + fmt::format(" ({} {}, {})", label, error.native_code, name);
}

}  // namespace tmpctl
