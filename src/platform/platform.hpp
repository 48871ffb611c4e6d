#pragma once
// The operating-system interface the core is written against. One backend per
// platform family implements it (posix/, win32/), chosen in src/CMakeLists.txt.
// Paths are UTF-8 strings here; the Windows backend converts at its boundary.

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <tmpctl/handle.hpp>

namespace tmpctl::platform {

/// Characters that separate path components on this platform.
std::string_view path_separators() noexcept;
/// The separator this platform writes when joining paths.
char preferred_separator() noexcept;

/// Why `text` cannot be part of a file name on this platform, as a phrase
/// ("contains a path separator"), or an empty string when it can.
std::string name_part_problem(std::string_view text);
/// Why a file name cannot end the way `name` does (Windows drops trailing
/// dots and spaces), or an empty string.
std::string name_end_problem(std::string_view name);

/// Why `name` cannot stand for one entry of a directory on its own (empty,
/// "." or "..", or a name_part_problem), or an empty string when it can: what
/// operations relative to an open directory check before they touch it.
inline std::string plain_name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name == "." || name == "..") return "is not the name of an entry";
  return name_part_problem(name);
}

/// Whether a file name cannot be used as an ordinary name on this platform:
/// Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, in any case and
/// with any extension). Never on POSIX.
bool is_reserved_name(std::string_view name) noexcept;

/// An Error for a native code (errno or GetLastError()), with kind, name-able
/// domain and the OS's message filled in.
Error os_error(int native_code, std::string operation, std::string path);
/// An Error for an errno value set by the C library (on every platform).
Error errno_error(int errno_value, std::string operation, std::string path);
/// The ErrorKind an errno value means.
ErrorKind errno_kind(int errno_value) noexcept;
/// "ENOENT" for ENOENT; empty for numbers tmpctl has no name for.
std::string_view errno_name(int errno_value) noexcept;
/// The symbolic name of a native code ("ENOENT", "ERROR_FILE_NOT_FOUND").
std::string_view native_code_name(ErrorDomain domain, int code) noexcept;

/// Fills `out` from the OS's cryptographically secure generator.
std::expected<void, Error> random_bytes(std::span<std::uint8_t> out);

std::expected<std::string, Error> system_temp_directory();
/// The temporary directory the environment names, or an empty string: $TMPDIR
/// on POSIX; %TMP%, else %TEMP% on Windows (empty values count as unset).
std::string temp_directory_from_environment();
/// Whether `path` is absolute: it starts with '/' on POSIX; on Windows with a
/// separator or a drive ("C:"), which are not relative to the current directory.
bool is_absolute_path(std::string_view path) noexcept;
/// Makes `path` absolute against the current directory, lexically (no
/// symlink resolution); strips trailing separators except a root's.
std::expected<std::string, Error> absolute_path(std::string_view path);

/// Creates a new file; fails with ErrorKind::already_exists when the name is taken.
std::expected<Handle, Error> create_file_exclusive(const std::string& path, unsigned mode,
                                                   bool delete_on_close);
/// Creates a new directory; fails with ErrorKind::already_exists when the name is taken.
std::expected<void, Error> create_directory_exclusive(const std::string& path, unsigned mode);
/// Whether anything (file, directory, dangling symlink) has this name.
std::expected<bool, Error> entry_exists(const std::string& path);

std::expected<void, Error> close_handle(NativeHandle handle) noexcept;
/// Removes a file or symlink. A missing path is reported as not_found.
std::expected<void, Error> remove_file(const std::string& path);

}  // namespace tmpctl::platform
