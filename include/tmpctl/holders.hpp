#pragma once
/// \file
/// Who holds a file open: the processes whose handles, descriptors or memory
/// maps refer to it.

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl {

/// One process that holds a file.
struct Holder {
  std::uint32_t pid = 0;
  /// Program name: "python3", "python.exe"; empty when it could not be read.
  std::string name;
  /// When the process started, to tell a reused pid apart: on Linux clock
  /// ticks after boot (/proc/PID/stat field 22), on Windows a FILETIME; 0 when
  /// unknown.
  std::uint64_t start_time = 0;
  /// The process asking (tmpctl itself, or the library's caller).
  bool is_self = false;
  /// How it holds the file, e.g. "fd 3", "memory map", "handle 0x1c".
  std::vector<std::string> how;
};

/// The holders of a batch of paths, found in one pass over the system.
struct HolderReport {
  /// One list per requested path, in the order given. A path that does not
  /// exist has an empty list.
  std::vector<std::vector<Holder>> holders;
  /// False when some processes could not be inspected (other users' processes
  /// without privileges, a scan cut short by its time limit): an empty list is
  /// then not proof that nobody holds the file.
  bool complete = true;
  /// How the holders were found: "/proc", "Restart Manager", "system handle table".
  std::string method;
  /// Plain sentences about what limited the search, e.g. "12 processes of
  /// other users could not be inspected (run as root to see them)".
  std::vector<std::string> notes;
};

/// Finds who holds each path. The work is done once for the whole batch,
/// never once per path. Fails only when the system cannot be inspected at all.
std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths);

}  // namespace tmpctl
