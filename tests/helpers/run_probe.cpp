// run_probe MODE ...: a COMMAND for the tests of `tmpctl run`, the same on
// Linux and Windows.
//
//   run_probe args STATUS [ARG...]
//     Prints "arg=ARG" for each ARG (as the C runtime split the command line
//     on Windows) and "TMPCTL_PATH=..." (or "TMPCTL_PATH unset") on stdout,
//     writes into the temp path (a file: a line; a directory: sub/inner.txt),
//     and exits with STATUS.
//   run_probe wait READY
//     Writes its pid to READY, then waits until READY is removed (exit 0) or
//     120 s pass. An interruption (POSIX: SIGINT, SIGTERM, SIGHUP, SIGQUIT,
//     SIGUSR1; Windows: Ctrl-C, Ctrl-Break) is appended to READY.signals as
//     its number (Windows: "ctrl N"); 300 ms later, time for a second one to
//     come if it would, the probe ends by it (POSIX: that signal with its
//     default action; Windows: the default handler, STATUS_CONTROL_C_EXIT).
//   run_probe remove STATUS
//     Removes the temp path (and all it contains) itself, and exits with STATUS.
//   run_probe hold READY STATUS [--share-delete]
//     Starts hold_file [--share-delete] (beside this program) on TMPCTL_PATH
//     with READY, detached, waits until it holds the file and exits with
//     STATUS, leaving it holding the file until the test removes READY.
//   run_probe leak READY STATUS [--daemon]
//     What a test suite leaves behind: writes leak-a.txt (1000 bytes) and
//     cache/b.bin (3000 bytes) in the temp directory as programs find it
//     (POSIX: $TMPDIR; Windows: GetTempPathW, which reads TMP and TEMP),
//     starts hold_file on held.txt there, detached, waits until it holds the
//     file, and exits with STATUS. With --daemon, hold_file is started by a
//     run_probe daemon in between, which (POSIX) starts a session of its own
//     and exits at once: a double-forking daemon, whose orphan is no
//     descendant of this process any more.
//   run_probe daemon PATH READY
//     The daemon in between: setsid() (POSIX), start hold_file PATH READY, exit 0.
//   run_probe handle VALUE PATH (Windows)
//     Prints "inherited" if VALUE (decimal) is a handle of this process to
//     the file PATH, else "not inherited".
// Exits 99 when something goes wrong, with a message on stderr.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/console.hpp"
#include "platform/environment.hpp"
#include "support/ready_marker.hpp"
#include "support/start_detached.hpp"

#ifdef _WIN32
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"
#else
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#endif

namespace {

namespace fs = std::filesystem;

fs::path fs_path(const std::string& utf8) {
  return fs::path(std::u8string(utf8.begin(), utf8.end()));
}

int fail(const std::string& what) {
  std::fprintf(stderr, "run_probe: %s\n", what.c_str());
  return 99;
}

int print_and_write(const std::vector<std::string>& args) {
  for (std::size_t i = 3; i < args.size(); ++i) std::printf("arg=%s\n", args[i].c_str());
  const std::string path = tmpctl::platform::environment_variable("TMPCTL_PATH");
  if (path.empty()) {
    std::printf("TMPCTL_PATH unset\n");
  } else {
    std::printf("TMPCTL_PATH=%s\n", path.c_str());
    std::error_code error;
    if (fs::is_directory(fs_path(path), error)) {
      fs::create_directory(fs_path(path) / "sub", error);
      std::ofstream(fs_path(path) / "sub" / "inner.txt") << "written by run_probe\n";
    } else {
      std::ofstream(fs_path(path)) << "written by run_probe\n";
    }
    if (!fs::exists(fs_path(path), error)) return fail("could not write to " + path);
  }
  std::fflush(stdout);
  return std::atoi(args[2].c_str());
}

// Where interruptions are written down: set before any handler runs.
std::string signals_path;
std::atomic<int> first_interruption = 0;

void note_interruption(const char* text) {
#ifdef _WIN32
  if (std::FILE* out = std::fopen(signals_path.c_str(), "ab")) {
    std::fputs(text, out);
    std::fclose(out);
  }
#else
  // open, write and close are async-signal-safe; stdio is not.
  const int fd = ::open(signals_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::size_t length = 0;
  while (text[length] != '\0') ++length;
  (void)!::write(fd, text, length);
  ::close(fd);
#endif
}

#ifdef _WIN32
BOOL WINAPI on_console_event(DWORD event) {
  note_interruption(event == CTRL_C_EVENT       ? "ctrl 0\n"
                    : event == CTRL_BREAK_EVENT ? "ctrl 1\n"
                                                : "ctrl 2\n");
  int none = 0;
  first_interruption.compare_exchange_strong(none, static_cast<int>(event) + 1);
  return TRUE;
}
#else
extern "C" void on_signal(int signal) {
  char text[8] = {};
  int at = 0;
  if (signal >= 10) text[at++] = static_cast<char>('0' + signal / 10);
  text[at++] = static_cast<char>('0' + signal % 10);
  text[at] = '\n';
  note_interruption(text);
  int none = 0;
  first_interruption.compare_exchange_strong(none, signal);
}
#endif

int wait_for_removal_or_interruption(const std::string& ready) {
  signals_path = ready + ".signals";
#ifdef _WIN32
  SetConsoleCtrlHandler(on_console_event, TRUE);
  const unsigned long pid = GetCurrentProcessId();
#else
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1})
    ::sigaction(signal, &action, nullptr);
  const unsigned long pid = static_cast<unsigned long>(::getpid());
#endif
  if (!tmpctl::test::write_ready_marker(ready, std::to_string(pid) + "\n"))
    return fail("cannot write " + ready);
  std::error_code error;
  tmpctl::test::wait_while(
      [&] { return first_interruption == 0 && fs::exists(fs_path(ready), error); },
      std::chrono::seconds(120));
  if (first_interruption == 0) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
#ifdef _WIN32
  // What the default handler would have done at once.
  ExitProcess(STATUS_CONTROL_C_EXIT);
#else
  const int signal = first_interruption;
  std::signal(signal, SIG_DFL);
  ::raise(signal);
  return fail("survived its own signal");
#endif
}

int remove_it(const std::vector<std::string>& args) {
  std::error_code error;
  fs::remove_all(fs_path(tmpctl::platform::environment_variable("TMPCTL_PATH")), error);
  if (error) return fail("cannot remove the temp path: " + error.message());
  return std::atoi(args[2].c_str());
}

int leave_a_holder(const std::vector<std::string>& args) {
  const std::string path = tmpctl::platform::environment_variable("TMPCTL_PATH");
  const std::string& ready = args[2];
  if (path.empty()) return fail("TMPCTL_PATH unset");
  std::vector<std::string> holder_arguments(args.begin() + 4, args.end());
  holder_arguments.insert(holder_arguments.end(), {path, ready});
  if (!tmpctl::test::start_detached_sibling("hold_file", holder_arguments))
    return fail("cannot start hold_file");
  std::error_code error;
  tmpctl::test::wait_while([&] { return !fs::exists(fs_path(ready), error); },
                           std::chrono::seconds(30));
  if (!fs::exists(fs_path(ready), error)) return fail("hold_file did not start holding " + path);
  return std::atoi(args[3].c_str());
}

// The temp directory a program finds, without a trailing separator.
std::string temp_directory() {
#ifdef _WIN32
  wchar_t buffer[MAX_PATH + 1] = {};
  const DWORD size = GetTempPathW(MAX_PATH + 1, buffer);
  std::wstring path(buffer, size);
  while (path.size() > 3 && (path.back() == L'\\' || path.back() == L'/')) path.pop_back();
  return tmpctl::platform::win32::narrow(path);
#else
  const std::string path = tmpctl::platform::environment_variable("TMPDIR");
  return path.empty() ? "/tmp" : path;
#endif
}

bool write_bytes(const std::string& path, std::size_t size) {
  std::ofstream out(fs_path(path), std::ios::binary);
  out << std::string(size, 'x');
  return static_cast<bool>(out.flush());
}

int leave_leaks(const std::vector<std::string>& args) {
  const std::string& ready = args[2];
  const std::string directory = temp_directory();
  std::error_code error;
  if (!write_bytes(directory + "/leak-a.txt", 1000) ||
      !fs::create_directory(fs_path(directory + "/cache"), error) ||
      !write_bytes(directory + "/cache/b.bin", 3000))
    return fail("cannot write in the temp directory " + directory);
  const std::string held = directory + "/held.txt";
  const bool daemon = args.size() == 5;
  if (!(daemon ? tmpctl::test::start_detached_sibling("run_probe", {"daemon", held, ready})
               : tmpctl::test::start_detached_sibling("hold_file", {held, ready})))
    return fail("cannot start the holder");
  tmpctl::test::wait_while([&] { return !fs::exists(fs_path(ready), error); },
                           std::chrono::seconds(30));
  if (!fs::exists(fs_path(ready), error)) return fail("hold_file did not start holding " + held);
  return std::atoi(args[3].c_str());
}

int start_daemon(const std::vector<std::string>& args) {
#ifndef _WIN32
  if (::setsid() < 0) return fail("setsid failed");
#endif
  if (!tmpctl::test::start_detached_sibling("hold_file", {args[2], args[3]}))
    return fail("cannot start hold_file");
  return 0;
}

#ifdef _WIN32
int check_handle(const std::vector<std::string>& args) {
  const auto handle = reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(std::stoull(args[2])));
  const HANDLE file = CreateFileW(tmpctl::platform::win32::widen(args[3]).value().c_str(), 0,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                  OPEN_EXISTING, 0, nullptr);
  if (file == INVALID_HANDLE_VALUE) return fail("cannot open " + args[3]);
  BY_HANDLE_FILE_INFORMATION expected{};
  BY_HANDLE_FILE_INFORMATION found{};
  const bool same = GetFileInformationByHandle(file, &expected) &&
                    GetFileType(handle) == FILE_TYPE_DISK &&
                    GetFileInformationByHandle(handle, &found) &&
                    found.dwVolumeSerialNumber == expected.dwVolumeSerialNumber &&
                    found.nFileIndexHigh == expected.nFileIndexHigh &&
                    found.nFileIndexLow == expected.nFileIndexLow;
  CloseHandle(file);
  std::printf("%s\n", same ? "inherited" : "not inherited");
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef _WIN32
  _setmode(_fileno(stdout), _O_BINARY);  // "\n", not "\r\n": the same output on every OS
#endif
  const std::vector<std::string> args = tmpctl::platform::utf8_arguments(argc, argv);
  const std::string mode = args.size() > 1 ? args[1] : "";
  if (mode == "args" && args.size() >= 3) return print_and_write(args);
  if (mode == "wait" && args.size() == 3) return wait_for_removal_or_interruption(args[2]);
  if (mode == "remove" && args.size() == 3) return remove_it(args);
#ifdef _WIN32
  if (mode == "handle" && args.size() == 4) return check_handle(args);
#endif
  if (mode == "hold" && (args.size() == 4 || (args.size() == 5 && args[4] == "--share-delete")))
    return leave_a_holder(args);
  if (mode == "leak" && (args.size() == 4 || (args.size() == 5 && args[4] == "--daemon")))
    return leave_leaks(args);
  if (mode == "daemon" && args.size() == 4) return start_daemon(args);
  std::fprintf(stderr,
               "usage: run_probe args STATUS [ARG...] | wait READY | remove STATUS |"
               " hold READY STATUS [--share-delete] | leak READY STATUS [--daemon] |"
               " daemon PATH READY\n");
  return 99;
}
