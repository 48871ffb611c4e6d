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
  ASSERT_FALSE(report.remedies.empty());
  ASSERT_TRUE(report.remedies[0].holder);
  EXPECT_TRUE(report.remedies[0].holder->is_self);
#ifdef _WIN32
  // mkstemp's handle lacks FILE_SHARE_DELETE: the delete fails with 32.
  EXPECT_EQ(report.outcome, RemoveOutcome::in_use);
  EXPECT_EQ(report.cause, RemoveCause::sharing_violation);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.error->native_code, 32);
  // The CLI words it "this process itself still holds the file ... os.close(fd)".
  EXPECT_EQ(report.remedies[0].kind, RemedyKind::close_own_handle)
      << to_string(report.remedies[0].kind);
  test::close_descriptor(fd);
  auto again = remove(paths);
  EXPECT_EQ(again[0].outcome, RemoveOutcome::removed);
#else
  // POSIX removes the name anyway; the space stays until this fd closes.
  EXPECT_EQ(report.outcome, RemoveOutcome::removed);
  // The CLI words it "this process still has it open: the name is gone, ...".
  EXPECT_EQ(report.remedies[0].kind, RemedyKind::close_to_free_space)
      << to_string(report.remedies[0].kind);
  EXPECT_FALSE(report.remedies[0].hypothetical);
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
    ASSERT_EQ(report.remedies.size(), 1u) << report.path;
    EXPECT_EQ(report.remedies[0].kind, RemedyKind::override_preserve_root) << report.path;
  }
  // Only with -r, and --no-preserve-root lifts it.
  const std::vector<std::string> root{roots.front()};
  EXPECT_NE(diagnose(root, {.find_holders = false})[0].cause, RemoveCause::protected_root);
  EXPECT_NE(
      diagnose(root, {.recursive = true, .preserve_root = false, .find_holders = false})[0].cause,
      RemoveCause::protected_root);
}

// Every kind of a report's remedies, in order.
std::vector<RemedyKind> kinds_of(const RemoveReport& report) {
  std::vector<RemedyKind> kinds;
  for (const Remedy& remedy : report.remedies) kinds.push_back(remedy.kind);
  return kinds;
}

// The text a report carries: none of it may speak the CLI's language, an
// option or a command line a C++ caller has no use for.
void expect_no_cli_spelling(const RemoveReport& report) {
  std::vector<std::string> texts = report.notes;
  if (report.error) {
    texts.push_back(report.error->message);
    texts.push_back(to_string(*report.error));
  }
  for (const Remedy& remedy : report.remedies) texts.push_back(remedy.verbatim_path);
  for (const std::string& text : texts) {
    EXPECT_EQ(text.find("tmpctl remove"), std::string::npos) << text;
    EXPECT_EQ(text.find(" --"), std::string::npos) << text;
    EXPECT_EQ(text.find(" -r"), std::string::npos) << text;
  }
  for (const RemoveReport& inner : report.inside) expect_no_cli_spelling(inner);
}

// issue 13: what to do about a refusal comes as values; the words, and the
// options they name, are the CLI's.
TEST_F(Remove, ALibraryUserGetsRemediesAsValuesWithoutCliSpellings) {
  const std::string dir = join(scratch(), "dir");
  std::filesystem::create_directory(fs_path(dir));
  std::ofstream(fs_path(join(dir, "f"))) << "x";
  const std::vector<std::string> paths{dir};
  auto reports = remove(paths, {.find_holders = false});
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].cause, RemoveCause::directory);
  EXPECT_EQ(kinds_of(reports[0]), std::vector{RemedyKind::remove_recursively});
  expect_no_cli_spelling(reports[0]);
  EXPECT_TRUE(std::filesystem::exists(fs_path(dir)));

  const std::vector<std::string> root{
      std::filesystem::path(fs_path(scratch())).root_path().string()};
  for (const RemoveReport& report : diagnose(root, {.recursive = true, .find_holders = false})) {
    EXPECT_EQ(kinds_of(report), std::vector{RemedyKind::override_preserve_root}) << report.path;
    expect_no_cli_spelling(report);
  }

  const std::string held = join(scratch(), "held.tmp");
  const int fd = test::open_like_mkstemp(held);
  ASSERT_GE(fd, 0);
  const std::vector<std::string> held_paths{held};
  auto held_reports = remove(held_paths, {.find_holders = false});
  ASSERT_EQ(held_reports.size(), 1u);
  expect_no_cli_spelling(held_reports[0]);
#ifdef _WIN32
  // Held without FILE_SHARE_DELETE, and no holder looked for: try again
  // later, or as a last resort at the next start.
  EXPECT_EQ(held_reports[0].cause, RemoveCause::sharing_violation);
  EXPECT_EQ(kinds_of(held_reports[0]),
            (std::vector{RemedyKind::retry_later, RemedyKind::delete_on_reboot}));
  // Looked for, the holder is this process: close its own handle first.
  auto found = diagnose(held_paths);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_FALSE(found[0].remedies.empty());
  EXPECT_EQ(found[0].remedies[0].kind, RemedyKind::close_own_handle);
  ASSERT_TRUE(found[0].remedies[0].holder);
  EXPECT_TRUE(found[0].remedies[0].holder->is_self);
  expect_no_cli_spelling(found[0]);
  test::close_descriptor(fd);
  EXPECT_EQ(remove(held_paths)[0].outcome, RemoveOutcome::removed);
#else
  // POSIX deletes a name while it is open; with no holder looked for,
  // nothing is left to do.
  EXPECT_EQ(held_reports[0].outcome, RemoveOutcome::removed);
  EXPECT_TRUE(held_reports[0].remedies.empty());
  test::close_descriptor(fd);
#endif
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
