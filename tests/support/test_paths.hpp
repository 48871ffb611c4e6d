#pragma once
// Filesystem helpers for tests, UTF-8 in and out on every platform.

#include <filesystem>
#include <string>
#include <vector>

namespace tmpctl::test {

#ifdef _WIN32
inline constexpr char separator = '\\';
#else
inline constexpr char separator = '/';
#endif

/// directory + separator + name.
inline std::string join(const std::string& directory, const std::string& name) {
  return directory + separator + name;
}

/// A std::filesystem::path from UTF-8 (char8_t, so mingw does not use the ANSI code page).
std::filesystem::path fs_path(const std::string& utf8);
/// A std::filesystem::path as UTF-8.
std::string utf8(const std::filesystem::path& path);

std::string read_file(const std::string& path);
/// Writes `content` to `path` as bytes, replacing what was there.
void write_file(const std::string& path, const std::string& content);
/// Whether anything (a dangling link too) has that name.
bool exists(const std::string& path);
/// Names (not paths) of the entries in a directory, sorted.
std::vector<std::string> list_directory(const std::string& path);
/// The record files (`*.json`) in a record store (TMPCTL_RECORDS), by name;
/// none when the store does not exist.
std::vector<std::string> record_files(const std::string& store);
/// Splits on `delimiter`; a trailing delimiter does not make an empty last item.
std::vector<std::string> split(const std::string& text, char delimiter = '\n');
/// The last component of a path.
std::string base_name(const std::string& path);
/// Whether `part` occurs in `text`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
/// Whether this Windows program runs under Wine; false on POSIX.
bool running_under_wine();

}  // namespace tmpctl::test
