// Deleting and explaining refusals on POSIX. unlink() only needs write and
// search permission on the directory, so the explanations look there: the
// sticky bit, the directory's mode, the file system, immutable flags.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#if defined(__linux__)
#include <linux/fs.h>
#include <sys/ioctl.h>
#endif

#include "platform/platform.hpp"
#include "platform/remove.hpp"

namespace tmpctl::platform {
namespace {

std::string parent_of(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// chattr +i / +a: even root cannot unlink such a file.
bool is_immutable(const std::string& path) {
#if defined(__linux__)
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  int flags = 0;
  const bool got = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  ::close(fd);
  return got && (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)) != 0;
#else
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && (st.st_flags & (UF_IMMUTABLE | SF_IMMUTABLE)) != 0;
#endif
}

// The sticky bit (as on /tmp) lets only the owner of the file or of the
// directory, or root, remove an entry.
bool sticky_forbids(const struct stat& parent, const struct stat& entry) {
  const uid_t me = ::geteuid();
  return (parent.st_mode & S_ISVTX) != 0 && me != 0 && entry.st_uid != me && parent.st_uid != me;
}

// Looks at everything that makes unlink refuse, in the order the kernel
// checks it; `none` when nothing would.
RemoveCause find_cause(const std::string& path) {
  struct stat entry;
  if (::lstat(path.c_str(), &entry) != 0)
    return errno == ENOENT ? RemoveCause::not_found : RemoveCause::other;
  const std::string parent = parent_of(path);
  struct stat directory;
  if (::stat(parent.c_str(), &directory) != 0) return RemoveCause::other;
  struct statvfs fs;
  if (::statvfs(parent.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0)
    return RemoveCause::read_only_filesystem;
  if (S_ISDIR(entry.st_mode) && entry.st_dev != directory.st_dev) return RemoveCause::mount_point;
  if (::faccessat(AT_FDCWD, parent.c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    return RemoveCause::directory_not_writable;
  if (sticky_forbids(directory, entry)) return RemoveCause::sticky_directory;
  if (!S_ISLNK(entry.st_mode) && is_immutable(path)) return RemoveCause::immutable;
  return RemoveCause::none;
}

}  // namespace

std::expected<EntryInfo, Error> inspect_entry(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::unexpected(os_error(errno, "remove", path));
  return EntryInfo{S_ISDIR(st.st_mode), S_ISLNK(st.st_mode), false,
                   static_cast<std::uint64_t>(st.st_nlink)};
}

std::expected<void, Error> delete_entry(const std::string& path, const EntryInfo& info,
                                        const DeleteStrategy&, std::vector<std::string>&) {
  // --force, --posix-delete and --rename-aside answer Windows problems: on
  // POSIX unlink already removes the name at once, whoever holds the file.
  const int status = info.is_directory ? ::rmdir(path.c_str()) : ::unlink(path.c_str());
  if (status != 0) return std::unexpected(os_error(errno, "remove", path));
  return {};
}

RemoveCause explain_refusal(const std::string& path, const Error& error) {
  switch (error.native_code) {
    case ENOENT: return RemoveCause::not_found;
    case EROFS: return RemoveCause::read_only_filesystem;
    case EBUSY: return RemoveCause::mount_point;
    case EISDIR: return RemoveCause::directory;
    case ENOTEMPTY:
    case EEXIST: return RemoveCause::directory_not_empty;
    case EINVAL: return RemoveCause::invalid_path;
    case EACCES:
    case EPERM: {
      const RemoveCause cause = find_cause(path);
      return cause == RemoveCause::none || cause == RemoveCause::other
                 ? RemoveCause::permission_denied
                 : cause;
    }
    default: return RemoveCause::other;
  }
}

std::optional<Refusal> probe_delete(const std::string& path, const EntryInfo&,
                                    const DeleteStrategy&) {
  const RemoveCause cause = find_cause(path);
  switch (cause) {
    case RemoveCause::none: return std::nullopt;
    case RemoveCause::not_found: return Refusal{os_error(ENOENT, "remove", path), cause};
    case RemoveCause::read_only_filesystem: return Refusal{os_error(EROFS, "remove", path), cause};
    case RemoveCause::mount_point: return Refusal{os_error(EBUSY, "remove", path), cause};
    case RemoveCause::immutable: return Refusal{os_error(EPERM, "remove", path), cause};
    default: return Refusal{os_error(EACCES, "remove", path), cause};
  }
}

std::expected<void, Error> delete_at_reboot(const std::string& path) {
  return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "schedule", path,
                                        "deleting at reboot exists only on Windows"));
}

std::expected<void, Error> check_not_disguised_link(const std::string&) { return {}; }

std::optional<std::string> verbatim_form(const std::string&) { return std::nullopt; }

bool is_root_directory(const std::string& path) {
  struct stat target, root;
  return ::stat(path.c_str(), &target) == 0 && ::stat("/", &root) == 0 &&
         target.st_dev == root.st_dev && target.st_ino == root.st_ino;
}

bool delete_succeeds_while_open() noexcept { return true; }

}  // namespace tmpctl::platform
