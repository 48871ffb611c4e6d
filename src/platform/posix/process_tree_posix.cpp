// A command's process tree on POSIX. Linux: this process becomes a child
// subreaper, so an orphan anywhere in the tree (a daemon that double-forks
// and calls setsid) is re-parented here instead of to init, and the tree is
// every descendant of this process; the command leads a process group of its
// own, and goes into a cgroup v2 directory of its own where the user may
// create one, for cgroup.kill. Other POSIX systems (macOS: UNBUILT AND
// UNTESTED): the process group only, and the descendants still parented here.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <dirent.h>
#include <sys/prctl.h>
#include <time.h>
#endif

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fmt/format.h>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "platform/platform.hpp"
#include "platform/posix/process_start.hpp"
#include "platform/process_tree.hpp"

namespace tmpctl::platform {

struct ProcessTree::State {
  std::string cgroup;  // the cgroup directory made for the command; empty: none
  bool subreaper = false;
  bool was_subreaper = false;
  bool new_group = false;
  std::uint32_t command = 0;
  std::vector<std::string> notes;
};

namespace {

std::string read_small_file(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  return text;
}

// Writes `text` to a cgroup control file: 0, or the errno.
int write_control(const std::string& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const ssize_t wrote = ::write(fd, text.data(), text.size());
  const int error = wrote < 0 ? errno : 0;
  ::close(fd);
  return error;
}

#ifdef __linux__

// Where this process's cgroup v2 directory is: the cgroup2 mount (from
// /proc/self/mountinfo) joined with the "0::" line of /proc/self/cgroup.
// Empty when there is no cgroup v2 hierarchy.
std::string own_cgroup_directory() {
  std::string relative;
  const std::string cgroups = read_small_file("/proc/self/cgroup");
  for (std::size_t at = 0; at < cgroups.size();) {
    std::size_t end = cgroups.find('\n', at);
    if (end == std::string::npos) end = cgroups.size();
    const std::string_view line(cgroups.data() + at, end - at);
    if (line.starts_with("0::")) relative = std::string(line.substr(3));
    at = end + 1;
  }
  if (relative.empty() || relative.ends_with(" (deleted)")) return {};
  const std::string mounts = read_small_file("/proc/self/mountinfo");
  for (std::size_t at = 0; at < mounts.size();) {
    std::size_t end = mounts.find('\n', at);
    if (end == std::string::npos) end = mounts.size();
    const std::string_view line(mounts.data() + at, end - at);
    at = end + 1;
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
    const std::size_t separator = line.find(" - ");
    if (separator == std::string_view::npos || !line.substr(separator + 3).starts_with("cgroup2 "))
      continue;
    std::vector<std::string_view> fields;
    for (std::size_t from = 0; from < separator && fields.size() < 5;) {
      std::size_t space = line.find(' ', from);
      if (space == std::string_view::npos || space > separator) space = separator;
      fields.push_back(line.substr(from, space - from));
      from = space + 1;
    }
    if (fields.size() < 5) continue;
    // Mount points with spaces are escaped (\040): not ours to guess at.
    if (fields[4].find('\\') != std::string_view::npos) continue;
    const std::string_view root = fields[3];
    std::string_view inside = relative;
    if (root != "/") {
      if (!inside.starts_with(root)) continue;
      inside.remove_prefix(root.size());
      if (!inside.empty() && !inside.starts_with('/')) continue;  // "/ab" is not under "/a"
    }
    std::string directory(fields[4]);
    if (!inside.empty() && inside != "/") directory += std::string(inside);
    return directory;
  }
  return {};
}

// Every process listed in the cgroup `directory` and the cgroups below it.
void cgroup_processes(const std::string& directory, std::set<std::uint32_t>& pids, int depth = 0) {
  const std::string procs = read_small_file(directory + "/cgroup.procs");
  for (std::size_t at = 0; at < procs.size();) {
    std::size_t end = procs.find('\n', at);
    if (end == std::string::npos) end = procs.size();
    std::uint32_t pid = 0;
    std::from_chars(procs.data() + at, procs.data() + end, pid);
    if (pid != 0) pids.insert(pid);
    at = end + 1;
  }
  if (depth > 32) return;
  DIR* listing = ::opendir(directory.c_str());
  if (!listing) return;
  while (const dirent* entry = ::readdir(listing)) {
    if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
    cgroup_processes(directory + "/" + entry->d_name, pids, depth + 1);
  }
  ::closedir(listing);
}

// Removes the cgroup `directory` and any the tree made below it, deepest
// first (rmdir of a cgroup with children fails with EBUSY). Only
// directories: a cgroup holds no files of its own to remove.
void remove_cgroup(const std::string& directory, int depth = 0) {
  if (depth <= 32) {
    if (DIR* listing = ::opendir(directory.c_str())) {
      std::vector<std::string> children;
      while (const dirent* entry = ::readdir(listing))
        if (entry->d_type == DT_DIR && entry->d_name[0] != '.')
          children.emplace_back(entry->d_name);
      ::closedir(listing);
      for (const std::string& child : children) remove_cgroup(directory + "/" + child, depth + 1);
    }
  }
  ::rmdir(directory.c_str());
}

#endif

char process_state(std::uint32_t pid) {
#ifdef __linux__
  return posix::state_from_stat(read_small_file(fmt::format("/proc/{}/stat", pid)));
#else
  (void)pid;
  return 'R';
#endif
}

}  // namespace

ProcessTree::ProcessTree(std::unique_ptr<State> state) : state_(std::move(state)) {}
ProcessTree::ProcessTree(ProcessTree&&) noexcept = default;
ProcessTree& ProcessTree::operator=(ProcessTree&&) noexcept = default;

ProcessTree::~ProcessTree() {
  if (!state_) return;
#ifdef __linux__
  if (!state_->cgroup.empty()) {
    // What is left running (--keep-running) goes back to this process's own
    // cgroup, so that the directory can go; rmdir fails (EBUSY) otherwise.
    std::set<std::uint32_t> left;
    cgroup_processes(state_->cgroup, left);
    const std::string parent = state_->cgroup.substr(0, state_->cgroup.rfind('/'));
    for (const std::uint32_t pid : left)
      (void)write_control(parent + "/cgroup.procs", std::to_string(pid));
    remove_cgroup(state_->cgroup);
  }
  if (state_->subreaper && !state_->was_subreaper) ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
#endif
}

std::expected<ProcessTree, Error> ProcessTree::create(const ProcessTreeOptions& /*options*/) {
  auto state = std::make_unique<State>();
  // A controlling terminal: the command stays in tmpctl's process group (a
  // group of its own would be a background job there, stopped by SIGTTIN or
  // SIGTTOU, or left stopped by Ctrl-Z while tmpctl waits).
  const int terminal = ::open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (terminal >= 0)
    ::close(terminal);
  else
    state->new_group = true;
#ifdef __linux__
  int previous = 0;
  if (::prctl(PR_GET_CHILD_SUBREAPER, &previous, 0, 0, 0) == 0)
    state->was_subreaper = previous != 0;
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    return std::unexpected(errno_error(errno, "become a child subreaper", ""));
  state->subreaper = true;
  const std::string own = own_cgroup_directory();
  if (own.empty()) {
    state->notes.push_back("no cgroup v2 hierarchy is mounted");
  } else {
    // Never one that exists: what is in it (a tree a killed tmpctl with this
    // pid left running) is not this command's.
    std::string directory = fmt::format("{}/tmpctl-run.{}", own, ::getpid());
    int made = ::mkdir(directory.c_str(), 0755);
    for (int attempt = 1; made != 0 && errno == EEXIST && attempt < 100; ++attempt) {
      directory = fmt::format("{}/tmpctl-run.{}.{}", own, ::getpid(), attempt);
      made = ::mkdir(directory.c_str(), 0755);
    }
    if (made == 0)
      state->cgroup = directory;
    else
      state->notes.push_back(fmt::format(
          "no cgroup v2 sub-tree: {}", to_string(errno_error(errno, "create cgroup", directory))));
  }
#endif
  return ProcessTree(std::move(state));
}

std::string ProcessTree::mechanism() const {
  std::vector<std::string> parts;
  if (!state_->cgroup.empty()) parts.push_back(fmt::format("cgroup v2 {}", state_->cgroup));
  if (state_->subreaper) parts.push_back("child subreaper");
  if (state_->new_group) parts.push_back("process group");
  if (parts.empty()) return "descendants";
  std::string text = parts.front();
  for (std::size_t i = 1; i < parts.size(); ++i)
    text += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return text;
}

std::vector<std::string> ProcessTree::notes() const { return state_->notes; }

bool ProcessTree::new_group() const { return state_->new_group; }

std::expected<void, Error> ProcessTree::adopt(std::uint32_t pid, void* /*process*/) {
  state_->command = pid;
#ifdef __linux__
  // The command is already running: anything it forked before this write
  // stays outside the cgroup, but not outside the tree (the subreaper).
  if (!state_->cgroup.empty()) {
    const std::string procs = state_->cgroup + "/cgroup.procs";
    if (const int error = write_control(procs, std::to_string(pid)); error != 0) {
      state_->notes.push_back(
          fmt::format("no cgroup v2 sub-tree: {}",
                      to_string(errno_error(error, "move the command to", procs))));
      remove_cgroup(state_->cgroup);
      state_->cgroup.clear();
    }
  }
#endif
  return {};
}

std::uint32_t ProcessTree::command() const { return state_->command; }

void ProcessTree::reap() {
  int status = 0;
  while (::waitpid(-1, &status, WNOHANG) > 0) {
  }
}

std::expected<std::vector<ProcessEntry>, Error> ProcessTree::members() const {
  auto all = list_processes();
  if (!all) return std::unexpected(all.error());
  const std::uint32_t self = static_cast<std::uint32_t>(::getpid());
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> children;
  std::unordered_map<std::uint32_t, std::size_t> index;
  for (std::size_t i = 0; i < all->size(); ++i) {
    children[(*all)[i].parent].push_back(i);
    index[(*all)[i].pid] = i;
  }
  std::set<std::uint32_t> wanted;
  std::vector<std::uint32_t> queue{self};
  while (!queue.empty()) {
    const std::uint32_t pid = queue.back();
    queue.pop_back();
    for (const std::size_t child : children[pid])
      if (wanted.insert((*all)[child].pid).second) queue.push_back((*all)[child].pid);
  }
#ifdef __linux__
  if (!state_->cgroup.empty()) cgroup_processes(state_->cgroup, wanted);
#endif
  wanted.erase(self);
  std::vector<ProcessEntry> members;
  for (const std::uint32_t pid : wanted) {
    const auto found = index.find(pid);
    if (found == index.end()) continue;  // started after the listing: the next one has it
    const char state = process_state(pid);
    if (state == 'Z' || state == 'X' || state == '\0') continue;  // ended, not yet reaped
    members.push_back((*all)[found->second]);
  }
  return members;
}

std::expected<void, Error> ProcessTree::end_all() {
#ifdef __linux__
  if (!state_->cgroup.empty()) {
    // Linux 5.14 and later: every process in it, at once, new ones included.
    if (write_control(state_->cgroup + "/cgroup.kill", "1") == 0) {
      for (int i = 0; i < 100; ++i) {
        std::set<std::uint32_t> left;
        cgroup_processes(state_->cgroup, left);
        reap();
        if (left.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
#endif
  // Whatever is left, one by one through pidfds, until none: a process
  // forking meanwhile has its children re-parented here, and the next pass
  // finds them. Never kill(-group): once its members are gone, the group's
  // number may be another process's.
  for (int pass = 0; pass < 50; ++pass) {
    reap();
    auto left = members();
    if (!left) return std::unexpected(left.error());
    if (left->empty()) return {};
    for (const ProcessEntry& process : *left) {
      auto handle = ProcessHandle::open({process.pid, process.start_time});
      if (handle) (void)handle->end(EndHow::force);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::unexpected(
      Error::invalid(ErrorKind::other, "end", "", "processes of the tree kept starting new ones"));
}

std::optional<std::chrono::milliseconds> running_for(std::uint64_t start_time) {
  if (start_time == 0) return std::nullopt;
#ifdef __linux__
  struct timespec now;
  if (::clock_gettime(CLOCK_BOOTTIME, &now) != 0) return std::nullopt;
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0) return std::nullopt;
  const std::int64_t now_ms =
      static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
  const std::int64_t start_ms = static_cast<std::int64_t>(start_time) * 1000 / ticks_per_second;
  return std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms - start_ms));
#else
  // macOS: microseconds since the epoch.
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return std::chrono::milliseconds(
      std::max<std::int64_t>(0, (now - static_cast<std::int64_t>(start_time)) / 1000));
#endif
}

}  // namespace tmpctl::platform
