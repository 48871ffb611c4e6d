#pragma once
// Splitting a path into its directory and its last name, and joining them,
// lexically, with the platform's separators.

#include <optional>
#include <string>

#include "platform/platform.hpp"

namespace tmpctl::core {

struct PathParts {
  std::string directory;
  std::string name;
};

/// "/tmp/a" -> {"/tmp", "a"}, "/a" -> {"/", "a"}, "C:\x" -> {"C:\", "x"};
/// nullopt for a path without a separator, one that ends in a separator, or a
/// root.
inline std::optional<PathParts> split_path(const std::string& path) {
  const std::size_t last = path.find_last_of(platform::path_separators());
  if (last == std::string::npos || last + 1 == path.size()) return std::nullopt;
  std::string name = path.substr(last + 1);
  if (last == 0) return PathParts{path.substr(0, 1), std::move(name)};
  if (path[last - 1] == ':') return PathParts{path.substr(0, last + 1), std::move(name)};
  return PathParts{path.substr(0, last), std::move(name)};
}

/// Whether the last component of `path` (given without trailing separators)
/// is '.' or '..', as in "x/.", "..", "e/..": a name for the directory itself
/// or its parent, never what a user means to remove (rm refuses it too).
/// Windows drops trailing dots and spaces from a last component, so there
/// "x\..." and "e\.. " count as well, and "C:.." is "..".
inline bool ends_in_dot_or_dotdot(const std::string& path) {
  const std::string_view separators = platform::path_separators();
  const bool windows = separators.size() > 1;
  std::string_view last = path;
  if (const std::size_t cut = path.find_last_of(separators); cut != std::string::npos)
    last.remove_prefix(cut + 1);
  else if (windows && path.size() >= 2 && path[1] == ':')
    last.remove_prefix(2);
  if (windows)
    return last.find('.') != std::string_view::npos &&
           last.find_first_not_of(". ") == std::string_view::npos;
  return last == "." || last == "..";
}

/// `directory` + the platform's separator + `name`; no second separator
/// after a directory that ends in one ("/", "C:\\").
inline std::string join_path(const std::string& directory, const std::string& name) {
  if (!directory.empty() &&
      platform::path_separators().find(directory.back()) != std::string_view::npos)
    return directory + name;
  return directory + platform::preferred_separator() + name;
}

}  // namespace tmpctl::core
