#pragma once
/// \file
/// The error value every tmpctl operation returns instead of throwing.

#include <string>
#include <string_view>

namespace tmpctl {

/// What went wrong, independent of the operating system.
enum class ErrorKind {
  not_found,          ///< the path or one of its parents does not exist
  already_exists,     ///< the name is taken
  permission_denied,  ///< the OS refused access (errno 13/1, WinError 5)
  in_use,             ///< another handle prevents the operation (WinError 32/33)
  not_a_directory,    ///< a parent path component is a file
  is_a_directory,     ///< the path is a directory where a file was expected
  directory_not_empty,
  read_only_filesystem,
  no_space,
  name_too_long,
  invalid_argument,   ///< the caller's input is wrong; nothing was attempted
  too_many_attempts,  ///< every name tried was taken
  /// a directory tmpctl guards (a file system's root, a home directory or one
  /// that holds homes, a system directory) as a cleanup root: nothing was
  /// attempted; CleanupOptions::force overrides the guard
  protected_directory,
  other,  ///< an OS error with no finer classification
};

/// Which numbering native_code uses.
enum class ErrorDomain {
  none,   ///< not an OS error (invalid input, exhausted retries)
  posix,  ///< errno
  win32,  ///< GetLastError()
};

/// An error that keeps what the OS said: the operation, the path, the native
/// code and its text. Format it with to_string().
struct Error {
  ErrorKind kind = ErrorKind::other;
  /// What tmpctl was doing, as a verb phrase: "create file in", "remove".
  std::string operation;
  /// The path the operation was about (UTF-8); may be empty.
  std::string path;
  ErrorDomain domain = ErrorDomain::none;
  int native_code = 0;
  /// The OS's description of native_code, or tmpctl's own for domain none.
  std::string message;

  /// An error of tmpctl's own making (domain none).
  static Error invalid(ErrorKind kind, std::string operation, std::string path,
                       std::string message);
  /// An error from a C library call that set errno (stdio, for example).
  static Error from_errno(int errno_value, std::string operation, std::string path);
};

/// The symbolic name of the native code: "EACCES", "ERROR_SHARING_VIOLATION",
/// or an empty view when tmpctl does not know it.
std::string_view native_error_name(const Error& error);

/// Stable lower_snake_case name of a kind, as used in JSON output.
std::string_view to_string(ErrorKind kind);
/// Stable name of a domain, as used in JSON output: "none", "errno", "win32".
std::string_view to_string(ErrorDomain domain);

/// The one text form of an error, e.g.
/// "cannot create file in '/x': Permission denied (errno 13, EACCES)" or
/// "cannot remove 'C:\\t\\a.tmp': The process cannot access the file because it
/// is being used by another process (WinError 32, ERROR_SHARING_VIOLATION)".
std::string to_string(const Error& error);

}  // namespace tmpctl
