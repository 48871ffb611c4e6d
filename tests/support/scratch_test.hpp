#pragma once
// A fixture giving each test its own fresh temporary directory, removed after
// the test: tmpctl's own TempDirectory, which is thereby exercised too.

#include <gtest/gtest.h>
#include <tmpctl/temp_file.hpp>

#include <optional>
#include <string>

namespace tmpctl::test {

/// The environment variable system_temp_directory() reads first, and the
/// one platform::home_directory() reads.
#ifdef _WIN32
inline constexpr const char* temp_dir_variable = "TMP";
inline constexpr const char* home_dir_variable = "USERPROFILE";
#else
inline constexpr const char* temp_dir_variable = "TMPDIR";
inline constexpr const char* home_dir_variable = "HOME";
#endif

class ScratchDirectoryTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto dir = TempDirectory::create({.prefix = "tmpctl-test."});
    ASSERT_TRUE(dir) << to_string(dir.error());
    scratch_.emplace(std::move(*dir));
  }
  const std::string& scratch() const { return scratch_->path(); }

  std::optional<TempDirectory> scratch_;
};

}  // namespace tmpctl::test
