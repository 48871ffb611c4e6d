// The record store's backend on Windows: process identity from process
// handles (creation time against pid reuse), and a private directory used
// only through its handle: every file is opened, created, renamed and deleted
// relative to it (NtCreateFile and FileRenameInformation with a
// RootDirectory), never by a path, and shares READ|WRITE|DELETE, so that
// concurrent writers, readers and removers never meet WinError 32.

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <winternl.h>

#include <algorithm>
#include <cstring>
#include <cwchar>
#include <string>
#include <string_view>
#include <vector>

#include "platform/platform.hpp"
#include "platform/records.hpp"
#include "platform/remove.hpp"
#include "platform/win32/nt_files.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::last_error;
using win32::open_relative;
using win32::OwnedHandle;
using win32::widen;
using win32::win32_error_of;

Error not_found(std::uint32_t pid) {
  return Error::invalid(ErrorKind::not_found, "find process", std::to_string(pid),
                        "no such process");
}

}  // namespace

ProcessIdentity current_process() {
  return {GetCurrentProcessId(), win32::process_creation_time(GetCurrentProcess())};
}

std::uint32_t parent_pid() {
  // ProcessBasicInformation's InheritedFromUniqueProcessId: the pid of the
  // process that created this one. Windows does not re-parent orphans, so
  // that pid may be free, or taken by a later process. Wine gives 0 to a
  // program started from Linux.
  const auto basic = win32::process_basic_information(GetCurrentProcess());
  if (!basic) return 0;
  return static_cast<std::uint32_t>(basic->InheritedFromUniqueProcessId);
}

std::expected<ProcessIdentity, Error> process_with_pid(std::uint32_t pid) {
  if (pid == 0) return std::unexpected(not_found(pid));
  if (pid == GetCurrentProcessId()) return current_process();
  OwnedHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process) {
    // Running, but not ours to look at (a protected or another user's
    // process): its start time is unknown.
    if (GetLastError() == ERROR_ACCESS_DENIED) return ProcessIdentity{pid, 0};
    return std::unexpected(not_found(pid));  // ERROR_INVALID_PARAMETER: no such pid
  }
  // A process that exited lives on while handles to it are open. (One that
  // exited with code 259, STILL_ACTIVE itself, passes for running.)
  DWORD exit_code = 0;
  if (GetExitCodeProcess(process.get(), &exit_code) && exit_code != STILL_ACTIVE)
    return std::unexpected(not_found(pid));
  return ProcessIdentity{pid, win32::process_creation_time(process.get())};
}

std::string default_record_directory(const std::string& temp_directory) {
  std::string path = temp_directory;
  if (!path.ends_with('\\') && !path.ends_with('/')) path += '\\';
  return path + "tmpctl-records";
}

// The record directory.

struct RecordDirectory::State {
  std::string path;
  OwnedHandle directory;

  std::string path_of(std::string_view name) const {
    std::string joined = path;
    if (!joined.ends_with('\\') && !joined.ends_with('/')) joined += '\\';
    joined += name;
    return joined;
  }

  // The UTF-16 form of a name that is one entry of this directory.
  std::expected<std::wstring, Error> checked_name(const std::string& name,
                                                  const char* operation) const {
    if (const std::string problem = plain_name_problem(name); !problem.empty())
      return std::unexpected(Error::invalid(ErrorKind::invalid_argument, operation, path_of(name),
                                            "the name " + problem));
    return widen(name);
  }

  // Opens the entry `name` relative to the directory; an open that fails
  // because it is gone or going (a delete pending) is not_found.
  std::expected<OwnedHandle, Error> open(std::wstring_view name, ACCESS_MASK access, ULONG options,
                                         const char* operation, const std::string& about) const {
    OwnedHandle file;
    const NTSTATUS status = open_relative(directory.get(), name, access, file, FILE_OPEN, options);
    if (status >= 0) return file;
    Error error = os_error(win32_error_of(status), operation, about);
    if (status == win32::status_delete_pending) error.kind = ErrorKind::not_found;
    return std::unexpected(std::move(error));
  }
};

namespace {

Error refused(const std::string& path, std::string why) {
  return Error::invalid(ErrorKind::permission_denied, "use record directory", path, std::move(why));
}

// Why the directory open at `directory` is not this user's, or an empty
// string. Its owner must be the user, or the owner this user's new files get
// (an elevated administrator's are owned by Administrators).
std::expected<std::string, Error> ownership_problem(HANDLE directory, const std::string& path) {
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (const DWORD code = GetSecurityInfo(directory, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION,
                                         &owner, nullptr, nullptr, nullptr, &descriptor);
      code != ERROR_SUCCESS)
    return std::unexpected(os_error(static_cast<int>(code), "read the owner of", path));
  auto user = win32::own_token_information(TokenUser);
  auto default_owner = win32::own_token_information(TokenOwner);
  std::string problem;
  if (!user || !default_owner) {
    problem = "its owner cannot be compared with this user";
  } else if (!EqualSid(owner, reinterpret_cast<TOKEN_USER*>(user->data())->User.Sid) &&
             !EqualSid(owner, reinterpret_cast<TOKEN_OWNER*>(default_owner->data())->Owner)) {
    wchar_t* text = nullptr;
    problem = ConvertSidToStringSidW(owner, &text)
                  ? "it is owned by " + win32::narrow(text) + ", not by this user"
                  : "it is owned by another user";
    LocalFree(text);
  }
  LocalFree(descriptor);
  return problem;
}

// Writes all of `content` through `file`.
bool write_all(HANDLE file, std::string_view content) {
  while (!content.empty()) {
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(content.size(), 1u << 30));
    DWORD written = 0;
    if (!WriteFile(file, content.data(), chunk, &written, nullptr)) return false;
    content.remove_prefix(written);
  }
  return true;
}

// Renames the open file `file` to `name` in `directory`, through
// NtSetInformationFile: Wine's SetFileInformationByHandle(FileRenameInfo)
// makes the name absolute against the current directory, then refuses the
// RootDirectory (WinError 87). `flags` as FileRenameInfoEx's; `ex` picks that
// class (Windows 10 1709+), else the classic one (ReplaceIfExists only).
NTSTATUS rename_relative(HANDLE file, HANDLE directory, std::wstring_view name, DWORD flags,
                         bool ex) {
  using NtSetInformationFileFn = NTSTATUS(NTAPI*)(HANDLE, PIO_STATUS_BLOCK, PVOID, ULONG, ULONG);
  static const auto set_information =
      win32::ntdll_function<NtSetInformationFileFn>("NtSetInformationFile");
  if (set_information == nullptr) return static_cast<NTSTATUS>(0xC0000139);
  constexpr ULONG file_rename_information = 10;
  constexpr ULONG file_rename_information_ex = 65;
  // FILE_RENAME_INFORMATION, whose first member is the Flags of the Ex class:
  // flags 1 is ReplaceIfExists TRUE for the classic class too.
  std::vector<LONGLONG> buffer(
      (sizeof(FILE_RENAME_INFO) + name.size() * sizeof(wchar_t)) / sizeof(LONGLONG) + 1);
  auto* info = reinterpret_cast<FILE_RENAME_INFO*>(buffer.data());
  info->Flags = flags;
  info->RootDirectory = directory;
  info->FileNameLength = static_cast<DWORD>(name.size() * sizeof(wchar_t));
  std::memcpy(info->FileName, name.data(), info->FileNameLength);
  IO_STATUS_BLOCK io{};
  return set_information(file, &io, info, static_cast<ULONG>(buffer.size() * sizeof(LONGLONG)),
                         ex ? file_rename_information_ex : file_rename_information);
}

// Moves the file `name` of `directory` aside, to "." + name + "." + its file
// id + ".old", and deletes it there: it goes when the last handle others
// have to it closes. Fails with the NTSTATUS of the step that failed.
NTSTATUS move_aside(HANDLE directory, std::wstring_view name) {
  OwnedHandle target;
  NTSTATUS status = open_relative(
      directory, name, DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE, target,
      FILE_OPEN, FILE_NON_DIRECTORY_FILE);
  if (status < 0) return status;
  BY_HANDLE_FILE_INFORMATION info{};
  if (!GetFileInformationByHandle(target.get(), &info)) return static_cast<NTSTATUS>(0xC0000001);
  wchar_t id[24];
  swprintf(id, 24, L".%08lx%08lx.old", info.nFileIndexHigh, info.nFileIndexLow);
  const std::wstring aside = L"." + std::wstring(name) + id;
  status = rename_relative(target.get(), directory, aside, 0, false);
  // Should the delete fail, names() lists the file aside, as it lists a
  // partial file a crash left.
  if (status >= 0) win32::delete_by_handle(target.get(), true, {}, nullptr);
  return status;
}

// Renames the open file `file` to `name` in `directory`, replacing what has
// that name; 0, or the Win32 error. With POSIX semantics first (Windows 10
// 1709+), which replaces a file others have open (sharing DELETE) at once.
// Else (Wine 8, older Windows) the classic rename, which refuses such a file
// with STATUS_ACCESS_DENIED as long as it is open: readers of records hold
// them briefly, so that is retried for a while, and then the file is moved
// aside (a reader meanwhile finds no record, never a part of one).
int rename_within(HANDLE file, HANDLE directory, std::wstring_view name) {
  constexpr NTSTATUS status_access_denied = static_cast<NTSTATUS>(0xC0000022);
  NTSTATUS status =
      rename_relative(file, directory, name,
                      FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS, true);
  if (status >= 0) return 0;
  const int code = win32_error_of(status);
  if (code != ERROR_INVALID_PARAMETER && code != ERROR_INVALID_FUNCTION &&
      code != ERROR_NOT_SUPPORTED && code != ERROR_CALL_NOT_IMPLEMENTED)
    return code;
  for (DWORD wait_ms = 1;; wait_ms *= 2) {
    status = rename_relative(file, directory, name, FILE_RENAME_FLAG_REPLACE_IF_EXISTS, false);
    if (status >= 0) return 0;
    if (status != status_access_denied) return win32_error_of(status);
    if (wait_ms > 64) break;
    Sleep(wait_ms);
  }
  if (const NTSTATUS moved = move_aside(directory, name); moved < 0)
    return win32_error_of(moved == status_access_denied ? status : moved);
  status = rename_relative(file, directory, name, FILE_RENAME_FLAG_REPLACE_IF_EXISTS, false);
  return status >= 0 ? 0 : win32_error_of(status);
}

}  // namespace

RecordDirectory::RecordDirectory(std::unique_ptr<State> state) : state_(std::move(state)) {}
RecordDirectory::RecordDirectory(RecordDirectory&&) noexcept = default;
RecordDirectory& RecordDirectory::operator=(RecordDirectory&&) noexcept = default;
RecordDirectory::~RecordDirectory() = default;

std::expected<RecordDirectory, Error> RecordDirectory::open(const std::string& path, bool create) {
  if (create) {
    if (auto made = create_directory_exclusive(path, 0700);
        !made && made.error().kind != ErrorKind::already_exists)
      return std::unexpected(made.error());
  }
  auto native = win32::native_path(path);
  if (!native) return std::unexpected(native.error());
  auto state = std::make_unique<State>();
  state->path = path;
  state->directory = OwnedHandle(CreateFileW(
      native->c_str(), win32::list_access | FILE_TRAVERSE | READ_CONTROL, win32::share_all, nullptr,
      OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!state->directory) return std::unexpected(os_error(last_error(), "open directory", path));
  FILE_BASIC_INFO basic{};
  if (!GetFileInformationByHandleEx(state->directory.get(), FileBasicInfo, &basic, sizeof basic))
    return std::unexpected(os_error(last_error(), "inspect", path));
  if ((basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
    return std::unexpected(refused(path, "it is a symbolic link or junction"));
  if ((basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
    return std::unexpected(refused(path, "it is not a directory"));
  // Wine shows a Unix symlink as a plain directory: it leads elsewhere.
  if (auto inside = check_not_disguised_link(path); !inside)
    return std::unexpected(refused(path, "it is a link the OS does not report as one"));
  auto problem = ownership_problem(state->directory.get(), path);
  if (!problem) return std::unexpected(problem.error());
  if (!problem->empty()) return std::unexpected(refused(path, *problem));
  return RecordDirectory(std::move(state));
}

const std::string& RecordDirectory::path() const { return state_->path; }

std::expected<void, Error> RecordDirectory::write(const std::string& name,
                                                  std::string_view content) {
  const State& s = *state_;
  auto wide = s.checked_name(name, "write record");
  if (!wide) return std::unexpected(wide.error());
  const std::string partial = "." + name + ".partial";
  auto wide_partial = widen(partial);
  if (!wide_partial) return std::unexpected(wide_partial.error());
  auto security = win32::owner_only_security(false);
  if (!security) return std::unexpected(security.error());
  OwnedHandle file;
  if (const NTSTATUS status =
          open_relative(s.directory.get(), *wide_partial, GENERIC_WRITE | DELETE | SYNCHRONIZE,
                        file, FILE_CREATE, FILE_NON_DIRECTORY_FILE, security->lpSecurityDescriptor);
      status < 0)
    return std::unexpected(os_error(win32_error_of(status), "create", s.path_of(partial)));
  // The first failure, with the path it was about; the partial file goes
  // through the handle that made it.
  const auto fail = [&](int code, const char* operation, const std::string& about) {
    win32::delete_by_handle(file.get(), true, s.path_of(partial), nullptr);
    return std::unexpected(os_error(code, operation, about));
  };
  if (!write_all(file.get(), content)) return fail(last_error(), "write", s.path_of(partial));
  if (const int code = rename_within(file.get(), s.directory.get(), *wide); code != 0)
    return fail(code, "rename to", s.path_of(name));
  return {};
}

std::expected<std::vector<std::string>, Error> RecordDirectory::names() const {
  const State& s = *state_;
  // A handle of its own: a listing's position belongs to its handle.
  OwnedHandle listed;
  if (const NTSTATUS status = open_relative(s.directory.get(), L"", win32::list_access, listed);
      status < 0)
    return std::unexpected(os_error(win32_error_of(status), "read directory", s.path));
  std::vector<std::string> names;
  win32::DirectoryListing listing;
  for (;;) {
    auto record = listing.next(listed.get());
    if (!record) return std::unexpected(os_error(record.error(), "read directory", s.path));
    if (*record == nullptr) return names;
    names.push_back(win32::narrow(
        std::wstring_view((*record)->FileName, (*record)->FileNameLength / sizeof(wchar_t))));
  }
}

std::expected<std::string, Error> RecordDirectory::read(const std::string& name,
                                                        std::size_t limit) const {
  const State& s = *state_;
  auto wide = s.checked_name(name, "read record");
  if (!wide) return std::unexpected(wide.error());
  const std::string path = s.path_of(name);
  const auto not_a_file = [&] {
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "read record", path,
                                          "it is not a regular file"));
  };
  auto opened = s.open(*wide, FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, "read", path);
  if (!opened) return std::unexpected(opened.error());
  const OwnedHandle file = std::move(*opened);
  FILE_STANDARD_INFO standard{};
  FILE_BASIC_INFO basic{};
  if (!GetFileInformationByHandleEx(file.get(), FileStandardInfo, &standard, sizeof standard) ||
      !GetFileInformationByHandleEx(file.get(), FileBasicInfo, &basic, sizeof basic))
    return std::unexpected(os_error(last_error(), "inspect", path));
  if (standard.Directory || (basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
    return not_a_file();
  const auto too_large = [&] {
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "read record", path,
                                          "it is larger than " + std::to_string(limit) + " bytes"));
  };
  if (static_cast<std::uint64_t>(standard.EndOfFile.QuadPart) > limit) return too_large();
  // No more than the limit allows, whatever the size said.
  std::string content(static_cast<std::size_t>(standard.EndOfFile.QuadPart) + 1, '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == content.size()) {
      if (used > limit) return too_large();
      content.resize(std::min(used * 2, limit + 1));
    }
    DWORD got = 0;
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(content.size() - used, 1u << 30));
    if (!ReadFile(file.get(), content.data() + used, chunk, &got, nullptr))
      return std::unexpected(os_error(last_error(), "read", path));
    if (got == 0) break;
    used += got;
  }
  if (used > limit) return too_large();
  content.resize(used);
  return content;
}

std::expected<std::int64_t, Error> RecordDirectory::modified(const std::string& name) const {
  const State& s = *state_;
  auto wide = s.checked_name(name, "inspect record");
  if (!wide) return std::unexpected(wide.error());
  const std::string path = s.path_of(name);
  auto file = s.open(*wide, FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0, "inspect", path);
  if (!file) return std::unexpected(file.error());
  FILE_BASIC_INFO basic{};
  if (!GetFileInformationByHandleEx(file->get(), FileBasicInfo, &basic, sizeof basic))
    return std::unexpected(os_error(last_error(), "inspect", path));
  return win32::unix_nanoseconds(basic.LastWriteTime).value_or(0);
}

std::expected<void, Error> RecordDirectory::remove(const std::string& name) {
  const State& s = *state_;
  auto wide = s.checked_name(name, "remove record");
  if (!wide) return std::unexpected(wide.error());
  const std::string path = s.path_of(name);
  auto file = s.open(*wide, DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE,
                     FILE_NON_DIRECTORY_FILE, "remove", path);
  if (!file) return std::unexpected(file.error());
  return win32::delete_by_handle(file->get(), true, path, nullptr);
}

}  // namespace tmpctl::platform
