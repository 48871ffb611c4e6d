#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <shellapi.h>

#include <cstdio>
#include <cstdlib>

#include "platform/console.hpp"
#include "platform/win32/unicode.hpp"

namespace tmpctl::platform {

std::vector<std::string> utf8_arguments(int argc, char** argv) {
  int count = 0;
  wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &count);
  if (wide == nullptr) return std::vector<std::string>(argv, argv + argc);
  std::vector<std::string> arguments;
  arguments.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) arguments.push_back(win32::narrow(wide[i]));
  LocalFree(wide);
  return arguments;
}

void prepare_standard_streams() {
  // Scripts read paths byte for byte: no CRLF translation, UTF-8 throughout.
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
  if (GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)) == FILE_TYPE_CHAR) {
    // The code page belongs to the console, shared with the shell: put it back.
    static const UINT previous = GetConsoleOutputCP();
    if (previous != CP_UTF8 && SetConsoleOutputCP(CP_UTF8))
      std::atexit([] { SetConsoleOutputCP(previous); });
  }
}

bool is_terminal(std::FILE* stream) {
  return GetFileType(reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(stream)))) == FILE_TYPE_CHAR;
}

namespace {
// The consoles whose mode enable_color changed, and their modes before.
struct SavedMode {
  HANDLE console = nullptr;
  DWORD mode = 0;
};
SavedMode saved_modes[2];
}  // namespace

bool enable_color(std::FILE* stream) {
  const HANDLE console = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(stream)));
  DWORD mode = 0;
  if (GetFileType(console) != FILE_TYPE_CHAR || !GetConsoleMode(console, &mode)) return false;
  if ((mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0) return true;
  // Windows 10 1511+; older consoles refuse the flag and would print the
  // escape sequences as text. The mode belongs to the console, shared with
  // the shell: put it back, after the last output, when tmpctl exits.
  if (!SetConsoleMode(console, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING)) return false;
  saved_modes[stream == stderr ? 1 : 0] = {console, mode};
  static const bool registered = [] {
    std::atexit([] {
      std::fflush(nullptr);
      for (const SavedMode& saved : saved_modes)
        if (saved.console != nullptr) SetConsoleMode(saved.console, saved.mode);
    });
    return true;
  }();
  (void)registered;
  return true;
}

std::string environment_variable(const char* name) {
  const std::wstring wide_name = win32::widen(name).value_or(std::wstring());
  const DWORD size = GetEnvironmentVariableW(wide_name.c_str(), nullptr, 0);
  if (size == 0) return "";
  std::wstring value(size, L'\0');
  value.resize(GetEnvironmentVariableW(wide_name.c_str(), value.data(), size));
  return win32::narrow(value);
}

namespace {
std::atomic<bool>* interrupt_flag = nullptr;
std::atomic<int> first_signal = 0;

BOOL WINAPI on_console_event(DWORD event) {
  int expected = 0;
  switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT: first_signal.compare_exchange_strong(expected, 2); break;
    case CTRL_CLOSE_EVENT: first_signal.compare_exchange_strong(expected, 1); break;
    default: return FALSE;
  }
  interrupt_flag->store(true);
  // Windows ends the process when this returns from a close event: give the
  // walk a moment to stop between two entries first.
  if (event == CTRL_CLOSE_EVENT) Sleep(2000);
  return TRUE;
}
}  // namespace

void stop_on_interrupt(std::atomic<bool>& flag) {
  interrupt_flag = &flag;
  SetConsoleCtrlHandler(on_console_event, TRUE);
}

int interrupt_signal() { return first_signal.load(); }

}  // namespace tmpctl::platform
