#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "platform/console.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {

std::vector<std::string> utf8_arguments(int argc, char** argv) {
  const std::vector<std::wstring> wide = win32::split_command_line(GetCommandLineW());
  if (wide.empty()) return std::vector<std::string>(argv, argv + argc);
  std::vector<std::string> arguments;
  arguments.reserve(wide.size());
  for (const std::wstring& argument : wide) arguments.push_back(win32::narrow(argument));
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

bool input_is_terminal() {
  DWORD mode = 0;
  return GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
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

namespace {
// The one console control handler, for both uses: stopping a long operation
// (stop_on_interrupt) and waiting for a command (pass_interrupts_to_command).
// Windows runs it in a thread of its own.
std::atomic<bool>* interrupt_flag = nullptr;
std::atomic<int> first_signal = 0;
std::atomic<bool> passing_on = false;
std::mutex command_mutex;  // command_process, between run_command and the handler
HANDLE command_process = nullptr;
HANDLE cleanup_done = nullptr;  // manual-reset event

// Windows ends this process as soon as the handler returns from a close,
// logoff or shutdown event, and after 5 s in any case (Windows 7 and
// later): first let the command end and this process remove what it leaves.
void wait_for_command_and_cleanup() {
  {
    const std::lock_guard lock(command_mutex);
    if (command_process != nullptr && WaitForSingleObject(command_process, 3000) == WAIT_TIMEOUT)
      TerminateProcess(command_process, static_cast<UINT>(STATUS_CONTROL_C_EXIT));
  }
  if (cleanup_done != nullptr) WaitForSingleObject(cleanup_done, 1500);
}

BOOL WINAPI on_console_event(DWORD event) {
  // A logoff or shutdown ends a long operation at once; a command's temp
  // path is still removed.
  const bool closing = event == CTRL_CLOSE_EVENT ||
                       (passing_on && (event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT));
  if (!closing && event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT) return FALSE;
  int expected = 0;
  first_signal.compare_exchange_strong(expected, closing ? 1 : 2);
  if (interrupt_flag != nullptr) interrupt_flag->store(true);
  if (passing_on) {
    // Ctrl-C and Ctrl-Break reach the command on this console by themselves.
    if (closing) wait_for_command_and_cleanup();
    return TRUE;
  }
  // Give the walk a moment to stop between two entries first.
  if (event == CTRL_CLOSE_EVENT) Sleep(2000);
  return TRUE;
}
}  // namespace

void stop_on_interrupt(std::atomic<bool>& flag) {
  interrupt_flag = &flag;
  SetConsoleCtrlHandler(on_console_event, TRUE);
}

void pass_interrupts_to_command() {
  cleanup_done = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  passing_on = true;
  SetConsoleCtrlHandler(on_console_event, TRUE);
}

void set_interrupted_command(std::uint32_t pid, bool /*group*/) {
  const std::lock_guard lock(command_mutex);
  if (command_process != nullptr) CloseHandle(command_process);
  command_process = pid == 0 ? nullptr : OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE, FALSE, pid);
}

void command_cleanup_done() {
  if (cleanup_done != nullptr) SetEvent(cleanup_done);
}

int interrupt_signal() { return first_signal.load(); }

}  // namespace tmpctl::platform
