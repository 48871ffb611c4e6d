// The cleanup walk on POSIX (Linux, macOS): every step relative to an open
// directory descriptor (openat with O_NOFOLLOW, fstatat/statx with
// AT_SYMLINK_NOFOLLOW, unlinkat), so a directory swapped for a symlink between
// listing and opening is never followed.
//
// Descriptors stay bounded however deep the tree: past `open_window` open
// levels, the shallowest open one (never the root) reads the rest of its names
// into memory and closes. Coming back up, it is reopened through ".." of its
// child and must have the identity it had: a directory moved meanwhile is
// abandoned rather than followed somewhere else.

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>  // makedev
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <utility>

#include "platform/platform.hpp"
#include "platform/walk.hpp"

namespace tmpctl::platform {
namespace {

// At most this many open levels below the root, and, with `walks` walks open
// at once, at most a third of the descriptors the process may open among
// them, so a low `ulimit -n` still leaves room.
std::size_t open_window_size(std::size_t walks = 1) {
  constexpr std::size_t most = 48;
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return most;
  const std::size_t budget = static_cast<std::size_t>(limit.rlim_cur) / 3;
  return std::clamp<std::size_t>(budget / std::max<std::size_t>(walks, 1), 4, most);
}

int open_directory(int parent, const char* name, int extra_flags) {
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | extra_flags;
#ifdef O_NOATIME
  // Listing must not make a directory look used (the owner and root only).
  int fd = ::openat(parent, name, flags | O_NOATIME);
  if (fd >= 0 || errno != EPERM) return fd;
#endif
  return ::openat(parent, name, flags);
}

// Saturating: a time past 2262 (an archive can carry one) must stay in the
// future, not wrap into the distant past and look stale.
std::int64_t nanoseconds(std::int64_t seconds, std::int64_t nanos) {
  constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  if (seconds > limit) return std::numeric_limits<std::int64_t>::max();
  if (seconds < -limit) return std::numeric_limits<std::int64_t>::min();
  return seconds * 1'000'000'000 + nanos;
}

// dev_t is signed on macOS: zero-extend it as holders_posix.cpp does, so a
// walked entry matches the open-file table (libproc's devices are unsigned).
std::uint64_t device_number(dev_t dev) {
  return static_cast<std::make_unsigned_t<dev_t>>(dev);
}

EntryType type_of(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::file;
  if (S_ISDIR(mode)) return EntryType::directory;
  if (S_ISLNK(mode)) return EntryType::symlink;
  return EntryType::other;
}

// What the walk needs of an entry, from one statx (Linux: birth time too) or
// fstatat call. Fails with errno set.
struct Looked {
  FileIdentity identity;
  EntryType type = EntryType::other;
  std::uint64_t size = 0;
  std::uint64_t links = 1;
  std::uint32_t uid = 0;
  EntryTimes times;
  bool mount_root = false;  // a mount point, even a bind mount of the same file system
};

bool look_at(int directory, const char* name, Looked& out) {
#if defined(__linux__) && defined(STATX_BTIME)
  struct statx sx;
  if (::statx(directory, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
              STATX_TYPE | STATX_INO | STATX_SIZE | STATX_UID | STATX_ATIME | STATX_MTIME |
                  STATX_CTIME | STATX_BTIME,
              &sx) != 0)
    return false;
  out.identity = {static_cast<std::uint64_t>(makedev(sx.stx_dev_major, sx.stx_dev_minor)),
                  sx.stx_ino};
  out.type = type_of(sx.stx_mode);
  out.size = sx.stx_size;
  out.links = sx.stx_nlink;
  out.uid = sx.stx_uid;
#ifdef STATX_ATTR_MOUNT_ROOT
  out.mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
                   (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
#endif
  const auto time = [&](unsigned bit, const statx_timestamp& ts) -> std::optional<std::int64_t> {
    if ((sx.stx_mask & bit) == 0) return std::nullopt;
    return nanoseconds(ts.tv_sec, ts.tv_nsec);
  };
  out.times = {time(STATX_ATIME, sx.stx_atime), time(STATX_MTIME, sx.stx_mtime),
               time(STATX_CTIME, sx.stx_ctime), time(STATX_BTIME, sx.stx_btime)};
#else
  struct stat st;
  if (::fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  out.identity = {device_number(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
  out.type = type_of(st.st_mode);
  out.size = static_cast<std::uint64_t>(st.st_size);
  out.links = static_cast<std::uint64_t>(st.st_nlink);
  out.uid = st.st_uid;
#ifdef __APPLE__
  out.times = {nanoseconds(st.st_atimespec.tv_sec, st.st_atimespec.tv_nsec),
               nanoseconds(st.st_mtimespec.tv_sec, st.st_mtimespec.tv_nsec),
               nanoseconds(st.st_ctimespec.tv_sec, st.st_ctimespec.tv_nsec),
               nanoseconds(st.st_birthtimespec.tv_sec, st.st_birthtimespec.tv_nsec)};
#else
  out.times = {nanoseconds(st.st_atim.tv_sec, st.st_atim.tv_nsec),
               nanoseconds(st.st_mtim.tv_sec, st.st_mtim.tv_nsec),
               nanoseconds(st.st_ctim.tv_sec, st.st_ctim.tv_nsec), std::nullopt};
#endif
#endif
  return true;
}

// The identity of an open descriptor, in the form look_at gives.
bool identity_of_fd(int fd, FileIdentity& out, struct stat& st) {
  if (::fstat(fd, &st) != 0) return false;
  out = {device_number(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
  return true;
}

// One directory on the way down from the root.
struct Level {
  int fd = -1;            // -1 while closed (outside the window)
  DIR* stream = nullptr;  // reads names while open; owns fd then
  std::string name;       // within the parent; empty for the root
  FileIdentity identity;
  bool others_protected = false;  // sticky, and neither it nor its entries are ours to delete
  std::vector<std::string> pending{};  // names read ahead when it was closed
  std::size_t next_pending = 0;
  bool exhausted = false;
  std::uint64_t removed_inside = 0;  // names this walk unlinked in it
  int write_denied = -1;             // dry runs: errno of the access check, 0 if allowed, -1 unknown
  bool finished = false;   // reported finished_directory: popped by the next call
  bool abandoned = false;  // could not be reached again: nothing more is done in it
  std::string real_path{};  // Linux, while open: where the kernel says it is (empty: unknown)
  std::chrono::steady_clock::time_point checked{};  // when still_in_place last asked

  void close() {
    if (stream != nullptr) {
      ::closedir(stream);
    } else if (fd >= 0) {
      ::close(fd);
    }
    stream = nullptr;
    fd = -1;
    real_path.clear();
  }
};

// Linux: where the kernel says the open directory `fd` is now; empty when
// it cannot say (another OS, a path longer than PATH_MAX).
std::string real_path_of(int fd) {
#ifdef __linux__
  char link[32];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[PATH_MAX];
  const ssize_t length = ::readlink(link, target, sizeof target);
  if (length > 0 && static_cast<std::size_t>(length) < sizeof target && target[0] == '/')
    return std::string(target, static_cast<std::size_t>(length));
#else
  (void)fd;
#endif
  return {};
}

Error changed_error(const std::string& path) {
  return Error::invalid(ErrorKind::other, "return to", path,
                        "it was moved or replaced during the run; the rest of it was left alone");
}

}  // namespace

struct TreeWalk::State {
  std::string root_path;
  std::vector<Level> levels;
  std::uint64_t root_device = 0;
  std::uint32_t euid = static_cast<std::uint32_t>(::geteuid());
  std::size_t open_levels = 0;
  std::size_t open_window = open_window_size();
  // The entry next() looked at last, at that moment: a remove_entry() for it
  // that follows at once needs no second look.
  const WalkEntry* just_looked_at = nullptr;

  ~State() {
    for (Level& level : levels) level.close();
  }

  std::string path_of_level(std::size_t depth) const {
    std::string path = root_path;
    for (std::size_t i = 1; i <= depth; ++i) {
      if (!path.ends_with('/')) path += '/';
      path += levels[i].name;
    }
    return path;
  }

  // Fills `entry` with the entry `name` of `level`, as next() lists it, and
  // makes it the entry looked at last. False, with errno set, on failure.
  bool look_at_entry(const Level& level, const char* name, WalkEntry& entry) {
    Looked looked;
    if (!look_at(level.fd, name, looked)) return false;
    entry.name = name;
    entry.type = looked.type;
    entry.identity = looked.identity;
    entry.size = looked.size;
    entry.times = looked.times;
    entry.links = looked.links;
    entry.other_filesystem = looked.identity.device != root_device || looked.mount_root;
    entry.not_owned = level.others_protected && looked.uid != euid;
    entry.read_only = false;
    just_looked_at = &entry;
    return true;
  }

  // Starts reading a level whose descriptor was just opened.
  bool start(Level& level, int fd) {
    struct stat st;
    if (!identity_of_fd(fd, level.identity, st)) return false;
    level.fd = fd;
    level.others_protected = (st.st_mode & S_ISVTX) != 0 && euid != 0 && st.st_uid != euid;
    return true;
  }

  // Keeps at most open_window levels below the root open.
  void shrink_window() {
    if (open_levels <= open_window) return;
    for (std::size_t i = 1; i < levels.size(); ++i) {
      Level& level = levels[i];
      if (level.fd < 0) continue;
      while (level.stream != nullptr && !level.exhausted) {
        errno = 0;
        const dirent* entry = ::readdir(level.stream);
        if (entry == nullptr) {
          // A read error here loses only the names not yet read; they stay
          // on disk, which is the safe side.
          level.exhausted = true;
          break;
        }
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") level.pending.emplace_back(name);
      }
      level.close();
      --open_levels;
      return;
    }
  }

  // Whether the current directory is still where the walk entered it: a
  // directory moved out of the tree meanwhile (by `mv`, say) must not be
  // emptied there. Linux asks the kernel where the descriptor is; a level
  // whose path it cannot tell (deeper than PATH_MAX) is checked against its
  // parent only. A level found elsewhere is abandoned.
  bool still_in_place(std::size_t depth, bool now_or_never = false) {
    Level& level = levels[depth];
    if (depth == 0) return true;
    // Asking costs 4 µs, as much as the unlink on tmpfs: between unlinks in
    // one directory, ask at most once a millisecond.
    const auto time = std::chrono::steady_clock::now();
    if (!now_or_never && time - level.checked < std::chrono::milliseconds(1)) return true;
    level.checked = time;
    bool in_place = true;
    if (!level.real_path.empty()) {
      in_place = real_path_of(level.fd) == level.real_path;
    } else if (levels[depth - 1].fd >= 0) {
      Looked now;
      in_place = look_at(levels[depth - 1].fd, level.name.c_str(), now) &&
                 now.identity == level.identity;
    }
    if (!in_place) level.abandoned = true;
    return in_place;
  }

  // Reopens the closed level at `depth` through ".." of its open child.
  bool reopen_parent_of(std::size_t depth) {
    Level& parent = levels[depth - 1];
    if (parent.fd >= 0) return true;
    if (parent.abandoned) return false;
    const int fd = open_directory(levels[depth].fd, "..", O_NOFOLLOW);
    FileIdentity identity;
    struct stat st;
    if (fd >= 0 && identity_of_fd(fd, identity, st) && identity == parent.identity) {
      parent.fd = fd;
      ++open_levels;
      const std::string& child = levels[depth].real_path;
      const std::size_t slash = child.rfind('/');
      parent.real_path = slash != std::string::npos && slash > 0 ? child.substr(0, slash) : "";
      if (parent.real_path != real_path_of(fd)) parent.real_path.clear();
      return true;
    }
    if (fd >= 0) ::close(fd);
    // Every closed level above is out of reach now too.
    for (std::size_t i = depth - 1; i > 0 && levels[i].fd < 0; --i) levels[i].abandoned = true;
    return false;
  }
};

TreeWalk::TreeWalk(std::unique_ptr<State> state) : state_(std::move(state)) {}
TreeWalk::TreeWalk(TreeWalk&&) noexcept = default;
TreeWalk& TreeWalk::operator=(TreeWalk&&) noexcept = default;
TreeWalk::~TreeWalk() = default;

std::expected<TreeWalk, Error> TreeWalk::open(const std::string& root) {
  auto state = std::make_unique<State>();
  state->root_path = root;
  const int fd = open_directory(AT_FDCWD, root.c_str(), 0);
  if (fd < 0) return std::unexpected(os_error(errno, "open directory", root));
  Level level;
  if (!state->start(level, fd)) {
    const int saved = errno;
    ::close(fd);
    return std::unexpected(os_error(saved, "inspect", root));
  }
  level.stream = ::fdopendir(fd);
  if (level.stream == nullptr) {
    const int saved = errno;
    ::close(fd);
    return std::unexpected(os_error(saved, "open directory", root));
  }
  state->root_device = level.identity.device;
  level.real_path = real_path_of(fd);
  state->levels.push_back(std::move(level));
  return TreeWalk(std::move(state));
}

FileIdentity TreeWalk::root_identity() const { return state_->levels.front().identity; }

std::expected<WalkStep, Error> TreeWalk::next(WalkEntry& entry) {
  State& s = *state_;
  s.just_looked_at = nullptr;
  for (;;) {
    if (s.levels.back().finished) {
      s.levels.back().close();
      s.levels.pop_back();
    }
    Level& top = s.levels.back();
    const std::size_t depth = s.levels.size() - 1;
    const char* name = nullptr;
    if (!top.abandoned && top.next_pending < top.pending.size()) {
      name = top.pending[top.next_pending++].c_str();
    } else if (!top.abandoned && top.stream != nullptr && !top.exhausted) {
      errno = 0;
      const dirent* listed = ::readdir(top.stream);
      if (listed == nullptr) {
        top.exhausted = true;
        if (errno != 0) return std::unexpected(os_error(errno, "read directory", current_path()));
        continue;
      }
      name = listed->d_name;
    }
    if (name == nullptr) {
      if (depth == 0) return WalkStep::done;
      if (top.fd >= 0) {
        // Its parent must be open to remove it; then it needs no descriptor.
        const bool reached = s.reopen_parent_of(depth);
        top.close();
        --s.open_levels;
        if (!reached) return std::unexpected(changed_error(s.path_of_level(depth - 1)));
      }
      top.finished = true;
      return WalkStep::finished_directory;
    }
    const std::string_view view = name;
    if (view == "." || view == "..") continue;

    if (!s.look_at_entry(top, name, entry)) {
      if (errno == ENOENT) continue;  // gone since it was listed
      return std::unexpected(os_error(errno, "inspect", path_of(view)));
    }
    return WalkStep::entry;
  }
}

std::expected<void, Error> TreeWalk::look_up(const std::string& name, WalkEntry& entry) {
  State& s = *state_;
  s.just_looked_at = nullptr;
  if (s.levels.size() != 1)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "look up", path_of(name),
                                          "only entries of the root are looked up"));
  if (const std::string problem = plain_name_problem(name); !problem.empty())
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "look up", path_of(name),
                                          "the name " + problem));
  if (!s.look_at_entry(s.levels.front(), name.c_str(), entry))
    return std::unexpected(os_error(errno, "inspect", path_of(name)));
  return {};
}

std::expected<bool, Error> TreeWalk::enter(const WalkEntry& entry) {
  State& s = *state_;
  s.just_looked_at = nullptr;
  const int fd = open_directory(s.levels.back().fd, entry.name.c_str(), O_NOFOLLOW);
  if (fd < 0) {
    // A symlink or file now, or gone: not the directory that was listed.
    if (errno == ELOOP || errno == ENOTDIR || errno == ENOENT) return false;
    return std::unexpected(os_error(errno, "open directory", path_of(entry.name)));
  }
  Level level;
  level.name = entry.name;
  if (!s.start(level, fd) || level.identity != entry.identity) {
    ::close(fd);
    return false;
  }
  // Where it is, as the kernel says: later deletes in it check it is still there.
  if (const std::string& parent_path = s.levels.back().real_path; !parent_path.empty()) {
    const std::string expected =
        parent_path + (parent_path.ends_with('/') ? "" : "/") + entry.name;
    level.real_path = real_path_of(fd);
    if (!level.real_path.empty() && level.real_path != expected) {
      ::close(fd);
      return false;
    }
  }
  level.stream = ::fdopendir(fd);
  if (level.stream == nullptr) {
    const int saved = errno;
    ::close(fd);
    return std::unexpected(os_error(saved, "open directory", path_of(entry.name)));
  }
  s.levels.push_back(std::move(level));
  ++s.open_levels;
  s.shrink_window();
  return true;
}

std::expected<std::optional<TreeWalk>, Error> TreeWalk::split(const WalkEntry& entry,
                                                                std::size_t walks) {
  State& s = *state_;
  s.just_looked_at = nullptr;
  if (s.levels.size() != 1)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "split off",
                                          path_of(entry.name),
                                          "only a directory of the root is split off"));
  // The new walk's own descriptor of the root: it only opens and removes
  // names through it, and never lists it.
  const Level& root = s.levels.front();
  const int fd = ::fcntl(root.fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(os_error(errno, "open directory", s.root_path));
  auto state = std::make_unique<State>();
  state->root_path = s.root_path;
  state->root_device = s.root_device;
  state->open_window = open_window_size(walks);
  Level copy;
  copy.fd = fd;
  copy.identity = root.identity;
  copy.others_protected = root.others_protected;
  copy.exhausted = true;
  copy.real_path = root.real_path;
  state->levels.push_back(std::move(copy));
  TreeWalk walk(std::move(state));
  auto entered = walk.enter(entry);
  if (!entered) return std::unexpected(entered.error());
  if (!*entered) return std::nullopt;
  return std::optional<TreeWalk>(std::move(walk));
}

namespace {

// Whether the entry `name` in `directory` is still what was listed. A
// directory's times change when its entries are removed: they are compared
// only when nothing was removed in it (`emptied_by_us` false).
std::expected<RemoveResult, Error> recheck(int directory, const WalkEntry& entry,
                                           const std::string& path, bool emptied_by_us) {
  Looked now;
  if (!look_at(directory, entry.name.c_str(), now)) {
    if (errno == ENOENT) return RemoveResult::gone;
    return std::unexpected(os_error(errno, "inspect", path));
  }
  if (now.identity != entry.identity || now.type != entry.type) return RemoveResult::changed;
  if (entry.type != EntryType::directory ? now.times != entry.times
                                         : !emptied_by_us &&
                                               now.times.modification != entry.times.modification)
    return RemoveResult::changed;
  return RemoveResult::removed;
}

// A dry run cannot unlink to learn whether it may: it asks whether this user
// may write to the directory, which an unlink needs (the sticky rule is
// judged from the listing, as not_owned).
std::expected<void, Error> check_may_remove_in(Level& level, const std::string& path) {
  if (level.write_denied < 0)
    level.write_denied =
        ::faccessat(level.fd, ".", W_OK | X_OK, AT_EACCESS) == 0 ? 0 : errno;
  if (level.write_denied != 0) return std::unexpected(os_error(level.write_denied, "remove", path));
  return {};
}

}  // namespace

std::expected<RemoveResult, Error> TreeWalk::remove_entry(const WalkEntry& entry, RemoveMode mode,
                                                          bool /*force: no read-only files here*/) {
  State& s = *state_;
  Level& level = s.levels.back();
  // Straight after next() looked at it through this descriptor, that look is
  // the one just before deleting; otherwise look again.
  const bool fresh = s.just_looked_at == &entry;
  s.just_looked_at = nullptr;
  if (!fresh) {
    auto checked = recheck(level.fd, entry, path_of(entry.name), false);
    if (!checked || *checked != RemoveResult::removed) return checked;
  }
  if (!s.still_in_place(s.levels.size() - 1)) return RemoveResult::changed;
  if (mode == RemoveMode::dry_run) {
    if (auto allowed = check_may_remove_in(level, path_of(entry.name)); !allowed)
      return std::unexpected(allowed.error());
    return RemoveResult::removed;
  }
  if (::unlinkat(level.fd, entry.name.c_str(), 0) != 0) {
    if (errno == ENOENT) return RemoveResult::gone;
    return std::unexpected(os_error(errno, "remove", path_of(entry.name)));
  }
  ++level.removed_inside;
  return RemoveResult::removed;
}

std::expected<RemoveResult, Error> TreeWalk::remove_finished_directory(const WalkEntry& entry,
                                                                       RemoveMode mode,
                                                                       bool /*force*/) {
  State& s = *state_;
  const std::size_t depth = s.levels.size() - 1;
  if (depth == 0) return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "remove",
                                                        s.root_path, "the root is never removed"));
  Level& parent = s.levels[depth - 1];
  if (s.levels[depth].abandoned || parent.abandoned || parent.fd < 0) return RemoveResult::changed;
  const std::string path = s.path_of_level(depth);
  auto checked = recheck(parent.fd, entry, path, s.levels[depth].removed_inside > 0);
  if (!checked || *checked != RemoveResult::removed) return checked;
  if (!s.still_in_place(depth - 1, true)) return RemoveResult::changed;
  if (mode == RemoveMode::dry_run) {
    if (auto allowed = check_may_remove_in(parent, path); !allowed)
      return std::unexpected(allowed.error());
    return RemoveResult::removed;
  }
  if (::unlinkat(parent.fd, entry.name.c_str(), AT_REMOVEDIR) != 0) {
    if (errno == ENOENT) return RemoveResult::gone;
    // EEXIST is POSIX's other spelling of "not empty".
    return std::unexpected(os_error(errno == EEXIST ? ENOTEMPTY : errno, "remove directory", path));
  }
  ++parent.removed_inside;
  return RemoveResult::removed;
}

std::string TreeWalk::path_of(std::string_view name) const {
  std::string path = current_path();
  if (!path.ends_with('/')) path += '/';
  path += name;
  return path;
}

std::string TreeWalk::current_path() const {
  return state_->path_of_level(state_->levels.size() - 1);
}

std::size_t TreeWalk::depth() const { return state_->levels.size() - 1; }

std::expected<FileIdentity, Error> identity_of(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK
#ifdef O_PATH
                                          | O_PATH
#endif
  );
  if (fd < 0) return std::unexpected(os_error(errno, "inspect", path));
  FileIdentity identity;
  struct stat st;
  const bool ok = identity_of_fd(fd, identity, st);
  const int saved = errno;
  ::close(fd);
  if (!ok) return std::unexpected(os_error(saved, "inspect", path));
  return identity;
}

namespace {

std::vector<std::string> existing_directories(std::vector<std::string> candidates) {
  std::vector<std::string> existing;
  struct stat st;
  for (std::string& candidate : candidates)
    if (!candidate.empty() && ::stat(candidate.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      existing.push_back(std::move(candidate));
  return existing;
}

}  // namespace

std::vector<std::string> system_directories() {
  return existing_directories({"/bin",  "/boot", "/dev",  "/etc",  "/lib",  "/lib32",
                               "/lib64", "/libx32", "/opt", "/proc", "/run", "/sbin",
                               "/snap", "/srv",  "/sys",  "/usr",  "/var",  "/Applications",
                               "/Library", "/System", "/private"});
}

std::vector<std::string> temp_directories() {
  // Fixed places only, never $TMPDIR: a temp directory lifts the
  // system-directory guard for what lies inside it.
  return existing_directories({"/tmp", "/var/tmp", "/dev/shm", "/private/tmp",
                               "/run/user/" + std::to_string(::geteuid())});
}

std::string home_directory() {
  const char* home = std::getenv("HOME");
  return home != nullptr ? std::string(home) : std::string();
}

std::vector<std::string> user_home_directories() {
  std::vector<std::string> homes;
  ::setpwent();
  while (const struct passwd* user = ::getpwent())
    if (user->pw_dir != nullptr && user->pw_dir[0] == '/' && std::string_view(user->pw_dir) != "/")
      homes.emplace_back(user->pw_dir);
  ::endpwent();
  return existing_directories(std::move(homes));
}

std::vector<FileIdentity> TreeWalk::root_ancestors() const {
  std::vector<FileIdentity> identities{root_identity()};
  int fd = ::dup(state_->levels.front().fd);
  // ".." of a file system's root is itself; 4096 levels is beyond any real path.
  for (int step = 0; fd >= 0 && step < 4096; ++step) {
    const int parent = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = parent;
    FileIdentity identity;
    struct stat st;
    if (fd < 0 || !identity_of_fd(fd, identity, st) || identity == identities.back()) break;
    identities.push_back(identity);
  }
  if (fd >= 0) ::close(fd);
  return identities;
}

}  // namespace tmpctl::platform
