// The Windows backend: generic code for Win32 only. Every call uses the wide
// (W) API on \\?\ paths from native_path(), so non-ASCII names and paths
// longer than MAX_PATH work.

#include <windows.h>
#include <bcrypt.h>
#include <sddl.h>

#include <algorithm>
#include <vector>

#include "platform/environment.hpp"
#include "platform/platform.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::display_path;
using win32::last_error;
using win32::narrow;
using win32::native_path;

std::string describe_win32(int code) {
  wchar_t* buffer = nullptr;
  const DWORD size = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, static_cast<DWORD>(code), 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  if (size == 0 || buffer == nullptr) return "Unknown error";
  std::wstring text(buffer, size);
  LocalFree(buffer);
  // System messages end in ".\r\n"; errno texts have neither.
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ' ||
                           text.back() == L'.'))
    text.pop_back();
  return narrow(text);
}

ErrorKind win32_kind(int code) noexcept {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return ErrorKind::not_found;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return ErrorKind::already_exists;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD: return ErrorKind::permission_denied;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_USER_MAPPED_FILE: return ErrorKind::in_use;
    case ERROR_DIRECTORY: return ErrorKind::not_a_directory;
    case ERROR_DIR_NOT_EMPTY: return ErrorKind::directory_not_empty;
    case ERROR_WRITE_PROTECT: return ErrorKind::read_only_filesystem;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return ErrorKind::no_space;
    case ERROR_FILENAME_EXCED_RANGE: return ErrorKind::name_too_long;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME: return ErrorKind::invalid_argument;
    default: return ErrorKind::other;
  }
}

std::string_view win32_name(int code) noexcept {
  switch (code) {
    case ERROR_INVALID_FUNCTION: return "ERROR_INVALID_FUNCTION";
    case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
    case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
    case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
    case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
    case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
    case ERROR_WRITE_PROTECT: return "ERROR_WRITE_PROTECT";
    case ERROR_SHARING_VIOLATION: return "ERROR_SHARING_VIOLATION";
    case ERROR_LOCK_VIOLATION: return "ERROR_LOCK_VIOLATION";
    case ERROR_HANDLE_DISK_FULL: return "ERROR_HANDLE_DISK_FULL";
    case ERROR_NOT_SUPPORTED: return "ERROR_NOT_SUPPORTED";
    case ERROR_FILE_EXISTS: return "ERROR_FILE_EXISTS";
    case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
    case ERROR_DISK_FULL: return "ERROR_DISK_FULL";
    case ERROR_INVALID_NAME: return "ERROR_INVALID_NAME";
    case ERROR_DIR_NOT_EMPTY: return "ERROR_DIR_NOT_EMPTY";
    case ERROR_BAD_PATHNAME: return "ERROR_BAD_PATHNAME";
    case ERROR_ALREADY_EXISTS: return "ERROR_ALREADY_EXISTS";
    case ERROR_FILENAME_EXCED_RANGE: return "ERROR_FILENAME_EXCED_RANGE";
    case ERROR_MORE_DATA: return "ERROR_MORE_DATA";
    case ERROR_BAD_EXE_FORMAT: return "ERROR_BAD_EXE_FORMAT";
    case ERROR_EXE_MACHINE_TYPE_MISMATCH: return "ERROR_EXE_MACHINE_TYPE_MISMATCH";
    case ERROR_DIRECTORY: return "ERROR_DIRECTORY";
    case ERROR_DELETE_PENDING: return "ERROR_DELETE_PENDING";
    case ERROR_USER_MAPPED_FILE: return "ERROR_USER_MAPPED_FILE";
    case ERROR_PRIVILEGE_NOT_HELD: return "ERROR_PRIVILEGE_NOT_HELD";
    case ERROR_CANT_ACCESS_FILE: return "ERROR_CANT_ACCESS_FILE";
    case ERROR_NOT_A_REPARSE_POINT: return "ERROR_NOT_A_REPARSE_POINT";
    default: return {};
  }
}

std::wstring strip_trailing_separators(std::wstring path) {
  // Keep the separator of a root ("C:\", "\\?\C:\"): without it the path
  // names the volume device, not its root directory.
  const std::size_t root_length = path.starts_with(L"\\\\?\\") ? 7 : 3;
  while (path.size() > root_length && (path.back() == L'\\' || path.back() == L'/'))
    path.pop_back();
  return path;
}

}  // namespace

namespace win32 {

std::expected<SECURITY_ATTRIBUTES, Error> owner_only_security(bool directory) {
  static const auto build =
      [](const wchar_t* inherit) -> std::expected<PSECURITY_DESCRIPTOR, Error> {
    auto user = own_token_information(TokenUser);
    if (!user) return std::unexpected(user.error());
    wchar_t* sid = nullptr;
    if (!ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(user->data())->User.Sid, &sid))
      return std::unexpected(os_error(last_error(), "read the user of", "this process"));
    const std::wstring sddl =
        std::wstring(L"D:P(A;") + inherit + L";FA;;;" + sid + L")(A;" + inherit + L";FA;;;SY)";
    LocalFree(sid);
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr))
      return std::unexpected(
          os_error(last_error(), "build the owner-only ACL for", "this process"));
    return descriptor;  // kept for the life of the process
  };
  static const auto for_file = build(L"");
  static const auto for_directory = build(L"OICI");
  const auto& descriptor = directory ? for_directory : for_file;
  if (!descriptor) return std::unexpected(descriptor.error());
  return SECURITY_ATTRIBUTES{sizeof(SECURITY_ATTRIBUTES), *descriptor, FALSE};
}

}  // namespace win32

std::string_view path_separators() noexcept { return "\\/"; }
char preferred_separator() noexcept { return '\\'; }

std::string name_part_problem(std::string_view text) {
  for (const char c : text) {
    if (c == '\0') return "contains a NUL byte";
    if (c == '\\' || c == '/') return "contains a path separator";
    if (static_cast<unsigned char>(c) < 32)
      return "contains a control character, which Windows does not allow in file names";
    // ':' would name an NTFS alternate data stream; the rest are wildcards or
    // redirections to Win32.
    if (std::string_view(":*?\"<>|").find(c) != std::string_view::npos)
      return std::string("contains '") + c + "', which Windows does not allow in file names";
  }
  return {};
}

std::string name_end_problem(std::string_view name) {
  if (!name.empty() && (name.back() == '.' || name.back() == ' '))
    return "ends with a dot or a space, which Windows drops from file names";
  return {};
}

bool is_reserved_name(std::string_view name) noexcept {
  // Win32 maps these to devices whatever follows the first dot: "nul.txt" is NUL.
  std::string base(name.substr(0, name.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  for (char& c : base) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (base == "CON" || base == "PRN" || base == "AUX" || base == "NUL") return true;
  return base.size() == 4 && (base.starts_with("COM") || base.starts_with("LPT")) &&
         base[3] >= '0' && base[3] <= '9';
}

Error os_error(int native_code, std::string operation, std::string path) {
  return Error{win32_kind(native_code), std::move(operation), std::move(path),
               ErrorDomain::win32,      native_code,          describe_win32(native_code)};
}

std::string_view native_code_name(ErrorDomain domain, int code) noexcept {
  if (domain == ErrorDomain::win32) return win32_name(code);
  if (domain == ErrorDomain::posix) return errno_name(code);
  return {};
}

std::expected<void, Error> random_bytes(std::span<std::uint8_t> out) {
  const NTSTATUS status = BCryptGenRandom(nullptr, out.data(), static_cast<ULONG>(out.size()),
                                          BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (status < 0)
    return std::unexpected(
        os_error(ERROR_GEN_FAILURE, "read random bytes from", "BCryptGenRandom"));
  return {};
}

std::expected<std::string, Error> absolute_path(std::string_view path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  return display_path(strip_trailing_separators(std::move(*native)));
}

std::expected<std::string, Error> system_temp_directory() {
  // GetTempPath2W (Windows 11, Server 2022) gives SYSTEM its own directory;
  // older systems and Wine 8 only have GetTempPathW.
  using GetTempPathFn = DWORD(WINAPI*)(DWORD, LPWSTR);
  static const auto get_temp_path = [] {
    const HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
    const FARPROC newer = kernel32 ? GetProcAddress(kernel32, "GetTempPath2W") : nullptr;
    return newer ? reinterpret_cast<GetTempPathFn>(reinterpret_cast<void*>(newer)) : &GetTempPathW;
  }();
  std::wstring buffer(MAX_PATH + 1, L'\0');
  const DWORD size = get_temp_path(static_cast<DWORD>(buffer.size()), buffer.data());
  if (size == 0 || size > buffer.size())
    return std::unexpected(os_error(last_error(), "find", "the temporary directory"));
  buffer.resize(size);
  return narrow(strip_trailing_separators(std::move(buffer)));
}

std::string temp_directory_from_environment() {
  for (const char* name : {"TMP", "TEMP"})
    if (std::string value = environment_variable(name); !value.empty()) return value;
  return {};
}

bool is_absolute_path(std::string_view path) noexcept {
  if (!path.empty() && (path.front() == '\\' || path.front() == '/')) return true;
  return path.size() >= 2 && path[1] == ':' &&
         ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z'));
}

std::expected<Handle, Error> create_file_exclusive(const std::string& path, unsigned /*mode*/,
                                                   bool delete_on_close) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  // Sharing DELETE is the point: a tmpctl handle must never be the reason
  // someone else's delete fails with ERROR_SHARING_VIOLATION. The handle is
  // not inherited (bInheritHandle is FALSE).
  auto security = win32::owner_only_security(false);
  if (!security) return std::unexpected(security.error());
  const DWORD access = GENERIC_READ | GENERIC_WRITE | (delete_on_close ? DELETE : 0);
  const DWORD flags = FILE_ATTRIBUTE_TEMPORARY | (delete_on_close ? FILE_FLAG_DELETE_ON_CLOSE : 0);
  const HANDLE handle = CreateFileW(native->c_str(), access, win32::share_all, &*security,
                                    CREATE_NEW, flags, nullptr);
  if (handle != INVALID_HANDLE_VALUE) return Handle(handle);

  const int code = last_error();
  Error error = os_error(code, "create", path);
  // CREATE_NEW on a name held by a directory fails with ERROR_ACCESS_DENIED,
  // not ERROR_FILE_EXISTS. Treat it as a collision only when the name really
  // exists: an unwritable directory must not cause endless retries (CPython
  // bug 66305). A delete-pending file also answers 5 but cannot be seen by
  // GetFileAttributesW, so it is reported, not retried.
  if (code == ERROR_ACCESS_DENIED && GetFileAttributesW(native->c_str()) != INVALID_FILE_ATTRIBUTES)
    error.kind = ErrorKind::already_exists;
  return std::unexpected(std::move(error));
}

std::expected<void, Error> create_directory_exclusive(const std::string& path, unsigned /*mode*/) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  auto security = win32::owner_only_security(true);
  if (!security) return std::unexpected(security.error());
  if (!CreateDirectoryW(native->c_str(), &*security))
    return std::unexpected(os_error(last_error(), "create directory", path));
  return {};
}

std::expected<bool, Error> entry_exists(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  if (GetFileAttributesW(native->c_str()) != INVALID_FILE_ATTRIBUTES) return true;
  const int code = last_error();
  if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) return false;
  return std::unexpected(os_error(code, "inspect", path));
}

std::expected<void, Error> close_handle(NativeHandle handle) noexcept {
  if (!CloseHandle(handle)) return std::unexpected(os_error(last_error(), "close", ""));
  return {};
}

std::expected<void, Error> remove_file(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  if (!DeleteFileW(native->c_str())) return std::unexpected(os_error(last_error(), "remove", path));
  return {};
}

}  // namespace tmpctl::platform
