// Removing a directory tree on Windows through handles. Every entry is opened
// relative to its parent's handle (NtOpenFile with RootDirectory) with
// FILE_OPEN_REPARSE_POINT, judged by what that handle says, and deleted
// through it, so a directory swapped for a junction or symlink between listing
// and opening is removed as a link, never entered. The Windows counterpart of
// the POSIX openat/unlinkat walk.

#include <windows.h>
#include <winternl.h>

#include <algorithm>
#include <vector>

#include "platform/platform.hpp"
#include "platform/remove.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::display_path;
using win32::last_error;
using win32::native_path;
using win32::OwnedHandle;
using win32::share_all;

using NtOpenFileFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK,
                                      ULONG, ULONG);
using NtStatusToErrorFn = ULONG(NTAPI*)(NTSTATUS);

constexpr ACCESS_MASK entry_access =
    DELETE | SYNCHRONIZE | FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES;

struct Child {
  std::wstring name;
};

// One open directory, the names it held when listed, and where we are in them.
struct Frame {
  OwnedHandle handle;
  std::wstring path;        // for messages only; never opened by path
  std::wstring final_path;  // where the OS says the handle leads
  std::vector<Child> children;
  std::size_t next = 0;
};

std::expected<OwnedHandle, Error> open_child(HANDLE parent, const std::wstring& name,
                                             const std::wstring& path,
                                             ACCESS_MASK access = entry_access) {
  static const auto nt_open = win32::ntdll_function<NtOpenFileFn>("NtOpenFile");
  static const auto to_error = win32::ntdll_function<NtStatusToErrorFn>("RtlNtStatusToDosError");
  if (nt_open == nullptr || to_error == nullptr)
    return std::unexpected(os_error(ERROR_PROC_NOT_FOUND, "open", display_path(path)));
  UNICODE_STRING object_name{static_cast<USHORT>(name.size() * sizeof(wchar_t)),
                             static_cast<USHORT>(name.size() * sizeof(wchar_t)),
                             const_cast<wchar_t*>(name.c_str())};
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &object_name, OBJ_CASE_INSENSITIVE, parent, nullptr);
  IO_STATUS_BLOCK io{};
  HANDLE child = nullptr;
  const NTSTATUS status = nt_open(&child, access, &attributes, &io, share_all,
                                  FILE_OPEN_REPARSE_POINT | FILE_SYNCHRONOUS_IO_NONALERT |
                                      FILE_OPEN_FOR_BACKUP_INTENT);
  if (status < 0)
    return std::unexpected(os_error(static_cast<int>(to_error(status)), "remove", display_path(path)));
  return OwnedHandle(child);
}

// The names in a directory, read through its handle.
std::expected<std::vector<Child>, Error> list_children(HANDLE directory, const std::wstring& path) {
  std::vector<Child> children;
  std::vector<unsigned char> buffer(64 * 1024);
  FILE_INFO_BY_HANDLE_CLASS info_class = FileFullDirectoryRestartInfo;
  for (;;) {
    if (!GetFileInformationByHandleEx(directory, info_class, buffer.data(),
                                      static_cast<DWORD>(buffer.size()))) {
      if (GetLastError() == ERROR_NO_MORE_FILES) return children;
      return std::unexpected(os_error(last_error(), "read directory", display_path(path)));
    }
    info_class = FileFullDirectoryInfo;
    for (std::size_t offset = 0;;) {
      const auto* entry = reinterpret_cast<const FILE_FULL_DIR_INFO*>(buffer.data() + offset);
      std::wstring name(entry->FileName, entry->FileNameLength / sizeof(wchar_t));
      if (name != L"." && name != L"..") children.push_back({std::move(name)});
      if (entry->NextEntryOffset == 0) break;
      offset += entry->NextEntryOffset;
    }
  }
}

std::expected<DWORD, Error> attributes_of(HANDLE handle, const std::wstring& path) {
  FILE_BASIC_INFO basic{};
  if (!GetFileInformationByHandleEx(handle, FileBasicInfo, &basic, sizeof basic))
    return std::unexpected(os_error(last_error(), "inspect", display_path(path)));
  return basic.FileAttributes;
}

// Where the OS says a handle leads: its path from the volume's root
// (FileNameInfo). GetFinalPathNameByHandleW would add the drive, but Wine
// refuses it for paths longer than MAX_PATH.
std::expected<std::wstring, Error> final_path_of(HANDLE handle, const std::wstring& path) {
  std::vector<unsigned char> buffer(sizeof(FILE_NAME_INFO) + 1024 * sizeof(wchar_t));
  for (;;) {
    if (GetFileInformationByHandleEx(handle, FileNameInfo, buffer.data(),
                                     static_cast<DWORD>(buffer.size()))) {
      const auto* info = reinterpret_cast<const FILE_NAME_INFO*>(buffer.data());
      return std::wstring(info->FileName, info->FileNameLength / sizeof(wchar_t));
    }
    if (GetLastError() != ERROR_MORE_DATA || buffer.size() > 256 * 1024)
      return std::unexpected(os_error(last_error(), "inspect", display_path(path)));
    buffer.resize(buffer.size() * 2);
  }
}

// A child opened relative to its directory must lead to that directory plus
// its name. Anything else is a link the OS did not report as one: Wine shows
// a Unix symlink as a plain directory or file and opens its target even with
// FILE_OPEN_REPARSE_POINT. Deleting through such a handle would delete the
// target, so the walk stops there instead.
std::expected<std::wstring, Error> check_inside(HANDLE child, const std::wstring& parent_final,
                                                const std::wstring& name,
                                                const std::wstring& path) {
  auto actual = final_path_of(child, path);
  if (!actual) return std::unexpected(actual.error());
  // The root of a volume is "\\" already.
  const std::wstring expected =
      parent_final + (parent_final.ends_with(L'\\') ? L"" : L"\\") + name;
  if (CompareStringOrdinal(actual->c_str(), static_cast<int>(actual->size()), expected.c_str(),
                           static_cast<int>(expected.size()), TRUE) != CSTR_EQUAL)
    return std::unexpected(Error::invalid(
        ErrorKind::other, "remove", display_path(path),
        "it leads outside its directory (to '" + display_path(*actual) +
            "' on its volume): a link the OS does not report as one; left in place"));
  return actual;
}

bool is_real_directory(DWORD attributes) {
  return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
         (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0;
}

}  // namespace

std::expected<void, Error> check_not_disguised_link(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  std::wstring full = std::move(*native);
  while (full.size() > 7 && full.back() == L'\\') full.pop_back();
  const std::size_t slash = full.find_last_of(L'\\');
  if (slash == std::wstring::npos || slash + 1 >= full.size() || slash < 6) return {};  // a root
  std::wstring parent = full.substr(0, slash);
  if (parent.back() == L':') parent += L'\\';
  OwnedHandle directory(CreateFileW(parent.c_str(), FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES |
                                                         SYNCHRONIZE,
                                    share_all, nullptr, OPEN_EXISTING,
                                    FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!directory) return {};  // nothing to compare with; the delete itself will report what is wrong
  auto parent_final = final_path_of(directory.get(), parent);
  if (!parent_final) return {};
  // Attribute access only: this open must not itself meet a sharing violation.
  auto entry = open_child(directory.get(), full.substr(slash + 1), full,
                          FILE_READ_ATTRIBUTES | SYNCHRONIZE);
  if (!entry) return {};
  auto inside = check_inside(entry->get(), *parent_final, full.substr(slash + 1), full);
  if (!inside) return std::unexpected(inside.error());
  return {};
}

std::expected<void, Error> remove_tree(const std::string& path) {
  if (auto ok = check_not_disguised_link(path); !ok) return ok;
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  std::wstring root_path = std::move(*native);
  while (root_path.size() > 7 && root_path.back() == L'\\') root_path.pop_back();
  OwnedHandle root(CreateFileW(root_path.c_str(), entry_access, share_all, nullptr, OPEN_EXISTING,
                               FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!root) return std::unexpected(os_error(last_error(), "remove", path));
  auto root_attributes = attributes_of(root.get(), root_path);
  if (!root_attributes) return std::unexpected(root_attributes.error());
  if (!is_real_directory(*root_attributes))  // a file, or a link: never its target
    return win32::delete_by_handle(root.get(), true, display_path(root_path), nullptr);

  std::vector<Frame> stack;
  auto root_final = final_path_of(root.get(), root_path);
  if (!root_final) return std::unexpected(root_final.error());
  auto listed = list_children(root.get(), root_path);
  if (!listed) return std::unexpected(listed.error());
  stack.push_back({std::move(root), root_path, std::move(*root_final), std::move(*listed)});

  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.children.size()) {
      // Empty now: delete it through its own handle, then close it.
      Frame done = std::move(top);
      stack.pop_back();
      if (auto deleted = win32::delete_by_handle(done.handle.get(), true,
                                                 display_path(done.path), nullptr);
          !deleted)
        return deleted;
      continue;
    }
    const std::wstring& name = top.children[top.next++].name;
    std::wstring child_path = top.path + L"\\" + name;
    auto child = open_child(top.handle.get(), name, child_path);
    if (!child) {
      if (child.error().kind == ErrorKind::not_found) continue;  // gone meanwhile
      return std::unexpected(child.error());
    }
    // Judge by the handle we hold, not by the listing: it may have changed.
    auto inside = check_inside(child->get(), top.final_path, name, child_path);
    if (!inside) return std::unexpected(inside.error());
    auto attributes = attributes_of(child->get(), child_path);
    if (!attributes) return std::unexpected(attributes.error());
    if (is_real_directory(*attributes)) {
      auto grandchildren = list_children(child->get(), child_path);
      if (!grandchildren) return std::unexpected(grandchildren.error());
      stack.push_back({std::move(*child), std::move(child_path), std::move(*inside),
                       std::move(*grandchildren)});
      continue;
    }
    if (auto deleted = win32::delete_by_handle(child->get(), true, display_path(child_path),
                                               nullptr);
        !deleted)
      return deleted;
  }
  return {};
}

}  // namespace tmpctl::platform
