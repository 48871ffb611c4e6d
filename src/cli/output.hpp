#pragma once
// The one place the CLI writes: data to stdout, diagnostics to stderr, JSON
// through one writer.

#include <cstdio>
#include <expected>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>

namespace tmpctl::cli {

/// Writes data to a stream and remembers the first failure, so a command can
/// undo its work when its output never arrived.
class DataOutput {
public:
  explicit DataOutput(std::FILE* stream) noexcept : stream_(stream) {}

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
};

/// Sets object[key] to a path. A path that is not valid UTF-8 (POSIX names
/// are bytes) gets U+FFFD in place of the bad bytes under `key`, for people,
/// and its exact bytes in base64 under `key` + "_base64", for programs.
void set_path(nlohmann::ordered_json& object, const std::string& key, const std::string& path);

/// A path for a line of text: control characters (a newline in a name) as
/// \n, \t or \xHH, and bytes that are not UTF-8 as \xHH, so one entry
/// stays on one line. JSON output carries the exact bytes.
std::string printable(std::string_view path);

/// Prints "tmpctl: <error>" on stderr.
void print_error(const Error& error);
/// Prints "tmpctl: <message>" on stderr.
void print_error(std::string_view message);

}  // namespace tmpctl::cli
