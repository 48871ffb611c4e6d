#pragma once
// What a directory holds, by its top-level entries, with sizes: the report of
// what `tmpctl run --isolate`'s command tree left in its temp directory.
// One walk through the same TreeWalk as remove -r: never following a link,
// never entering another file system.

#include <tmpctl/cleanup.hpp>
#include <tmpctl/error.hpp>

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace tmpctl::core {

/// One entry of the directory and everything below it.
struct TopEntry {
  std::string name;  ///< its name in the directory
  EntryType type = EntryType::other;
  /// Bytes of the files in it (a file's own size; a link's is not followed).
  std::uint64_t bytes = 0;
  /// Entries in it, itself included: files, links, directories...
  std::uint64_t entries = 1;
};

struct TreeSummary {
  std::vector<TopEntry> entries;  ///< by name
  std::uint64_t bytes = 0;        ///< all of them
  std::uint64_t count = 0;        ///< entries below the directory, all levels
  /// Part of the tree could not be read (each Error says which): the sizes
  /// are then at least these.
  std::vector<Error> errors;
};

/// Sums up what `directory` holds. Fails only when it cannot be opened.
std::expected<TreeSummary, Error> summarize_tree(const std::string& directory);

}  // namespace tmpctl::core
