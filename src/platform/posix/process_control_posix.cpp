// The processes of the system on POSIX. Linux: /proc for the list, pidfds to
// end one (a pidfd names the process itself, never a later one with its pid).
// macOS: libproc and kill() (UNBUILT AND UNTESTED, as holders_posix.cpp).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#ifdef __APPLE__
#include <libproc.h>
#include <pwd.h>
#include <sys/proc_info.h>
#else
#include <dirent.h>
#endif

#include "platform/platform.hpp"
#include "platform/posix/process_start.hpp"
#include "platform/process_control.hpp"

namespace tmpctl::platform {
namespace {

#ifdef __APPLE__

std::string user_name(uid_t uid) {
  const struct passwd* user = ::getpwuid(uid);
  return user ? std::string(user->pw_name) : std::to_string(uid);
}

std::optional<ProcessEntry> read_entry(pid_t pid) {
  struct proc_bsdinfo info;
  if (::proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &info, sizeof info) != static_cast<int>(sizeof info))
    return std::nullopt;
  ProcessEntry entry;
  entry.pid = static_cast<std::uint32_t>(pid);
  entry.parent = info.pbi_ppid;
  entry.start_time = posix::start_time_of(info);
  entry.name = info.pbi_name[0] ? info.pbi_name : info.pbi_comm;
  entry.user = user_name(info.pbi_uid);
  entry.same_user = info.pbi_uid == ::geteuid();
  return entry;
}

#else

// /etc/passwd read directly, as protected_directories_posix.cpp does: tmpctl
// is linked statically, and getpwuid would load NSS modules.
class UserNames {
public:
  UserNames() {
    std::FILE* passwd = std::fopen("/etc/passwd", "re");
    if (!passwd) return;
    char* line = nullptr;
    std::size_t capacity = 0;
    ssize_t length;
    while ((length = ::getline(&line, &capacity, passwd)) > 0) {
      // name:password:uid:...
      const std::string_view text(line, static_cast<std::size_t>(length));
      const std::size_t first = text.find(':');
      const std::size_t second =
          first == std::string_view::npos ? first : text.find(':', first + 1);
      if (second == std::string_view::npos) continue;
      const std::string_view uid_text = text.substr(second + 1);
      uid_t uid = 0;
      if (std::from_chars(uid_text.data(), uid_text.data() + uid_text.size(), uid).ec ==
          std::errc{})
        names_.try_emplace(uid, text.substr(0, first));
    }
    std::free(line);
    std::fclose(passwd);
  }
  std::string of(uid_t uid) const {
    const auto found = names_.find(uid);
    return found != names_.end() ? found->second : std::to_string(uid);
  }

private:
  std::unordered_map<uid_t, std::string> names_;
};

// Reads PID/stat relative to /proc, open at `proc`.
std::string read_stat(int proc, std::string_view pid) {
  char path[40];
  const auto length = std::min(pid.size(), std::size_t{20});
  std::memcpy(path, pid.data(), length);
  std::memcpy(path + length, "/stat", 6);
  const int fd = ::openat(proc, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buffer[1024];
  ssize_t got;
  do got = ::read(fd, buffer, sizeof buffer);
  while (got < 0 && errno == EINTR);
  ::close(fd);
  return got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : std::string();
}

// Field `number` (1-based, at least 3) of a stat line, counted after the last ')'.
std::string_view stat_field(std::string_view stat, int number) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return {};
  std::string_view rest = stat.substr(close + 2);
  for (int field = 3; field < number; ++field) {
    const std::size_t space = rest.find(' ');
    if (space == std::string_view::npos) return {};
    rest.remove_prefix(space + 1);
  }
  return rest.substr(0, rest.find(' '));
}

template <class Number>
Number number_in(std::string_view text) {
  Number value{};
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

constexpr unsigned kernel_thread_flag = 0x00200000;  // PF_KTHREAD

std::optional<ProcessEntry> read_entry(int proc, std::string_view pid_text,
                                       const UserNames& users) {
  const std::string stat = read_stat(proc, pid_text);
  const std::size_t open = stat.find('(');
  const std::size_t close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcessEntry entry;
  entry.pid = number_in<std::uint32_t>(pid_text);
  entry.name = stat.substr(open + 1, close - open - 1);
  entry.parent = number_in<std::uint32_t>(stat_field(stat, 4));
  entry.kernel = (number_in<unsigned>(stat_field(stat, 9)) & kernel_thread_flag) != 0;
  entry.start_time = posix::start_time_from_stat(stat);
  struct stat st;
  const std::string dir(pid_text);
  if (::fstatat(proc, dir.c_str(), &st, 0) == 0) {
    entry.user = users.of(st.st_uid);
    entry.same_user = st.st_uid == ::geteuid();
  }
  return entry;
}

#endif

}  // namespace

std::expected<std::vector<ProcessEntry>, Error> list_processes(
    std::span<const std::uint32_t> only) {
  std::vector<ProcessEntry> processes;
#ifdef __APPLE__
  int bytes = ::proc_listallpids(nullptr, 0);
  if (bytes <= 0)
    return std::unexpected(os_error(errno, "list processes with", "proc_listallpids"));
  std::vector<pid_t> pids(static_cast<std::size_t>(bytes) + 64);
  const int count = ::proc_listallpids(pids.data(), static_cast<int>(pids.size() * sizeof(pid_t)));
  if (count <= 0)
    return std::unexpected(os_error(errno, "list processes with", "proc_listallpids"));
  pids.resize(static_cast<std::size_t>(count));
  for (const pid_t pid : pids)
    if (only.empty() || std::ranges::find(only, static_cast<std::uint32_t>(pid)) != only.end())
      if (auto entry = read_entry(pid)) processes.push_back(std::move(*entry));
#else
  const int proc = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) return std::unexpected(os_error(errno, "open", "/proc"));
  DIR* listing = ::fdopendir(::dup(proc));
  if (!listing) {
    const int error = errno;
    ::close(proc);
    return std::unexpected(os_error(error, "read directory", "/proc"));
  }
  const UserNames users;
  if (!only.empty()) {
    ::closedir(listing);
    for (const std::uint32_t pid : only)
      if (auto entry = read_entry(proc, std::to_string(pid), users))
        processes.push_back(std::move(*entry));
    ::close(proc);
    return processes;
  }
  while (const struct dirent* item = ::readdir(listing)) {
    const std::string_view name = item->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string_view::npos) continue;
    if (auto entry = read_entry(proc, name, users)) processes.push_back(std::move(*entry));
  }
  ::closedir(listing);
  ::close(proc);
#endif
  return processes;
}

ProcessEntry this_process() {
  ProcessEntry self;
  self.pid = static_cast<std::uint32_t>(::getpid());
  self.parent = static_cast<std::uint32_t>(::getppid());
  self.same_user = true;
#ifdef __APPLE__
  if (auto entry = read_entry(::getpid())) self.start_time = entry->start_time;
#else
  const int proc = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc >= 0) {
    self.start_time = posix::start_time_from_stat(read_stat(proc, std::to_string(self.pid)));
    ::close(proc);
  }
#endif
  return self;
}

bool may_end_other_users_processes() { return ::geteuid() == 0; }

bool polite_end_exists() { return true; }

namespace {

#ifndef __APPLE__
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_send_signal(int fd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, fd, signal, nullptr, 0));
}
#endif

// The start time of `pid` now; 0 when it is gone.
std::uint64_t start_time_now(std::uint32_t pid) {
#ifdef __APPLE__
  auto entry = read_entry(static_cast<pid_t>(pid));
  return entry ? entry->start_time : 0;
#else
  const int proc = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) return 0;
  const std::string stat = read_stat(proc, std::to_string(pid));
  ::close(proc);
  // A zombie has exited: it holds nothing and cannot be ended.
  if (posix::state_from_stat(stat) == 'Z') return 0;
  return posix::start_time_from_stat(stat);
#endif
}

Error gone(std::uint32_t pid) {
  return Error::invalid(ErrorKind::not_found, "end process", std::to_string(pid),
                        "it has exited, or its pid now names another process");
}

}  // namespace

std::expected<ProcessHandle, Error> ProcessHandle::open(const ProcessRef& ref) {
  ProcessHandle handle;
  handle.pid_ = ref.pid;
#ifndef __APPLE__
  // The pidfd first, then the check: if the pid still names the process that
  // started at start_time, the pidfd is that process, whatever comes after.
  handle.fd_ = pidfd_open(static_cast<pid_t>(ref.pid));
  if (handle.fd_ < 0 && errno == ESRCH) return std::unexpected(gone(ref.pid));
  if (handle.fd_ < 0 && errno != ENOSYS)
    return std::unexpected(os_error(errno, "open process", std::to_string(ref.pid)));
    // ENOSYS (Linux before 5.3): kill() below, checked against the start time each time.
#endif
  const std::uint64_t now = start_time_now(ref.pid);
  if (now == 0 || (ref.start_time != 0 && now != ref.start_time))
    return std::unexpected(gone(ref.pid));
  return handle;
}

ProcessHandle::ProcessHandle(ProcessHandle&& other) noexcept
    : pid_(other.pid_), fd_(std::exchange(other.fd_, -1)) {}

ProcessHandle& ProcessHandle::operator=(ProcessHandle&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    pid_ = other.pid_;
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ProcessHandle::~ProcessHandle() {
  if (fd_ >= 0) ::close(fd_);
}

std::expected<void, Error> ProcessHandle::end(EndHow how) {
  const int signal = how == EndHow::polite ? SIGTERM : SIGKILL;
#ifndef __APPLE__
  if (fd_ >= 0) {
    if (pidfd_send_signal(fd_, signal) == 0 || errno == ESRCH) return {};
    return std::unexpected(os_error(errno, "end process", std::to_string(pid_)));
  }
#endif
  if (::kill(static_cast<pid_t>(pid_), signal) == 0 || errno == ESRCH) return {};
  return std::unexpected(os_error(errno, "end process", std::to_string(pid_)));
}

bool ProcessHandle::wait_for_exit(std::chrono::milliseconds timeout) {
#ifndef __APPLE__
  if (fd_ >= 0) {
    // A pidfd turns readable when its process exits (a zombie has exited).
    struct pollfd ready = {.fd = fd_, .events = POLLIN, .revents = 0};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const int result = ::poll(&ready, 1, static_cast<int>(std::max<long long>(0, left.count())));
      if (result > 0) return true;
      if (result == 0) return false;
      if (errno != EINTR) return false;
    }
  }
#endif
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (start_time_now(pid_) == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace tmpctl::platform
