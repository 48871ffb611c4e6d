// Holder discovery on POSIX. Linux: one pass over /proc, matching every open
// descriptor and every file-backed memory map of every process, by device and
// inode, against the whole batch at once. macOS: libproc (unbuilt, see below).

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#ifdef __APPLE__
#include <libproc.h>
#include <sys/proc_info.h>
#else
#include <dirent.h>
#include <sys/sysmacros.h>  // makedev

#include <charconv>
#include <cstring>
#endif

#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "platform/posix/process_start.hpp"

namespace tmpctl::platform {
namespace {

// A file as the kernel knows it: what a path, a descriptor and a map share.
using FileId = FileIdentity;
using FileIdHash = FileIdentityHash;

// dev_t is signed on macOS (int32_t) while libproc reports devices as
// uint32_t; going through the unsigned type makes both sides agree.
std::uint64_t device_number(dev_t dev) {
  return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<dev_t>>(dev));
}

struct ScannedProcess;

// The requested paths, indexed by the file each names, and the report being
// filled. Several paths may name one file (hard links, a path given twice).
class Batch {
public:
  explicit Batch(std::span<const std::string> paths) {
    report_.holders.resize(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
      // lstat: a symlink is not its target. Only an O_PATH|O_NOFOLLOW
      // descriptor can hold the link itself, and that one does match.
      struct stat st;
      if (::lstat(paths[i].c_str(), &st) == 0) {
        targets_[FileId{device_number(st.st_dev), st.st_ino}].push_back(i);
      } else if (errno != ENOENT && errno != ENOTDIR) {
        // Unknown, not missing: an empty list here would claim too much.
        report_.complete = false;
        report_.notes.push_back(to_string(os_error(errno, "inspect", paths[i])));
      }
    }
  }

  // The files themselves, already identified.
  explicit Batch(std::span<const FileIdentity> files) {
    report_.holders.resize(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) targets_[files[i]].push_back(i);
  }

  bool empty() const { return targets_.empty(); }
  // The indexes of the requested paths that name `file`, or nullptr.
  const std::vector<std::size_t>* find(FileId file) const {
    const auto found = targets_.find(file);
    return found == targets_.end() ? nullptr : &found->second;
  }
  HolderReport& report() { return report_; }

  // Called for every file a process holds.
  void found(FileId file, ScannedProcess& process, std::string_view how);

private:
  std::unordered_map<FileId, std::vector<std::size_t>, FileIdHash> targets_;
  HolderReport report_;
};

// The process being scanned. Its name and start time are read only once it
// turns out to hold something: most processes hold nothing of interest.
struct ScannedProcess {
  std::uint32_t pid = 0;
  bool is_self = false;
#ifndef __APPLE__
  int proc_fd = -1;
  std::string_view pid_text;  // the /proc entry's name
#endif
  bool loaded = false;
  std::string name{};
  std::uint64_t start_time = 0;
};

void load_details(ScannedProcess& process);

Holder new_holder(ScannedProcess& process) {
  if (!process.loaded) {
    load_details(process);
    process.loaded = true;
  }
  return Holder{.pid = process.pid,
                .name = process.name,
                .start_time = process.start_time,
                .is_self = process.is_self,
                .how = {}};
}

// Adds `how` to the process's entry in the lists of the paths at `indexes`.
void record(Batch& batch, const std::vector<std::size_t>& indexes, ScannedProcess& process,
            std::string_view how) {
  for (const std::size_t index : indexes) {
    std::vector<Holder>& list = batch.report().holders[index];
    // A process is scanned in one go, so its entry, if it has one, is the last.
    if (list.empty() || list.back().pid != process.pid) list.push_back(new_holder(process));
    std::vector<std::string>& ways = list.back().how;
    // Many maps of one file (code, data, rodata) make one "memory map".
    if (ways.empty() || ways.back() != how) ways.emplace_back(how);
  }
}

void Batch::found(FileId file, ScannedProcess& process, std::string_view how) {
  if (const auto* indexes = find(file)) record(*this, *indexes, process, how);
}

// Records every file of every process, for cleanup's in-use check.
struct TableSink {
  OpenFileTable& table;
  void found(FileId file, const ScannedProcess& process, std::string_view how) {
    table.add(file, process.pid, std::string(how));
  }
};

std::string processes(int count) {
  return std::to_string(count) + (count == 1 ? " process" : " processes");
}

// `failure` is the last error other than a refusal, if there was one.
template <class Report>
void note_inaccessible(Report& report, int denied, int failed,
                       const std::optional<Error>& failure) {
  if (denied > 0) {
    report.complete = false;
    report.notes.push_back(
        ::geteuid() == 0 ? processes(denied) + " could not be inspected (permission denied)"
                         : processes(denied) +
                               " of other users could not be inspected (run as root to see them)");
  }
  if (failed > 0 && failure) {
    report.complete = false;
    report.notes.push_back(processes(failed) +
                           " could not be inspected (last: " + to_string(*failure) + ")");
  }
}

}  // namespace

void OpenFileTable::add(const FileIdentity& file, std::uint32_t pid, std::string how) {
  std::vector<Hold>& holds = holds_[file];
  // A process maps one file many times (code, data): one "memory map".
  if (!holds.empty() && holds.back().pid == pid && holds.back().how == how) return;
  holds.push_back({pid, std::move(how)});
}

#ifdef __APPLE__

// macOS through libproc. UNBUILT AND UNTESTED: there is no macOS toolchain
// here; this was written from the headers' documentation only. It sees
// descriptors, not memory maps; start_time is microseconds since the epoch.
namespace {

void load_details(ScannedProcess& process) {
  char name[2 * MAXCOMLEN + 1] = {};
  if (::proc_name(static_cast<int>(process.pid), name, sizeof name) > 0) process.name = name;
  struct proc_bsdinfo info;
  if (::proc_pidinfo(static_cast<int>(process.pid), PROC_PIDTBSDINFO, 0, &info, sizeof info) ==
      static_cast<int>(sizeof info))
    process.start_time = posix::start_time_of(info);
}

// Calls sink.found for every vnode descriptor of every process.
template <class Sink, class Report>
std::expected<void, Error> scan_all(Sink& sink, Report& report) {
  int bytes = ::proc_listpids(PROC_ALL_PIDS, 0, nullptr, 0);
  if (bytes <= 0) return std::unexpected(os_error(errno, "list processes with", "proc_listpids"));
  // Room for processes started between the two calls.
  std::vector<pid_t> pids(static_cast<std::size_t>(bytes) / sizeof(pid_t) + 64);
  bytes =
      ::proc_listpids(PROC_ALL_PIDS, 0, pids.data(), static_cast<int>(pids.size() * sizeof(pid_t)));
  if (bytes <= 0) return std::unexpected(os_error(errno, "list processes with", "proc_listpids"));
  pids.resize(static_cast<std::size_t>(bytes) / sizeof(pid_t));

  const pid_t self = ::getpid();
  int denied = 0, failed = 0;
  std::optional<Error> failure;
  std::vector<proc_fdinfo> fds;
  for (const pid_t pid : pids) {
    if (pid <= 0) continue;  // the kernel, and unused slots
    errno = 0;
    int size = ::proc_pidinfo(pid, PROC_PIDLISTFDS, 0, nullptr, 0);
    if (size > 0) {
      fds.resize(static_cast<std::size_t>(size) / sizeof(proc_fdinfo) + 16);
      size = ::proc_pidinfo(pid, PROC_PIDLISTFDS, 0, fds.data(),
                            static_cast<int>(fds.size() * sizeof(proc_fdinfo)));
    }
    if (size <= 0) {
      if (errno == EPERM || errno == EACCES) {
        ++denied;
      } else if (errno != 0 && errno != ESRCH) {
        ++failed;
        failure = os_error(errno, "inspect process", std::to_string(pid));
      }
      continue;
    }
    ScannedProcess process{.pid = static_cast<std::uint32_t>(pid), .is_self = pid == self};
    const std::size_t count = static_cast<std::size_t>(size) / sizeof(proc_fdinfo);
    for (std::size_t i = 0; i < count; ++i) {
      if (fds[i].proc_fdtype != PROX_FDTYPE_VNODE) continue;
      struct vnode_fdinfowithpath info;
      if (::proc_pidfdinfo(pid, fds[i].proc_fd, PROC_PIDFDVNODEPATHINFO, &info, sizeof info) !=
          static_cast<int>(sizeof info))
        continue;  // closed meanwhile
      const struct vinfo_stat& st = info.pvip.vip_vi.vi_stat;
      sink.found(FileId{st.vst_dev, st.vst_ino}, process, "fd " + std::to_string(fds[i].proc_fd));
    }
  }
  note_inaccessible(report, denied, failed, failure);
  return {};
}

}  // namespace

std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths) {
  Batch batch(paths);
  HolderReport& report = batch.report();
  report.method = "libproc";
  report.notes.push_back("memory maps are not inspected on macOS");
  if (batch.empty()) return std::move(report);
  if (auto scanned = scan_all(batch, report); !scanned) return std::unexpected(scanned.error());
  return std::move(report);
}

std::expected<OpenFileTable, Error> snapshot_open_files() {
  OpenFileTable table;
  table.available = true;
  table.method = "libproc";
  table.notes.push_back("memory maps and locks are not inspected on macOS");
  TableSink sink{table};
  if (auto scanned = scan_all(sink, table); !scanned) return std::unexpected(scanned.error());
  return table;
}

std::expected<HolderReport, Error> find_holders_of(std::span<const FileIdentity> files,
                                                   std::span<const std::string>) {
  Batch batch(files);
  HolderReport& report = batch.report();
  report.method = "libproc";
  report.notes.push_back("memory maps and locks are not inspected on macOS");
  if (batch.empty()) return std::move(report);
  if (auto scanned = scan_all(batch, report); !scanned) return std::unexpected(scanned.error());
  return std::move(report);
}

std::vector<Holder> OpenFileTable::holders_of(const FileIdentity& file) const {
  std::vector<Holder> holders;
  const auto found = holds_.find(file);
  if (found == holds_.end()) return holders;
  const pid_t self = ::getpid();
  for (const Hold& hold : found->second) {
    if (holders.empty() || holders.back().pid != hold.pid) {
      ScannedProcess process{.pid = hold.pid,
                             .is_self = hold.pid == static_cast<std::uint32_t>(self)};
      holders.push_back(new_holder(process));
    }
    holders.back().how.push_back(hold.how);
  }
  return holders;
}

const char* deleted_open_files_method() { return "none"; }

std::expected<std::vector<DeletedHold>, Error> deleted_open_files(const std::string&,
                                                                  std::vector<std::string>&,
                                                                  bool&) {
  return std::unexpected(
      Error::invalid(ErrorKind::other, "find deleted open files", "", "not implemented on macOS"));
}
#else

// Linux through /proc: every step is relative to a directory descriptor, and
// every file is read with read() into a stack buffer, so scanning a process
// that holds nothing allocates nothing.
namespace {

class Descriptor {
public:
  explicit Descriptor(int fd) noexcept : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

private:
  int fd_;
};

// "PID/leaf", relative to /proc, without allocating.
class ProcPath {
public:
  ProcPath(std::string_view pid, std::string_view leaf) {
    // A pid has at most 10 digits; leaves are short literals.
    const std::size_t pid_length = std::min(pid.size(), std::size_t{16});
    std::memcpy(text_, pid.data(), pid_length);
    text_[pid_length] = '/';
    const std::size_t leaf_length = std::min(leaf.size(), sizeof text_ - pid_length - 2);
    std::memcpy(text_ + pid_length + 1, leaf.data(), leaf_length);
    text_[pid_length + 1 + leaf_length] = '\0';
  }
  const char* c_str() const noexcept { return text_; }

private:
  char text_[32];
};

int open_at(int directory, const char* name, int flags) {
  int fd;
  do fd = ::openat(directory, name, flags | O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

// Calls visit(name) for each entry of the directory open at `fd` except "."
// and "..", until visit returns false. getdents64 into a stack buffer:
// opendir would allocate 32 KiB per process. False, with errno set, when
// reading the directory fails.
template <class Visit>
bool for_each_entry(int fd, Visit&& visit) {
  alignas(dirent64) char buffer[16384];
  for (;;) {
    const ssize_t got = ::getdents64(fd, buffer, sizeof buffer);
    if (got == 0) return true;
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    for (ssize_t offset = 0; offset < got;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buffer + offset);
      offset += entry->d_reclen;
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      if (!visit(name)) return true;
    }
  }
}

// Reads a small /proc file whole (the kernel builds its text on the first
// read). Returns the text, empty when the file cannot be read.
std::string_view read_small_file(const ScannedProcess& process, std::string_view leaf,
                                 std::span<char> buffer) {
  const Descriptor fd(open_at(process.proc_fd, ProcPath(process.pid_text, leaf).c_str(), 0));
  if (fd.get() < 0) return {};
  std::size_t used = 0;
  while (used < buffer.size()) {
    const ssize_t got = ::read(fd.get(), buffer.data() + used, buffer.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    used += static_cast<std::size_t>(got);
  }
  return {buffer.data(), used};
}

void load_details(ScannedProcess& process) {
  char buffer[1024];
  std::string_view comm = read_small_file(process, "comm", buffer);
  if (comm.ends_with('\n')) comm.remove_suffix(1);
  process.name = comm;
  process.start_time = posix::start_time_from_stat(read_small_file(process, "stat", buffer));
}

// The file a line of /proc/PID/maps maps, if any:
// "start-end perms offset major:minor inode   path", numbers in hex but the inode.
bool mapped_file(std::string_view line, FileId& file) {
  for (int field = 0; field < 3; ++field) {
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return false;
    line.remove_prefix(space + 1);
  }
  const char* const end = line.data() + line.size();
  unsigned major = 0, minor = 0;
  std::uint64_t inode = 0;
  auto parsed = std::from_chars(line.data(), end, major, 16);
  if (parsed.ec != std::errc{} || parsed.ptr == end || *parsed.ptr != ':') return false;
  parsed = std::from_chars(parsed.ptr + 1, end, minor, 16);
  if (parsed.ec != std::errc{} || parsed.ptr == end || *parsed.ptr != ' ') return false;
  parsed = std::from_chars(parsed.ptr + 1, end, inode, 10);
  if (parsed.ec != std::errc{} || inode == 0) return false;  // 0: anonymous memory
  file = FileId{device_number(makedev(major, minor)), inode};
  return true;
}

// Calls visit(line) for each line of the open file, through a stack buffer.
// A line longer than the buffer (a very long path) is visited by its head
// only, which is where the fields mapped_file reads are.
template <class Visit>
void for_each_line(int fd, Visit&& visit) {
  char buffer[32768];
  std::size_t used = 0;
  bool in_long_line = false;
  for (;;) {
    const ssize_t got = ::read(fd, buffer + used, sizeof buffer - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    used += static_cast<std::size_t>(got);
    std::size_t start = 0;
    while (const void* newline = std::memchr(buffer + start, '\n', used - start)) {
      const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer);
      if (!in_long_line) visit(std::string_view(buffer + start, end - start));
      in_long_line = false;
      start = end + 1;
    }
    if (start == 0 && used == sizeof buffer) {
      if (!in_long_line) visit(std::string_view(buffer, used));
      in_long_line = true;
      used = 0;
      continue;
    }
    std::memmove(buffer, buffer + start, used - start);
    used -= start;
  }
  if (used > 0 && !in_long_line) visit(std::string_view(buffer, used));
}

// Tells `sink` of every file one process holds: descriptors, maps and its
// working directory. Returns 0, or the errno that kept it from being inspected.
template <class Sink>
int scan_process(Sink& sink, ScannedProcess& process) {
  const Descriptor fds(
      open_at(process.proc_fd, ProcPath(process.pid_text, "fd").c_str(), O_DIRECTORY));
  if (fds.get() < 0) return errno;
  int refused = 0;
  for_each_entry(fds.get(), [&](const char* fd) {
    // stat follows the magic link to the open file, deleted or not. It fails
    // when the descriptor was closed meanwhile, or with EACCES when the
    // directory could be listed but the process is protected from ptrace.
    struct stat st;
    if (::fstatat(fds.get(), fd, &st, 0) != 0) {
      if (errno != EACCES && errno != EPERM) return true;
      refused = errno;
      return false;  // the next ones would be refused too
    }
    // "fd N" without allocating: descriptor numbers are short.
    char how[32] = "fd ";
    const std::size_t length = std::min(std::strlen(fd), sizeof how - 4);
    std::memcpy(how + 3, fd, length);
    how[3 + length] = '\0';
    sink.found(FileId{device_number(st.st_dev), st.st_ino}, process, how);
    return true;
  });
  if (refused != 0) return refused;

  struct stat cwd;
  if (::fstatat(process.proc_fd, ProcPath(process.pid_text, "cwd").c_str(), &cwd, 0) == 0)
    sink.found(FileId{device_number(cwd.st_dev), cwd.st_ino}, process, "working directory");

  const Descriptor maps(open_at(process.proc_fd, ProcPath(process.pid_text, "maps").c_str(), 0));
  if (maps.get() < 0) return errno;
  for_each_line(maps.get(), [&](std::string_view line) {
    FileId file;
    if (mapped_file(line, file)) sink.found(file, process, "memory map");
  });
  return 0;
}

std::uint32_t parse_pid(const char* name) {
  std::uint32_t pid = 0;
  const char* const end = name + std::strlen(name);
  const auto parsed = std::from_chars(name, end, pid);
  return parsed.ec == std::errc{} && parsed.ptr == end ? pid : 0;
}

// Scans every process in /proc (open at `proc`) into `sink`, noting in
// `report` the processes that could not be inspected.
template <class Sink, class Report>
std::expected<void, Error> scan_all(int proc, Sink& sink, Report& report) {
  const std::uint32_t self = static_cast<std::uint32_t>(::getpid());
  int denied = 0, failed = 0;
  std::optional<Error> failure;
  const bool listed = for_each_entry(proc, [&](const char* name) {
    const std::uint32_t pid = parse_pid(name);
    if (pid == 0) return true;  // "self", "sys", "meminfo"...
    ScannedProcess process{.pid = pid, .is_self = pid == self, .proc_fd = proc, .pid_text = name};
    const int error = scan_process(sink, process);
    if (error == EACCES || error == EPERM) {
      ++denied;
    } else if (error != 0 && error != ENOENT && error != ESRCH) {  // not just gone meanwhile
      ++failed;
      failure = os_error(error, "inspect", std::string("/proc/") + name);
    }
    return true;
  });
  if (!listed) return std::unexpected(os_error(errno, "read directory", "/proc"));
  note_inaccessible(report, denied, failed, failure);
  return {};
}

// Adds the files /proc/locks lists: flock() (systemd's "in use" convention),
// POSIX and OFD locks, of every process, other users' included.
// "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters ("1: -> ...") skipped.
template <class Add>
void add_locks(int proc, std::vector<std::string>& notes, Add&& add) {
  const Descriptor locks(open_at(proc, "locks", 0));
  if (locks.get() < 0) {
    notes.push_back(to_string(os_error(errno, "read", "/proc/locks")));
    return;
  }
  for_each_line(locks.get(), [&](std::string_view line) {
    if (line.find("->") != std::string_view::npos) return;
    std::string_view fields[6];
    std::size_t count = 0;
    while (count < 6 && !line.empty()) {
      const std::size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      const std::size_t space = std::min(line.find(' '), line.size());
      fields[count++] = line.substr(0, space);
      line.remove_prefix(space);
    }
    if (count < 6) return;
    // fields: "1:", type, ADVISORY, READ/WRITE, pid, major:minor:inode (hex, hex, decimal)
    const std::string_view id = fields[5];
    const char* const end = id.data() + id.size();
    unsigned major = 0, minor = 0;
    std::uint64_t inode = 0;
    auto parsed = std::from_chars(id.data(), end, major, 16);
    if (parsed.ec != std::errc{} || parsed.ptr == end || *parsed.ptr != ':') return;
    parsed = std::from_chars(parsed.ptr + 1, end, minor, 16);
    if (parsed.ec != std::errc{} || parsed.ptr == end || *parsed.ptr != ':') return;
    parsed = std::from_chars(parsed.ptr + 1, end, inode, 10);
    if (parsed.ec != std::errc{}) return;
    std::int64_t pid = 0;  // -1 for OFD locks, which belong to no process
    std::from_chars(fields[4].data(), fields[4].data() + fields[4].size(), pid);
    std::string how = fields[1] == "FLOCK"    ? "flock"
                      : fields[1] == "OFDLCK" ? "OFD lock"
                                              : "POSIX lock";
    add(FileIdentity{device_number(makedev(major, minor)), inode},
        pid > 0 ? static_cast<std::uint32_t>(pid) : 0, std::move(how));
  });
}

}  // namespace

std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths) {
  const Descriptor proc(open_at(AT_FDCWD, "/proc", O_DIRECTORY));
  if (proc.get() < 0) return std::unexpected(os_error(errno, "open", "/proc"));
  Batch batch(paths);
  HolderReport& report = batch.report();
  report.method = "/proc";
  if (batch.empty()) return std::move(report);  // nothing that exists can be held
  if (auto scanned = scan_all(proc.get(), batch, report); !scanned)
    return std::unexpected(scanned.error());
  return std::move(report);
}

std::expected<OpenFileTable, Error> snapshot_open_files() {
  const Descriptor proc(open_at(AT_FDCWD, "/proc", O_DIRECTORY));
  if (proc.get() < 0) return std::unexpected(os_error(errno, "open", "/proc"));
  OpenFileTable table;
  table.available = true;
  table.method = "/proc";
  TableSink sink{table};
  if (auto scanned = scan_all(proc.get(), sink, table); !scanned)
    return std::unexpected(scanned.error());
  add_locks(proc.get(), table.notes,
            [&](const FileIdentity& file, std::uint32_t pid, std::string how) {
              table.add(file, pid, std::move(how));
            });
  return table;
}

std::expected<HolderReport, Error> find_holders_of(std::span<const FileIdentity> files,
                                                   std::span<const std::string>) {
  const Descriptor proc(open_at(AT_FDCWD, "/proc", O_DIRECTORY));
  if (proc.get() < 0) return std::unexpected(os_error(errno, "open", "/proc"));
  Batch batch(files);
  HolderReport& report = batch.report();
  report.method = "/proc";
  if (batch.empty()) return std::move(report);
  if (auto scanned = scan_all(proc.get(), batch, report); !scanned)
    return std::unexpected(scanned.error());
  const std::uint32_t self = static_cast<std::uint32_t>(::getpid());
  add_locks(proc.get(), report.notes,
            [&](const FileIdentity& file, std::uint32_t pid, std::string how) {
              const auto* indexes = batch.find(file);
              if (!indexes) return;
              const std::string pid_text = std::to_string(pid);
              ScannedProcess process{
                  .pid = pid, .is_self = pid == self, .proc_fd = proc.get(), .pid_text = pid_text};
              for (const std::size_t index : *indexes) {
                std::vector<Holder>& list = report.holders[index];
                auto holder = std::ranges::find(list, pid, &Holder::pid);
                if (holder == list.end()) {
                  list.push_back(pid != 0 ? new_holder(process) : Holder{});
                  holder = std::prev(list.end());
                }
                if (std::ranges::find(holder->how, how) == holder->how.end())
                  holder->how.push_back(how);
              }
            });
  for (auto& list : report.holders) std::ranges::sort(list, {}, &Holder::pid);
  return std::move(report);
}

std::vector<Holder> OpenFileTable::holders_of(const FileIdentity& file) const {
  std::vector<Holder> holders;
  const auto found = holds_.find(file);
  if (found == holds_.end()) return holders;
  const Descriptor proc(open_at(AT_FDCWD, "/proc", O_DIRECTORY));
  const std::uint32_t self = static_cast<std::uint32_t>(::getpid());
  for (const Hold& hold : found->second) {
    const auto same = std::ranges::find(holders, hold.pid, &Holder::pid);
    if (same != holders.end()) {
      same->how.push_back(hold.how);
      continue;
    }
    const std::string pid_text = std::to_string(hold.pid);
    ScannedProcess process{
        .pid = hold.pid, .is_self = hold.pid == self, .proc_fd = proc.get(), .pid_text = pid_text};
    Holder holder;
    if (hold.pid != 0 && proc.get() >= 0)
      holder = new_holder(process);
    else
      holder.pid = hold.pid;
    holder.how.push_back(hold.how);
    holders.push_back(std::move(holder));
  }
  return holders;
}

const char* deleted_open_files_method() { return "/proc"; }

std::expected<std::vector<DeletedHold>, Error> deleted_open_files(const std::string& directory,
                                                                  std::vector<std::string>& notes,
                                                                  bool& complete) {
  // The kernel names a deleted file by its canonical path, " (deleted)" after.
  std::string prefix;
  if (!directory.empty()) {
    char* real = ::realpath(directory.c_str(), nullptr);
    if (!real) return std::unexpected(os_error(errno, "resolve", directory));
    prefix = real;
    std::free(real);
    if (prefix != "/") prefix += '/';
  }
  const auto wanted = [&](std::string_view path) {
    return prefix.empty() || path.starts_with(prefix);
  };
  constexpr std::string_view deleted_suffix = " (deleted)";
  const Descriptor proc(open_at(AT_FDCWD, "/proc", O_DIRECTORY));
  if (proc.get() < 0) return std::unexpected(os_error(errno, "open", "/proc"));
  const std::uint32_t self = static_cast<std::uint32_t>(::getpid());
  std::vector<DeletedHold> found;
  int denied = 0;
  const bool listed = for_each_entry(proc.get(), [&](const char* name) {
    const std::uint32_t pid = parse_pid(name);
    if (pid == 0) return true;
    ScannedProcess process{
        .pid = pid, .is_self = pid == self, .proc_fd = proc.get(), .pid_text = name};
    const auto add = [&](const struct stat& st, std::string_view path, std::string how) {
      DeletedHold hold;
      hold.file = FileId{device_number(st.st_dev), st.st_ino};
      hold.path = path;
      hold.size = static_cast<std::uint64_t>(st.st_size);
      hold.holder = new_holder(process);
      hold.holder.how.push_back(std::move(how));
      found.push_back(std::move(hold));
    };
    const Descriptor fds(open_at(proc.get(), ProcPath(name, "fd").c_str(), O_DIRECTORY));
    if (fds.get() < 0) {
      if (errno == EACCES || errno == EPERM) ++denied;
      return true;
    }
    bool refused = false;
    for_each_entry(fds.get(), [&](const char* fd) {
      struct stat st;
      if (::fstatat(fds.get(), fd, &st, 0) != 0) {
        refused = errno == EACCES || errno == EPERM;
        return !refused;
      }
      if (!S_ISREG(st.st_mode) || st.st_nlink != 0) return true;
      char target[4096];
      const ssize_t length = ::readlinkat(fds.get(), fd, target, sizeof target);
      if (length <= 0) return true;
      std::string_view path(target, static_cast<std::size_t>(length));
      if (path.ends_with(deleted_suffix)) path.remove_suffix(deleted_suffix.size());
      if (wanted(path)) add(st, path, std::string("fd ") + fd);
      return true;
    });
    if (refused) ++denied;
    // Mapped files: "start-end perms offset dev inode   /path (deleted)".
    const Descriptor maps(open_at(proc.get(), ProcPath(name, "maps").c_str(), 0));
    if (maps.get() < 0) return true;
    std::vector<std::string> ranges;
    for_each_line(maps.get(), [&](std::string_view line) {
      if (!line.ends_with(deleted_suffix)) return;
      const std::size_t slash = line.find('/');
      if (slash == std::string_view::npos) return;
      std::string_view path = line.substr(slash);
      path.remove_suffix(deleted_suffix.size());
      if (!wanted(path)) return;
      ranges.push_back(std::string(line.substr(0, line.find(' '))) + '\n' + std::string(path));
    });
    for (const std::string& range : ranges) {
      const std::size_t newline = range.find('\n');
      const std::string map_file = std::string(name) + "/map_files/" + range.substr(0, newline);
      struct stat st;
      if (::fstatat(proc.get(), map_file.c_str(), &st, 0) != 0 || st.st_nlink != 0) continue;
      const FileId file{device_number(st.st_dev), st.st_ino};
      // Code, data and rodata of one file make one "memory map".
      if (std::ranges::any_of(found, [&](const DeletedHold& hold) {
            return hold.holder.pid == pid && hold.file == file;
          }))
        continue;
      add(st, std::string_view(range).substr(newline + 1), "memory map");
    }
    return true;
  });
  if (!listed) return std::unexpected(os_error(errno, "read directory", "/proc"));
  if (denied > 0) {
    complete = false;
    notes.push_back(::geteuid() == 0
                        ? processes(denied) + " could not be inspected (permission denied)"
                        : processes(denied) +
                              " of other users could not be inspected (run as root to see them)");
  }
  return found;
}
#endif

}  // namespace tmpctl::platform
