// The CLI's words for the core's remedies (cli/remedy_text.cpp): every
// remedy has its one sentence, and the ones that speak of a holder say who,
// this process itself included (a case the CLI never meets, since tmpctl
// holds nothing it removes, but a front end over the library does).

#include <gtest/gtest.h>

#include <utility>

#include "cli/remedy_text.hpp"
#include "support/test_paths.hpp"

namespace tmpctl::cli {
namespace {

using test::contains;

const Holder self{.pid = 7, .name = "tmpctl", .start_time = 0, .is_self = true, .how = {}};
const Holder editor{.pid = 4242, .name = "editor", .start_time = 0, .is_self = false, .how = {}};

TEST(RemedyText, EveryRemedyHasOneSentence) {
  const RemoveReport report;
  for (int i = 0; i <= std::to_underlying(RemedyKind::stop_build_server); ++i) {
    const Remedy remedy{
        .kind = static_cast<RemedyKind>(i), .holder = editor, .verbatim_path = "\\\\?\\C:\\t\\nul"};
    const std::string text = remedy_text(report, remedy);
    SCOPED_TRACE(std::string(to_string(remedy.kind)));
    EXPECT_GT(text.size(), 20u) << text;  // words, not the enum's name
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_NE(text, std::string(to_string(remedy.kind)));
  }
}

TEST(RemedyText, ThisProcessHoldingTheFileIsToldToCloseItsOwnHandle) {
  const RemoveReport report;
  const std::string own =
      remedy_text(report, {.kind = RemedyKind::close_own_handle, .holder = self});
  EXPECT_TRUE(contains(own, "this process itself still holds the file")) << own;
  EXPECT_TRUE(contains(own, "os.close(fd) before os.remove(path)")) << own;

  const std::string mine =
      remedy_text(report, {.kind = RemedyKind::close_to_free_space, .holder = self});
  EXPECT_TRUE(contains(mine, "this process still has it open")) << mine;
  EXPECT_TRUE(contains(mine, "the name is gone, but its space is freed only when it closes it"))
      << mine;
  const std::string theirs = remedy_text(
      report, {.kind = RemedyKind::close_to_free_space, .holder = editor, .hypothetical = true});
  EXPECT_TRUE(contains(theirs, "process 4242 (editor) still has it open")) << theirs;
  EXPECT_TRUE(contains(theirs, "a delete would remove the name")) << theirs;
  EXPECT_TRUE(contains(theirs, "when that process closes it")) << theirs;

  const std::string aside = remedy_text(report, {.kind = RemedyKind::rename_aside, .holder = self});
  EXPECT_TRUE(contains(aside, "this process has it open, sharing delete")) << aside;
  EXPECT_TRUE(contains(aside, "until it closes it")) << aside;
}

}  // namespace
}  // namespace tmpctl::cli
