// Holder discovery against real processes: tests/helpers/hold_file holds a
// file the way Python's mkstemp does, and find_holders must name it.

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

using test::join;

class Holders : public test::ScratchDirectoryTest {};

TEST_F(Holders, NoHoldersForAFileNobodyHasOpen) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file && file->close());
  const std::vector<std::string> paths{file->path()};
  auto report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  ASSERT_EQ(report->holders.size(), 1u);
  EXPECT_TRUE(report->holders[0].empty());
}

}  // namespace
}  // namespace tmpctl
