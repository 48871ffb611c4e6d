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

// issue 12 item 1: the operands rm refuses, refused by their spelling before
// anything is looked at. diagnose deletes nothing, so even a build without
// the guard is safe to run this against the real root.
TEST_F(Remove, DotDotDotAndRootsAreRefusedBeforeAnythingIsTried) {
  const RemoveOptions recursive{.recursive = true, .find_holders = false};
  const std::string dir = join(scratch(), "dir");
  std::filesystem::create_directory(fs_path(dir));
  const std::vector<std::string> dots{".",        "..",        "./",           "..//",
                                      dir + "/.", dir + "/..", join(dir, "."), join(dir, "..")};
  for (const RemoveReport& report : diagnose(dots, recursive)) {
    EXPECT_EQ(report.cause, RemoveCause::dot_or_dotdot) << report.path;
    EXPECT_EQ(report.outcome, RemoveOutcome::invalid) << report.path;
    ASSERT_TRUE(report.error) << report.path;
    EXPECT_EQ(report.error->message, "refusing to remove '.' or '..' directory");
  }
  EXPECT_EQ(diagnose(std::vector<std::string>{join(dir, ".")})[0].cause,
            RemoveCause::dot_or_dotdot);  // without -r too
  // Names for a directory that merely contain dots are not refused.
  for (const RemoveReport& report :
       diagnose(std::vector<std::string>{join(dir, ".hidden"), join(dir, "..x"), dir}, recursive))
    EXPECT_NE(report.cause, RemoveCause::dot_or_dotdot) << report.path;

#ifdef _WIN32
  const std::vector<std::string> roots{"C:\\",
                                       "C:/",
                                       "c:\\\\",
                                       "\\",
                                       "/",
                                       "\\\\?\\C:\\",
                                       "\\\\?\\C:",
                                       "\\\\.\\C:\\",
                                       "\\\\server\\share",
                                       "\\\\server\\share\\",
                                       "//server/share/",
                                       "\\\\?\\UNC\\server\\share\\",
                                       "\\\\?\\unc\\server\\share",
                                       "\\\\?\\Volume{01234567-89ab-cdef-0123-456789abcdef}\\"};
#else
  const std::vector<std::string> roots{"/", "//", "///"};
#endif
  for (const RemoveReport& report : diagnose(roots, recursive)) {
    EXPECT_EQ(report.cause, RemoveCause::protected_root) << report.path;
    EXPECT_EQ(report.outcome, RemoveOutcome::invalid) << report.path;
    EXPECT_FALSE(report.hints.empty()) << report.path;
  }
  // Only with -r, and --no-preserve-root lifts it.
  const std::vector<std::string> root{roots.front()};
  EXPECT_NE(diagnose(root, {.find_holders = false})[0].cause, RemoveCause::protected_root);
  EXPECT_NE(
      diagnose(root, {.recursive = true, .preserve_root = false, .find_holders = false})[0].cause,
      RemoveCause::protected_root);
}

TEST_F(Remove, NamesAreStable) {
  EXPECT_EQ(to_string(RemoveOutcome::in_use), "in_use");
  EXPECT_EQ(to_string(RemoveCause::sharing_violation), "sharing_violation");
  EXPECT_EQ(to_string(RemoveCause::sticky_directory), "sticky_directory");
  EXPECT_EQ(to_string(RemoveCause::protected_root), "protected_root");
  EXPECT_EQ(to_string(RemoveCause::dot_or_dotdot), "dot_or_dotdot");
}

}  // namespace
}  // namespace tmpctl
