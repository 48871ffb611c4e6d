// Directory trees on Windows through handles: the walk (TreeWalk) that
// cleanup, remove -r, run and TempDirectory delete through. Every entry is opened
// relative to its parent's handle (NtOpenFile with RootDirectory) with
// FILE_OPEN_REPARSE_POINT, judged by what that handle says, and deleted
// through it, so a directory swapped for a junction or symlink between listing
// and opening is removed as a link, never entered. The Windows counterpart of
// the POSIX openat/unlinkat walks.

#include <windows.h>
#include <winternl.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "platform/platform.hpp"
#include "platform/walk.hpp"
#include "platform/win32/nt_files.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::append_name;
using win32::destination_of;
using win32::DirectoryListing;
using win32::display_path;
using win32::filetime_of;
using win32::final_path_of;
using win32::last_error;
using win32::list_access;
using win32::narrow;
using win32::native_path;
using win32::open_relative;
using win32::OwnedHandle;
using win32::share_all;
using win32::status_delete_pending;
using win32::trimmed_native_path;
using win32::unix_nanoseconds;
using win32::widen;
using win32::win32_error_of;

// Deleting needs no FILE_READ_DATA (FILE_LIST_DIRECTORY): asking for it would
// meet sharing violations from holders that merely deny reading.
constexpr ACCESS_MASK delete_access =
    DELETE | SYNCHRONIZE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES;

bool is_real_directory(DWORD attributes) {
  return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
         (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0;
}

// Open levels below the root, shared among the walks open at once. Each
// handle costs a Unix descriptor in the process and in wineserver under
// Wine; deeper levels close the shallowest.
constexpr std::size_t most_open_levels = 48;
constexpr std::size_t least_open_levels = 8;
// At most this many characters in one NtOpenFile name (UNICODE_STRING counts
// bytes in 16 bits) when a closed level is reached again.
constexpr std::size_t max_relative_name = 16000;

EntryType type_of(DWORD attributes) {
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) return EntryType::symlink;
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return EntryType::directory;
  return EntryType::file;
}

std::uint64_t file_index(const BY_HANDLE_FILE_INFORMATION& info) {
  return (std::uint64_t{info.nFileIndexHigh} << 32) | info.nFileIndexLow;
}

std::expected<BY_HANDLE_FILE_INFORMATION, Error> information_of(HANDLE handle,
                                                                const std::string& path) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!GetFileInformationByHandle(handle, &info))
    return std::unexpected(os_error(last_error(), "inspect", path));
  return info;
}

FileIdentity identity_from(const BY_HANDLE_FILE_INFORMATION& info) {
  return {info.dwVolumeSerialNumber, file_index(info)};
}

// Still the directory `identity`, and no link to it.
bool is_directory(const BY_HANDLE_FILE_INFORMATION& info, const FileIdentity& identity) {
  return identity_from(info) == identity && is_real_directory(info.dwFileAttributes);
}

// An entry as listed, with the exact UTF-16 name: UTF-8 cannot carry an
// unpaired surrogate, which NTFS names may hold.
struct Listed {
  WalkEntry entry;
  std::wstring wide_name;
};

Listed listed_from(const FILE_ID_BOTH_DIR_INFO& record, DWORD volume) {
  Listed listed;
  listed.wide_name.assign(record.FileName, record.FileNameLength / sizeof(wchar_t));
  WalkEntry& entry = listed.entry;
  entry.name = narrow(listed.wide_name);
  entry.type = type_of(record.FileAttributes);
  entry.identity = {volume, static_cast<std::uint64_t>(record.FileId.QuadPart)};
  entry.size = static_cast<std::uint64_t>(record.EndOfFile.QuadPart);
  entry.times = {unix_nanoseconds(record.LastAccessTime), unix_nanoseconds(record.LastWriteTime),
                 unix_nanoseconds(record.ChangeTime), unix_nanoseconds(record.CreationTime)};
  entry.read_only = (record.FileAttributes & FILE_ATTRIBUTE_READONLY) != 0;
  return listed;
}

// The record of the one entry `name` of `directory`, as a listing gives it:
// NtQueryDirectoryFile with the name as its pattern, on a handle of its own
// (a handle keeps the pattern of its first query). The name holds no
// wildcard: the caller checked it with plain_name_problem.
std::expected<Listed, Error> listed_by_name(HANDLE directory, std::wstring_view name, DWORD volume,
                                            const std::string& path) {
  using NtQueryDirectoryFileFn =
      NTSTATUS(NTAPI*)(HANDLE, HANDLE, PVOID, PVOID, PIO_STATUS_BLOCK, PVOID, ULONG, ULONG, BOOLEAN,
                       PUNICODE_STRING, BOOLEAN);
  static const auto query = win32::ntdll_function<NtQueryDirectoryFileFn>("NtQueryDirectoryFile");
  constexpr ULONG file_id_both_directory_information = 37;
  constexpr NTSTATUS status_no_such_file = static_cast<NTSTATUS>(0xC000000F);
  constexpr NTSTATUS status_no_more_files = static_cast<NTSTATUS>(0x80000006);
  if (query == nullptr) return std::unexpected(os_error(ERROR_PROC_NOT_FOUND, "inspect", path));
  OwnedHandle own;
  if (const NTSTATUS status = open_relative(directory, L"", list_access, own); status < 0)
    return std::unexpected(os_error(win32_error_of(status), "inspect", path));
  // One record: its fixed part and a name of up to 32767 characters.
  std::vector<LONGLONG> buffer((sizeof(FILE_ID_BOTH_DIR_INFO) + 65536) / sizeof(LONGLONG));
  const auto bytes = static_cast<USHORT>(name.size() * sizeof(wchar_t));
  UNICODE_STRING pattern{bytes, bytes, const_cast<wchar_t*>(name.data())};
  IO_STATUS_BLOCK io{};
  const NTSTATUS status = query(own.get(), nullptr, nullptr, nullptr, &io, buffer.data(),
                                static_cast<ULONG>(buffer.size() * sizeof(LONGLONG)),
                                file_id_both_directory_information, TRUE, &pattern, TRUE);
  if (status == status_no_such_file || status == status_no_more_files)
    return std::unexpected(os_error(ERROR_FILE_NOT_FOUND, "inspect", path));
  if (status < 0) return std::unexpected(os_error(win32_error_of(status), "inspect", path));
  return listed_from(*reinterpret_cast<const FILE_ID_BOTH_DIR_INFO*>(buffer.data()), volume);
}

// Whether `name` in `directory` still is the file `identity` and no delete
// of it is pending.
bool still_there(HANDLE directory, std::wstring_view name, const FileIdentity& identity) {
  OwnedHandle handle;
  if (open_relative(directory, name, FILE_READ_ATTRIBUTES | SYNCHRONIZE, handle) < 0) return false;
  BY_HANDLE_FILE_INFORMATION info{};
  FILE_STANDARD_INFO standard{};
  return GetFileInformationByHandle(handle.get(), &info) && identity_from(info) == identity &&
         GetFileInformationByHandleEx(handle.get(), FileStandardInfo, &standard, sizeof standard) &&
         !standard.DeletePending;
}

Error moved_error(const std::string& path) {
  return Error::invalid(ErrorKind::other, "return to", path,
                        "it was moved or replaced during the run; the rest of it was left alone");
}

// Whether an open failed because the entry is no longer there, or is
// going: someone else's delete is pending.
bool is_gone(NTSTATUS status) {
  if (status == status_delete_pending) return true;
  const int code = win32_error_of(status);
  return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND;
}

// What a refused open of an entry for delete means: gone, in use, or an error.
std::expected<RemoveResult, Error> refused_open(NTSTATUS status, const std::string& path) {
  if (is_gone(status)) return RemoveResult::gone;
  const int code = win32_error_of(status);
  if (code == ERROR_SHARING_VIOLATION) return RemoveResult::in_use;
  return std::unexpected(os_error(code, "remove", path));
}

std::expected<RemoveResult, Error> delete_through(HANDLE handle, bool force,
                                                  const std::string& path) {
  if (auto deleted = win32::delete_by_handle(handle, force, path, nullptr); !deleted) {
    if (deleted.error().native_code == ERROR_SHARING_VIOLATION) return RemoveResult::in_use;
    return std::unexpected(deleted.error());
  }
  return RemoveResult::removed;
}

}  // namespace

struct TreeWalk::State {
  // One directory on the way down from the root.
  struct Level {
    OwnedHandle handle;  // empty while closed (outside the window)
    std::wstring name;   // within its parent; empty for the root
    FileIdentity identity;
    std::size_t final_length = 0;    // its part of State::final_path
    std::size_t display_length = 0;  // its part of State::display
    DirectoryListing listing;        // while open and not yet read ahead
    bool read_ahead = false;         // its remaining entries are in `pending`
    std::vector<Listed> pending;
    std::size_t next_pending = 0;
    std::optional<Error> pending_error;  // met while reading ahead; reported in turn
    std::size_t listed = 0;              // entries next() reported
    std::size_t cleared = 0;             // of those, removed (or found gone) by this walk
    bool incomplete = false;             // a listing error hid some entries
    bool abandoned = false;              // could not be reached again
    bool finished = false;               // reported finished (or done for the root)
    // Its last access and write times as listed in its parent (not for the
    // root), put back when the walk finishes it or closes its handle, or,
    // once asked (restore_times_after_each_removal), after each removal in
    // it: what tmpctl removes must not make it look used.
    bool restore_times = false;
    bool restore_after_each = false;
    bool times_changed = false;  // removed in since they were last put back
    LARGE_INTEGER listed_access{};
    LARGE_INTEGER listed_write{};
  };

  ~State() {
    for (Level& level : levels) put_times_back(level);
  }

  DWORD volume = 0;
  std::size_t open_window = most_open_levels;
  std::vector<Level> levels;
  // The current directory as the OS names it (from its volume's root) and as
  // shown to users; each level's is a prefix, so no level stores a path.
  std::wstring final_path;
  std::string display;
  Listed last;  // the entry next() returned last

  Level& top() { return levels.back(); }
  std::size_t depth() const { return levels.size() - 1; }

  std::string display_of(std::size_t index) const {
    return display.substr(0, levels[index].display_length);
  }
  std::string path_of(std::string_view name) const {
    std::string path = display;
    if (!path.ends_with('\\')) path += '\\';
    path += name;
    return path;
  }

  // The wide name of an entry of the current directory.
  std::expected<std::wstring, Error> wide_name_of(const WalkEntry& entry) const {
    if (entry.name == last.entry.name) return last.wide_name;
    return widen(entry.name);
  }

  void push(Level level) {
    append_name(final_path, level.name);
    level.final_length = final_path.size();
    if (!display.ends_with('\\')) display += '\\';
    display += narrow(level.name);
    level.display_length = display.size();
    levels.push_back(std::move(level));
    // Past the window, the shallowest open level reads ahead and closes.
    if (depth() > open_window && levels[depth() - open_window].handle)
      close_reading_ahead(depth() - open_window);
  }

  void pop() {
    levels.pop_back();
    final_path.resize(top().final_length);
    display.resize(top().display_length);
  }

  // Sets a level's listed times again, through a handle of its own with
  // FILE_WRITE_ATTRIBUTES (which no share mode refuses); a failure leaves
  // them as the removals made them.
  static void put_times_back(Level& level) {
    if (!level.times_changed || !level.restore_times || !level.handle) return;
    OwnedHandle attributes;
    if (open_relative(level.handle.get(), L"", FILE_WRITE_ATTRIBUTES | SYNCHRONIZE, attributes) < 0)
      return;
    FILE_BASIC_INFO basic{};  // zero: left as it is
    basic.LastAccessTime = level.listed_access;
    basic.LastWriteTime = level.listed_write;
    (void)SetFileInformationByHandle(attributes.get(), FileBasicInfo, &basic, sizeof basic);
    level.times_changed = false;
  }

  void close_reading_ahead(std::size_t index) {
    Level& level = levels[index];
    if (!level.read_ahead) {
      level.read_ahead = true;
      for (;;) {
        auto record = level.listing.next(level.handle.get());
        if (!record) {
          level.pending_error = os_error(record.error(), "read directory", display_of(index));
          break;
        }
        if (*record == nullptr) break;
        level.pending.push_back(listed_from(**record, volume));
      }
      level.listing.finish();
    }
    put_times_back(level);
    level.handle = {};
  }

  // The next entry of the current directory into `last`; false at its end.
  std::expected<bool, Error> next_entry() {
    Level& level = top();
    if (level.read_ahead) {
      if (level.next_pending < level.pending.size()) {
        last = std::move(level.pending[level.next_pending++]);
        return true;
      }
      level.pending.clear();
      if (level.pending_error) {
        Error error = std::move(*level.pending_error);
        level.pending_error.reset();
        return std::unexpected(std::move(error));
      }
      return false;
    }
    auto record = level.listing.next(level.handle.get());
    if (!record) return std::unexpected(os_error(record.error(), "read directory", display));
    if (*record == nullptr) return false;
    last = listed_from(**record, volume);
    return true;
  }

  // Nothing more is listed in the current directory.
  void end_listing() {
    Level& level = top();
    level.incomplete = true;
    level.listing.finish();
    level.next_pending = level.pending.size();
    level.pending_error.reset();
  }

  // The path the OS gives the parent of levels[index].
  std::wstring_view final_path_of_parent(std::size_t index) const {
    return std::wstring_view(final_path).substr(0, levels[index - 1].final_length);
  }

  // Whether `handle` is still the directory levels[index] was.
  std::expected<void, Error> check_same_directory(HANDLE handle, std::size_t index) {
    const std::string path = display_of(index);
    auto info = information_of(handle, path);
    if (!info) return std::unexpected(info.error());
    if (!is_directory(*info, levels[index].identity)) return std::unexpected(moved_error(path));
    auto destination =
        destination_of(handle, final_path_of_parent(index), levels[index].name, path);
    if (!destination) return std::unexpected(destination.error());
    if (!destination->inside) return std::unexpected(moved_error(path));
    return {};
  }

  // Opens levels[index] again, from its nearest open ancestor (the root at
  // worst), together with the levels above it back to a full window, so that
  // coming back up costs one long open per window rather than one per level.
  std::expected<void, Error> reopen(std::size_t index) {
    if (levels[index].handle) return {};
    if (levels[index].abandoned) return std::unexpected(moved_error(display_of(index)));
    std::size_t at = index;
    while (!levels[at].handle) --at;  // the root is always open
    const std::size_t window_start = index >= open_window ? index - open_window + 1 : 1;
    const std::size_t first_kept = std::max(at + 1, window_start);
    HANDLE from = levels[at].handle.get();
    OwnedHandle passing;  // a level on the way that stays closed
    while (at < index) {
      // Up to the first level to keep, as many names as fit in one open.
      std::size_t to = at + 1;
      std::wstring relative = levels[to].name;
      while (to < first_kept &&
             relative.size() + 1 + levels[to + 1].name.size() <= max_relative_name) {
        relative += L'\\';
        relative += levels[++to].name;
      }
      OwnedHandle opened;
      const NTSTATUS status = open_relative(from, relative, list_access, opened);
      std::expected<void, Error> same =
          status < 0
              ? std::unexpected(os_error(win32_error_of(status), "return to", display_of(to)))
              : check_same_directory(opened.get(), to);
      if (!same) {
        // The levels passed through may be fine: they are tried again in turn.
        for (std::size_t i = to; i <= index; ++i) levels[i].abandoned = true;
        return same;
      }
      if (to >= first_kept) {
        levels[to].handle = std::move(opened);
        from = levels[to].handle.get();
      } else {
        passing = std::move(opened);
        from = passing.get();
      }
      at = to;
    }
    return {};
  }

  // `entry` of the current directory, opened relative to it: the NTSTATUS
  // says how that went; an Error, that the directory could not be reached.
  struct OpenedEntry {
    OwnedHandle handle;
    std::wstring name;
    NTSTATUS status = 0;
  };
  std::expected<OpenedEntry, Error> open_entry(const WalkEntry& entry, ACCESS_MASK access) {
    if (auto open = reopen(depth()); !open) return std::unexpected(open.error());
    auto name = wide_name_of(entry);
    if (!name) return std::unexpected(name.error());
    OpenedEntry opened{{}, std::move(*name), 0};
    opened.status = open_relative(top().handle.get(), opened.name, access, opened.handle);
    return opened;
  }

  // Counts what left `level` for good: see remove_finished_directory. Only
  // a real removal changes its times (a dry run must not write them).
  static std::expected<RemoveResult, Error> tally(Level& level, RemoveMode mode,
                                                  std::expected<RemoveResult, Error> result) {
    if (result && (*result == RemoveResult::removed || *result == RemoveResult::gone))
      ++level.cleared;
    if (result && *result == RemoveResult::removed && mode == RemoveMode::remove) {
      level.times_changed = true;
      if (level.restore_after_each) put_times_back(level);
    }
    return result;
  }

  std::expected<RemoveResult, Error> remove_entry(const WalkEntry& entry, RemoveMode mode,
                                                  bool force) {
    const std::string path = path_of(entry.name);
    if (entry.type == EntryType::directory)
      return std::unexpected(Error::invalid(ErrorKind::is_a_directory, "remove", path,
                                            "a directory is removed once finished"));
    // The open for delete is what meets a holder without FILE_SHARE_DELETE.
    auto opened = open_entry(entry, delete_access);
    if (!opened) return std::unexpected(opened.error());
    if (opened->status < 0) return refused_open(opened->status, path);
    const HANDLE file = opened->handle.get();
    auto info = information_of(file, path);
    if (!info) return std::unexpected(info.error());
    FILE_BASIC_INFO basic{};
    if (!GetFileInformationByHandleEx(file, FileBasicInfo, &basic, sizeof basic))
      return std::unexpected(os_error(last_error(), "inspect", path));
    // The access time is left out: opening may update it. NTFS's directory
    // entries can lag behind the file (other hard links, a file being
    // written): that too reads as changed, the side that keeps the file.
    // A ChangeTime that moved while size, times and the read-only attribute
    // stayed is a change of names (one of its other names removed, as a
    // cleanup taking two names of one file does itself) or of its ACL, no
    // use of the file; the listing has no link count to tell which, as
    // POSIX's does. A holder still refuses the delete below.
    const std::uint64_t size = (std::uint64_t{info->nFileSizeHigh} << 32) | info->nFileSizeLow;
    const bool same = identity_from(*info) == entry.identity &&
                      type_of(basic.FileAttributes) == entry.type && size == entry.size &&
                      ((basic.FileAttributes & FILE_ATTRIBUTE_READONLY) != 0) == entry.read_only &&
                      unix_nanoseconds(basic.LastWriteTime) == entry.times.modification &&
                      unix_nanoseconds(basic.CreationTime) == entry.times.birth;
    if (!same) return RemoveResult::changed;
    auto destination = destination_of(file, final_path, opened->name, path);
    if (!destination) return std::unexpected(destination.error());
    if (!destination->inside) return RemoveResult::changed;
    if ((basic.FileAttributes & FILE_ATTRIBUTE_READONLY) != 0 && !force) {
      Error error = os_error(ERROR_ACCESS_DENIED, "remove", path);
      error.message = "the read-only attribute is set";
      return std::unexpected(std::move(error));
    }
    if (mode == RemoveMode::dry_run) return RemoveResult::removed;
    return delete_through(file, force, path);
  }

  // The current directory, finished.
  std::expected<RemoveResult, Error> remove_finished_directory(const WalkEntry& entry,
                                                               RemoveMode mode, bool force) {
    const std::size_t index = depth();
    const std::string& path = display;
    Level& level = top();
    if (level.abandoned) return RemoveResult::changed;
    // Something this walk listed in it is still there (kept, or refused): then
    // look rather than try, since a delete of a non-empty directory is retried.
    const bool emptied = level.listed == level.cleared && !level.incomplete;
    if (mode == RemoveMode::remove && !emptied && level.handle) {
      level.listing.restart();
      auto record = level.listing.next(level.handle.get());
      level.listing.finish();
      if (record && *record != nullptr)
        return std::unexpected(os_error(ERROR_DIR_NOT_EMPTY, "remove", path));
    }
    level.handle = {};  // our own listing handle must not keep it
    if (auto open = reopen(index - 1); !open) return RemoveResult::changed;
    const HANDLE parent = levels[index - 1].handle.get();
    OwnedHandle directory;
    if (const NTSTATUS status = open_relative(parent, level.name, delete_access, directory);
        status < 0)
      return refused_open(status, path);
    auto info = information_of(directory.get(), path);
    if (!info) return std::unexpected(info.error());
    if (!is_directory(*info, entry.identity)) return RemoveResult::changed;
    // Nothing left it through this walk: then its last write time must be as
    // listed, or someone used it meanwhile.
    if (level.cleared == 0) {
      LARGE_INTEGER written;
      written.LowPart = info->ftLastWriteTime.dwLowDateTime;
      written.HighPart = static_cast<LONG>(info->ftLastWriteTime.dwHighDateTime);
      if (unix_nanoseconds(written) != entry.times.modification) return RemoveResult::changed;
    }
    auto destination =
        destination_of(directory.get(), final_path_of_parent(index), level.name, path);
    if (!destination) return std::unexpected(destination.error());
    if (!destination->inside) return RemoveResult::changed;
    if (mode == RemoveMode::dry_run) return RemoveResult::removed;
    auto deleted = delete_through(directory.get(), force, path);
    if (!deleted || *deleted != RemoveResult::removed) return deleted;
    // Wine accepts the delete of a directory that is not empty, then fails to
    // remove it when the handle closes: look whether it went.
    directory = {};
    if (still_there(parent, level.name, entry.identity))
      return std::unexpected(os_error(ERROR_DIR_NOT_EMPTY, "remove", path));
    return RemoveResult::removed;
  }
};

TreeWalk::TreeWalk(std::unique_ptr<State> state) : state_(std::move(state)) {}
TreeWalk::TreeWalk(TreeWalk&&) noexcept = default;
TreeWalk& TreeWalk::operator=(TreeWalk&&) noexcept = default;
TreeWalk::~TreeWalk() = default;

std::expected<TreeWalk, Error> TreeWalk::open(const std::string& root,
                                              WalkOptions /*options: nothing for Windows*/) {
  auto native = trimmed_native_path(root);
  if (!native) return std::unexpected(native.error());
  // No FILE_FLAG_OPEN_REPARSE_POINT: a link given as the root is followed.
  OwnedHandle handle(CreateFileW(native->c_str(), list_access, share_all, nullptr, OPEN_EXISTING,
                                 FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!handle) return std::unexpected(os_error(last_error(), "open directory", root));
  auto info = information_of(handle.get(), root);
  if (!info) return std::unexpected(info.error());
  if ((info->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
    return std::unexpected(
        Error::invalid(ErrorKind::not_a_directory, "open directory", root, "not a directory"));
  auto final_path = final_path_of(handle.get(), root);
  if (!final_path) return std::unexpected(final_path.error());

  auto state = std::make_unique<State>();
  state->volume = info->dwVolumeSerialNumber;
  state->final_path = std::move(*final_path);
  state->display = display_path(*native);
  State::Level level;
  level.handle = std::move(handle);
  level.identity = identity_from(*info);
  level.final_length = state->final_path.size();
  level.display_length = state->display.size();
  state->levels.push_back(std::move(level));
  return TreeWalk(std::move(state));
}

FileIdentity TreeWalk::root_identity() const { return state_->levels.front().identity; }

std::expected<WalkStep, Error> TreeWalk::next(WalkEntry& entry) {
  State& s = *state_;
  for (;;) {
    if (s.top().finished) {
      if (s.depth() == 0) return WalkStep::done;
      s.pop();
      // Its parent becomes current: reach it again if it was closed.
      if (auto open = s.reopen(s.depth()); !open) {
        s.end_listing();
        return std::unexpected(open.error());
      }
      continue;
    }
    auto listed = s.next_entry();
    if (!listed) {
      s.end_listing();
      return std::unexpected(listed.error());
    }
    if (*listed) {
      ++s.top().listed;
      entry = s.last.entry;
      return WalkStep::entry;
    }
    s.top().finished = true;
    State::put_times_back(s.top());
    return s.depth() == 0 ? WalkStep::done : WalkStep::finished_directory;
  }
}

std::expected<void, Error> TreeWalk::look_up(const std::string& name, WalkEntry& entry) {
  State& s = *state_;
  const std::string path = path_of(name);
  if (s.depth() != 0)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "look up", path,
                                          "only entries of the root are looked up"));
  if (const std::string problem = plain_name_problem(name); !problem.empty())
    return std::unexpected(
        Error::invalid(ErrorKind::invalid_argument, "look up", path, "the name " + problem));
  auto wide = widen(name);
  if (!wide) return std::unexpected(wide.error());
  auto listed = listed_by_name(s.top().handle.get(), *wide, s.volume, path);
  if (!listed) return std::unexpected(listed.error());
  // As if next() had listed it: remove_entry(), enter() and split() find
  // its exact UTF-16 name there.
  s.last = std::move(*listed);
  entry = s.last.entry;
  return {};
}

std::expected<bool, Error> TreeWalk::enter(const WalkEntry& entry) {
  State& s = *state_;
  const std::string path = path_of(entry.name);
  if (s.top().finished)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "enter", path,
                                          "its directory was already finished"));
  auto child = s.open_entry(entry, list_access);
  if (!child) return std::unexpected(child.error());
  if (child->status < 0) {
    if (is_gone(child->status)) return false;
    return std::unexpected(os_error(win32_error_of(child->status), "open directory", path));
  }
  // Judge by the handle: a directory swapped for a link, another directory,
  // or (Wine) a Unix symlink shown as a directory is not entered.
  auto info = information_of(child->handle.get(), path);
  if (!info) return std::unexpected(info.error());
  if (!is_directory(*info, entry.identity)) return false;
  auto destination = destination_of(child->handle.get(), s.final_path, child->name, path);
  if (!destination) return std::unexpected(destination.error());
  if (!destination->inside) return false;
  // A directory in use is not emptied: some process's working directory is
  // held without FILE_SHARE_DELETE, which an open for DELETE meets (32). Other
  // refusals are left to the delete of the finished directory.
  OwnedHandle probe;
  if (const NTSTATUS status =
          open_relative(s.top().handle.get(), child->name, DELETE | SYNCHRONIZE, probe);
      status < 0 && win32_error_of(status) == ERROR_SHARING_VIOLATION)
    return std::unexpected(os_error(ERROR_SHARING_VIOLATION, "open directory", path));

  State::Level level;
  level.handle = std::move(child->handle);
  level.name = std::move(child->name);
  level.identity = entry.identity;
  if (entry.times.access && entry.times.modification) {
    level.restore_times = true;
    level.listed_access = filetime_of(*entry.times.access);
    level.listed_write = filetime_of(*entry.times.modification);
  }
  s.push(std::move(level));
  return true;
}

std::expected<std::optional<TreeWalk>, Error> TreeWalk::split(const WalkEntry& entry,
                                                              std::size_t walks) {
  State& s = *state_;
  if (s.depth() != 0)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "split off",
                                          path_of(entry.name),
                                          "only a directory of the root is split off"));
  // The new walk's own handle to the root: it only opens names relative to
  // it, and never lists it.
  HANDLE duplicate = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), s.top().handle.get(), GetCurrentProcess(), &duplicate,
                       0, FALSE, DUPLICATE_SAME_ACCESS))
    return std::unexpected(os_error(last_error(), "open directory", s.display));
  auto state = std::make_unique<State>();
  state->volume = s.volume;
  state->open_window =
      std::max(least_open_levels, most_open_levels / std::max<std::size_t>(walks, 1));
  state->final_path = s.final_path;
  state->display = s.display;
  state->last = s.last;  // the exact UTF-16 name of `entry`
  State::Level root;
  root.handle = OwnedHandle(duplicate);
  root.identity = s.top().identity;
  root.final_length = s.top().final_length;
  root.display_length = s.top().display_length;
  root.read_ahead = true;  // nothing to list: its names are this walk's
  state->levels.push_back(std::move(root));
  TreeWalk walk(std::move(state));
  auto entered = walk.enter(entry);
  if (!entered) return std::unexpected(entered.error());
  if (!*entered) return std::nullopt;
  return std::optional<TreeWalk>(std::move(walk));
}

std::expected<RemoveResult, Error> TreeWalk::remove_entry(const WalkEntry& entry, RemoveMode mode,
                                                          bool force) {
  State& s = *state_;
  return s.tally(s.top(), mode, s.remove_entry(entry, mode, force));
}

std::expected<RemoveResult, Error> TreeWalk::remove_finished_directory(const WalkEntry& entry,
                                                                       RemoveMode mode,
                                                                       bool force) {
  State& s = *state_;
  if (s.depth() == 0 || !s.top().finished)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "remove", s.display,
                                          "only a directory the walk has finished is removed"));
  return s.tally(s.levels[s.depth() - 1], mode, s.remove_finished_directory(entry, mode, force));
}

std::string TreeWalk::path_of(std::string_view name) const { return state_->path_of(name); }

std::string TreeWalk::current_path() const { return state_->display; }

std::size_t TreeWalk::depth() const { return state_->depth(); }

void TreeWalk::restore_times_after_each_removal() { state_->top().restore_after_each = true; }

// Handles have no per-process limit worth counting; the walks share
// most_open_levels among them (split's `walks`).
std::size_t split_walks_at_most() { return most_open_levels; }

std::expected<FileIdentity, Error> identity_of(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  // Attribute access only, sharing everything: nobody's handle can refuse it.
  OwnedHandle handle(CreateFileW(native->c_str(), FILE_READ_ATTRIBUTES, share_all, nullptr,
                                 OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!handle) return std::unexpected(os_error(last_error(), "inspect", path));
  auto info = information_of(handle.get(), path);
  if (!info) return std::unexpected(info.error());
  return identity_from(*info);
}

std::vector<FileIdentity> TreeWalk::root_ancestors() const {
  // The root's path from its volume's root as the OS resolved it, and each
  // directory above it on that volume.
  const State& s = *state_;
  std::vector<FileIdentity> identities{root_identity()};
  std::wstring above = s.final_path.substr(0, s.levels.front().final_length);
  const std::string drive =
      s.display.size() >= 2 && s.display[1] == ':' ? s.display.substr(0, 2) : "";
  if (drive.empty()) return identities;
  while (above.size() > 1) {
    const std::size_t slash = above.find_last_of(L'\\');
    above.resize(slash == 0 || slash == std::wstring::npos ? 1 : slash);
    auto identity = identity_of(drive + narrow(above));
    if (!identity) break;
    identities.push_back(*identity);
  }
  return identities;
}

}  // namespace tmpctl::platform
