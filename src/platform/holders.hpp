#pragma once
// Finding the processes that hold files: one implementation per backend
// (posix/holders_posix.cpp: /proc on Linux, libproc on macOS;
// win32/holders_win32.cpp: Restart Manager, then the system handle table).

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <tmpctl/holders.hpp>
#include <unordered_map>
#include <vector>

#include "platform/walk.hpp"

namespace tmpctl::platform {

/// See tmpctl::find_holders.
std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths);

/// Who holds each of `files`, found in one pass over the system, whatever
/// their number: descriptors, memory maps, working directories and (Linux)
/// locks; Windows: handles and mapped views. `names` (each file's name, one
/// per file) lets Windows skip mapped views that can be none of them before
/// opening them. One list per file, in order.
std::expected<HolderReport, Error> find_holders_of(std::span<const FileIdentity> files,
                                                   std::span<const std::string> names);

/// One file without a name that a process still holds (see
/// tmpctl::find_deleted_open_files): `holder` has one `how`.
struct DeletedHold {
  FileIdentity file;
  std::string path;  ///< the path it had
  std::uint64_t size = 0;
  Holder holder;
};

/// Every deleted file some visible process still holds, in one pass; only
/// those whose path was under `directory` (the same directory by identity,
/// however it is spelled) when it is not empty. Linux: descriptors and maps
/// of files with no link left. Windows: handles (from the system handle
/// table) to files whose delete is pending, or that were deleted with POSIX
/// semantics and wait under \$Extend\$Deleted (whose old path is unknown:
/// listed only without `directory`); mapped views are not searched.
std::expected<std::vector<DeletedHold>, Error> deleted_open_files(const std::string& directory,
                                                                  std::vector<std::string>& notes,
                                                                  bool& complete);
/// How deleted_open_files looks: "/proc", "system handle table".
const char* deleted_open_files_method();

/// Every file some visible process holds open, maps, has as its working
/// directory or locks, taken in one pass: what cleanup checks each candidate
/// against before deleting it. Linux reads /proc and /proc/locks; Windows has
/// no such table (available is false): there a delete refused with WinError 32
/// is what says a file is in use.
class OpenFileTable {
public:
  /// Whether the table can tell that a file is in use.
  bool available = false;
  /// False when some processes could not be inspected.
  bool complete = true;
  std::string method;
  std::vector<std::string> notes;

  /// Whether any process holds the file.
  bool contains(const FileIdentity& file) const { return holds_.contains(file); }
  /// The processes that hold the file, their names and start times read now.
  std::vector<Holder> holders_of(const FileIdentity& file) const;

  struct Hold {
    std::uint32_t pid = 0;
    std::string how;  ///< "fd 3", "memory map", "working directory", "flock"
  };
  void add(const FileIdentity& file, std::uint32_t pid, std::string how);

private:
  std::unordered_map<FileIdentity, std::vector<Hold>, FileIdentityHash> holds_;
};

std::expected<OpenFileTable, Error> snapshot_open_files();

}  // namespace tmpctl::platform
