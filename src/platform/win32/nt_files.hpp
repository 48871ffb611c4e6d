#pragma once
// Files opened relative to an open directory (NtCreateFile with a
// RootDirectory), directories read through their handle, and file times:
// what the cleanup walk (walk_win32.cpp), the record store
// (records_win32.cpp) and the remover's check for disguised links
// (remove_win32.cpp) share. The Windows counterpart of openat and readdir.

#include <windows.h>
#include <winternl.h>

#include <algorithm>
#include <cstdint>
#include <expected>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/platform.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform::win32 {

inline constexpr NTSTATUS status_delete_pending = static_cast<NTSTATUS>(0xC0000056);

// Listing needs no DELETE: a directory some process has as its working
// directory is held without FILE_SHARE_DELETE, and must still be listed.
inline constexpr ACCESS_MASK list_access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE;

/// NtCreateFile relative to the directory `parent`, sharing everything, for
/// synchronous I/O: `name` is one name, or several joined by '\' (then only
/// the last is opened as a reparse point, never followed). `disposition` is
/// FILE_OPEN or FILE_CREATE; `options` adds FILE_NON_DIRECTORY_FILE and the
/// like; `security`, for a file created, its own DACL instead of the inherited
/// one. The handle goes to `opened` on success.
inline NTSTATUS open_relative(HANDLE parent, std::wstring_view name, ACCESS_MASK access,
                              OwnedHandle& opened, ULONG disposition = FILE_OPEN, ULONG options = 0,
                              PSECURITY_DESCRIPTOR security = nullptr) {
  using NtCreateFileFn =
      NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, PLARGE_INTEGER,
                       ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
  static const auto nt_create = ntdll_function<NtCreateFileFn>("NtCreateFile");
  if (nt_create == nullptr)
    return static_cast<NTSTATUS>(0xC0000139);  // STATUS_ENTRYPOINT_NOT_FOUND
  const auto bytes = static_cast<USHORT>(name.size() * sizeof(wchar_t));
  UNICODE_STRING object_name{bytes, bytes, const_cast<wchar_t*>(name.data())};
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &object_name, OBJ_CASE_INSENSITIVE, parent, security);
  IO_STATUS_BLOCK io{};
  HANDLE child = nullptr;
  const NTSTATUS status = nt_create(&child, access, &attributes, &io, nullptr,
                                    FILE_ATTRIBUTE_NORMAL, share_all, disposition,
                                    options | FILE_OPEN_REPARSE_POINT |
                                        FILE_SYNCHRONOUS_IO_NONALERT | FILE_OPEN_FOR_BACKUP_INTENT,
                                    nullptr, 0);
  if (status >= 0) opened = OwnedHandle(child);
  return status;
}

/// The Win32 error code an NTSTATUS stands for.
inline int win32_error_of(NTSTATUS status) {
  using NtStatusToErrorFn = ULONG(NTAPI*)(NTSTATUS);
  static const auto to_error = ntdll_function<NtStatusToErrorFn>("RtlNtStatusToDosError");
  return to_error != nullptr ? static_cast<int>(to_error(status)) : ERROR_PROC_NOT_FOUND;
}

/// Where the OS says a handle leads: its path from the volume's root
/// (FileNameInfo). GetFinalPathNameByHandleW would add the drive, but Wine
/// refuses it for paths longer than MAX_PATH. `expected_length` sizes the
/// first try, which saves retries deep in a tree.
inline std::expected<std::wstring, Error> final_path_of(HANDLE handle, const std::string& path,
                                                        std::size_t expected_length = 0) {
  std::vector<unsigned char> buffer(sizeof(FILE_NAME_INFO) +
                                    (std::max<std::size_t>(1024, expected_length + 16)) *
                                        sizeof(wchar_t));
  for (;;) {
    if (GetFileInformationByHandleEx(handle, FileNameInfo, buffer.data(),
                                     static_cast<DWORD>(buffer.size()))) {
      const auto* info = reinterpret_cast<const FILE_NAME_INFO*>(buffer.data());
      return std::wstring(info->FileName, info->FileNameLength / sizeof(wchar_t));
    }
    if (GetLastError() != ERROR_MORE_DATA || buffer.size() > 256 * 1024)
      return std::unexpected(os_error(last_error(), "inspect", path));
    buffer.resize(buffer.size() * 2);
  }
}

/// `directory` + '\' + `name`; the root of a volume is "\" already.
inline void append_name(std::wstring& directory, std::wstring_view name) {
  if (!directory.ends_with(L'\\')) directory += L'\\';
  directory += name;
}

/// Whether two paths are the same, ignoring case as Windows names do.
inline bool same_path(std::wstring_view a, std::wstring_view b) {
  return CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                              static_cast<int>(b.size()), TRUE) == CSTR_EQUAL;
}

/// Where a child opened relative to its directory leads, and whether that is
/// the directory's own path plus its name. Anything else is a link the OS did
/// not report as one: Wine shows a Unix symlink as a plain directory or file
/// and opens its target even with FILE_OPEN_REPARSE_POINT. Deleting through
/// such a handle would delete the target.
struct Destination {
  std::wstring final_path;
  bool inside = false;
};

inline std::expected<Destination, Error> destination_of(HANDLE child,
                                                        std::wstring_view parent_final,
                                                        std::wstring_view name,
                                                        const std::string& path) {
  std::wstring expected(parent_final);
  append_name(expected, name);
  auto actual = final_path_of(child, path, expected.size());
  if (!actual) return std::unexpected(actual.error());
  const bool inside = same_path(*actual, expected);
  return Destination{std::move(*actual), inside};
}

/// 1970-01-01 as a FILETIME.
inline constexpr std::int64_t filetime_unix_epoch = 116444736000000000;

/// FILETIME (100 ns since 1601) as nanoseconds since the Unix epoch; 0 means
/// the file system keeps no such time.
inline std::optional<std::int64_t> unix_nanoseconds(LARGE_INTEGER time) {
  if (time.QuadPart == 0) return std::nullopt;
  constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 100;
  const std::int64_t since_epoch = time.QuadPart - filetime_unix_epoch;
  return std::clamp(since_epoch, -limit, limit) * 100;
}

/// The inverse of unix_nanoseconds: exact for the times it gave.
inline LARGE_INTEGER filetime_of(std::int64_t nanoseconds) {
  LARGE_INTEGER time;
  time.QuadPart = nanoseconds / 100 + filetime_unix_epoch;
  return time;
}

// Reads a directory through its handle, one 64 KiB batch at a time, so a huge
// directory is never held in memory whole. Records come as the OS fills them
// (FILE_ID_BOTH_DIR_INFO: name, attributes, times, size and file id).
class DirectoryListing {
public:
  // The next record other than "." and "..", nullptr at the end, or the
  // Win32 code of a failed read.
  std::expected<const FILE_ID_BOTH_DIR_INFO*, int> next(HANDLE directory) {
    for (;;) {
      if (ended_) return nullptr;
      if (offset_ == no_batch && !read_batch(directory)) {
        const int code = last_error();
        finish();
        // An empty listing (a directory being deleted has not even "."): the end.
        if (code == ERROR_NO_MORE_FILES || code == ERROR_FILE_NOT_FOUND) return nullptr;
        return std::unexpected(code);
      }
      const auto* record = reinterpret_cast<const FILE_ID_BOTH_DIR_INFO*>(buffer_.data() + offset_);
      offset_ = record->NextEntryOffset == 0 ? no_batch : offset_ + record->NextEntryOffset;
      const std::wstring_view name(record->FileName, record->FileNameLength / sizeof(wchar_t));
      if (name != L"." && name != L"..") return record;
    }
  }

  // Lists from the start again (on the same handle).
  void restart() {
    ended_ = false;
    restart_ = true;
    offset_ = no_batch;
  }
  // Drops the buffer: nothing more will be read.
  void finish() {
    ended_ = true;
    std::vector<unsigned char>().swap(buffer_);
  }

private:
  static constexpr std::size_t no_batch = std::numeric_limits<std::size_t>::max();

  bool read_batch(HANDLE directory) {
    if (buffer_.empty()) buffer_.resize(64 * 1024);
    const FILE_INFO_BY_HANDLE_CLASS info_class =
        restart_ ? FileIdBothDirectoryRestartInfo : FileIdBothDirectoryInfo;
    if (!GetFileInformationByHandleEx(directory, info_class, buffer_.data(),
                                      static_cast<DWORD>(buffer_.size())))
      return false;
    restart_ = false;
    offset_ = 0;
    return true;
  }

  // operator new aligns it for the records' LARGE_INTEGERs.
  std::vector<unsigned char> buffer_;
  std::size_t offset_ = no_batch;
  bool restart_ = true;
  bool ended_ = false;
};

}  // namespace tmpctl::platform::win32
