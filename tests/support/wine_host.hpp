#pragma once
// Under Wine, Windows code can run the Linux host's programs: CreateProcessW
// on `Z:\bin\sh` starts the Unix shell. The deletion property test uses it to
// make Unix symlinks, which Wine shows to Windows programs as plain files and
// directories and which Windows code cannot create (docs/platforms.md).

#ifdef _WIN32
#include <windows.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::test {

/// The Unix path Wine maps a Windows path to; nullopt when not under Wine.
inline std::optional<std::string> wine_unix_path(const std::wstring& windows_path) {
  using UnixFileName = char* (*)(const wchar_t*);
  const auto convert = reinterpret_cast<UnixFileName>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name")));
  if (convert == nullptr) return std::nullopt;
  char* unix_path = convert(windows_path.c_str());
  if (unix_path == nullptr) return std::nullopt;
  std::string result = unix_path;
  HeapFree(GetProcessHeap(), 0, unix_path);
  return result;
}

/// Runs `/bin/sh -c SCRIPT sh ARGUMENTS...` on the Linux host, waits for it
/// and returns its exit status; -1 when it cannot start (not under Wine) or
/// does not end within a minute.
///
/// Wine starts a Unix program detached: the process handle CreateProcessW
/// returns is signaled at once, whatever the program still does. So the host
/// shell writes its status to a marker file when SCRIPT is done, and this
/// waits for the marker.
inline int run_host_shell(const std::string& script,
                          const std::vector<std::string>& arguments = {}) {
  std::wstring temp(MAX_PATH + 1, L'\0');
  temp.resize(GetTempPathW(static_cast<DWORD>(temp.size()), temp.data()));
  // Wine's pids start again with each wineserver: the time makes a name no
  // earlier run used, and a marker left under it would be removed first.
  static LONG counter = 0;
  const std::wstring marker =
      temp + L"tmpctl-host-shell." + std::to_wstring(GetCurrentProcessId()) + L"." +
      std::to_wstring(GetTickCount64()) + L"." + std::to_wstring(InterlockedIncrement(&counter));
  DeleteFileW(marker.c_str());
  DeleteFileW((marker + L".part").c_str());
  const auto unix_marker = wine_unix_path(marker);
  if (!unix_marker) return -1;
  // $0 is SCRIPT, $1 the marker; the rest are SCRIPT's arguments.
  const std::string wrapper =
      "script=$0; marker=$1; shift; /bin/sh -c \"$script\" sh \"$@\"; "
      "echo $? > \"$marker.part\" && mv -f \"$marker.part\" \"$marker\"";
  std::wstring command_line =
      L"Z:\\bin\\sh -c " +
      platform::win32::quoted_argument(platform::win32::widen(wrapper).value()) + L" " +
      platform::win32::quoted_argument(platform::win32::widen(script).value()) + L" " +
      platform::win32::quoted_argument(platform::win32::widen(*unix_marker).value());
  for (const std::string& argument : arguments)
    command_line +=
        L" " + platform::win32::quoted_argument(platform::win32::widen(argument).value());
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(L"Z:\\bin\\sh", command_line.data(), nullptr, nullptr, FALSE, 0, nullptr,
                      nullptr, &startup, &info))
    return -1;
  CloseHandle(info.hThread);
  CloseHandle(info.hProcess);
  const ULONGLONG deadline = GetTickCount64() + 60'000;
  while (GetTickCount64() < deadline) {
    const HANDLE file =
        CreateFileW(marker.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                    OPEN_EXISTING, FILE_FLAG_DELETE_ON_CLOSE, nullptr);
    if (file != INVALID_HANDLE_VALUE) {
      char text[16] = {};
      DWORD got = 0;
      const BOOL read = ReadFile(file, text, sizeof text - 1, &got, nullptr);
      CloseHandle(file);
      return read ? std::atoi(text) : -1;
    }
    Sleep(5);
  }
  return -1;
}

}  // namespace tmpctl::test
#endif
