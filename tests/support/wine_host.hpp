#pragma once
// Under Wine, Windows code can run the Linux host's programs: CreateProcessW
// on `Z:\bin\sh` starts the Unix shell. The deletion property test uses it to
// make Unix symlinks, which Wine shows to Windows programs as plain files and
// directories and which Windows code cannot create (docs/platforms.md).

#ifdef _WIN32
#include <windows.h>

#include <optional>
#include <string>
#include <vector>

#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::test {

/// The Unix path Wine maps a Windows path to; nullopt when not under Wine.
inline std::optional<std::string> wine_unix_path(const std::wstring& windows_path) {
  using UnixFileName = char* (*)(const wchar_t*);
  const auto convert = reinterpret_cast<UnixFileName>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name")));
  if (convert == nullptr) return std::nullopt;
  char* unix_path = convert(windows_path.c_str());
  if (unix_path == nullptr) return std::nullopt;
  std::string result = unix_path;
  HeapFree(GetProcessHeap(), 0, unix_path);
  return result;
}

/// Runs `/bin/sh -c SCRIPT sh ARGUMENTS...` on the Linux host and returns its
/// exit status; -1 when it cannot start (not under Wine).
inline int run_host_shell(const std::string& script, const std::vector<std::string>& arguments = {}) {
  std::wstring command_line = L"Z:\\bin\\sh -c " + platform::win32::quoted_argument(platform::win32::widen(script).value()) + L" sh";
  for (const std::string& argument : arguments)
    command_line += L" " + platform::win32::quoted_argument(platform::win32::widen(argument).value());
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(L"Z:\\bin\\sh", command_line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                      &startup, &info))
    return -1;
  CloseHandle(info.hThread);
  WaitForSingleObject(info.hProcess, INFINITE);
  DWORD code = 0;
  GetExitCodeProcess(info.hProcess, &code);
  CloseHandle(info.hProcess);
  return static_cast<int>(code);
}

}  // namespace tmpctl::test
#endif
