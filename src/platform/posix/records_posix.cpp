// The record store's backend on POSIX (Linux, macOS): process identity from
// /proc (Linux) or libproc (macOS), and a private directory used only through
// its descriptor (openat, renameat, unlinkat with O_NOFOLLOW), so that
// swapping the directory or a name in it for a symlink redirects nothing.

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <string_view>

#ifdef __APPLE__
#include <libproc.h>
#include <sys/proc.h>  // SZOMB
#include <sys/proc_info.h>
#endif

#include "platform/platform.hpp"
#include "platform/posix/process_start.hpp"
#include "platform/records.hpp"

namespace tmpctl::platform {
namespace {

Error not_found(std::uint32_t pid) {
  return Error::invalid(ErrorKind::not_found, "find process", std::to_string(pid),
                        "no such process");
}

// What the system says of one process now: its start time and whether it is
// a zombie (exited, not yet waited for, which counts as gone). Fails with
// errno set: ESRCH when there is no such process.
struct ProcessStatus {
  std::uint64_t start_time = 0;
  bool exited = false;
};

#ifdef __APPLE__

// UNBUILT AND UNTESTED, like holders_posix.cpp's libproc code: written from
// the headers' documentation only.
bool read_status(std::uint32_t pid, ProcessStatus& status) {
  struct proc_bsdinfo info;
  errno = 0;
  if (::proc_pidinfo(static_cast<int>(pid), PROC_PIDTBSDINFO, 0, &info, sizeof info) !=
      static_cast<int>(sizeof info)) {
    if (errno == 0) errno = ESRCH;
    return false;
  }
  status.start_time = posix::start_time_of(info);
  status.exited = info.pbi_status == SZOMB;
  return true;
}

#else

bool read_status(std::uint32_t pid, ProcessStatus& status) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd;
  do fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) errno = ESRCH;
    return false;
  }
  // The whole line in one read: the kernel builds it on the first. 52
  // numbers and a name of at most 64 bytes fit.
  char buffer[2048];
  ssize_t got;
  do got = ::read(fd, buffer, sizeof buffer);
  while (got < 0 && errno == EINTR);
  const int saved = errno;
  ::close(fd);
  if (got <= 0) {
    errno = got < 0 ? (saved == ENOENT ? ESRCH : saved) : ESRCH;  // exited meanwhile
    return false;
  }
  const std::string_view stat(buffer, static_cast<std::size_t>(got));
  status.start_time = posix::start_time_from_stat(stat);
  const char state = posix::state_from_stat(stat);
  status.exited = state == 'Z' || state == 'X';
  return true;
}

#endif

}  // namespace

ProcessIdentity current_process() {
  ProcessIdentity self{.pid = static_cast<std::uint32_t>(::getpid())};
  ProcessStatus status;
  if (read_status(self.pid, status)) self.start_time = status.start_time;
  return self;
}

std::uint32_t parent_pid() {
  // After its parent exits a process is adopted (by init or a subreaper), and
  // getppid() names the adopter: the caller's record then names a process
  // that outlives it, which keeps the record rather than dropping it early.
  return static_cast<std::uint32_t>(::getppid());
}

std::expected<ProcessIdentity, Error> process_with_pid(std::uint32_t pid) {
  // A larger pid is negative as a pid_t: kill() would test a process group.
  if (pid == 0 || pid > static_cast<std::uint32_t>(std::numeric_limits<pid_t>::max()))
    return std::unexpected(not_found(pid));
  ProcessStatus status;
  if (!read_status(pid, status)) {
    // Whatever kept its status from us (no /proc in a sandbox or chroot,
    // hidepid=1 or 2, a race with its exit), the kernel still says whether
    // the pid exists. If it does, its start is unknown: never "gone" on a
    // guess, which would let cleanup --orphaned remove a live script's files.
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) return ProcessIdentity{pid, 0};
    return std::unexpected(not_found(pid));
  }
  if (status.exited) return std::unexpected(not_found(pid));
  return ProcessIdentity{pid, status.start_time};
}

std::string default_record_directory(const std::string& temp_directory) {
  std::string path = temp_directory;
  if (!path.ends_with('/')) path += '/';
  return path + "tmpctl-records-" + std::to_string(::geteuid());
}

// The record directory.

struct RecordDirectory::State {
  std::string path;
  int fd = -1;

  ~State() {
    if (fd >= 0) ::close(fd);
  }

  // For messages only: the directory's path and the name.
  std::string path_of(std::string_view name) const {
    std::string joined = path;
    if (!joined.ends_with('/')) joined += '/';
    joined += name;
    return joined;
  }

  // An Error for a name that is not one entry of this directory, or nothing.
  std::expected<void, Error> check_name(const std::string& name, const char* operation) const {
    if (const std::string problem = plain_name_problem(name); !problem.empty())
      return std::unexpected(Error::invalid(ErrorKind::invalid_argument, operation, path_of(name),
                                            "the name " + problem));
    return {};
  }
};

namespace {

Error refused(const std::string& path, std::string why) {
  return Error::invalid(ErrorKind::permission_denied, "use record directory", path, std::move(why));
}

// Why the open directory may not hold records (not ours, or others may
// write to it or read it), or an empty string.
std::string ownership_problem(const struct stat& st) {
  const uid_t self = ::geteuid();
  if (st.st_uid != self)
    return "it is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
           std::to_string(self) + ")";
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string("its mode ") + mode + " lets other users in (it must be 0700)";
  }
  return {};
}

std::int64_t modification_nanoseconds(const struct stat& st) {
#ifdef __APPLE__
  const struct timespec& time = st.st_mtimespec;
#else
  const struct timespec& time = st.st_mtim;
#endif
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

// Writes all of `content`, through short writes and interruptions.
bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace

RecordDirectory::RecordDirectory(std::unique_ptr<State> state) : state_(std::move(state)) {}
RecordDirectory::RecordDirectory(RecordDirectory&&) noexcept = default;
RecordDirectory& RecordDirectory::operator=(RecordDirectory&&) noexcept = default;
RecordDirectory::~RecordDirectory() = default;

std::expected<RecordDirectory, Error> RecordDirectory::open(const std::string& path, bool create) {
  if (create) {
    // The umask can only take bits away from 0700.
    if (auto made = create_directory_exclusive(path, 0700);
        !made && made.error().kind != ErrorKind::already_exists)
      return std::unexpected(made.error());
  }
  auto state = std::make_unique<State>();
  state->path = path;
  state->fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (state->fd < 0) {
    const int error = errno;
    // O_NOFOLLOW|O_DIRECTORY refuses a symlink with ELOOP or ENOTDIR, and a
    // file with ENOTDIR; lstat tells which it met.
    struct stat st;
    if ((error == ELOOP || error == ENOTDIR) && ::lstat(path.c_str(), &st) == 0) {
      if (S_ISLNK(st.st_mode)) return std::unexpected(refused(path, "it is a symbolic link"));
      if (!S_ISDIR(st.st_mode)) return std::unexpected(refused(path, "it is not a directory"));
    }
    return std::unexpected(os_error(error, "open directory", path));
  }
  struct stat st;
  if (::fstat(state->fd, &st) != 0) return std::unexpected(os_error(errno, "inspect", path));
  if (const std::string problem = ownership_problem(st); !problem.empty())
    return std::unexpected(refused(path, problem));
  return RecordDirectory(std::move(state));
}

const std::string& RecordDirectory::path() const { return state_->path; }

std::expected<void, Error> RecordDirectory::write(const std::string& name,
                                                  std::string_view content) {
  const State& s = *state_;
  if (auto valid = s.check_name(name, "write record"); !valid) return valid;
  const std::string partial = "." + name + ".partial";
  const int fd =
      ::openat(s.fd, partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(os_error(errno, "create", s.path_of(partial)));
  // The first failure, with the path it was about; the partial file goes.
  const auto fail = [&](int error, const char* operation, const std::string& about) {
    ::unlinkat(s.fd, partial.c_str(), 0);
    return std::unexpected(os_error(error, operation, about));
  };
  if (!write_all(fd, content)) {
    const int error = errno;
    ::close(fd);
    return fail(error, "write", s.path_of(partial));
  }
  // A delayed write error (NFS, a full quota) shows only here. EINTR: the
  // descriptor is released all the same, and the data was written.
  if (::close(fd) != 0 && errno != EINTR) return fail(errno, "write", s.path_of(partial));
  if (::renameat(s.fd, partial.c_str(), s.fd, name.c_str()) != 0)
    return fail(errno, "rename to", s.path_of(name));
  return {};
}

std::expected<std::vector<std::string>, Error> RecordDirectory::names() const {
  const State& s = *state_;
  // A descriptor of its own: a dup() would share the reading position with
  // every other listing of this directory.
  const int fd = ::openat(s.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error(errno, "read directory", s.path));
  DIR* stream = ::fdopendir(fd);
  if (stream == nullptr) {
    const int error = errno;
    ::close(fd);
    return std::unexpected(os_error(error, "read directory", s.path));
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(stream);
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int error = errno;
  ::closedir(stream);
  if (error != 0) return std::unexpected(os_error(error, "read directory", s.path));
  return names;
}

std::expected<std::string, Error> RecordDirectory::read(const std::string& name,
                                                        std::size_t limit) const {
  const State& s = *state_;
  if (auto valid = s.check_name(name, "read record"); !valid) return std::unexpected(valid.error());
  const std::string path = s.path_of(name);
  // O_NONBLOCK: a FIFO put here must not hang the open.
  const int fd = ::openat(s.fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "read record", path,
                                            "it is a symbolic link, not a regular file"));
    return std::unexpected(os_error(errno, "read", path));
  }
  const auto fail = [&](Error error) {
    ::close(fd);
    return std::unexpected(std::move(error));
  };
  struct stat st;
  if (::fstat(fd, &st) != 0) return fail(os_error(errno, "inspect", path));
  if (!S_ISREG(st.st_mode))
    return fail(Error::invalid(ErrorKind::invalid_argument, "read record", path,
                               "it is not a regular file"));
  const auto too_large = [&] {
    return Error::invalid(ErrorKind::invalid_argument, "read record", path,
                          "it is larger than " + std::to_string(limit) + " bytes");
  };
  if (static_cast<std::uint64_t>(st.st_size) > limit) return fail(too_large());
  // Records are replaced by rename, never rewritten in place; still, read no
  // more than the limit allows, whatever the size said.
  std::string content(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == content.size()) {
      if (used > limit) return fail(too_large());
      content.resize(std::min(used * 2, limit + 1));
    }
    const ssize_t got = ::read(fd, content.data() + used, content.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(os_error(errno, "read", path));
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  ::close(fd);
  if (used > limit) return std::unexpected(too_large());
  content.resize(used);
  return content;
}

std::expected<std::int64_t, Error> RecordDirectory::modified(const std::string& name) const {
  const State& s = *state_;
  if (auto valid = s.check_name(name, "inspect record"); !valid)
    return std::unexpected(valid.error());
  struct stat st;
  if (::fstatat(s.fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return std::unexpected(os_error(errno, "inspect", s.path_of(name)));
  return modification_nanoseconds(st);
}

std::expected<void, Error> RecordDirectory::remove(const std::string& name) {
  const State& s = *state_;
  if (auto valid = s.check_name(name, "remove record"); !valid) return valid;
  if (::unlinkat(s.fd, name.c_str(), 0) != 0)
    return std::unexpected(os_error(errno, "remove", s.path_of(name)));
  return {};
}

}  // namespace tmpctl::platform
