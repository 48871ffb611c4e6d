// The cleanup walk on POSIX (Linux, macOS): every step relative to an open
// directory descriptor (openat with O_NOFOLLOW, fstatat/statx with
// AT_SYMLINK_NOFOLLOW, unlinkat), so a directory swapped for a symlink between
// listing and opening is never followed.
//
// Descriptors stay bounded however deep the tree: past `open_window` open
// levels, the shallowest open one (never the root) reads the rest of its names
// into memory and closes. Coming back up, it is reopened through ".." of its
// child and must have the identity it had: a directory moved meanwhile is
// abandoned rather than followed somewhere else. Every walk of the process
// draws its descriptors from one budget (DescriptorBudget), so threads
// walking at once stay within RLIMIT_NOFILE too.

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>  // makedev
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <limits>
#include <thread>
#include <type_traits>
#include <utility>

#include "platform/platform.hpp"
#include "platform/walk.hpp"

namespace tmpctl::platform {
namespace {

// The descriptors all walks of the process may hold at once: RLIMIT_NOFILE
// less those open when the first walk starts (stdio, the caller's own) and a
// reserve for the rest of the program (records, holder scans, identity_of).
// A walk takes one for each descriptor it opens and gives it back on close.
// Optional levels only take what is free (try_take); what a walk cannot do
// without (its root, one level and the next while entering or coming back up:
// three) is taken even when that overdraws, so no walk ever waits on another.
// The core keeps overdraws away by running no more walks at once than
// split_walks_at_most().
class DescriptorBudget {
public:
  static DescriptorBudget& instance() {
    static DescriptorBudget budget;
    return budget;
  }
  std::ptrdiff_t total() const { return total_; }
  bool try_take() {
    std::ptrdiff_t free = free_.load(std::memory_order_relaxed);
    while (free > 0)
      if (free_.compare_exchange_weak(free, free - 1, std::memory_order_relaxed)) return true;
    return false;
  }
  void take() { free_.fetch_sub(1, std::memory_order_relaxed); }
  void give() { free_.fetch_add(1, std::memory_order_relaxed); }

private:
  DescriptorBudget() : total_(initial_total()), free_(total_) {}

  static std::ptrdiff_t initial_total() {
    constexpr std::ptrdiff_t unlimited = 1 << 20;
    struct rlimit limit;
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
        limit.rlim_cur > static_cast<rlim_t>(unlimited))
      return unlimited;
    const auto most = static_cast<std::ptrdiff_t>(limit.rlim_cur);
    std::ptrdiff_t open_now = 0;
    for (int fd = 0; fd < std::min<std::ptrdiff_t>(most, 1024); ++fd)
      if (::fcntl(fd, F_GETFD) != -1) ++open_now;
    const std::ptrdiff_t reserve = std::clamp<std::ptrdiff_t>(most / 8, 3, 64);
    return std::max<std::ptrdiff_t>(most - open_now - reserve, 0);
  }

  std::ptrdiff_t total_;
  std::atomic<std::ptrdiff_t> free_;
};

// A walk's root, one level, and the next one while entering it or coming back
// up through "..".
constexpr std::size_t least_descriptors = 3;

// At most this many open levels below the root, and, with `walks` walks open
// at once, their share of the budget; two at least (the third is the root's).
std::size_t open_window_size(std::size_t walks = 1) {
  constexpr std::size_t most = 48;
  const auto budget = static_cast<std::size_t>(DescriptorBudget::instance().total());
  return std::clamp<std::size_t>(budget / std::max<std::size_t>(walks, 1), 2, most);
}

// Whether an open failed for want of descriptors, in this process or the system.
bool out_of_descriptors(int error) { return error == EMFILE || error == ENFILE; }

// After an open refused for want of descriptors (another thread's, not
// counted in the budget), waits a little before the next try: false once it
// has waited about two seconds in all.
bool wait_for_descriptors(int& tries) {
  if (++tries > 40) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(tries, 10) * 5));
  return true;
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
std::uint64_t device_number(dev_t dev) { return static_cast<std::make_unsigned_t<dev_t>>(dev); }

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
              STATX_TYPE | STATX_INO | STATX_NLINK | STATX_SIZE | STATX_UID | STATX_ATIME |
                  STATX_MTIME | STATX_CTIME | STATX_BTIME,
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
  bool others_protected = false;       // sticky, and neither it nor its entries are ours to delete
  std::vector<std::string> pending{};  // names read ahead when it was closed
  std::size_t next_pending = 0;
  bool exhausted = false;
  std::uint64_t removed_inside = 0;  // names this walk unlinked in it
  int write_denied = -1;    // dry runs: errno of the access check, 0 if allowed, -1 unknown
  bool finished = false;    // reported finished_directory: popped by the next call
  bool abandoned = false;   // could not be reached again: nothing more is done in it
  std::string real_path{};  // Linux, while open: where the kernel says it is (empty: unknown)
  std::chrono::steady_clock::time_point checked{};  // when still_in_place last asked
  // Its access and modification times as listed in its parent (not for the
  // root), put back when the walk leaves or closes it, or, once asked
  // (restore_times_after_each_removal), after each removal in it: what
  // tmpctl removes must not make it look used, even when a run is killed.
  bool restore_times = false;
  bool restore_after_each = false;
  bool times_changed = false;  // removed in since they were last put back
  struct timespec listed_times[2] = {};

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

// The timespec of a listed time; false for one saturated by nanoseconds().
bool to_timespec(const std::optional<std::int64_t>& time, struct timespec& out) {
  constexpr std::int64_t billion = 1'000'000'000;
  if (!time || *time == std::numeric_limits<std::int64_t>::max() ||
      *time == std::numeric_limits<std::int64_t>::min())
    return false;
  std::int64_t seconds = *time / billion;
  std::int64_t nanos = *time % billion;
  if (nanos < 0) {
    --seconds;
    nanos += billion;
  }
  out.tv_sec = static_cast<time_t>(seconds);
  out.tv_nsec = static_cast<long>(nanos);
  return true;
}

// WalkOptions::restore_owner_permissions: the mode a directory of `euid`'s
// gets, or 0 when it is none of ours (another user's, not a directory) or
// has u+rwx already.
mode_t owner_access_mode(const struct stat& st, std::uint32_t euid) {
  if (!S_ISDIR(st.st_mode) || st.st_uid != euid || (st.st_mode & S_IRWXU) == S_IRWXU) return 0;
  return (st.st_mode & 07777) | S_IRWXU;
}

// Adds u+rwx to the directory open as `fd`, when it is ours and lacks some.
bool grant_owner_access(int fd, std::uint32_t euid) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return false;
  const mode_t mode = owner_access_mode(st, euid);
  return mode != 0 && ::fchmod(fd, mode) == 0;
}

// Adds u+rwx to the directory `name` of `parent`, when it is ours, lacks some
// and, if `expected` is given, is that directory: checked and changed through
// one O_PATH descriptor of the directory itself (Linux), so a name swapped
// for a link or another directory meanwhile is not what changes. `follow`
// only for a walk's root, which the caller named.
bool grant_owner_access(int parent, const char* name, const FileIdentity* expected,
                        std::uint32_t euid, bool follow = false) {
  FileIdentity identity;
  struct stat st;
#ifdef O_PATH
  const int fd =
      ::openat(parent, name, O_PATH | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0) return false;
  mode_t mode = identity_of_fd(fd, identity, st) ? owner_access_mode(st, euid) : 0;
  if (expected != nullptr && identity != *expected) mode = 0;
  char link[32];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  // chmod of the descriptor's own /proc link changes exactly the inode it holds.
  const bool changed = mode != 0 && ::chmod(link, mode) == 0;
  ::close(fd);
  return changed;
#else
  const int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
  if (::fstatat(parent, name, &st, flags) != 0) return false;
  identity = {device_number(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
  const mode_t mode = owner_access_mode(st, euid);
  if (mode == 0 || (expected != nullptr && identity != *expected)) return false;
  return ::fchmodat(parent, name, mode, flags) == 0;
#endif
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
  WalkOptions options{};
  // The entry next() looked at last, at that moment: a remove_entry() for it
  // that follows at once needs no second look.
  const WalkEntry* just_looked_at = nullptr;

  ~State() {
    for (Level& level : levels) close(level);
  }

  static DescriptorBudget& budget() { return DescriptorBudget::instance(); }

  // Closes `level`, if open, with its times put back, and gives its
  // descriptor back to the budget.
  static void close(Level& level) {
    if (level.fd < 0) return;
    put_times_back(level);
    level.close();
    budget().give();
  }

  // Puts the times `level` was listed with back, if removals changed them.
  static void put_times_back(Level& level) {
    if (!level.times_changed || !level.restore_times || level.fd < 0) return;
    (void)::futimens(level.fd, level.listed_times);
    level.times_changed = false;
  }

  // unlinkat of `name` in the open `level`, tried once more after adding
  // u+rwx when the level is ours and lacks it (restore_owner_permissions);
  // then the level's times are put back. False with errno set on failure.
  bool unlink(Level& level, const std::string& name, int flags) {
    int result = ::unlinkat(level.fd, name.c_str(), flags);
    if (result != 0 && (errno == EACCES || errno == EPERM) && options.restore_owner_permissions) {
      const int saved = errno;
      if (grant_owner_access(level.fd, euid)) {
        result = ::unlinkat(level.fd, name.c_str(), flags);
      } else {
        errno = saved;
      }
    }
    if (result != 0) return false;
    ++level.removed_inside;
    level.times_changed = true;
    if (level.restore_after_each) put_times_back(level);
    return true;
  }

  std::string path_of_level(std::size_t depth) const {
    std::string path = root_path;
    for (std::size_t i = 1; i <= depth; ++i) {
      if (!path.ends_with('/')) path += '/';
      path += levels[i].name;
    }
    return path;
  }

  // Whether what `looked` saw is another file system, or the root of a
  // mount of this one: never entered, never removed.
  bool is_mount_point(const Looked& looked) const {
    return looked.identity.device != root_device || looked.mount_root;
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
    entry.other_filesystem = is_mount_point(looked);
    entry.not_owned = level.others_protected && looked.uid != euid;
    entry.read_only = false;
    just_looked_at = &entry;
    return true;
  }

  // Fills `entry` with what the listing told of `name` (trust_listed_types):
  // its name, type and inode number, nothing else.
  void listed_entry(const char* name, unsigned char listed_type, ino_t inode, const Level& level,
                    WalkEntry& entry) {
    entry.name = name;  // keeps its buffer: no allocation per entry
    entry.identity = {level.identity.device, static_cast<std::uint64_t>(inode)};
    entry.size = 0;
    entry.links = 1;
    entry.times = {};
    entry.other_filesystem = false;
    entry.not_owned = false;
    entry.read_only = false;
    entry.type = listed_type == DT_REG   ? EntryType::file
                 : listed_type == DT_LNK ? EntryType::symlink
                                         : EntryType::other;
    just_looked_at = &entry;
  }

  // Starts reading a level whose descriptor was just opened.
  bool start(Level& level, int fd) {
    struct stat st;
    if (!identity_of_fd(fd, level.identity, st)) return false;
    level.fd = fd;
    level.others_protected = (st.st_mode & S_ISVTX) != 0 && euid != 0 && st.st_uid != euid;
    return true;
  }

  // Takes a descriptor from the budget for one more level: a free one while
  // the walk is within its window, else the one the shallowest open level
  // below the current one gives back as it closes, else (the least a walk
  // needs) one anyway.
  void make_room() {
    if (open_levels < open_window && budget().try_take()) return;
    close_shallowest();
    budget().take();
  }

  // Reads the shallowest open level below the current one (never the root)
  // ahead and closes it; false when there is none.
  bool close_shallowest() {
    for (std::size_t i = 1; i + 1 < levels.size(); ++i) {
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
      close(level);
      --open_levels;
      return true;
    }
    return false;
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
      in_place =
          look_at(levels[depth - 1].fd, level.name.c_str(), now) && now.identity == level.identity;
    }
    if (!in_place) level.abandoned = true;
    return in_place;
  }

  // Reopens the closed level at `depth` through ".." of its open child.
  bool reopen_parent_of(std::size_t depth) {
    Level& parent = levels[depth - 1];
    if (parent.fd >= 0) return true;
    if (parent.abandoned) return false;
    budget().take();
    int fd = -1;
    for (int tries = 0; (fd = open_directory(levels[depth].fd, "..", O_NOFOLLOW)) < 0 &&
                        out_of_descriptors(errno) && wait_for_descriptors(tries);) {
    }
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
    budget().give();
    // Every closed level above is out of reach now too.
    for (std::size_t i = depth - 1; i > 0 && levels[i].fd < 0; --i) levels[i].abandoned = true;
    return false;
  }
};

TreeWalk::TreeWalk(std::unique_ptr<State> state) : state_(std::move(state)) {}
TreeWalk::TreeWalk(TreeWalk&&) noexcept = default;
TreeWalk& TreeWalk::operator=(TreeWalk&&) noexcept = default;
TreeWalk::~TreeWalk() = default;

std::expected<TreeWalk, Error> TreeWalk::open(const std::string& root, WalkOptions options) {
  auto state = std::make_unique<State>();
  state->root_path = root;
  state->options = options;
  State::budget().take();  // first: the budget counts what is open before it
  int fd = open_directory(AT_FDCWD, root.c_str(), 0);
  if (fd < 0 && errno == EACCES && options.restore_owner_permissions) {
    if (grant_owner_access(AT_FDCWD, root.c_str(), nullptr, state->euid, true)) {
      fd = open_directory(AT_FDCWD, root.c_str(), 0);
    } else {
      errno = EACCES;
    }
  }
  if (fd < 0) {
    const int saved = errno;
    State::budget().give();
    return std::unexpected(os_error(saved, "open directory", root));
  }
  Level level;
  if (!state->start(level, fd)) {
    const int saved = errno;
    ::close(fd);
    State::budget().give();
    return std::unexpected(os_error(saved, "inspect", root));
  }
  level.stream = ::fdopendir(fd);
  if (level.stream == nullptr) {
    const int saved = errno;
    ::close(fd);
    State::budget().give();
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
      State::close(s.levels.back());
      s.levels.pop_back();
    }
    Level& top = s.levels.back();
    const std::size_t depth = s.levels.size() - 1;
    const char* name = nullptr;
    unsigned char listed_type = DT_UNKNOWN;  // names read ahead are looked at
    ino_t listed_inode = 0;
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
      listed_type = listed->d_type;
      listed_inode = listed->d_ino;
    }
    if (name == nullptr) {
      if (depth == 0) return WalkStep::done;
      if (top.fd >= 0) {
        // Its parent must be open to remove it; then it needs no descriptor.
        const bool reached = s.reopen_parent_of(depth);
        State::close(top);
        --s.open_levels;
        if (!reached) return std::unexpected(changed_error(s.path_of_level(depth - 1)));
      }
      top.finished = true;
      return WalkStep::finished_directory;
    }
    const std::string_view view = name;
    if (view == "." || view == "..") continue;
    if (listed_type != DT_UNKNOWN && listed_type != DT_DIR && s.options.trust_listed_types &&
        !top.others_protected) {
      s.listed_entry(name, listed_type, listed_inode, top, entry);
      return WalkStep::entry;
    }

    bool looked = s.look_at_entry(top, name, entry);
    // Listed but not searchable (chmod 600): ours to open up, if allowed.
    if (!looked && errno == EACCES && s.options.restore_owner_permissions) {
      if (grant_owner_access(top.fd, s.euid)) {
        looked = s.look_at_entry(top, name, entry);
      } else {
        errno = EACCES;
      }
    }
    if (!looked) {
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
  s.make_room();
  const int parent = s.levels.back().fd;
  const char* name = entry.name.c_str();
  int fd = -1;
  bool granted = false;
  for (int tries = 0; (fd = open_directory(parent, name, O_NOFOLLOW)) < 0;) {
    // Descriptors someone else holds: close a level, or wait for them.
    if (out_of_descriptors(errno) && (s.close_shallowest() || wait_for_descriptors(tries)))
      continue;
    if (errno != EACCES || granted || !s.options.restore_owner_permissions) break;
    s.budget().take();  // the O_PATH descriptor that changes it
    granted = grant_owner_access(parent, name, &entry.identity, s.euid);
    s.budget().give();
    if (!granted) {
      errno = EACCES;
      break;
    }
  }
  if (fd < 0) {
    const int saved = errno;
    s.budget().give();
    // A symlink or file now, or gone: not the directory that was listed.
    if (saved == ELOOP || saved == ENOTDIR || saved == ENOENT) return false;
    return std::unexpected(os_error(saved, "open directory", path_of(entry.name)));
  }
  Level level;
  level.name = entry.name;
  level.restore_times = to_timespec(entry.times.access, level.listed_times[0]) &&
                        to_timespec(entry.times.modification, level.listed_times[1]);
  if (!s.start(level, fd) || level.identity != entry.identity) {
    ::close(fd);
    s.budget().give();
    return false;
  }
  // Where it is, as the kernel says: later deletes in it check it is still there.
  if (const std::string& parent_path = s.levels.back().real_path; !parent_path.empty()) {
    const std::string expected = parent_path + (parent_path.ends_with('/') ? "" : "/") + entry.name;
    level.real_path = real_path_of(fd);
    if (!level.real_path.empty() && level.real_path != expected) {
      ::close(fd);
      s.budget().give();
      return false;
    }
  }
  level.stream = ::fdopendir(fd);
  if (level.stream == nullptr) {
    const int saved = errno;
    ::close(fd);
    s.budget().give();
    return std::unexpected(os_error(saved, "open directory", path_of(entry.name)));
  }
  s.levels.push_back(std::move(level));
  ++s.open_levels;
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
  int fd = -1;
  for (int tries = 0; (fd = ::fcntl(root.fd, F_DUPFD_CLOEXEC, 0)) < 0 &&
                      out_of_descriptors(errno) && wait_for_descriptors(tries);) {
  }
  if (fd < 0) return std::unexpected(os_error(errno, "open directory", s.root_path));
  State::budget().take();
  auto state = std::make_unique<State>();
  state->root_path = s.root_path;
  state->root_device = s.root_device;
  state->open_window = open_window_size(walks);
  state->options = s.options;
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

// Whether a file's times now are those listed, but for a ctime that one of
// its other names being removed explains: the link count went down and
// nothing else moved. A cleanup taking two names of one file does that
// itself; it is no use of the file. A chmod or a new link moves the ctime
// without lowering the count, and still reads as changed.
bool same_file_times(const Looked& now, const WalkEntry& entry) {
  if (now.times == entry.times) return true;
  EntryTimes but_change = now.times;
  but_change.change = entry.times.change;
  return but_change == entry.times && now.links < entry.links && now.size == entry.size;
}

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
  if (entry.type != EntryType::directory
          ? !same_file_times(now, entry)
          : !emptied_by_us && now.times.modification != entry.times.modification)
    return RemoveResult::changed;
  return RemoveResult::removed;
}

// A dry run cannot unlink to learn whether it may: it asks whether this user
// may write to the directory, which an unlink needs (the sticky rule is
// judged from the listing, as not_owned).
// With restore_owner_permissions, a directory of this user's is as good as
// writable: the real run adds u+rwx first.
std::expected<void, Error> check_may_remove_in(Level& level, const std::string& path,
                                               const WalkOptions& options, std::uint32_t euid) {
  if (level.write_denied < 0) {
    level.write_denied = ::faccessat(level.fd, ".", W_OK | X_OK, AT_EACCESS) == 0 ? 0 : errno;
    struct stat st;
    if (level.write_denied == EACCES && options.restore_owner_permissions &&
        ::fstat(level.fd, &st) == 0 && owner_access_mode(st, euid) != 0)
      level.write_denied = 0;
  }
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
    if (auto allowed = check_may_remove_in(level, path_of(entry.name), s.options, s.euid); !allowed)
      return std::unexpected(allowed.error());
    return RemoveResult::removed;
  }
  if (!s.unlink(level, entry.name, 0)) {
    if (errno == ENOENT) return RemoveResult::gone;
    if (errno == EBUSY) {
      // A file with something mounted on it, which an entry taken from the
      // listing (trust_listed_types) was not looked at for.
      const int saved = errno;
      Looked now;
      if (look_at(level.fd, entry.name.c_str(), now) && s.is_mount_point(now))
        return RemoveResult::mount_point;
      errno = saved;
    }
    return std::unexpected(os_error(errno, "remove", path_of(entry.name)));
  }
  return RemoveResult::removed;
}

std::expected<RemoveResult, Error> TreeWalk::remove_finished_directory(const WalkEntry& entry,
                                                                       RemoveMode mode,
                                                                       bool /*force*/) {
  State& s = *state_;
  const std::size_t depth = s.levels.size() - 1;
  if (depth == 0)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "remove", s.root_path,
                                          "the root is never removed"));
  Level& parent = s.levels[depth - 1];
  if (s.levels[depth].abandoned || parent.abandoned || parent.fd < 0) return RemoveResult::changed;
  const std::string path = s.path_of_level(depth);
  auto checked = recheck(parent.fd, entry, path, s.levels[depth].removed_inside > 0);
  if (!checked || *checked != RemoveResult::removed) return checked;
  if (!s.still_in_place(depth - 1, true)) return RemoveResult::changed;
  if (mode == RemoveMode::dry_run) {
    if (auto allowed = check_may_remove_in(parent, path, s.options, s.euid); !allowed)
      return std::unexpected(allowed.error());
    return RemoveResult::removed;
  }
  if (!s.unlink(parent, entry.name, AT_REMOVEDIR)) {
    if (errno == ENOENT) return RemoveResult::gone;
    // EEXIST is POSIX's other spelling of "not empty".
    return std::unexpected(os_error(errno == EEXIST ? ENOTEMPTY : errno, "remove directory", path));
  }
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

void TreeWalk::restore_times_after_each_removal() {
  state_->levels.back().restore_after_each = true;
}

std::size_t split_walks_at_most() {
  // The root's own walk keeps its one descriptor; each split walk needs its
  // least.
  const auto budget = static_cast<std::size_t>(DescriptorBudget::instance().total());
  return std::max<std::size_t>(budget > 1 ? (budget - 1) / least_descriptors : 0, 1);
}

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
