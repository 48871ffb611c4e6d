// The platform's view of the processes of the system (platform/process_control.hpp),
// on the real OS: Linux natively, Windows under Wine.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "core/holder_details.hpp"
#include "platform/process_control.hpp"
#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

using test::join;

TEST(ProcessControl, ThisProcessIsListedWithItsStartTimeAndUser) {
  const platform::ProcessEntry self = platform::this_process();
  EXPECT_EQ(self.pid, test::this_pid());
  EXPECT_NE(self.start_time, 0u);
  auto processes = platform::list_processes();
  ASSERT_TRUE(processes) << to_string(processes.error());
  const auto listed = std::ranges::find(*processes, self.pid, &platform::ProcessEntry::pid);
  ASSERT_NE(listed, processes->end());
  EXPECT_EQ(listed->start_time, self.start_time);
  EXPECT_TRUE(listed->same_user);
  EXPECT_FALSE(listed->user.empty());
  EXPECT_FALSE(listed->name.empty());
}

TEST(ProcessControl, KindsComeFromOneTableWithoutCase) {
  EXPECT_EQ(core::kind_of("MsMpEng.exe", 4242), HolderKind::virus_scanner);
  EXPECT_EQ(core::kind_of("msmpeng.EXE", 4242), HolderKind::virus_scanner);
  EXPECT_EQ(core::kind_of("SearchIndexer.exe", 4242), HolderKind::indexer);
  EXPECT_EQ(core::kind_of("tracker-miner-f", 4242), HolderKind::indexer);
  EXPECT_EQ(core::kind_of("OneDrive.exe", 4242), HolderKind::sync_client);
  EXPECT_EQ(core::kind_of("VBCSCompiler.exe", 4242), HolderKind::build_server);
  EXPECT_EQ(core::kind_of("lsass.exe", 4242), HolderKind::system);
  EXPECT_EQ(core::kind_of("anything", 1), HolderKind::system);  // init
  EXPECT_EQ(core::kind_of("python3", 4242), HolderKind::unknown);
}

TEST(ProcessControl, TheProcessMapKnowsThisProcessAndWhatRanIt) {
  const core::ProcessMap processes = core::ProcessMap::take();
  const platform::ProcessEntry self = platform::this_process();
  EXPECT_EQ(processes.relation_of(self.pid, self.start_time), HolderRelation::self);
  // Another process that reused this pid (another start time) is not us.
  EXPECT_EQ(processes.relation_of(self.pid, self.start_time + 1), HolderRelation::unrelated);
}

class ProcessHandleTest : public test::ScratchDirectoryTest {};

// A pid no system gives: Linux's pid_max is at most 2^22, Windows' are
// multiples of 4.
constexpr std::uint32_t no_such_pid = 0xFFFFFFF1;

TEST_F(ProcessHandleTest, ListingSomePidsGivesThoseThatExistAndNoOthers) {
  const std::string file = join(scratch(), "held");
  test::write_file(file, "x");
  test::HeldFile holder(file, scratch());
  const std::uint32_t wanted[] = {holder.pid(), no_such_pid, test::this_pid()};
  auto listed = platform::list_processes(wanted);
  ASSERT_TRUE(listed) << to_string(listed.error());
  std::vector<std::uint32_t> pids;
  for (const platform::ProcessEntry& entry : *listed) pids.push_back(entry.pid);
  std::ranges::sort(pids);
  std::vector<std::uint32_t> expected{holder.pid(), test::this_pid()};
  std::ranges::sort(expected);
  EXPECT_EQ(pids, expected);
  const auto held = std::ranges::find(*listed, holder.pid(), &platform::ProcessEntry::pid);
  ASSERT_NE(held, listed->end());
  EXPECT_NE(held->name.find("hold_file"), std::string::npos) << held->name;
  EXPECT_EQ(held->parent, test::this_pid());
}

// What describing a holder reads: the holder, this process and its parents,
// found the same as in a full snapshot; nothing else.
TEST_F(ProcessHandleTest, TheMapAroundAHolderHasItThisProcessAndItsParentsOnly) {
  const std::string file = join(scratch(), "held");
  test::write_file(file, "x");
  test::HeldFile holder(file, scratch());
  const core::ProcessMap all = core::ProcessMap::take();
  const platform::ProcessEntry* held_entry = all.find(holder.pid());
  ASSERT_NE(held_entry, nullptr);
  Holder held;
  held.pid = holder.pid();
  held.start_time = held_entry->start_time;
  const core::ProcessMap around = core::ProcessMap::around(std::span(&held, 1));

  ASSERT_NE(around.find(holder.pid()), nullptr);
  EXPECT_EQ(around.find(holder.pid())->name, held_entry->name);
  EXPECT_EQ(around.relation_of(holder.pid(), held_entry->start_time), HolderRelation::unrelated);
  // Every ancestor the full snapshot sees, the map around sees too.
  std::size_t ancestors = 0;
  for (std::uint32_t pid = all.self().parent; pid != 0 && ancestors < 64; ++ancestors) {
    const platform::ProcessEntry* entry = all.find(pid);
    if (entry == nullptr) break;
    const HolderRelation relation = all.relation_of(pid, entry->start_time);
    if (relation != HolderRelation::parent && relation != HolderRelation::ancestor) break;
    EXPECT_EQ(around.relation_of(pid, entry->start_time), relation) << "pid " << pid;
    pid = entry->parent;
  }
  // A process that is none of those is not read.
  for (const std::uint32_t pid : all.pids()) {
    if (pid == holder.pid() || pid == test::this_pid()) continue;
    const platform::ProcessEntry* entry = all.find(pid);
    if (all.relation_of(pid, entry->start_time) != HolderRelation::unrelated) continue;
    EXPECT_EQ(around.find(pid), nullptr) << "pid " << pid << " (" << entry->name << ")";
  }
}

TEST_F(ProcessHandleTest, EndsAProcessAndNeverOneWhoseStartTimeDiffers) {
  const std::string file = join(scratch(), "held");
  test::write_file(file, "x");
  test::HeldFile holder(file, scratch());
  const std::uint32_t pid = holder.pid();
  auto processes = platform::list_processes();
  ASSERT_TRUE(processes);
  const auto listed = std::ranges::find(*processes, pid, &platform::ProcessEntry::pid);
  ASSERT_NE(listed, processes->end());

  // A start time that is not the process's: as if the pid had been reused.
  auto other = platform::ProcessHandle::open({pid, listed->start_time + 1});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ErrorKind::not_found);

  auto handle = platform::ProcessHandle::open({pid, listed->start_time});
  ASSERT_TRUE(handle) << to_string(handle.error());
  EXPECT_FALSE(handle->wait_for_exit(std::chrono::milliseconds(0)));
  ASSERT_TRUE(handle->end(platform::EndHow::force));
  EXPECT_TRUE(handle->wait_for_exit(std::chrono::milliseconds(5000)));
  EXPECT_NE(holder.wait_ended(), 0);
  // Gone now: opening it again says so.
  auto again = platform::ProcessHandle::open({pid, listed->start_time});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::not_found);
}

#ifdef _WIN32
TEST(ProcessControl, ServiceHostsAreNamedWithTheirServices) {
  // Wine runs a few services (PlugPlay, RpcSs, MountMgr...) in their own
  // processes, as Windows does in svchost.exe.
  auto processes = platform::list_processes();
  ASSERT_TRUE(processes);
  EXPECT_TRUE(std::ranges::any_of(
      *processes, [](const platform::ProcessEntry& entry) { return !entry.service.empty(); }));
}
#endif

}  // namespace
}  // namespace tmpctl
