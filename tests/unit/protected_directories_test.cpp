// The directories cleanup guards (platform/protected_directories.hpp), as
// the OS has them: system, temp and home directories.

#include <gtest/gtest.h>
#include <tmpctl/temp_file.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/protected_directories.hpp"
#include "platform/walk.hpp"
#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::fs_path;

TEST(ProtectedDirectories, SystemTempAndHomeDirectoriesExist) {
  const std::vector<std::string> system = platform::system_directories();
  ASSERT_FALSE(system.empty());
  for (const std::string& directory : system)
    EXPECT_TRUE(fs::is_directory(fs_path(directory))) << directory;
  const auto temp = platform::temp_directories();
  for (const std::string& directory : temp)
    EXPECT_TRUE(fs::is_directory(fs_path(directory))) << directory;
#ifndef _WIN32
  // The temp directory tmpctl creates in is among the temp directories. Not
  // on Windows: they are fixed places (LocalAppData\Temp, the Windows
  // directory's Temp), never TMP or TEMP, and Wine's TEMP is
  // %USERPROFILE%\Temp, which is neither.
  auto created_in = system_temp_directory();
  ASSERT_TRUE(created_in);
  auto created_id = platform::identity_of(*created_in);
  ASSERT_TRUE(created_id);
  EXPECT_TRUE(std::ranges::any_of(temp, [&](const std::string& directory) {
    auto id = platform::identity_of(directory);
    return id && *id == *created_id;
  })) << *created_in;
#endif
  for (const std::string& home : platform::user_home_directories())
    EXPECT_TRUE(fs::is_directory(fs_path(home))) << home;
}

#ifdef __linux__
// The homes of /etc/passwd, read without NSS (tmpctl is linked statically):
// every user's existing home directory is among them, "/" never is.
TEST(ProtectedDirectories, HomesComeFromEtcPasswd) {
  const auto homes = platform::user_home_directories();
  EXPECT_EQ(std::ranges::count(homes, "/"), 0);
  std::ifstream passwd("/etc/passwd");
  ASSERT_TRUE(passwd) << "no /etc/passwd";
  int checked = 0;
  for (std::string line; std::getline(passwd, line);) {
    const auto fields = test::split(line, ':');
    if (fields.size() < 6 || fields[5].empty() || fields[5] == "/" ||
        !fs::is_directory(fs_path(fields[5])))
      continue;
    EXPECT_GE(std::ranges::count(homes, fields[5]), 1) << line;
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no user in /etc/passwd has a home directory";
  // Users /etc/passwd does not list (systemd-homed, NIS, LDAP) keep their
  // homes there: guarded whatever the file says.
  if (fs::is_directory("/home")) {
    EXPECT_GE(std::ranges::count(homes, "/home"), 1);
  }
}
#endif

TEST(ProtectedDirectories, HomeDirectoryComesFromTheEnvironment) {
  const char* variable = test::home_dir_variable;
  {
    test::ScopedEnvironment home(variable, "/somewhere/else");
    EXPECT_EQ(platform::home_directory(), "/somewhere/else");
  }
  test::ScopedEnvironment unset(variable, nullptr);
  EXPECT_EQ(platform::home_directory(), "");
}

}  // namespace
}  // namespace tmpctl
