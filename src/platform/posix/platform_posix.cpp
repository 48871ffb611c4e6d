// The POSIX backend (Linux, macOS): generic code for that platform family only.
// Every path-taking call refuses to follow a symlink where following could
// leave the directory the caller named.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <vector>

#if defined(__APPLE__)
#include <stdlib.h>  // arc4random_buf
#else
#include <sys/random.h>
#endif

#include "platform/environment.hpp"
#include "platform/platform.hpp"

namespace tmpctl::platform {

std::string_view path_separators() noexcept { return "/"; }
char preferred_separator() noexcept { return '/'; }
bool is_reserved_name(std::string_view) noexcept { return false; }

std::string name_part_problem(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (text.find('/') != std::string_view::npos) return "contains a path separator";
  return {};
}

std::string name_end_problem(std::string_view) { return {}; }

Error os_error(int native_code, std::string operation, std::string path) {
  return errno_error(native_code, std::move(operation), std::move(path));
}

std::string_view native_code_name(ErrorDomain domain, int code) noexcept {
  return domain == ErrorDomain::posix ? errno_name(code) : std::string_view{};
}

#if !defined(__APPLE__)
namespace {

// Set once getrandom has answered ENOSYS (a kernel before 3.17) or EPERM (a
// seccomp profile that predates it): every later call reads /dev/urandom.
std::atomic<bool> getrandom_unusable{false};

// The OS's other secure source, as GNU mktemp falls back to it: /dev/urandom,
// opened without following a link and checked to be a character device, so a
// file planted in its place is never taken for randomness.
std::expected<void, Error> read_urandom(std::span<std::uint8_t> out) {
  const char* const path = "/dev/urandom";
  int fd;
  do {
    fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return std::unexpected(os_error(errno, "read random bytes from", path));
  const Handle handle(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return std::unexpected(os_error(errno, "read random bytes from", path));
  if (!S_ISCHR(st.st_mode))
    return std::unexpected(Error::invalid(ErrorKind::other, "read random bytes from", path,
                                          "it is not a character device"));
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t got = ::read(fd, out.data() + filled, out.size() - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(os_error(errno, "read random bytes from", path));
    if (got == 0)
      return std::unexpected(
          Error::invalid(ErrorKind::other, "read random bytes from", path, "it ended"));
    filled += static_cast<std::size_t>(got);
  }
  return {};
}

}  // namespace
#endif

std::expected<void, Error> random_bytes(std::span<std::uint8_t> out) {
#if defined(__APPLE__)
  ::arc4random_buf(out.data(), out.size());
#else
  if (getrandom_unusable.load(std::memory_order_relaxed)) return read_urandom(out);
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t got = ::getrandom(out.data() + filled, out.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSYS || errno == EPERM) {
        getrandom_unusable.store(true, std::memory_order_relaxed);
        return read_urandom(out);
      }
      return std::unexpected(os_error(errno, "read random bytes from", "getrandom"));
    }
    filled += static_cast<std::size_t>(got);
  }
#endif
  return {};
}

std::expected<std::string, Error> absolute_path(std::string_view path) {
  std::string result;
  if (!is_absolute_path(path)) {
    std::vector<char> cwd(4096);
    while (::getcwd(cwd.data(), cwd.size()) == nullptr) {
      if (errno != ERANGE) return std::unexpected(os_error(errno, "resolve", std::string(path)));
      cwd.resize(cwd.size() * 2);
    }
    result = cwd.data();
  }
  // Lexical clean-up only: drop "." and empty components. ".." stays, since
  // resolving it without the filesystem is wrong when symlinks are involved.
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::string_view part = path.substr(pos, end - pos);
    if (!part.empty() && part != ".") {
      if (result.empty() || result.back() != '/') result += '/';
      result += part;
    }
    pos = end + 1;
  }
  if (result.empty()) result = "/";
  return result;
}

std::expected<std::string, Error> system_temp_directory() {
  const std::string tmpdir = temp_directory_from_environment();
  if (tmpdir.empty()) return std::string("/tmp");
  return absolute_path(tmpdir);
}

std::string temp_directory_from_environment() { return environment_variable("TMPDIR"); }

bool is_absolute_path(std::string_view path) noexcept { return path.starts_with('/'); }

std::expected<Handle, Error> create_file_exclusive(const std::string& path, unsigned mode,
                                                   bool /*delete_on_close: TempFile unlinks*/) {
  for (;;) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          static_cast<mode_t>(mode));
    if (fd >= 0) return Handle(fd);
    if (errno != EINTR) return std::unexpected(os_error(errno, "create", path));
  }
}

std::expected<void, Error> create_directory_exclusive(const std::string& path, unsigned mode) {
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0)
    return std::unexpected(os_error(errno, "create directory", path));
  return {};
}

std::expected<bool, Error> entry_exists(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return std::unexpected(os_error(errno, "inspect", path));
}

std::expected<void, Error> close_handle(NativeHandle handle) noexcept {
  // On Linux and macOS the descriptor is released even when close() fails
  // with EINTR, so it must never be retried; EINTR is not worth reporting.
  if (::close(handle) != 0 && errno != EINTR) return std::unexpected(os_error(errno, "close", ""));
  return {};
}

std::expected<void, Error> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return std::unexpected(os_error(errno, "remove", path));
  return {};
}

}  // namespace tmpctl::platform
