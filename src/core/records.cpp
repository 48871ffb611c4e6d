// The record store: what a record file holds, and what a record's path,
// owner and holders are now. The platform's RecordDirectory does the I/O
// (owner-only directory, write-then-rename); this file decides the format
// and the rules.

#include <tmpctl/records.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tmpctl/temp_file.hpp>

#include "core/base64.hpp"
#include "core/enum_names.hpp"
#include "core/name_pattern.hpp"
#include "core/owner_states.hpp"
#include "core/paths.hpp"
#include "core/utf8.hpp"
#include "platform/environment.hpp"
#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "platform/records.hpp"
#include "platform/remove.hpp"
#include "platform/walk.hpp"

namespace tmpctl {
namespace {

constexpr int record_format = 1;
constexpr std::size_t id_length = 16;
constexpr std::string_view record_extension = ".json";
constexpr std::size_t max_record_size = 64 * 1024;
constexpr std::size_t max_tag_size = 128;

using nanoseconds = std::chrono::nanoseconds;

std::int64_t to_ns(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<nanoseconds>(time.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ns(std::int64_t ns) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(nanoseconds(ns)));
}

// Earlier versions stored a path that is not UTF-8 as "path_hex", its bytes
// in lowercase hex: still read, so records written before an upgrade work.
std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  const auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = value(text[i]);
    const int low = value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

std::expected<void, Error> check_tag_text(const std::string& tag) {
  const auto refuse = [&](std::string why) {
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "use tag", tag, why));
  };
  if (tag.size() > max_tag_size)
    return refuse(fmt::format("a tag is at most {} bytes", max_tag_size));
  if (std::ranges::any_of(tag, [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    return refuse("a tag cannot contain control characters");
  if (!core::is_valid_utf8(tag)) return refuse("a tag must be UTF-8 text");
  return {};
}

std::string serialize(const Record& record) {
  nlohmann::ordered_json object;
  object["format"] = record_format;
  // POSIX names are bytes. Not also a lossy "path": a tmpctl that predates
  // "path_base64" then reports the record as damaged instead of acting on a
  // path that names nothing.
  if (core::is_valid_utf8(record.path))
    object["path"] = record.path;
  else
    object["path_base64"] = core::base64_encode(record.path);
  object["kind"] = to_string(record.kind);
  object["created_ns"] = to_ns(record.created);
  object["expires_ns"] =
      record.expires ? nlohmann::ordered_json(to_ns(*record.expires)) : nlohmann::ordered_json();
  object["tag"] =
      record.tag.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(record.tag);
  object["owner"] = {{"pid", record.owner.pid}, {"start_time", record.owner.start_time}};
  object["identity"] = {{"device", record.device}, {"file", record.file}};
  return object.dump() + "\n";
}

// A record from a record file's text, or why it is not one.
std::expected<Record, std::string> parse(const std::string& id, const std::string& text) {
  const nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
  if (object.is_discarded())
    return std::unexpected(text.empty() ? std::string("the file is empty")
                                        : std::string("not valid JSON (truncated or damaged)"));
  if (!object.is_object()) return std::unexpected("not a JSON object");
  try {
    if (object.at("format").get<int>() != record_format)
      return std::unexpected(
          fmt::format("format {} is not one this tmpctl reads", object.at("format").dump()));
    Record record;
    record.id = id;
    if (object.contains("path_base64")) {
      auto path = core::base64_decode(object.at("path_base64").get<std::string>());
      if (!path) return std::unexpected("\"path_base64\" is not base64");
      record.path = std::move(*path);
    } else if (object.contains("path_hex")) {
      auto path = unhex(object.at("path_hex").get<std::string>());
      if (!path) return std::unexpected("\"path_hex\" is not hexadecimal");
      record.path = std::move(*path);
    } else {
      record.path = object.at("path").get<std::string>();
    }
    if (record.path.empty()) return std::unexpected("the path is empty");
    const std::string kind = object.at("kind").get<std::string>();
    if (kind == "file")
      record.kind = RecordKind::file;
    else if (kind == "directory")
      record.kind = RecordKind::directory;
    else
      return std::unexpected(fmt::format("unknown kind '{}'", kind));
    record.created = from_ns(object.at("created_ns").get<std::int64_t>());
    if (const auto& expires = object.at("expires_ns"); !expires.is_null())
      record.expires = from_ns(expires.get<std::int64_t>());
    if (const auto& tag = object.at("tag"); !tag.is_null()) record.tag = tag.get<std::string>();
    record.owner.pid = object.at("owner").at("pid").get<std::uint32_t>();
    record.owner.start_time = object.at("owner").at("start_time").get<std::uint64_t>();
    record.device = object.at("identity").at("device").get<std::uint64_t>();
    record.file = object.at("identity").at("file").get<std::uint64_t>();
    return record;
  } catch (const nlohmann::json::exception& e) {
    // "[json.exception.out_of_range.403] key 'kind' not found" -> the part after "] ".
    std::string what = e.what();
    if (const std::size_t end = what.find("] "); end != std::string::npos) what.erase(0, end + 2);
    return std::unexpected("missing or wrong field: " + what);
  }
}

ProcessRef from_platform(const platform::ProcessIdentity& process) {
  return {process.pid, process.start_time};
}

}  // namespace

std::expected<void, Error> check_lifetime(const Lifetime& lifetime) {
  if (auto ok = check_tag_text(lifetime.tag); !ok) return ok;
  if (lifetime.ttl &&
      (*lifetime.ttl <= std::chrono::seconds(0) || *lifetime.ttl > std::chrono::days(100 * 366)))
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "record", "",
                                          "a lifetime must be between 1 second and 100 years"));
  return {};
}

ProcessRef current_process() { return from_platform(platform::current_process()); }

std::expected<ProcessRef, Error> parent_process() {
  const std::uint32_t pid = platform::parent_pid();
  auto parent = platform::process_with_pid(pid);
  if (!parent) return std::unexpected(parent.error());
  // A parent cannot start after its child: that is a later process under a
  // reused pid.
  const platform::ProcessIdentity self = platform::current_process();
  if (parent->start_time != 0 && self.start_time != 0 && parent->start_time > self.start_time)
    return std::unexpected(Error::invalid(ErrorKind::not_found, "find the parent process",
                                          std::to_string(pid),
                                          "that pid belongs to a process started after this one"));
  return from_platform(*parent);
}

std::expected<ProcessRef, Error> process_with_pid(std::uint32_t pid) {
  auto process = platform::process_with_pid(pid);
  if (!process) return std::unexpected(process.error());
  return from_platform(*process);
}

// The same pid and the same start time: the same process. A start time
// that cannot be read (another user's process) leaves it unknown.
ProcessState process_state(const ProcessRef& process) {
  auto now = platform::process_with_pid(process.pid);
  if (!now) return ProcessState::gone;
  if (process.start_time == 0 || now->start_time == 0) return ProcessState::unknown;
  return now->start_time == process.start_time ? ProcessState::alive : ProcessState::gone;
}

bool selects(const RecordFilter& filter, const Record& record, ProcessState owner) {
  const auto now = filter.now.value_or(std::chrono::system_clock::now());
  if (filter.expired && !(record.expires && *record.expires <= now)) return false;
  if (!filter.tags.empty() && std::ranges::find(filter.tags, record.tag) == filter.tags.end())
    return false;
  if (filter.orphaned && owner != ProcessState::gone) return false;
  return true;
}

struct RecordStore::State {
  std::optional<platform::RecordDirectory> directory;  // none: no store yet
};

RecordStore::RecordStore(std::string path, std::unique_ptr<State> state)
    : path_(std::move(path)), state_(std::move(state)) {}
RecordStore::RecordStore(RecordStore&&) noexcept = default;
RecordStore& RecordStore::operator=(RecordStore&&) noexcept = default;
RecordStore::~RecordStore() = default;

std::expected<std::string, Error> RecordStore::default_path() {
  if (std::string chosen = platform::environment_variable("TMPCTL_RECORDS"); !chosen.empty())
    return platform::absolute_path(chosen);
  auto temp = platform::system_temp_directory();
  if (!temp) return std::unexpected(temp.error());
  return platform::default_record_directory(*temp);
}

std::expected<RecordStore, Error> RecordStore::open(const std::string& path, bool create) {
  std::string where = path;
  if (where.empty()) {
    auto chosen = default_path();
    if (!chosen) return std::unexpected(chosen.error());
    where = std::move(*chosen);
  }
  auto state = std::make_unique<State>();
  auto directory = platform::RecordDirectory::open(where, create);
  if (directory)
    state->directory = std::move(*directory);
  else if (create || directory.error().kind != ErrorKind::not_found)
    return std::unexpected(directory.error());
  return RecordStore(std::move(where), std::move(state));
}

std::expected<Record, Error> RecordStore::add(const std::string& path, RecordKind kind,
                                              const Lifetime& lifetime) {
  if (auto ok = check_lifetime(lifetime); !ok) return std::unexpected(ok.error());
  if (!state_->directory)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "record in", path_,
                                          "the store was opened for reading only"));
  Record record;
  record.path = path;
  record.kind = kind;
  record.created = std::chrono::system_clock::now();
  if (lifetime.ttl) record.expires = record.created + *lifetime.ttl;
  record.tag = lifetime.tag;
  if (lifetime.owner) {
    record.owner = *lifetime.owner;
  } else {
    // A parent that has exited already leaves the entry orphaned from the
    // start: pid 0 is nobody's.
    record.owner = parent_process().value_or(ProcessRef{});
  }
  auto identity = platform::identity_of(path);
  if (!identity) return std::unexpected(identity.error());
  record.device = identity->device;
  record.file = identity->file;
  if (auto ok = core::append_random_chars(record.id, id_length); !ok)
    return std::unexpected(ok.error());
  std::ranges::transform(record.id, record.id.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;  // one case: Windows
  });
  if (auto written =
          state_->directory->write(record.id + std::string(record_extension), serialize(record));
      !written)
    return std::unexpected(written.error());
  return record;
}

std::expected<RecordSet, Error> RecordStore::read_all() const {
  RecordSet set;
  if (!state_->directory) return set;
  auto names = state_->directory->names();
  if (!names) return std::unexpected(names.error());
  for (const std::string& name : *names) {
    if (name.starts_with('.')) continue;  // a partial file, or not ours
    const std::string file = core::join_path(path_, name);
    if (!name.ends_with(record_extension)) {
      set.bad.push_back({file, Error::invalid(ErrorKind::invalid_argument, "read record", file,
                                              "not a record file (no .json ending)")});
      continue;
    }
    auto text = state_->directory->read(name, max_record_size);
    if (!text) {
      if (text.error().kind == ErrorKind::not_found) continue;  // forgotten meanwhile
      Error error = text.error();
      error.operation = "read record";
      error.path = file;
      set.bad.push_back({file, std::move(error)});
      continue;
    }
    const std::string id = name.substr(0, name.size() - record_extension.size());
    auto record = parse(id, *text);
    if (!record) {
      set.bad.push_back(
          {file, Error::invalid(ErrorKind::invalid_argument, "read record", file, record.error())});
      continue;
    }
    set.records.push_back(std::move(*record));
  }
  std::ranges::sort(set.records, [](const Record& a, const Record& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  std::ranges::sort(set.bad, {}, &BadRecord::file);
  return set;
}

std::expected<void, Error> RecordStore::forget(const std::string& id) {
  if (!state_->directory) return {};
  auto removed = state_->directory->remove(id + std::string(record_extension));
  if (!removed && removed.error().kind != ErrorKind::not_found)
    return std::unexpected(removed.error());
  return {};
}

std::size_t RecordStore::remove_partials(std::chrono::seconds age) {
  if (!state_->directory) return 0;
  auto names = state_->directory->names();
  if (!names) return 0;
  const std::int64_t cutoff = to_ns(std::chrono::system_clock::now() - age);
  std::size_t removed = 0;
  for (const std::string& name : *names) {
    // A crash left these: a record not yet renamed into place, a record
    // moved aside to be replaced (Windows), or an empty record (a power
    // loss between the rename and the data reaching the disk). None of them
    // names an entry.
    const bool leftover =
        name.starts_with('.') && (name.ends_with(".partial") || name.ends_with(".old"));
    const bool empty = !name.starts_with('.') && name.ends_with(record_extension) &&
                       state_->directory->read(name, 1).value_or("x").empty();
    if (!leftover && !empty) continue;
    auto modified = state_->directory->modified(name);
    if (modified && *modified < cutoff && state_->directory->remove(name)) ++removed;
  }
  return removed;
}

std::expected<RecordStatusReport, Error> inspect(std::span<const Record> records,
                                                 std::chrono::system_clock::time_point now) {
  RecordStatusReport report;
  report.statuses.resize(records.size());
  auto open_files = platform::snapshot_open_files();
  if (!open_files) return std::unexpected(open_files.error());
  report.notes = open_files->notes;

  // Each directory is opened once; each entry is looked at through it, as
  // cleanup would, without following a link.
  std::map<std::string, std::vector<std::size_t>> by_directory;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (auto parts = core::split_path(records[i].path)) by_directory[parts->directory].push_back(i);
  }
  std::vector<std::size_t> probe;  // present, where only a delete can tell "in use"
  for (const auto& [directory, indexes] : by_directory) {
    auto walk = platform::TreeWalk::open(directory);
    if (!walk) {
      if (walk.error().kind != ErrorKind::not_found)
        for (const std::size_t i : indexes)
          report.statuses[i].presence = RecordStatus::Presence::unknown;
      continue;
    }
    platform::WalkEntry entry;
    for (const std::size_t i : indexes) {
      RecordStatus& status = report.statuses[i];
      const Record& record = records[i];
      auto found = walk->look_up(core::split_path(record.path)->name, entry);
      if (!found) {
        if (found.error().kind != ErrorKind::not_found)
          status.presence = RecordStatus::Presence::unknown;
        continue;
      }
      const bool same =
          entry.identity == platform::FileIdentity{record.device, record.file} &&
          entry.type == (record.kind == RecordKind::directory ? platform::EntryType::directory
                                                              : platform::EntryType::file);
      status.presence = same ? RecordStatus::Presence::present : RecordStatus::Presence::replaced;
      if (!same) continue;
      if (open_files->available) {
        status.in_use = open_files->contains(entry.identity);
        if (status.in_use) status.holders = open_files->holders_of(entry.identity);
      } else {
        probe.push_back(i);
      }
    }
  }

  // Windows: a file is in use when a delete would be refused for it.
  std::vector<std::string> held;
  std::vector<std::size_t> held_index;
  for (const std::size_t i : probe) {
    auto info = platform::inspect_entry(records[i].path);
    if (!info) continue;
    const auto refusal = platform::probe_delete(records[i].path, *info, {});
    if (refusal && (refusal->cause == RemoveCause::sharing_violation ||
                    refusal->cause == RemoveCause::lock_violation)) {
      report.statuses[i].in_use = true;
      held.push_back(records[i].path);
      held_index.push_back(i);
    }
  }
  if (!held.empty()) {
    if (auto holders = platform::find_holders(held)) {
      for (std::size_t k = 0; k < held_index.size() && k < holders->holders.size(); ++k)
        report.statuses[held_index[k]].holders = std::move(holders->holders[k]);
      if (!holders->complete)
        report.notes.insert(report.notes.end(), holders->notes.begin(), holders->notes.end());
    }
  }

  core::OwnerStates owners;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& record = records[i];
    RecordStatus& status = report.statuses[i];
    status.expired = record.expires && *record.expires <= now;
    status.owner = owners.of(record.owner);
  }
  return report;
}

constexpr core::EnumName<RecordKind> record_kind_names[] = {{RecordKind::file, "file"},
                                                            {RecordKind::directory, "directory"}};
static_assert(core::in_declaration_order(record_kind_names));

std::string_view to_string(RecordKind kind) { return core::name_in(record_kind_names, kind); }

constexpr core::EnumName<ProcessState> process_state_names[] = {{ProcessState::alive, "alive"},
                                                                {ProcessState::gone, "gone"},
                                                                {ProcessState::unknown, "unknown"}};
static_assert(core::in_declaration_order(process_state_names));

std::string_view to_string(ProcessState state) { return core::name_in(process_state_names, state); }

constexpr core::EnumName<RecordStatus::Presence> presence_names[] = {
    {RecordStatus::Presence::present, "present"},
    {RecordStatus::Presence::gone, "gone"},
    {RecordStatus::Presence::replaced, "replaced"},
    {RecordStatus::Presence::unknown, "unknown"}};
static_assert(core::in_declaration_order(presence_names));

std::string_view to_string(RecordStatus::Presence presence) {
  return core::name_in(presence_names, presence);
}

}  // namespace tmpctl
