// build_tree PLAN OUTSIDE [ROOT]: builds the tree a plan describes, for the
// deletion property test (tests/cli/deletion_property_test.cpp), which
// writes the plan. ROOT defaults to $TMPCTL_PATH, so that `tmpctl run -d --
// build_tree PLAN OUTSIDE` fills its temp directory; ROOT is then written to
// PLAN.root. OUTSIDE is the directory that links and hard links point into.
//
// A plan is one step a line, paths relative to ROOT (or OUTSIDE) with '/':
//   dir PATH
//   file PATH SIZE
//   symlink PATH in|out TARGET abs|rel   a link to ROOT/TARGET or OUTSIDE/TARGET
//                                        (absolute, or relative to the link's
//                                        directory); TARGET may not exist
//   hardlink PATH TARGET                 a hard link to OUTSIDE/TARGET
//   hold PATH READY                      hold_file PATH READY, left running
//   age SECONDS                          every entry's times set that far back
//   readonly PATH                        POSIX: chmod 0444 (file) or 0555 (dir);
//                                        Windows: the read-only attribute
//   bind TARGET PATH                     Linux: bind-mounts OUTSIDE/TARGET on
//                                        ROOT/PATH; refused in the first
//                                        process's mount namespace
// Steps run in this order whatever the plan's order: dir, file, symlink and
// hardlink as written; then hold, age, readonly (deepest first), bind.
// Windows: Wine cannot make Windows symlinks, so under Wine the symlinks are
// Unix ones, made (and aged, with everything else) by the host's shell after
// the rest (tests/support/wine_host.hpp); elsewhere a symlink step fails.
// Exits 0, or 99 with a message on stderr.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "platform/console.hpp"
#include "platform/environment.hpp"
#include "support/start_detached.hpp"

#ifdef _WIN32
#include <windows.h>

#include "platform/win32/unicode.hpp"
#include "support/wine_host.hpp"
#else
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace {

namespace fs = std::filesystem;

fs::path fs_path(const std::string& utf8) {
  return fs::path(std::u8string(utf8.begin(), utf8.end()));
}

struct Failure {
  std::string what;
};

void check(bool ok, const std::string& what) {
  if (!ok) throw Failure{what};
}

void set_times(const fs::path& path, std::chrono::seconds back) {
#ifdef _WIN32
  const HANDLE handle = CreateFileW(
      path.c_str(), FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  check(handle != INVALID_HANDLE_VALUE, "cannot open " + path.string() + " to age it");
  FILETIME now{};
  GetSystemTimeAsFileTime(&now);
  ULARGE_INTEGER value{};
  value.LowPart = now.dwLowDateTime;
  value.HighPart = now.dwHighDateTime;
  value.QuadPart -= static_cast<ULONGLONG>(back.count()) * 10'000'000ULL;
  FILETIME old{value.LowPart, value.HighPart};
  const bool set = SetFileTime(handle, nullptr, &old, &old);
  CloseHandle(handle);
  check(set, "cannot age " + path.string());
#else
  struct timespec times[2] = {};
  ::clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= back.count();
  times[1] = times[0];
  check(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0,
        "cannot age " + path.string());
#endif
}

void make_read_only(const fs::path& path) {
#ifdef _WIN32
  const DWORD attributes = GetFileAttributesW(path.c_str());
  check(attributes != INVALID_FILE_ATTRIBUTES &&
            SetFileAttributesW(path.c_str(), attributes | FILE_ATTRIBUTE_READONLY),
        "cannot make " + path.string() + " read-only");
#else
  struct stat status = {};
  check(::lstat(path.c_str(), &status) == 0, "cannot stat " + path.string());
  check(::chmod(path.c_str(), S_ISDIR(status.st_mode) ? 0555 : 0444) == 0,
        "cannot chmod " + path.string());
#endif
}

void bind_mount(const fs::path& source, const fs::path& target) {
#ifdef __linux__
  // Never in the host's namespace: only under `unshare -m`, where the mount
  // ends with the namespace.
  std::error_code error;
  check(fs::read_symlink("/proc/self/ns/mnt", error) != fs::read_symlink("/proc/1/ns/mnt", error),
        "refusing to mount outside a private mount namespace");
  check(::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0,
        "cannot bind-mount " + source.string() + " on " + target.string());
#else
  (void)source;
  (void)target;
  check(false, "bind mounts are Linux only");
#endif
}

void wait_until_held(const fs::path& ready) {
  std::error_code error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(ready, error) && std::chrono::steady_clock::now() < deadline) {
#ifdef _WIN32
    Sleep(5);
#else
    ::usleep(5000);
#endif
  }
  check(fs::exists(ready, error), "hold_file did not start holding");
}

#ifdef _WIN32
// Under Wine: `ln -s` on the host for each link, then, when asked, every
// entry's times set back by `find -exec touch -h`, which follows no link (a
// walk from Windows code would: Wine shows a Unix link as its target).
void make_unix_links(const fs::path& root, const std::vector<std::pair<fs::path, fs::path>>& links,
                     std::optional<std::chrono::seconds> age) {
  std::vector<std::string> arguments;
  std::string script = "set -e\n";
  auto argument = [&](std::string value) {
    arguments.push_back(std::move(value));
    return "\"${" + std::to_string(arguments.size()) + "}\"";
  };
  for (const auto& [link, target] : links) {
    const auto unix_link = tmpctl::test::wine_unix_path(link.wstring());
    check(unix_link.has_value(), "symlinks on Windows need Wine's host shell");
    std::string unix_target;
    if (target.is_absolute()) {
      unix_target = tmpctl::test::wine_unix_path(target.wstring()).value_or("");
      check(!unix_target.empty(), "no Unix path for " + target.string());
    } else {
      unix_target = target.generic_string();
    }
    script += "ln -s " + argument(unix_target) + " " + argument(*unix_link) + "\n";
  }
  if (age) {
    const auto unix_root = tmpctl::test::wine_unix_path(root.wstring());
    check(unix_root.has_value(), "no Unix path for " + root.string());
    script += "find " + argument(*unix_root) + " -exec touch -h -d \"@$(( $(date +%s) - " +
              std::to_string(age->count()) + " ))\" {} +\n";
  }
  check(tmpctl::test::run_host_shell(script, arguments) == 0,
        "the host shell could not make the links");
}
#endif

void build(const std::string& plan_path, const fs::path& outside, const fs::path& root) {
  std::ifstream plan(fs_path(plan_path));
  check(static_cast<bool>(plan), "cannot read " + plan_path);
  std::vector<std::vector<std::string>> holds;
  std::vector<std::vector<std::string>> later;
  std::vector<fs::path> read_only;
  std::vector<std::pair<fs::path, fs::path>> unix_links;  // Windows: link, target
  std::optional<std::chrono::seconds> unix_age;
  std::string line;
  while (std::getline(plan, line)) {
    std::istringstream words(line);
    std::vector<std::string> step;
    for (std::string word; words >> word;) step.push_back(word);
    if (step.empty()) continue;
    const std::string& kind = step[0];
    const fs::path path = step.size() > 1 ? root / fs_path(step[1]) : root;
    if (kind == "dir") {
      fs::create_directory(path);
    } else if (kind == "file") {
      std::ofstream(path, std::ios::binary) << std::string(std::stoul(step.at(2)), 'x');
      check(fs::exists(path), "cannot create " + path.string());
    } else if (kind == "symlink") {
      const fs::path target = (step.at(2) == "in" ? root : outside) / fs_path(step.at(3));
      const fs::path written =
          step.at(4) == "abs" ? target : target.lexically_relative(path.parent_path());
#ifdef _WIN32
      unix_links.push_back({path, written});
#else
      fs::create_symlink(written, path);
#endif
    } else if (kind == "hardlink") {
      fs::create_hard_link(outside / fs_path(step.at(2)), path);
    } else if (kind == "hold") {
      // READY is the rest of the line: a temp directory's path may hold spaces.
      check(step.size() >= 3, "hold needs PATH READY");
      const std::size_t after_path = line.find(step[1]) + step[1].size() + 1;
      holds.push_back({step[0], step[1], line.substr(after_path)});
    } else if (kind == "readonly") {
      read_only.push_back(path);
    } else if (kind == "age" || kind == "bind") {
      later.push_back(step);
    } else {
      check(false, "unknown step: " + line);
    }
  }
  for (const auto& step : holds) {
    check(tmpctl::test::start_detached_sibling("hold_file",
                                               {(root / fs_path(step[1])).string(), step.at(2)}),
          "cannot start hold_file");
    wait_until_held(fs_path(step.at(2)));
  }
  for (const auto& step : later) {
    if (step[0] != "age") continue;
    const std::chrono::seconds back(std::stol(step.at(1)));
    if (unix_links.empty()) {
      for (auto it = fs::recursive_directory_iterator(root);
           it != fs::recursive_directory_iterator(); ++it)
        set_times(it->path(), back);
    } else {
      unix_age = back;
    }
  }
#ifdef _WIN32
  if (!unix_links.empty()) make_unix_links(root, unix_links, unix_age);
#endif
  // Deepest first, so that a read-only directory is filled before it is closed.
  for (auto it = read_only.rbegin(); it != read_only.rend(); ++it) make_read_only(*it);
  for (const auto& step : later)
    if (step[0] == "bind") bind_mount(outside / fs_path(step.at(1)), root / fs_path(step.at(2)));
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args = tmpctl::platform::utf8_arguments(argc, argv);
  if (args.size() != 3 && args.size() != 4) {
    std::fprintf(stderr, "usage: build_tree PLAN OUTSIDE [ROOT]\n");
    return 99;
  }
  const std::string root =
      args.size() == 4 ? args[3] : tmpctl::platform::environment_variable("TMPCTL_PATH");
  try {
    if (root.empty()) throw Failure{"no ROOT and TMPCTL_PATH unset"};
    if (args.size() == 3) {
      std::ofstream(fs_path(args[1] + ".root"), std::ios::binary) << root;
    }
    build(args[1], fs_path(args[2]), fs_path(root));
  } catch (const Failure& failure) {
    std::fprintf(stderr, "build_tree: %s\n", failure.what.c_str());
    return 99;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "build_tree: %s\n", error.what());
    return 99;
  }
  return 0;
}
