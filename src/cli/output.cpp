#include "cli/output.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/utf8.hpp"
#include "platform/console.hpp"
#include "platform/environment.hpp"

namespace tmpctl::cli {
namespace {

// Decided once by use_color(), or as "auto" when the first text is styled
// before (create's fast path never parses --color, and a create that
// succeeds styles nothing: it asks nothing of the terminal).
bool color_decided = false;
bool stdout_color = false;
bool stderr_color = false;

void print_labelled(Style label, std::string_view message) {
  write_diagnostic(styled(stderr, label, "tmpctl:") + " " + std::string(message) + "\n");
}

}  // namespace

void write_diagnostic(std::string_view text) noexcept {
  // fmt::print would throw on a failed write (stderr closed, /dev/full, a
  // closed pipe): a message nobody can read must not end the process.
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
  (void)std::fflush(stderr);
  std::clearerr(stderr);
}

void use_color(std::string_view when) {
  color_decided = true;
  // https://no-color.org: a non-empty NO_COLOR turns off the default colour;
  // an explicit --color=always still wins.
  const bool automatic = when == "auto" && platform::environment_variable("NO_COLOR").empty();
  for (auto [stream, color] :
       {std::pair{stdout, &stdout_color}, std::pair{stderr, &stderr_color}}) {
    // enable_color also prepares a Windows console for the escape sequences.
    const bool terminal = when != "never" && platform::enable_color(stream);
    *color = when == "always" || (automatic && terminal);
  }
}

std::string styled(std::FILE* stream, Style style, std::string_view text) {
  if (!color_decided) use_color("auto");
  if (!(stream == stdout ? stdout_color : stream == stderr && stderr_color) || text.empty())
    return std::string(text);
  std::string_view start;
  switch (style) {
    case Style::error: start = "\x1b[1;31m"; break;
    case Style::warning: start = "\x1b[1;33m"; break;
    case Style::reason: start = "\x1b[33m"; break;
    case Style::hint: start = "\x1b[1;36m"; break;
    case Style::note:
    case Style::holder: start = "\x1b[1m"; break;
    case Style::success: start = "\x1b[32m"; break;
  }
  return fmt::format("{}{}\x1b[0m", start, text);
}

void set_path(nlohmann::ordered_json& object, const std::string& key, const std::string& path) {
  object[key] = path;  // dump() replaces invalid bytes with U+FFFD
  if (!core::is_valid_utf8(path)) object[key + "_base64"] = core::base64_encode(path);
}

namespace {

// At most this much is flushed at once: under PIPE_BUF (4,096 bytes on Linux,
// at least 512 by POSIX), less the end of a record written in pieces ("\n").
constexpr std::size_t flush_limit = 4096 - 16;
// Set once the buffer of stdout has been chosen (before anything is written).
bool stdout_buffer_set = false;

}  // namespace

DataOutput::DataOutput(std::FILE* stream) noexcept : stream_(stream) {
  // A buffer larger than any flush of ours, so that stdio never flushes on
  // its own in the middle of a record; a terminal keeps its line buffering.
  if (stream_ == stdout && !stdout_buffer_set && !platform::is_terminal(stdout)) {
    stdout_buffer_set = true;
    (void)std::setvbuf(stdout, nullptr, _IOFBF, 2 * 4096);
  }
}

void DataOutput::write(std::string_view text) {
  if (first_errno_ != 0 || text.empty()) return;
  if (at_boundary_ && buffered_ > 0 && buffered_ + text.size() > flush_limit) {
    errno = 0;
    if (std::fflush(stream_) != 0) {
      first_errno_ = errno != 0 ? errno : EIO;
      return;
    }
    buffered_ = 0;
  }
  if (std::fwrite(text.data(), 1, text.size(), stream_) != text.size()) {
    first_errno_ = errno != 0 ? errno : EIO;
    return;
  }
  buffered_ += text.size();
  at_boundary_ = text.back() == '\n' || text.back() == '\0';
}

void DataOutput::write_json_line(const nlohmann::ordered_json& value) {
  write(value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  write("\n");
}

std::expected<void, Error> DataOutput::finish() {
  errno = 0;
  if (first_errno_ == 0 && std::fflush(stream_) != 0) first_errno_ = errno != 0 ? errno : EIO;
  if (first_errno_ != 0)
    return std::unexpected(Error::from_errno(first_errno_, "write to standard output", ""));
  return {};
}

std::string printable(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size();) {
    const auto byte = static_cast<unsigned char>(path[i]);
    const core::Utf8Char c = core::utf8_char_at(path, i);
    if (byte == '\n')
      out += "\\n";
    else if (byte == '\t')
      out += "\\t";
    else if (!c.valid || byte < 0x20 || byte == 0x7F)
      out += fmt::format("\\x{:02X}", byte);
    else
      out.append(path.substr(i, c.length));
    i += c.length;
  }
  return out;
}

std::string printable(const Error& error) {
  Error shown = error;
  shown.operation = printable(error.operation);
  shown.path = printable(error.path);
  shown.message = printable(error.message);
  return to_string(shown);
}

void print_error(const Error& error) { print_error(printable(error)); }

void print_error(std::string_view message) { print_labelled(Style::error, message); }
void print_warning(std::string_view message) { print_labelled(Style::warning, message); }
void print_status(std::string_view message) { print_labelled(Style::note, message); }

std::string size_text(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  if (bytes < 1024ull * 1024 * 1024)
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024 * 1024));
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
}

}  // namespace tmpctl::cli
