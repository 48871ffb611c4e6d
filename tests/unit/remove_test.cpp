// The library's remove() and diagnose() on the real OS, including the case
// behind the whole project: the calling process itself holds the file.

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <filesystem>
#include <fstream>

#include "support/mkstemp_style.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"


namespace tmpctl {
namespace {

using test::fs_path;
using test::join;

class Remove : public test::ScratchDirectoryTest {};

TEST_F(Remove, TheCallerItselfHoldingTheFileIsNamedAsSuch) {
  const std::string path = join(scratch(), "mine.tmp");
  const int fd = test::open_like_mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::vector<std::string> paths{path};
  auto reports = remove(paths);
  ASSERT_EQ(reports.size(), 1u);
  const RemoveReport& report = reports[0];
  ASSERT_EQ(report.holders.size(), 1u) << to_string(report.outcome);
  EXPECT_TRUE(report.holders[0].is_self);
  ASSERT_FALSE(report.hints.empty());
#ifdef _WIN32
  // mkstemp's handle lacks FILE_SHARE_DELETE: the delete fails with 32.
  EXPECT_EQ(report.outcome, RemoveOutcome::in_use);
  EXPECT_EQ(report.cause, RemoveCause::sharing_violation);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->native_code, 32);
  EXPECT_NE(report.hints[0].find("this process itself"), std::string::npos) << report.hints[0];
  EXPECT_NE(report.hints[0].find("os.close(fd)"), std::string::npos) << report.hints[0];
  test::close_descriptor(fd);
  auto again = remove(paths);
  EXPECT_EQ(again[0].outcome, RemoveOutcome::removed);
#else
  // POSIX removes the name anyway; the space stays until this fd closes.
  EXPECT_EQ(report.outcome, RemoveOutcome::removed);
  EXPECT_NE(report.hints[0].find("this process still has it open"), std::string::npos)
      << report.hints[0];
  test::close_descriptor(fd);
#endif
  EXPECT_FALSE(std::filesystem::exists(fs_path(path)));
}

TEST_F(Remove, DiagnoseChangesNothing) {
  const std::string path = join(scratch(), "idle");
  std::ofstream(fs_path(path)) << "x";
  const std::vector<std::string> paths{path, join(scratch(), "missing")};
  auto reports = diagnose(paths);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].outcome, RemoveOutcome::removed);  // would succeed
  EXPECT_FALSE(reports[0].error);
  EXPECT_EQ(reports[0].attempts, 0);
  EXPECT_EQ(reports[1].outcome, RemoveOutcome::not_found);
  EXPECT_TRUE(std::filesystem::exists(fs_path(path)));
}

TEST_F(Remove, NamesAreStable) {
  EXPECT_EQ(to_string(RemoveOutcome::in_use), "in_use");
  EXPECT_EQ(to_string(RemoveCause::sharing_violation), "sharing_violation");
  EXPECT_EQ(to_string(RemoveCause::sticky_directory), "sticky_directory");
}

}  // namespace
}  // namespace tmpctl
