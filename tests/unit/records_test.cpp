// The public records API (tmpctl/records.hpp) driven directly, as a C++
// user would, on the real file system and real processes: a store in the
// test's scratch directory, records added and read back, which records a
// filter selects, what inspect() sees of each path, and cleanup_records()
// removing what is selected and forgetting what is gone.

#include <gtest/gtest.h>
#include <tmpctl/records.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::exists;
using test::fs_path;
using test::join;
using test::write_file;
using Presence = RecordStatus::Presence;

class RecordsApi : public test::ScratchDirectoryTest {
protected:
  void SetUp() override {
    ScratchDirectoryTest::SetUp();
    store_path_ = join(scratch(), "records");
    where_ = join(scratch(), "tmp");
    fs::create_directory(fs_path(where_));
    auto store = RecordStore::open(store_path_, true);
    ASSERT_TRUE(store) << to_string(store.error());
    store_.emplace(std::move(*store));
  }

  // A new file `name` in the test's temp directory, recorded with `lifetime`.
  Record add_file(const std::string& name, Lifetime lifetime) {
    const std::string path = join(where_, name);
    write_file(path, "data of " + name);
    return add(path, RecordKind::file, std::move(lifetime));
  }

  Record add(const std::string& path, RecordKind kind, Lifetime lifetime) {
    if (!lifetime.owner) lifetime.owner = current_process();
    auto record = store_->add(path, kind, lifetime);
    EXPECT_TRUE(record) << to_string(record.error());
    return record ? *record : Record{};
  }

  std::vector<Record> records() const {
    auto set = store_->read_all();
    EXPECT_TRUE(set) << to_string(set.error());
    if (!set) return {};
    EXPECT_TRUE(set->bad.empty());
    return set->records;
  }

  std::set<std::string> recorded_paths() const {
    std::set<std::string> paths;
    for (const Record& record : records()) paths.insert(record.path);
    return paths;
  }

  // cleanup_records() with `filter`; what the observer was told lands in entries_.
  CleanupSummary clean(RecordFilter filter, bool dry_run = false) {
    entries_.clear();
    RecordCleanupOptions options;
    options.filter = std::move(filter);
    options.dry_run = dry_run;
    const CleanupObserver observer{
        [this](const CleanupEntry& entry) { entries_.push_back(entry); }};
    std::vector<BadRecord> bad;
    auto summary = cleanup_records(*store_, options, observer, &bad);
    EXPECT_TRUE(summary) << to_string(summary.error());
    EXPECT_TRUE(bad.empty());
    return summary ? *summary : CleanupSummary{};
  }

  std::string store_path_;
  std::string where_;
  std::optional<RecordStore> store_;
  std::vector<CleanupEntry> entries_;
};

TEST_F(RecordsApi, AnAddedRecordIsReadBackWithItsLifetimeAndIdentity) {
  const Record added = add_file("a", {.ttl = 1h, .tag = "build-7"});
  EXPECT_EQ(added.id.size(), 16u);
  EXPECT_EQ(store_->path(), store_path_);
  EXPECT_TRUE(exists(join(store_path_, added.id + ".json")));

  const std::vector<Record> all = records();
  ASSERT_EQ(all.size(), 1u);
  const Record& read = all.front();
  EXPECT_EQ(read.id, added.id);
  EXPECT_EQ(read.path, join(where_, "a"));
  EXPECT_EQ(read.kind, RecordKind::file);
  EXPECT_EQ(read.tag, "build-7");
  EXPECT_EQ(read.owner, current_process());
  EXPECT_EQ(read.created, added.created);
  ASSERT_TRUE(read.expires.has_value());
  EXPECT_EQ(*read.expires, read.created + 1h);
  EXPECT_LE(read.created, std::chrono::system_clock::now());
  EXPECT_EQ(read.device, added.device);
  EXPECT_EQ(read.file, added.file);
  EXPECT_NE(read.file, 0u);
}

TEST_F(RecordsApi, RecordsAreReadInTheOrderTheyWereCreatedAndForgottenOneByOne) {
  const Record first = add_file("first", {});
  const Record second = add(where_, RecordKind::directory, {.tag = "dir"});
  const Record third = add_file("third", {});
  std::vector<std::string> ids;
  for (const Record& record : records()) ids.push_back(record.id);
  EXPECT_EQ(ids, (std::vector<std::string>{first.id, second.id, third.id}));
  EXPECT_EQ(records().at(1).kind, RecordKind::directory);
  EXPECT_EQ(records().at(0).expires, std::nullopt);

  ASSERT_TRUE(store_->forget(second.id));
  EXPECT_EQ(recorded_paths(), (std::set<std::string>{first.path, third.path}));
  EXPECT_TRUE(exists(where_));             // forgetting a record leaves its entry
  EXPECT_TRUE(store_->forget(second.id));  // already gone: forgotten all the same
}

TEST_F(RecordsApi, AStoreOpenedWithoutCreateIsEmptyAndCannotBeWritten) {
  const std::string missing = join(scratch(), "no-store");
  auto store = RecordStore::open(missing, false);
  ASSERT_TRUE(store) << to_string(store.error());
  auto set = store->read_all();
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->records.empty() && set->bad.empty());
  const std::string path = join(where_, "x");
  write_file(path, "x");
  EXPECT_FALSE(store->add(path, RecordKind::file, {}));
  EXPECT_FALSE(exists(missing));
}

TEST_F(RecordsApi, ABadLifetimeOrAMissingPathAddsNoRecord) {
  const std::string path = join(where_, "x");
  write_file(path, "x");
  for (const Lifetime& bad : {Lifetime{.tag = "a\tb"}, Lifetime{.tag = "\xFF"},
                              Lifetime{.tag = std::string(129, 't')}, Lifetime{.ttl = 0s}}) {
    auto record = store_->add(path, RecordKind::file, bad);
    ASSERT_FALSE(record);
    EXPECT_EQ(record.error().kind, ErrorKind::invalid_argument);
  }
  EXPECT_FALSE(store_->add(join(where_, "missing"), RecordKind::file, {}));
  EXPECT_TRUE(records().empty());
}

TEST_F(RecordsApi, AFilterSelectsByExpiryTagAndOwnerAndAllConditionsMustHold) {
  const Record soon = add_file("soon", {.ttl = 1s, .tag = "ci"});
  const Record later = add_file("later", {.ttl = 1h, .tag = "ci"});
  const Record never = add_file("never", {.tag = "local"});
  const auto in_two_seconds = soon.created + 2s;
  const auto selected = [&](const RecordFilter& filter, ProcessState owner) {
    std::set<std::string> names;
    for (const Record& record : records())
      if (selects(filter, record, owner)) names.insert(test::base_name(record.path));
    return names;
  };
  using Names = std::set<std::string>;
  EXPECT_EQ(selected({}, ProcessState::alive), (Names{"soon", "later", "never"}));
  EXPECT_EQ(selected({.expired = true, .now = in_two_seconds}, ProcessState::alive),
            (Names{"soon"}));
  EXPECT_EQ(selected({.expired = true, .now = soon.created}, ProcessState::alive), (Names{}));
  EXPECT_EQ(selected({.tags = {"ci"}}, ProcessState::alive), (Names{"soon", "later"}));
  EXPECT_EQ(selected({.tags = {"local", "other"}}, ProcessState::alive), (Names{"never"}));
  EXPECT_EQ(selected({.orphaned = true}, ProcessState::alive), (Names{}));
  EXPECT_EQ(selected({.orphaned = true}, ProcessState::unknown), (Names{}));
  EXPECT_EQ(selected({.orphaned = true}, ProcessState::gone), (Names{"soon", "later", "never"}));
  EXPECT_EQ(
      selected({.expired = true, .tags = {"local"}, .now = in_two_seconds}, ProcessState::alive),
      (Names{}));
  EXPECT_TRUE(RecordFilter{}.empty());
  EXPECT_FALSE(RecordFilter{.tags = {"ci"}}.empty());
}

TEST_F(RecordsApi, AnOwnerIsAliveWhileItRunsAndGoneOnceItExitsOrItsPidIsReused) {
  EXPECT_EQ(process_state(current_process()), ProcessState::alive);
  const ProcessRef self = current_process();
  auto found = process_with_pid(self.pid);
  ASSERT_TRUE(found) << to_string(found.error());
  EXPECT_EQ(*found, self);
  if (self.start_time != 0) {  // a later process under this pid is not this one
    EXPECT_EQ(process_state({self.pid, self.start_time + 1}), ProcessState::gone);
  }

  const std::string held = join(scratch(), "held");
  write_file(held, "");
  test::HeldFile helper(held, scratch());
  auto running = process_with_pid(helper.pid());
  ASSERT_TRUE(running) << to_string(running.error());
  EXPECT_EQ(process_state(*running), ProcessState::alive);
  helper.release();
  EXPECT_EQ(process_state(*running), ProcessState::gone);
}

TEST_F(RecordsApi, InspectSeesPresentGoneAndReplacedPathsAndTheOwnersState) {
  const Record present = add_file("present", {.ttl = 1s});
  const Record gone = add_file("gone", {});
  const Record replaced = add_file("replaced", {});
  fs::remove(fs_path(gone.path));
  // Another file takes the name (a rename over it, as editors do): the
  // created file is gone, its name is not.
  const std::string other = join(where_, "other");
  write_file(other, "someone else's data");
  fs::rename(fs_path(other), fs_path(replaced.path));

  const std::vector<Record> all = records();
  ASSERT_EQ(all.size(), 3u);
  auto report = inspect(all, present.created + 2s);
  ASSERT_TRUE(report) << to_string(report.error());
  ASSERT_EQ(report->statuses.size(), 3u);
  EXPECT_EQ(report->statuses[0].presence, Presence::present);
  EXPECT_EQ(report->statuses[1].presence, Presence::gone);
  EXPECT_EQ(report->statuses[2].presence, Presence::replaced);
  EXPECT_TRUE(report->statuses[0].expired);
  EXPECT_FALSE(report->statuses[1].expired);
  for (const RecordStatus& status : report->statuses) {
    EXPECT_EQ(status.owner, ProcessState::alive);
    EXPECT_FALSE(status.in_use);
  }
  EXPECT_FALSE(inspect(all, present.created)->statuses[0].expired);
}

TEST_F(RecordsApi, InspectNamesWhoHoldsARecordedFile) {
  const Record busy = add_file("busy", {});
  test::HeldFile holder(busy.path, scratch());
  auto report = inspect(records(), std::chrono::system_clock::now());
  ASSERT_TRUE(report) << to_string(report.error());
  const RecordStatus& status = report->statuses.at(0);
  EXPECT_EQ(status.presence, Presence::present);
  EXPECT_TRUE(status.in_use);
  EXPECT_TRUE(
      std::ranges::any_of(status.holders, [&](const Holder& h) { return h.pid == holder.pid(); }));
}

TEST_F(RecordsApi, CleanupRemovesWhatIsSelectedAndForgetsItsRecords) {
  const Record mine = add_file("mine", {.tag = "job-1"});
  const std::string dir = join(where_, "dir");
  fs::create_directory(fs_path(dir));
  write_file(join(dir, "inside"), "x");
  const Record my_dir = add(dir, RecordKind::directory, {.tag = "job-1"});
  const Record other = add_file("other", {.tag = "job-2"});

  // A dry run says what would go, and removes and forgets nothing.
  // Every entry counts: the file, the directory and what it holds.
  const CleanupSummary dry = clean({.tags = {"job-1"}}, true);
  EXPECT_EQ(dry.removed, 3u);
  EXPECT_TRUE(exists(mine.path) && exists(join(dir, "inside")));
  EXPECT_EQ(records().size(), 3u);

  const CleanupSummary summary = clean({.tags = {"job-1"}});
  EXPECT_EQ(summary.removed, 3u);
  EXPECT_EQ(summary.records_forgotten, 2u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_FALSE(exists(mine.path));
  EXPECT_FALSE(exists(dir));  // a directory goes with all it holds
  EXPECT_TRUE(exists(other.path));
  EXPECT_EQ(recorded_paths(), (std::set<std::string>{other.path}));
  std::set<std::string> told;
  for (const CleanupEntry& entry : entries_)
    if (entry.action == CleanupAction::removed) told.insert(entry.path);
  EXPECT_EQ(told, (std::set<std::string>{mine.path, dir, join(dir, "inside")}));
}

TEST_F(RecordsApi, CleanupOfExpiredAndOrphanedRecordsRemovesOnlyThose) {
  const Record soon = add_file("soon", {.ttl = 1s});
  const Record later = add_file("later", {.ttl = 1h});
  EXPECT_EQ(clean({.expired = true, .now = soon.created + 2s}).removed, 1u);
  EXPECT_FALSE(exists(soon.path));
  EXPECT_TRUE(exists(later.path));

  // An owner that has exited orphans its entries; this process's stay.
  const std::string held = join(scratch(), "held");
  write_file(held, "");
  test::HeldFile helper(held, scratch());
  auto owner = process_with_pid(helper.pid());
  ASSERT_TRUE(owner) << to_string(owner.error());
  const Record orphan = add_file("orphan", {.owner = *owner});
  EXPECT_EQ(clean({.orphaned = true}).removed, 0u);  // its owner still runs
  helper.release();
  const CleanupSummary summary = clean({.orphaned = true});
  EXPECT_EQ(summary.removed, 1u);
  EXPECT_FALSE(exists(orphan.path));
  EXPECT_TRUE(exists(later.path));
  EXPECT_EQ(recorded_paths(), (std::set<std::string>{later.path}));
}

TEST_F(RecordsApi, CleanupLeavesAReplacedPathAloneAndForgetsWhatIsGoneSelectedOrNot) {
  const Record replaced = add_file("replaced", {.tag = "swap"});
  const Record gone = add_file("gone", {.tag = "unrelated"});
  const Record kept = add_file("kept", {.tag = "unrelated"});
  const std::string other = join(where_, "other");
  write_file(other, "someone else's data");
  fs::rename(fs_path(other), fs_path(replaced.path));
  fs::remove(fs_path(gone.path));

  const CleanupSummary summary = clean({.tags = {"swap"}});
  EXPECT_EQ(summary.removed, 0u);
  EXPECT_EQ(summary.skipped_replaced, 1u);
  EXPECT_EQ(summary.records_forgotten, 2u);
  ASSERT_TRUE(exists(replaced.path));
  EXPECT_EQ(test::read_file(replaced.path), "someone else's data");
  ASSERT_EQ(entries_.size(), 1u);
  EXPECT_EQ(entries_.front().action, CleanupAction::skipped);
  EXPECT_EQ(entries_.front().reason, SkipReason::replaced);
  EXPECT_EQ(entries_.front().path, replaced.path);
  EXPECT_EQ(recorded_paths(), (std::set<std::string>{kept.path}));
  EXPECT_TRUE(exists(kept.path));
}

}  // namespace
}  // namespace tmpctl
