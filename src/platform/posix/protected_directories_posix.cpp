// The directories cleanup guards on POSIX (Linux, macOS): fixed system and
// temp directories, $HOME and the home directories of /etc/passwd (macOS:
// of the user database).

#include <sys/stat.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <pwd.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/environment.hpp"
#include "platform/protected_directories.hpp"

namespace tmpctl::platform {

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
  return existing_directories({"/bin",     "/boot",   "/dev",    "/etc",  "/lib", "/lib32",
                               "/lib64",   "/libx32", "/opt",    "/proc", "/run", "/sbin",
                               "/snap",    "/srv",    "/sys",    "/usr",  "/var", "/Applications",
                               "/Library", "/System", "/private"});
}

std::vector<std::string> temp_directories() {
  // Fixed places only, never $TMPDIR: a temp directory lifts the
  // system-directory guard for what lies inside it.
  return existing_directories(
      {"/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/run/user/" + std::to_string(::geteuid())});
}

std::string home_directory() { return environment_variable("HOME"); }

std::vector<std::string> user_home_directories() {
  std::vector<std::string> homes;
  const auto add = [&homes](std::string_view dir) {
    if (dir.starts_with('/') && dir != "/") homes.emplace_back(dir);
  };
#if defined(__APPLE__)
  // macOS keeps its users in Open Directory, not in /etc/passwd.
  ::setpwent();
  while (const struct passwd* user = ::getpwent())
    if (user->pw_dir != nullptr) add(user->pw_dir);
  ::endpwent();
#else
  // /etc/passwd itself, not getpwent(): tmpctl is linked statically on
  // Linux, where NSS would load the shared libraries of whatever glibc is
  // installed into it; and network directories (LDAP, sssd) do not
  // enumerate their users anyway. The places where such users have their
  // homes (systemd-homed and most sites: /home; Silverblue: /var/home) are
  // listed as homes themselves, so that they and what holds them are
  // guarded whoever /etc/passwd names; what lies inside them is not.
  for (const char* place : {"/home", "/var/home"}) add(place);
  if (std::FILE* passwd = std::fopen("/etc/passwd", "re")) {
    char* line = nullptr;
    std::size_t capacity = 0;
    ssize_t length;
    while ((length = ::getline(&line, &capacity, passwd)) > 0) {
      std::string_view entry(line, static_cast<std::size_t>(length));
      if (entry.ends_with('\n')) entry.remove_suffix(1);
      // name:password:uid:gid:gecos:home:shell
      for (int field = 0; field < 5 && !entry.empty(); ++field) {
        const std::size_t colon = entry.find(':');
        entry = colon == std::string_view::npos ? std::string_view() : entry.substr(colon + 1);
      }
      add(entry.substr(0, entry.find(':')));
    }
    std::free(line);
    std::fclose(passwd);
  }
#endif
  return existing_directories(std::move(homes));
}

}  // namespace tmpctl::platform
