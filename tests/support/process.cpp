#include "support/process.hpp"

#include <gtest/gtest.h>
#include <tmpctl/temp_file.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <thread>
#include <utility>

#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>

#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"
#else
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

extern char** environ;
#endif

namespace tmpctl::test {
namespace {

#ifdef _WIN32
std::wstring wide(const std::string& utf8_text) {
  return platform::win32::widen(utf8_text).value();
}

HANDLE open_inheritable(const std::wstring& path, DWORD access, DWORD disposition) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  return CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                     &inherit, disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
}

// Under Wine, where each thread of `pid` is, from winedbg's `bt all`: what
// a test that hung needs to say. Empty on Windows itself, or when winedbg
// says nothing within a minute.
std::string wine_backtrace(DWORD pid) {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == nullptr || GetProcAddress(ntdll, "wine_get_version") == nullptr) return {};
  auto scratch = TempDirectory::create({.prefix = "tmpctl-test-winedbg."});
  if (!scratch) return {};
  const std::string out_path = join(scratch->path(), "out");
  const HANDLE out = open_inheritable(wide(out_path), GENERIC_WRITE, CREATE_ALWAYS);
  if (out == INVALID_HANDLE_VALUE) return {};
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdOutput = startup.hStdError = out;
  std::wstring command_line = L"winedbg.exe --command \"bt all\" " + std::to_wstring(pid);
  PROCESS_INFORMATION info{};
  const BOOL started = CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE, 0,
                                      nullptr, nullptr, &startup, &info);
  CloseHandle(out);
  if (!started) return {};
  if (WaitForSingleObject(info.hProcess, 60'000) == WAIT_TIMEOUT)
    TerminateProcess(info.hProcess, 1);
  WaitForSingleObject(info.hProcess, INFINITE);
  CloseHandle(info.hThread);
  CloseHandle(info.hProcess);
  // `bt all` walks every process of the session; keep the threads of `pid`.
  char header[64];
  std::snprintf(header, sizeof header, " in process %04lx (", static_cast<unsigned long>(pid));
  const std::string all = read_file(out_path);
  std::string kept;
  bool keeping = false;
  for (std::size_t start = 0; start < all.size();) {
    std::size_t end = all.find('\n', start);
    end = end == std::string::npos ? all.size() : end + 1;
    const std::string_view line(all.data() + start, end - start);
    if (line.starts_with("Backtracing for thread")) keeping = line.find(header) != line.npos;
    if (keeping) kept += line;
    start = end;
  }
  if (!kept.empty())
    kept +=
        "(a frame \"tmpctl (+0xOFFSET)\" is 0x140000000 + OFFSET for "
        "x86_64-w64-mingw32-addr2line -f -C -i -e bin/tmpctl.exe)\n";
  return kept;
}
#endif

std::string program_directory() {
#ifdef _WIN32
  std::wstring buffer(32768, L'\0');
  const DWORD size = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
  buffer.resize(size);
  return platform::win32::narrow(buffer.substr(0, buffer.find_last_of(L"\\/")));
#elif defined(__APPLE__)
  char buffer[PATH_MAX];
  std::uint32_t size = sizeof buffer;
  if (_NSGetExecutablePath(buffer, &size) != 0) return ".";
  const std::string path = buffer;
  return path.substr(0, path.rfind('/'));
#else
  char buffer[PATH_MAX];
  const ssize_t size = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (size <= 0) return ".";
  std::string path(buffer, static_cast<std::size_t>(size));
  return path.substr(0, path.rfind('/'));
#endif
}

}  // namespace

ChildProcess ChildProcess::start(const std::vector<std::string>& command,
                                 const std::string& out_path, const std::string& err_path) {
  ChildProcess child;
  for (const std::string& argument : command)
    child.command_ += (child.command_.empty() ? "" : " ") + argument;
#ifdef _WIN32
  std::wstring command_line;
  for (const std::string& argument : command) {
    if (!command_line.empty()) command_line += L' ';
    command_line += platform::win32::quoted_argument(wide(argument));
  }
  const HANDLE in = open_inheritable(L"NUL", GENERIC_READ, OPEN_EXISTING);
  const auto open_output = [](const std::string& path) {
    if (path == broken_pipe) {
      SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
      HANDLE read = nullptr, write = nullptr;
      if (!CreatePipe(&read, &write, &inherit, 0)) return INVALID_HANDLE_VALUE;
      CloseHandle(read);
      return write;
    }
    return path == closed_stream ? INVALID_HANDLE_VALUE
                                 : open_inheritable(wide(path), GENERIC_WRITE, CREATE_ALWAYS);
  };
  const HANDLE out = open_output(out_path);
  const HANDLE err = open_output(err_path);
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = in;
  startup.hStdOutput = out;
  startup.hStdError = err;
  PROCESS_INFORMATION info{};
  const BOOL started = CreateProcessW(wide(command.at(0)).c_str(), command_line.data(), nullptr,
                                      nullptr, TRUE, 0, nullptr, nullptr, &startup, &info);
  const DWORD error = GetLastError();
  for (const HANDLE handle : {in, out, err})
    if (handle != INVALID_HANDLE_VALUE) CloseHandle(handle);
  if (!started) {
    // WinError 1359 (STATUS_INTERNAL_ERROR) under Wine means the new process's
    // Unix side ended before it started up (Wine 8.0: get_new_process_info
    // with success 0 and exit code 0). What its loader wrote on the way went
    // to the Unix standard error it inherited, this program's own (the CTest
    // log), not to err_path, which Wine hands over as a Windows handle.
    std::string said;
    if (err_path != closed_stream && err_path != broken_pipe) said = read_file(err_path);
    ADD_FAILURE() << "CreateProcessW(" << command.at(0) << ") failed with WinError " << error
                  << (said.empty() ? std::string(": nothing in its standard error file; Wine's own "
                                                 "messages, if any, are in this program's output")
                                   : ", and it wrote on standard error:\n" + said);
    return child;
  }
  CloseHandle(info.hThread);
  child.process_ = info.hProcess;
#else
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<int> pipe_ends;  // the parent's copies of broken pipes' writing ends
  for (const auto& [fd, path] : {std::pair{1, &out_path}, std::pair{2, &err_path}}) {
    int ends[2];
    if (*path == broken_pipe && ::pipe(ends) == 0) {
      ::close(ends[0]);
      ::fcntl(ends[1], F_SETFD, FD_CLOEXEC);  // for this child only: dup2 clears it there
      pipe_ends.push_back(ends[1]);
      posix_spawn_file_actions_adddup2(&actions, ends[1], fd);
    } else if (*path == closed_stream || *path == broken_pipe) {
      posix_spawn_file_actions_addclose(&actions, fd);
    } else
      posix_spawn_file_actions_addopen(&actions, fd, path->c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0600);
  }
  std::vector<char*> argv;
  for (const std::string& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const int error =
      posix_spawn(&child.pid_, command.at(0).c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  for (const int end : pipe_ends) ::close(end);
  if (error != 0) {
    ADD_FAILURE() << "posix_spawn(" << command.at(0) << ") failed with errno " << error;
    child.pid_ = -1;
  }
#endif
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : command_(std::move(other.command_)),
#ifdef _WIN32
      process_(std::exchange(other.process_, nullptr)),
#else
      pid_(std::exchange(other.pid_, -1)),
#endif
      exit_code_(other.exit_code_) {
}

ChildProcess::~ChildProcess() { wait(); }

std::uint32_t ChildProcess::pid() const {
#ifdef _WIN32
  return process_ ? static_cast<std::uint32_t>(GetProcessId(process_)) : 0;
#else
  return pid_ > 0 ? static_cast<std::uint32_t>(pid_) : 0;
#endif
}

int ChildProcess::wait() {
  const auto limit = std::chrono::seconds(child_time_limit_seconds);
#ifdef _WIN32
  if (process_ == nullptr) return exit_code_;
  if (WaitForSingleObject(process_, static_cast<DWORD>(limit.count() * 1000)) == WAIT_TIMEOUT) {
    const std::string threads = wine_backtrace(GetProcessId(process_));
    TerminateProcess(process_, 124);
    WaitForSingleObject(process_, INFINITE);
    ADD_FAILURE() << command_ << " (pid " << pid() << ") still ran after " << limit.count()
                  << " s and was ended"
                  << (threads.empty() ? std::string() : "; its threads were at:\n" + threads);
  }
  DWORD code = 0;
  GetExitCodeProcess(process_, &code);
  CloseHandle(process_);
  process_ = nullptr;
  exit_code_ = static_cast<int>(code);
#else
  if (pid_ < 0) return exit_code_;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    const pid_t ended = ::waitpid(pid_, &status, WNOHANG);
    if (ended == pid_ || (ended < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      ADD_FAILURE() << command_ << " (pid " << pid_ << ") still ran after " << limit.count()
                    << " s and was killed";
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(10));
  }
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
#endif
  return exit_code_;
}

ProcessResult run_process(const std::vector<std::string>& command, const std::string& stdout_path,
                          const std::string& stderr_path) {
  // Capture files only where no path was given: a test that gives both may
  // have pointed the temp directory somewhere that does not exist.
  std::optional<TempDirectory> scratch;
  if (stdout_path.empty() || stderr_path.empty()) {
    auto made = TempDirectory::create({.prefix = "tmpctl-test-io."});
    if (!made) {
      ADD_FAILURE() << to_string(made.error());
      return {};
    }
    scratch.emplace(std::move(*made));
  }
  const std::string out_path = stdout_path.empty() ? join(scratch->path(), "out") : stdout_path;
  const std::string err_path = stderr_path.empty() ? join(scratch->path(), "err") : stderr_path;
  ProcessResult result;
  result.exit_code = ChildProcess::start(command, out_path, err_path).wait();
  if (stdout_path.empty()) result.out = read_file(out_path);
  if (stderr_path.empty()) result.err = read_file(err_path);
  return result;
}

std::string tmpctl_path() {
#ifdef _WIN32
  return program_directory() + "\\tmpctl.exe";
#else
  return program_directory() + "/tmpctl";
#endif
}

std::string helper_path(const std::string& name) {
#ifdef _WIN32
  return program_directory() + "\\" + name + ".exe";
#else
  return program_directory() + "/" + name;
#endif
}

std::uint32_t this_pid() {
#ifdef _WIN32
  return GetCurrentProcessId();
#else
  return static_cast<std::uint32_t>(::getpid());
#endif
}

bool process_gone(std::uint32_t pid) {
#ifdef _WIN32
  const HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, pid);
  if (process == nullptr) return true;
  const bool ended = WaitForSingleObject(process, 0) == WAIT_OBJECT_0;
  CloseHandle(process);
  return ended;
#else
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t end_of_name = stat.rfind(") ");
  return end_of_name == std::string::npos || stat.compare(end_of_name + 2, 1, "Z") == 0;
#endif
}

HeldFile::HeldFile(const std::string& path, const std::string& scratch, Mode mode,
                   const std::string& name)
    : ready_(join(scratch, "hold_file.ready")) {
  std::vector<std::string> command{helper_path("hold_file")};
  if (mode == Mode::map) command.push_back("--map");
  if (mode == Mode::working_directory) command.push_back("--cwd");
  if (!name.empty()) command.insert(command.end(), {"--name", name});
  command.insert(command.end(), {path, ready_});
  child_.emplace(
      ChildProcess::start(command, join(scratch, "hold_file.out"), join(scratch, "hold_file.err")));
  pid_ = child_->pid();
  // Wait (at most 30 s) for the helper to say it holds the file.
  for (int i = 0; i < 3000 && read_file(ready_).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (read_file(ready_).empty()) ADD_FAILURE() << "hold_file did not start holding " << path;
}

void HeldFile::release() {
  if (!child_) return;
  std::error_code ignored;
  std::filesystem::remove(fs_path(ready_), ignored);
  EXPECT_EQ(child_->wait(), 0) << "hold_file failed";
  child_.reset();
}

int HeldFile::wait_ended() {
  if (!child_) return -1;
  const int code = child_->wait();
  child_.reset();
  std::error_code ignored;
  std::filesystem::remove(fs_path(ready_), ignored);
  return code;
}

HeldFile::~HeldFile() { release(); }

ProcessResult run_tmpctl(const std::vector<std::string>& arguments, const std::string& stdout_path,
                         const std::string& stderr_path) {
  std::vector<std::string> command{tmpctl_path()};
  command.insert(command.end(), arguments.begin(), arguments.end());
  return run_process(command, stdout_path, stderr_path);
}

#ifndef _WIN32
ProcessResult run_tmpctl_unprivileged(const std::vector<std::string>& arguments) {
  std::vector<std::string> command;
  if (::geteuid() == 0)
    command = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  command.push_back(tmpctl_path());
  command.insert(command.end(), arguments.begin(), arguments.end());
  return run_process(command);
}
#endif

ScopedEnvironment::ScopedEnvironment(std::string name, const char* value) : name_(std::move(name)) {
#ifdef _WIN32
  const std::wstring wide_name = wide(name_);
  const DWORD size = GetEnvironmentVariableW(wide_name.c_str(), nullptr, 0);
  if (size > 0) {
    std::wstring buffer(size, L'\0');
    buffer.resize(GetEnvironmentVariableW(wide_name.c_str(), buffer.data(), size));
    had_value_ = true;
    previous_ = platform::win32::narrow(buffer);
  }
#else
  if (const char* current = std::getenv(name_.c_str())) {
    had_value_ = true;
    previous_ = current;
  }
#endif
  set_environment(name_, value);
}

ScopedEnvironment::~ScopedEnvironment() {
  set_environment(name_, had_value_ ? previous_.c_str() : nullptr);
}

void set_environment(const std::string& name, const char* value) {
#ifdef _WIN32
  SetEnvironmentVariableW(wide(name).c_str(), value ? wide(value).c_str() : nullptr);
#else
  if (value)
    ::setenv(name.c_str(), value, 1);
  else
    ::unsetenv(name.c_str());
#endif
}

}  // namespace tmpctl::test
