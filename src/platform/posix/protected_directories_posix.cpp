// The directories cleanup guards on POSIX (Linux, macOS): fixed system and
// temp directories, $HOME and the password database's home directories.

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

}  // namespace tmpctl::platform
