// cleanup_records(): removing the entries records point to, through the
// same Cleaner as a cleanup, each only while it is still the entry that was
// created; and forgetting the records whose entries are gone.

#include <tmpctl/cleanup.hpp>
#include <tmpctl/records.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <utility>

#include "core/cleaner.hpp"
#include "core/owner_states.hpp"
#include "core/paths.hpp"
#include "platform/holders.hpp"
#include "platform/walk.hpp"

namespace tmpctl {

using core::Cleaner;
using core::Shared;
using platform::WalkEntry;

std::expected<CleanupSummary, Error> cleanup_records(RecordStore& store,
                                                     const RecordCleanupOptions& options,
                                                     const CleanupObserver& observer,
                                                     std::vector<BadRecord>* bad) {
  auto set = store.read_all();
  if (!set) return std::unexpected(set.error());
  if (bad != nullptr) *bad = std::move(set->bad);
  auto open_files = platform::snapshot_open_files();
  if (!open_files) return std::unexpected(open_files.error());

  RecordFilter filter = options.filter;
  filter.now = filter.now.value_or(std::chrono::system_clock::now());
  CleanupOptions cleanup_options;
  cleanup_options.dry_run = options.dry_run;
  cleanup_options.force = options.force;
  cleanup_options.restore_owner_permissions = options.force;
  cleanup_options.retry = options.retry;
  cleanup_options.stop = options.stop;
  cleanup_options.jobs = 1;

  Shared shared(observer);
  shared.summary.notes = open_files->notes;
  core::OwnerStates owners;
  std::uint64_t forgotten = 0;
  const auto forget = [&](const Record& record) {
    ++forgotten;
    if (!options.dry_run) (void)store.forget(record.id);
  };

  // Each directory is opened once; its recorded entries are looked up by name.
  std::map<std::string, std::vector<const Record*>> by_directory;
  for (const Record& record : set->records)
    if (auto parts = core::split_path(record.path))
      by_directory[parts->directory].push_back(&record);
  {
    Cleaner cleaner(cleanup_options, shared, *open_files, {.all_stale = true, .walks = 2});
    for (const auto& [directory, records] : by_directory) {
      auto walk = platform::TreeWalk::open(
          directory, {.restore_owner_permissions = cleanup_options.restore_owner_permissions});
      if (!walk && walk.error().kind == ErrorKind::not_found) {
        std::ranges::for_each(records, [&](const Record* record) { forget(*record); });
        continue;
      }
      for (const Record* record : records) {
        if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) break;
        const std::string name = core::split_path(record->path)->name;
        const platform::FileIdentity identity{record->device, record->file};
        if (!selects(filter, *record, owners.of(record->owner))) {
          // Not asked for: forgotten only when its entry is gone or replaced.
          WalkEntry entry;
          if (!walk) continue;
          auto found = walk->look_up(name, entry);
          if (found ? entry.identity != identity : found.error().kind == ErrorKind::not_found)
            forget(*record);
          continue;
        }
        if (!walk) {
          std::lock_guard lock(shared.mutex);
          ++shared.summary.failed;
          if (observer.entry)
            observer.entry(CleanupEntry{.action = CleanupAction::failed,
                                        .path = record->path,
                                        .type = record->kind == RecordKind::directory
                                                    ? EntryType::directory
                                                    : EntryType::file,
                                        .error = walk.error()});
          continue;
        }
        switch (
            cleaner.clean_recorded(*walk, name, identity, record->kind == RecordKind::directory)) {
          case Cleaner::Recorded::kept: break;
          case Cleaner::Recorded::removed:
          case Cleaner::Recorded::gone:
          case Cleaner::Recorded::replaced: forget(*record); break;
        }
      }
      if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) {
        shared.summary.interrupted = true;
        break;
      }
    }
  }
  core::report_in_use(shared);
  shared.summary.records_forgotten += forgotten;
  // A crash between writing a record and renaming it leaves a partial file.
  if (!options.dry_run) (void)store.remove_partials(std::chrono::hours(1));
  return std::move(shared.summary);
}

}  // namespace tmpctl
