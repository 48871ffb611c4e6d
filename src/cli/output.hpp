#pragma once
// The one place the CLI writes: data to stdout, diagnostics to stderr, JSON
// through one writer, colour through one decision.

#include <cstdio>
#include <expected>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>
#include <vector>

namespace tmpctl::cli {

/// Writes data to a stream and remembers the first failure, so a command can
/// undo its work when its output never arrived.
///
/// Records (lines; with -0, NUL-ended paths) reach the OS whole: a flush
/// happens only between records and holds at most 4,080 bytes, which a pipe
/// takes all or nothing (PIPE_BUF is 4,096 on Linux), so a run interrupted
/// while its reader stalls never leaves half a record in the pipe. (A single
/// record longer than that, a path near PATH_MAX, may still be split.) On a
/// terminal, stdout stays line-buffered.
class DataOutput {
public:
  explicit DataOutput(std::FILE* stream) noexcept;

  void write(std::string_view text);
  /// One JSON document on one line (JSON Lines). Bytes that are not valid
  /// UTF-8 are replaced by U+FFFD, so the output always parses.
  void write_json_line(const nlohmann::ordered_json& value);
  /// Whether a write has failed (a closed pipe, a full disk).
  bool failed() const noexcept { return first_errno_ != 0; }
  /// Flushes; reports the first write error with its errno.
  std::expected<void, Error> finish();

private:
  std::FILE* stream_;
  int first_errno_ = 0;
  std::size_t buffered_ = 0;  // bytes given to stdio since its last flush
  bool at_boundary_ = true;   // the last byte given ended a record
};

/// Sets object[key] to a path. A path that is not valid UTF-8 (POSIX names
/// are bytes) gets U+FFFD in place of the bad bytes under `key`, for people,
/// and its exact bytes in base64 under `key` + "_base64", for programs.
void set_path(nlohmann::ordered_json& object, const std::string& key, const std::string& path);

/// A path for a line of text: control characters (a newline in a name) as
/// \n, \t or \xHH, and bytes that are not UTF-8 as \xHH, so one entry
/// stays on one line. JSON output carries the exact bytes.
std::string printable(std::string_view path);
/// to_string(error) for a line of text: its path, operation and the OS's
/// text made printable() (a process or file name, a message, comes from
/// whoever chose it). JSON carries the exact text.
std::string printable(const Error& error);

/// The values of --color, in the order the help lists them.
inline const std::vector<std::string> color_choices = {"auto", "always", "never"};

/// Decides once, before anything is printed, which streams get colour:
/// "always"; "never"; "auto" (the default): a stream that is a terminal, when
/// NO_COLOR is unset or empty. stdout and stderr are decided separately.
void use_color(std::string_view when);

/// What a piece of text is, for its colour (as cargo and ripgrep colour them).
enum class Style {
  error,    ///< bold red: the "tmpctl:" of an error, a failure count
  warning,  ///< bold yellow: the "tmpctl:" of something kept or left
  reason,   ///< yellow: why an entry was kept
  hint,     ///< bold cyan: "hint:"
  note,     ///< bold: "note:", the "tmpctl:" of a summary
  holder,   ///< bold: the process that holds a file
  success,  ///< green: what was removed
};
/// `text` between the escape sequences of `style` when `stream` gets colour;
/// else `text` as it is. Colour never changes the text itself.
std::string styled(std::FILE* stream, Style style, std::string_view text);

/// Writes `text` to stderr as it is. Never throws and ignores failures (a
/// closed stderr, a full disk): a diagnostic that cannot be written changes
/// nothing that tmpctl does, nor its exit code. Every write to stderr goes
/// through here.
void write_diagnostic(std::string_view text) noexcept;

/// Prints "tmpctl: <error>" on stderr.
void print_error(const Error& error);
/// Prints "tmpctl: <message>" on stderr, the label styled as an error.
void print_error(std::string_view message);
/// Prints "tmpctl: <message>" on stderr, the label styled as a warning:
/// something was kept or left behind on purpose.
void print_warning(std::string_view message);
/// Prints "tmpctl: <message>" on stderr: a summary or a note, not a problem.
void print_status(std::string_view message);

/// "512 B", "1.5 KiB", "3.2 MiB", "1.25 GiB".
std::string size_text(std::uint64_t bytes);

}  // namespace tmpctl::cli
