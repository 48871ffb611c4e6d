#pragma once
// Starting a helper program that outlives its parent, for the helpers that
// leave a holder behind (run_probe hold, build_tree's held files): no handle
// or descriptor of the parent goes with it beyond stdio.

#include <string>
#include <vector>

#ifdef _WIN32
#include <windows.h>

#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"
#else
#include <spawn.h>
#include <unistd.h>

extern char** environ;
#endif

namespace tmpctl::test {

/// Starts `name` (a program beside this one, without ".exe") with
/// `arguments`, and does not wait for it. False when it could not start.
inline bool start_detached_sibling(const std::string& name, std::vector<std::string> arguments) {
#ifdef _WIN32
  std::wstring self(32768, L'\0');
  self.resize(GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size())));
  const std::wstring program = self.substr(0, self.find_last_of(L"\\/") + 1) +
                               platform::win32::widen(name).value() + L".exe";
  std::wstring command_line = L"\"" + program + L"\"";
  for (const std::string& argument : arguments)
    command_line +=
        L" " + platform::win32::quoted_argument(platform::win32::widen(argument).value());
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  // No handle of this process goes with it (bInheritHandles FALSE).
  if (!CreateProcessW(program.c_str(), command_line.data(), nullptr, nullptr, FALSE, 0, nullptr,
                      nullptr, &startup, &info))
    return false;
  CloseHandle(info.hThread);
  CloseHandle(info.hProcess);
  return true;
#else
  char self[4096] = {};
  if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return false;
  std::string program = self;
  program = program.substr(0, program.rfind('/') + 1) + name;
  std::vector<char*> argv = {program.data()};
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  return ::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) == 0;
#endif
}

}  // namespace tmpctl::test
