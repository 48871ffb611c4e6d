#pragma once
// Deleting one entry and explaining a refusal: what the core's remove() and
// diagnose() need from each backend (posix/remove_posix.cpp,
// win32/remove_win32.cpp).

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <tmpctl/remove.hpp>
#include <vector>

namespace tmpctl::platform {

/// What a path names, looked at without following a final symlink.
struct EntryInfo {
  bool is_directory = false;  ///< a real directory, not a link or junction to one
  bool is_link = false;       ///< a symlink or other reparse point
  bool read_only = false;     ///< Windows FILE_ATTRIBUTE_READONLY
  std::uint64_t links = 1;    ///< hard links to the file (1 where unknown)
};
/// Fails with ErrorKind::not_found when nothing has that name.
std::expected<EntryInfo, Error> inspect_entry(const std::string& path);

struct DeleteStrategy {
  bool force = false;
  bool posix_semantics = false;
  bool rename_aside = false;
};

/// One attempt to delete a file, a symlink (the link itself) or an empty
/// directory. Appends to `notes` what a strategy did (a fallback, an attribute
/// cleared).
std::expected<void, Error> delete_entry(const std::string& path, const EntryInfo& info,
                                        const DeleteStrategy& strategy,
                                        std::vector<std::string>& notes);

/// Why deleting `path` failed with `error`, found by looking only.
RemoveCause explain_refusal(const std::string& path, const Error& error);

struct Refusal {
  Error error;
  RemoveCause cause = RemoveCause::other;
};
/// Whether a delete would be refused now, found without deleting: the
/// refusal, or nothing when it would succeed.
std::optional<Refusal> probe_delete(const std::string& path, const EntryInfo& info,
                                    const DeleteStrategy& strategy);

/// Whether `path` names what rm --preserve-root protects. POSIX: the root
/// directory, by identity, following links ("//", "/tmp/..", a link to "/").
/// Windows: a volume root, by spelling (C:\ and \, \\server\share, the
/// \\?\C:\, \\?\UNC\server\share and \\?\Volume{...} forms) or by the final
/// path the OS opens it to. False when it cannot be looked at.
bool is_root_directory(const std::string& path);

/// Windows: deletes the file at the next reboot (MOVEFILE_DELAY_UNTIL_REBOOT).
/// POSIX has no such thing: fails with ErrorKind::invalid_argument.
std::expected<void, Error> delete_at_reboot(const std::string& path);

/// Where `path` names a file by a reserved device name ("NUL", "con.txt",
/// RemoveCause::reserved_name), the same path in the "\\?\C:\..." form, which
/// Windows takes as it stands: the file, not the device. POSIX has no such
/// names: nullopt.
std::optional<std::string> verbatim_form(const std::string& path);

/// Fails when `path` opens to something other than its directory's path plus
/// its name: a link the OS does not report as one (Wine shows Unix symlinks
/// as plain files and directories). Deleting through it would delete the
/// target. POSIX reports every link as one: never fails there.
std::expected<void, Error> check_not_disguised_link(const std::string& path);

/// True where a delete succeeds while others hold the file open (POSIX): the
/// holders must then be looked for before deleting, while the name still
/// leads to the file.
bool delete_succeeds_while_open() noexcept;

}  // namespace tmpctl::platform
