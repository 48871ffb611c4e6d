// The POSIX backend (Linux, macOS): generic code for that platform family only.
// Every path-taking call refuses to follow a symlink where following could
// leave the directory the caller named.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <vector>

#if defined(__APPLE__)
#include <stdlib.h>  // arc4random_buf
#else
#include <sys/random.h>
#endif

#include "platform/platform.hpp"

namespace tmpctl::platform {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// Opens a directory relative to `parent` without following a symlink.
DirPtr open_directory_at(int parent, const char* name) {
  const int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return nullptr;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
  }
  return DirPtr(dir);
}

bool is_directory_entry(int parent, const dirent& entry) {
#ifdef _DIRENT_HAVE_D_TYPE
  if (entry.d_type != DT_UNKNOWN) return entry.d_type == DT_DIR;
#endif
  struct stat st;
  return ::fstatat(parent, entry.d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

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

std::expected<void, Error> random_bytes(std::span<std::uint8_t> out) {
#if defined(__APPLE__)
  ::arc4random_buf(out.data(), out.size());
#else
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t got = ::getrandom(out.data() + filled, out.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(os_error(errno, "read random bytes from", "getrandom"));
    }
    filled += static_cast<std::size_t>(got);
  }
#endif
  return {};
}

std::expected<std::string, Error> absolute_path(std::string_view path) {
  std::string result;
  if (path.empty() || path.front() != '/') {
    std::vector<char> cwd(4096);
    while (::getcwd(cwd.data(), cwd.size()) == nullptr) {
      if (errno != ERANGE)
        return std::unexpected(os_error(errno, "resolve", std::string(path)));
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
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir == nullptr || *tmpdir == '\0') return std::string("/tmp");
  return absolute_path(tmpdir);
}

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
  if (::close(handle) != 0 && errno != EINTR)
    return std::unexpected(os_error(errno, "close", ""));
  return {};
}

std::expected<void, Error> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return std::unexpected(os_error(errno, "remove", path));
  return {};
}

std::expected<void, Error> remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::unexpected(os_error(errno, "remove", path));
  if (!S_ISDIR(st.st_mode)) return remove_file(path);  // a file, or a symlink: never its target

  // Depth-first through directory descriptors: every step is relative to an
  // open parent (openat/unlinkat), so a directory swapped for a symlink
  // mid-walk is removed as a link, never followed.
  struct Frame {
    DirPtr dir;
    std::string name;  // within the parent frame's directory
    std::string path;  // for messages only; never handed back to the kernel
    bool removed_any = false;
  };
  std::vector<Frame> stack;
  DirPtr root = open_directory_at(AT_FDCWD, path.c_str());
  if (!root) return std::unexpected(os_error(errno, "open directory", path));
  stack.push_back({std::move(root), {}, path});

  while (!stack.empty()) {
    Frame& top = stack.back();
    const int parent = ::dirfd(top.dir.get());
    errno = 0;
    const dirent* entry = ::readdir(top.dir.get());
    if (entry == nullptr) {
      if (errno != 0) return std::unexpected(os_error(errno, "read directory", top.path));
      if (top.removed_any) {
        // readdir may skip entries of a directory that changes under it
        // (FreeBSD, macOS): list it again until a pass removes nothing.
        top.removed_any = false;
        ::rewinddir(top.dir.get());
        continue;
      }
      Frame done = std::move(top);
      stack.pop_back();
      if (stack.empty()) break;
      done.dir.reset();
      if (::unlinkat(::dirfd(stack.back().dir.get()), done.name.c_str(), AT_REMOVEDIR) != 0) {
        if (errno != ENOENT) return std::unexpected(os_error(errno, "remove directory", done.path));
      } else {
        stack.back().removed_any = true;
      }
      continue;
    }
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::string child = top.path + '/' + entry->d_name;
    if (is_directory_entry(parent, *entry)) {
      DirPtr dir = open_directory_at(parent, entry->d_name);
      if (!dir) {
        if (errno == ENOENT) continue;
        if (errno != ENOTDIR && errno != ELOOP)
          return std::unexpected(os_error(errno, "open directory", child));
        // Swapped for a non-directory since readdir: fall through and unlink it.
      } else {
        stack.push_back({std::move(dir), entry->d_name, std::move(child)});
        continue;
      }
    }
    if (::unlinkat(parent, entry->d_name, 0) == 0)
      top.removed_any = true;
    else if (errno != ENOENT)
      return std::unexpected(os_error(errno, "remove", child));
  }
  if (::rmdir(path.c_str()) != 0) return std::unexpected(os_error(errno, "remove directory", path));
  return {};
}

}  // namespace tmpctl::platform
