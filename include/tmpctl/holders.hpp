#pragma once
/// \file
/// Who holds a file open: the processes whose handles, descriptors or memory
/// maps refer to it.

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl {

/// How a holder is related to the process asking (tmpctl, or the library's caller).
enum class HolderRelation {
  unrelated,  ///< any other process, or not known
  self,       ///< the process asking
  parent,     ///< its parent: typically the shell or script that ran it
  ancestor,   ///< further up its chain of parents
};

/// What kind of program a holder is, known by its image name (one table, in
/// core/holder_kinds.cpp; docs/windows-locks.md lists it).
enum class HolderKind {
  unknown,
  virus_scanner,    ///< Windows Defender (MsMpEng.exe), ClamAV...: reads new files, briefly
  indexer,          ///< SearchIndexer.exe, tracker-miner, baloo, updatedb
  sync_client,      ///< OneDrive, Dropbox, Google Drive: uploads new files
  preview_handler,  ///< Explorer's thumbnail and preview hosts
  build_server,     ///< VBCSCompiler, mspdbsrv, MSBuild nodes, Gradle and Kotlin daemons
  system,           ///< pid 1, System, csrss.exe, lsass.exe...: never ended by tmpctl
};

/// One process that holds a file.
struct Holder {
  std::uint32_t pid = 0;
  /// Program name: "python3", "python.exe"; empty when it could not be read.
  std::string name;
  /// When the process started, to tell a reused pid apart: on Linux clock
  /// ticks after boot (/proc/PID/stat field 22), on Windows a FILETIME; 0 when
  /// unknown.
  std::uint64_t start_time = 0;
  /// The process asking (tmpctl itself, or the library's caller): the same
  /// as relation == HolderRelation::self.
  bool is_self = false;
  /// How it holds the file, e.g. "fd 3", "memory map", "handle 0x1c".
  std::vector<std::string> how;
  /// The user it runs as ("alice", "DESKTOP\\alice"); empty when not visible.
  std::string user{};
  HolderRelation relation = HolderRelation::unrelated;
  HolderKind kind = HolderKind::unknown;
  /// Windows: the service it runs, when the Restart Manager or the service
  /// control manager names one ("WSearch"); empty otherwise.
  std::string service{};
};

/// One entry of a tree that some process holds, and how.
struct HeldEntry {
  std::string path;
  std::vector<std::string> how;  ///< "fd 3", "working directory", "handle 0x1c"
};

/// One process and every entry of a tree it holds.
struct TreeHolder {
  Holder process;  ///< `how` is empty: each entry says how it is held
  std::vector<HeldEntry> entries;
};

/// Everything under a directory that some process holds, grouped by process.
struct TreeHolderReport {
  std::string root;
  /// By pid. Empty when nothing is held (see `complete`).
  std::vector<TreeHolder> processes;
  /// Entries looked at, the directory itself included.
  std::uint64_t entries = 0;
  /// False when some processes could not be inspected, or part of the tree
  /// could not be read: nobody listed is then no proof that nothing is held.
  bool complete = true;
  std::string method;
  std::vector<std::string> notes;
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

/// Finds every entry under `directory` (and the directory itself) that some
/// process holds: one walk through the same walker as remove -r (never
/// following a link, never entering another file system), then one scan of
/// the holders for all entries at once, never one per entry. Fails only when
/// the directory cannot be opened.
std::expected<TreeHolderReport, Error> find_tree_holders(const std::string& directory);

/// Files the holders of the entry `path` under their process in `grouped`
/// (a process new to it is added at the end): how remove -r and cleanup
/// group what they kept in use.
void add_held_entry(std::vector<TreeHolder>& grouped, const std::string& path,
                    const std::vector<Holder>& holders);

/// A file removed from its directory but still open or mapped somewhere, so
/// that its space is not free yet (what `lsof +L1` finds).
struct DeletedFile {
  std::string path;  ///< the path it had, as the OS spells it
  std::uint64_t size = 0;
  std::vector<std::string> how;  ///< "fd 3", "memory map"
};

/// One process and the deleted files it keeps.
struct DeletedFileHolder {
  Holder process;  ///< `how` is empty: each file says how it is held
  std::vector<DeletedFile> files;
  std::uint64_t bytes = 0;  ///< the sum of their sizes
};

struct DeletedFileReport {
  /// By pid.
  std::vector<DeletedFileHolder> processes;
  /// The space they keep, each file counted once however many processes hold it.
  std::uint64_t bytes = 0;
  bool complete = true;  ///< as HolderReport::complete
  std::string method;
  std::vector<std::string> notes;
};

/// Files that were removed but are still open or mapped (Linux: a
/// descriptor or map whose file has no name left), with the path each had,
/// its size and who keeps it; only those that were under `directory` when it
/// is not empty. Windows: not yet (an ErrorKind::other error says so).
std::expected<DeletedFileReport, Error> find_deleted_open_files(const std::string& directory = {});

/// One holder met while waiting (RemoveOptions::wait, CleanupOptions::wait): from when until when
/// it held the path (or, for a directory, entries of it).
struct HoldSpan {
  /// `how`: what it held when first seen (for a directory, the paths inside).
  Holder holder;
  /// When it was first seen, since the wait began: 0 when it held from the start.
  std::chrono::milliseconds from{0};
  /// When it was first seen to have let go; nullopt when it still held at the end.
  std::optional<std::chrono::milliseconds> until;
};

/// Stable lower_snake_case names, as used in JSON output.
std::string_view to_string(HolderRelation relation);
std::string_view to_string(HolderKind kind);

}  // namespace tmpctl
