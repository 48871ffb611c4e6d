// summarize_tree() (src/core/tree_summary.hpp) on the real file system: each
// entry counted under its top-level entry, sizes summed, and a link counted
// as a link, never followed out of the tree.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/tree_summary.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::fs_path;
using test::join;

class TreeSummaryTest : public test::ScratchDirectoryTest {};

TEST_F(TreeSummaryTest, EachEntryIsCountedUnderItsTopLevelEntry) {
  const std::string root = join(scratch(), "root");
  fs::create_directories(fs_path(join(root, "cache/deep/er")));
  test::write_file(join(root, "a.txt"), std::string(10, 'a'));
  test::write_file(join(root, "cache/one"), std::string(5, 'b'));
  test::write_file(join(root, "cache/deep/er/two"), std::string(7, 'c'));
  fs::create_directory(fs_path(join(root, "empty")));

  auto summary = core::summarize_tree(root);
  ASSERT_TRUE(summary) << to_string(summary.error());
  EXPECT_TRUE(summary->errors.empty());
  ASSERT_EQ(summary->entries.size(), 3u);
  EXPECT_EQ(summary->entries[0].name, "a.txt");
  EXPECT_EQ(summary->entries[0].type, EntryType::file);
  EXPECT_EQ(summary->entries[0].bytes, 10u);
  EXPECT_EQ(summary->entries[0].entries, 1u);
  EXPECT_EQ(summary->entries[1].name, "cache");
  EXPECT_EQ(summary->entries[1].type, EntryType::directory);
  EXPECT_EQ(summary->entries[1].bytes, 12u);
  EXPECT_EQ(summary->entries[1].entries, 5u);  // cache, one, deep, er, two
  EXPECT_EQ(summary->entries[2].name, "empty");
  EXPECT_EQ(summary->entries[2].bytes, 0u);
  EXPECT_EQ(summary->entries[2].entries, 1u);
  EXPECT_EQ(summary->bytes, 22u);
  EXPECT_EQ(summary->count, 7u);
}

TEST_F(TreeSummaryTest, AnEmptyDirectoryHasNothingAndAMissingOneIsAnError) {
  auto summary = core::summarize_tree(scratch());
  ASSERT_TRUE(summary);
  EXPECT_TRUE(summary->entries.empty());
  EXPECT_EQ(summary->count, 0u);
  EXPECT_FALSE(core::summarize_tree(join(scratch(), "missing")));
}

#ifndef _WIN32
// A link to a big directory outside counts as one link of no size: the
// summary is of what is in the tree, and nothing outside is read.
TEST_F(TreeSummaryTest, ALinkIsCountedAsALinkNeverFollowed) {
  const std::string outside = join(scratch(), "outside");
  fs::create_directory(fs_path(outside));
  test::write_file(join(outside, "big"), std::string(5000, 'x'));
  const std::string root = join(scratch(), "root");
  fs::create_directory(fs_path(root));
  fs::create_directory_symlink(fs_path(outside), fs_path(join(root, "link")));

  auto summary = core::summarize_tree(root);
  ASSERT_TRUE(summary);
  ASSERT_EQ(summary->entries.size(), 1u);
  EXPECT_EQ(summary->entries[0].type, EntryType::symlink);
  EXPECT_EQ(summary->entries[0].bytes, 0u);
  EXPECT_EQ(summary->bytes, 0u);
  EXPECT_EQ(summary->count, 1u);
}
#endif

}  // namespace
}  // namespace tmpctl
