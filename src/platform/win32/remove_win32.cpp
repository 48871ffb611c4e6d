// Deleting and explaining refusals on Windows. A delete opens the file for
// DELETE access; any handle opened without FILE_SHARE_DELETE makes that fail
// with ERROR_SHARING_VIOLATION (32), and ERROR_ACCESS_DENIED (5) stands for
// several different causes that are told apart here by looking.

#include <windows.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string_view>

#include "platform/platform.hpp"
#include "platform/remove.hpp"
#include "platform/win32/nt_files.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::destination_of;
using win32::display_path;
using win32::final_path_of;
using win32::last_error;
using win32::list_access;
using win32::narrow;
using win32::native_path;
using win32::open_relative;
using win32::OwnedHandle;
using win32::share_all;
using win32::trimmed_native_path;
using win32::win32_error_of;

constexpr LONG status_delete_pending = static_cast<LONG>(0xC0000056);
// Open the entry itself: a directory, and a symlink or junction rather than its target.
constexpr DWORD open_entry_flags = FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT;

// The NTSTATUS behind the last failed call: ERROR_ACCESS_DENIED hides
// STATUS_DELETE_PENDING among others.
LONG last_nt_status() {
  static const auto get = win32::ntdll_function<LONG(WINAPI*)()>("RtlGetLastNtStatus");
  return get ? get() : 0;
}

bool is_delete_pending(const std::wstring& native) {
  const HANDLE handle = CreateFileW(native.c_str(), FILE_READ_ATTRIBUTES, share_all, nullptr,
                                    OPEN_EXISTING, open_entry_flags, nullptr);
  if (handle == INVALID_HANDLE_VALUE)  // Windows refuses new opens of a delete-pending file
    return GetLastError() == ERROR_ACCESS_DENIED && last_nt_status() == status_delete_pending;
  FILE_STANDARD_INFO info{};  // Wine lets it open: ask the file
  const BOOL got = GetFileInformationByHandleEx(handle, FileStandardInfo, &info, sizeof info);
  CloseHandle(handle);
  return got && info.DeletePending;
}

RemoveCause explain_access_denied(const std::wstring& native) {
  const DWORD attributes = GetFileAttributesW(native.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES)
    return last_nt_status() == status_delete_pending || is_delete_pending(native)
               ? RemoveCause::delete_pending
               : RemoveCause::permission_denied;
  if (is_delete_pending(native)) return RemoveCause::delete_pending;
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
      (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0)
    return RemoveCause::directory;
  if ((attributes & FILE_ATTRIBUTE_READONLY) != 0) return RemoveCause::read_only_attribute;
  return RemoveCause::permission_denied;
}

// Renames the entry to "<name>.tmpctl-removed.<8 hex>" in the same directory.
std::expected<std::wstring, Error> rename_aside(const std::wstring& native,
                                                const std::string& path) {
  std::array<std::uint8_t, 4> random{};
  if (auto ok = random_bytes(random); !ok) return std::unexpected(ok.error());
  wchar_t tag[16];
  std::swprintf(tag, 16, L"%02x%02x%02x%02x", random[0], random[1], random[2], random[3]);
  const std::wstring aside = native + L".tmpctl-removed." + tag;
  if (!MoveFileExW(native.c_str(), aside.c_str(), 0))
    return std::unexpected(os_error(last_error(), "rename aside", path));
  return aside;
}

// Opens the entry for DELETE and deletes through the handle, POSIX semantics
// first (the name goes now, open handles keep working).
std::expected<void, Error> delete_posix_semantics(const std::wstring& native,
                                                  const std::string& path, bool force,
                                                  std::vector<std::string>& notes) {
  win32::OwnedHandle handle(
      CreateFileW(native.c_str(), DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, share_all,
                  nullptr, OPEN_EXISTING, open_entry_flags, nullptr));
  if (!handle) return std::unexpected(os_error(last_error(), "remove", path));
  return win32::delete_by_handle(handle.get(), force, path, &notes);
}

// Whether Win32 takes `path` for a device: a last component named like one
// ("NUL", "con.txt", "lpt1.log", in any directory) is turned into "\\.\NUL"
// by GetFullPathNameW, which `native` came from. A path spelled "\\?\..."
// is taken as it stands, and "\\.\..." names its device on purpose.
bool names_device_by_reserved_name(std::string_view path, std::wstring_view native) {
  const auto spelled_as = [&](std::string_view prefix) {
    if (path.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (path[i] != prefix[i] && !(prefix[i] == '\\' && path[i] == '/')) return false;
    return true;
  };
  return native.starts_with(LR"(\\.\)") && !spelled_as(R"(\\.\)") && !spelled_as(R"(\\?\)");
}

Error reserved_name_error(const std::string& path) {
  return Error::invalid(ErrorKind::invalid_argument, "remove", path,
                        "a reserved device name: Windows opens the device, not a file");
}

}  // namespace

std::optional<std::string> verbatim_form(const std::string& path) {
  std::size_t slash = path.find_last_of("\\/");
  if (slash == std::string::npos && path.size() > 2 && path[1] == ':') slash = 1;  // "C:NUL"
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (name.empty()) return std::nullopt;
  auto native = native_path(directory);
  if (!native || !native->starts_with(LR"(\\?\)")) return std::nullopt;
  std::string verbatim = narrow(*native);
  if (!verbatim.ends_with('\\')) verbatim += '\\';
  return verbatim + name;
}

std::expected<EntryInfo, Error> inspect_entry(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  if (names_device_by_reserved_name(path, *native))
    return std::unexpected(reserved_name_error(path));
  const DWORD attributes = GetFileAttributesW(native->c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES)
    return std::unexpected(os_error(last_error(), "remove", path));
  const bool link = (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
  return EntryInfo{(attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 && !link, link,
                   (attributes & FILE_ATTRIBUTE_READONLY) != 0, 1};
}

std::expected<void, Error> delete_entry(const std::string& path, const EntryInfo& info,
                                        const DeleteStrategy& strategy,
                                        std::vector<std::string>& notes) {
  if (auto ok = check_not_disguised_link(path); !ok) return ok;
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  const DWORD attributes = GetFileAttributesW(native->c_str());
  const bool directory =
      attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  if (info.read_only && strategy.force && !strategy.posix_semantics) {
    if (!SetFileAttributesW(native->c_str(), attributes & ~DWORD{FILE_ATTRIBUTE_READONLY}))
      return std::unexpected(os_error(last_error(), "clear the read-only attribute of", path));
    notes.push_back("cleared the read-only attribute");
  }
  const std::wstring original = std::move(*native);
  std::wstring target = original;
  if (strategy.rename_aside && !directory) {
    // A read-only file would be renamed and then not deleted: refuse first.
    if (info.read_only && !strategy.force)
      return std::unexpected(os_error(ERROR_ACCESS_DENIED, "remove", path));
    auto aside = rename_aside(target, path);
    if (!aside) return std::unexpected(aside.error());
    target = std::move(*aside);
  }
  std::expected<void, Error> deleted;
  if (strategy.posix_semantics) {
    deleted = delete_posix_semantics(target, path, strategy.force, notes);
  } else if (!(directory ? RemoveDirectoryW(target.c_str()) : DeleteFileW(target.c_str()))) {
    deleted = std::unexpected(os_error(last_error(), "remove", path));
  }
  if (target != original) {
    if (deleted)
      notes.push_back("renamed aside to '" + display_path(target) +
                      "' first, so the name was free at once");
    else  // put it back, so that the report, retries and --on-reboot mean the file asked for
      MoveFileExW(target.c_str(), original.c_str(), 0);
  }
  return deleted;
}

RemoveCause explain_refusal(const std::string& path, const Error& error) {
  if (auto native = native_path(path); native && names_device_by_reserved_name(path, *native))
    return RemoveCause::reserved_name;
  switch (error.native_code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return RemoveCause::not_found;
    case ERROR_SHARING_VIOLATION: return RemoveCause::sharing_violation;
    case ERROR_LOCK_VIOLATION: return RemoveCause::lock_violation;
    case ERROR_DIR_NOT_EMPTY: return RemoveCause::directory_not_empty;
    case ERROR_WRITE_PROTECT: return RemoveCause::read_only_filesystem;
    case ERROR_DELETE_PENDING: return RemoveCause::delete_pending;
    case ERROR_DIRECTORY: return RemoveCause::directory;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME: return RemoveCause::invalid_path;
    case ERROR_ACCESS_DENIED: {
      auto native = native_path(path);
      return native ? explain_access_denied(*native) : RemoveCause::invalid_path;
    }
    default: return RemoveCause::other;
  }
}

std::optional<Refusal> probe_delete(const std::string& path, const EntryInfo& info,
                                    const DeleteStrategy& strategy) {
  if (auto ok = check_not_disguised_link(path); !ok) return Refusal{ok.error(), RemoveCause::other};
  auto native = native_path(path);
  if (!native) return Refusal{native.error(), RemoveCause::invalid_path};
  // Ask for exactly what a delete asks for, DELETE with full sharing; close
  // without setting a disposition, so nothing changes.
  const HANDLE handle = CreateFileW(native->c_str(), DELETE, share_all, nullptr, OPEN_EXISTING,
                                    open_entry_flags, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    Error error = os_error(last_error(), "remove", path);
    return Refusal{error, explain_refusal(path, error)};
  }
  // Already deleted, waiting for its last handle (Wine lets it be opened).
  FILE_STANDARD_INFO standard{};
  const bool pending =
      GetFileInformationByHandleEx(handle, FileStandardInfo, &standard, sizeof standard) &&
      standard.DeletePending;
  CloseHandle(handle);
  if (pending)
    return Refusal{os_error(ERROR_DELETE_PENDING, "remove", path), RemoveCause::delete_pending};
  // DELETE access is granted on a read-only file, but DeleteFileW still fails.
  if (info.read_only && !info.is_directory && !strategy.force)
    return Refusal{os_error(ERROR_ACCESS_DENIED, "remove", path), RemoveCause::read_only_attribute};
  return std::nullopt;
}

std::expected<void, Error> delete_at_reboot(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  if (!MoveFileExW(native->c_str(), nullptr, MOVEFILE_DELAY_UNTIL_REBOOT))
    return std::unexpected(os_error(last_error(), "schedule the removal at reboot of", path));
  return {};
}

namespace {

// A native path (\\?\ or \\.\ and then an absolute path) that names a volume
// root by its spelling: \\?\C:\, \\?\UNC\server\share\, \\?\Volume{...}\.
bool spells_volume_root(std::wstring_view native) {
  native.remove_prefix(4);
  while (native.ends_with(L'\\')) native.remove_suffix(1);
  auto starts_with_nocase = [&](std::wstring_view prefix) {
    return native.size() >= prefix.size() &&
           CompareStringOrdinal(native.data(), static_cast<int>(prefix.size()), prefix.data(),
                                static_cast<int>(prefix.size()), TRUE) == CSTR_EQUAL;
  };
  if (native.size() == 2 && native[1] == L':') return true;
  if (starts_with_nocase(L"UNC\\")) {
    native.remove_prefix(4);
    return std::ranges::count(native, L'\\') <= 1;  // server\share
  }
  return starts_with_nocase(L"Volume{") && native.find(L'\\') == std::wstring_view::npos;
}

}  // namespace

bool is_root_directory(const std::string& path) {
  auto native = native_path(path);  // absolute, with "." and ".." folded as Windows would
  if (!native) return false;
  if (spells_volume_root(*native)) return true;
  // Where it leads, through links and junctions: a root's path on its
  // volume is "\" (a drive, or a volume mounted in a folder).
  win32::OwnedHandle handle(CreateFileW(native->c_str(), FILE_READ_ATTRIBUTES, share_all, nullptr,
                                        OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!handle) return false;
  alignas(FILE_NAME_INFO) std::array<unsigned char, sizeof(FILE_NAME_INFO) + 64 * sizeof(wchar_t)>
      buffer{};
  if (!GetFileInformationByHandleEx(handle.get(), FileNameInfo, buffer.data(),
                                    static_cast<DWORD>(buffer.size())))
    return false;  // too long for a root's name (ERROR_MORE_DATA), or not known
  const auto* info = reinterpret_cast<const FILE_NAME_INFO*>(buffer.data());
  const std::wstring_view name(info->FileName, info->FileNameLength / sizeof(wchar_t));
  return name.empty() || name == L"\\";
}

namespace {

std::expected<OwnedHandle, Error> open_child(HANDLE parent, std::wstring_view name,
                                             const std::string& path, ACCESS_MASK access) {
  OwnedHandle child;
  if (const NTSTATUS status = open_relative(parent, name, access, child); status < 0)
    return std::unexpected(os_error(win32_error_of(status), "remove", path));
  return child;
}

// destination_of for check_not_disguised_link, which stops at such a link.
std::expected<std::wstring, Error> check_inside(HANDLE child, std::wstring_view parent_final,
                                                std::wstring_view name, const std::string& path) {
  auto destination = destination_of(child, parent_final, name, path);
  if (!destination) return std::unexpected(destination.error());
  if (!destination->inside)
    return std::unexpected(Error::invalid(
        ErrorKind::other, "remove", path,
        "it leads outside its directory (to '" + display_path(destination->final_path) +
            "' on its volume): a link the OS does not report as one; left in place"));
  return std::move(destination->final_path);
}

// The name the directory lists for the last component of `full`, which may
// be spelled by its 8.3 short name: a search matches short names too.
// (GetLongPathNameW would do, but Wine's leaves a "\\?\" path as it is.)
std::optional<std::wstring> long_name_of(const std::wstring& full) {
  WIN32_FIND_DATAW found;
  const HANDLE search =
      FindFirstFileExW(full.c_str(), FindExInfoBasic, &found, FindExSearchNameMatch, nullptr, 0);
  if (search == INVALID_HANDLE_VALUE) return std::nullopt;
  FindClose(search);
  return std::wstring(found.cFileName);
}

}  // namespace

std::expected<void, Error> check_not_disguised_link(const std::string& path) {
  auto native = trimmed_native_path(path);
  if (!native) return std::unexpected(native.error());
  const std::wstring& full = *native;
  const std::size_t slash = full.find_last_of(L'\\');
  if (slash == std::wstring::npos || slash + 1 >= full.size() || slash < 6) return {};  // a root
  std::wstring parent = full.substr(0, slash);
  if (parent.back() == L':') parent += L'\\';
  OwnedHandle directory(CreateFileW(parent.c_str(), list_access, share_all, nullptr, OPEN_EXISTING,
                                    FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!directory)
    return {};  // nothing to compare with; the delete itself will report what is wrong
  const std::string shown = display_path(full);
  auto parent_final = final_path_of(directory.get(), display_path(parent));
  if (!parent_final) return {};
  // Attribute access only: this open must not itself meet a sharing violation.
  const std::wstring_view name = std::wstring_view(full).substr(slash + 1);
  auto entry = open_child(directory.get(), name, shown, FILE_READ_ATTRIBUTES | SYNCHRONIZE);
  if (!entry) return {};
  auto destination = destination_of(entry->get(), *parent_final, name, shown);
  if (!destination) return std::unexpected(destination.error());
  if (destination->inside) return {};
  // An 8.3 short name ("LONG~EV2.TXT") leads to the entry's long name: judge
  // by the name the directory lists for it. A link shown as a plain entry
  // still leads elsewhere.
  const std::optional<std::wstring> listed = long_name_of(full);
  auto inside =
      check_inside(entry->get(), *parent_final, listed ? std::wstring_view(*listed) : name, shown);
  if (!inside) return std::unexpected(inside.error());
  return {};
}

bool delete_succeeds_while_open() noexcept { return false; }

}  // namespace tmpctl::platform
