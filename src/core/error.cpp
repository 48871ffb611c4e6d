#include <fmt/format.h>
#include <tmpctl/error.hpp>

#include "core/enum_names.hpp"
#include "platform/platform.hpp"

namespace tmpctl {

Error Error::invalid(ErrorKind kind, std::string operation, std::string path, std::string message) {
  return Error{kind, std::move(operation), std::move(path), ErrorDomain::none,
               0,    std::move(message)};
}

Error Error::from_errno(int errno_value, std::string operation, std::string path) {
  return platform::errno_error(errno_value, std::move(operation), std::move(path));
}

std::string_view native_error_name(const Error& error) {
  return platform::native_code_name(error.domain, error.native_code);
}

constexpr core::EnumName<ErrorKind> error_kind_names[] = {
    {ErrorKind::not_found, "not_found"},
    {ErrorKind::already_exists, "already_exists"},
    {ErrorKind::permission_denied, "permission_denied"},
    {ErrorKind::in_use, "in_use"},
    {ErrorKind::not_a_directory, "not_a_directory"},
    {ErrorKind::is_a_directory, "is_a_directory"},
    {ErrorKind::directory_not_empty, "directory_not_empty"},
    {ErrorKind::read_only_filesystem, "read_only_filesystem"},
    {ErrorKind::no_space, "no_space"},
    {ErrorKind::name_too_long, "name_too_long"},
    {ErrorKind::invalid_argument, "invalid_argument"},
    {ErrorKind::too_many_attempts, "too_many_attempts"},
    {ErrorKind::protected_directory, "protected_directory"},
    {ErrorKind::other, "other"}};
static_assert(core::in_declaration_order(error_kind_names));

std::string_view to_string(ErrorKind kind) { return core::name_in(error_kind_names, kind); }

constexpr core::EnumName<ErrorDomain> error_domain_names[] = {
    {ErrorDomain::none, "none"}, {ErrorDomain::posix, "errno"}, {ErrorDomain::win32, "win32"}};
static_assert(core::in_declaration_order(error_domain_names));

std::string_view to_string(ErrorDomain domain) { return core::name_in(error_domain_names, domain); }

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
