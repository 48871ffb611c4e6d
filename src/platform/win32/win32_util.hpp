#pragma once
// Small pieces every part of the Windows backend shares: one definition each.

#include <windows.h>
#include <winternl.h>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl::platform::win32 {

/// The sharing tmpctl always asks for: it must never be why a delete fails.
inline constexpr DWORD share_all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

inline int last_error() { return static_cast<int>(GetLastError()); }

/// A function exported by ntdll.dll, or nullptr; looked up at run time so that
/// undocumented calls need no import library and absent ones do not stop tmpctl.
template <class Fn>
Fn ntdll_function(const char* name) {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  const FARPROC proc = ntdll ? GetProcAddress(ntdll, name) : nullptr;
  return reinterpret_cast<Fn>(reinterpret_cast<void*>(proc));
}

/// Owns a HANDLE the backend opened for its own use. Both failure values of
/// Win32 (nullptr from OpenProcess, INVALID_HANDLE_VALUE from CreateFileW)
/// become "empty", so `if (!handle)` checks either. (tmpctl::Handle is the
/// public owner of the handle a TempFile gives its user.)
class OwnedHandle {
public:
  OwnedHandle() = default;
  explicit OwnedHandle(HANDLE handle)
      : handle_(handle == INVALID_HANDLE_VALUE ? nullptr : handle) {}
  OwnedHandle(OwnedHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  OwnedHandle& operator=(OwnedHandle&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  OwnedHandle(const OwnedHandle&) = delete;
  OwnedHandle& operator=(const OwnedHandle&) = delete;
  ~OwnedHandle() {
    if (handle_) CloseHandle(handle_);
  }
  HANDLE get() const { return handle_; }
  /// Gives the handle up: the caller closes it.
  HANDLE release() { return std::exchange(handle_, nullptr); }
  explicit operator bool() const { return handle_ != nullptr; }

private:
  HANDLE handle_ = nullptr;
};

/// A FILETIME as one number, in its 100 ns units since 1601.
inline std::uint64_t filetime_value(FILETIME time) {
  return (std::uint64_t{time.dwHighDateTime} << 32) | time.dwLowDateTime;
}

/// When the process `process` was created (a FILETIME value), which tells it
/// apart from a later process with the same pid; 0 when it cannot be read.
inline std::uint64_t process_creation_time(HANDLE process) {
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return 0;
  return filetime_value(created);
}

/// NtQueryInformationProcess(ProcessBasicInformation) of `process` (the
/// parent's pid, the PEB's address), or nothing when it cannot be asked.
std::optional<PROCESS_BASIC_INFORMATION> process_basic_information(HANDLE process);

/// What GetTokenInformation says of this process's token about `kind`
/// (TokenUser, TokenOwner...), in a buffer of the size it needs.
std::expected<std::vector<BYTE>, Error> own_token_information(TOKEN_INFORMATION_CLASS kind);

/// Windows' counterpart of mode 0600/0700: a protected DACL (it inherits
/// nothing from the directory, such as Everyone or Users) that grants full
/// access to the current user and SYSTEM only; a directory's passes itself on
/// to what is created inside. Built once per process and kind.
std::expected<SECURITY_ATTRIBUTES, Error> owner_only_security(bool directory);

/// One argument of a command line, quoted so that CommandLineToArgvW and the
/// C runtime read it back exactly: left as it is unless it is empty or has a
/// space, tab, newline or quote; else in quotes, with backslashes doubled
/// before a quote and at the end, and each quote escaped.
std::wstring quoted_argument(std::wstring_view argument);

/// A command line split into arguments exactly as CommandLineToArgvW splits
/// it, without loading shell32.dll (and user32.dll with it), which was a
/// quarter of each start of tmpctl under Wine (docs/benchmarks.md). The
/// program name ends at the next quote if it begins with one, else at a space
/// or tab, and knows no escapes. In the other arguments 2n backslashes and a
/// quote give n backslashes and a quote that opens or closes quoting, 2n + 1
/// give n and a literal quote, backslashes before anything else stay; of the
/// quotes in a row, every third gives a literal quote. An empty line gives no arguments
/// (CommandLineToArgvW gives the path of the program then).
std::vector<std::wstring> split_command_line(std::wstring_view line);

/// Deletes what `handle` (opened with DELETE and FILE_WRITE_ATTRIBUTES) refers
/// to: POSIX semantics where supported (Windows 10 1607+: the name goes at
/// once), else the classic disposition, which is retried briefly on
/// ERROR_DIR_NOT_EMPTY because Windows deletes asynchronously.
/// `clear_read_only` deletes a read-only file too. `notes`, if given, learns
/// of an unsupported POSIX delete and of a cleared attribute. `path` names the
/// entry in the error.
std::expected<void, Error> delete_by_handle(HANDLE handle, bool clear_read_only,
                                            const std::string& path,
                                            std::vector<std::string>* notes);

}  // namespace tmpctl::platform::win32
