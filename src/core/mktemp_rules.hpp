#pragma once
// GNU mktemp's rules (coreutils 9.x), for `tmpctl create`: where a TEMPLATE
// goes given -p/--tmpdir, -t and $TMPDIR, and which templates and suffixes
// are refused before anything is created.

#include <expected>
#include <optional>
#include <string>
#include <tmpctl/error.hpp>
#include <tmpctl/temp_file.hpp>

namespace tmpctl::core {

/// A command line in GNU mktemp's terms.
struct MktempRequest {
  /// TEMPLATE, when one was given (an empty one too, which is refused).
  std::optional<std::string> name_template;
  /// --suffix, when given (an empty one too: the template must still end in X).
  std::optional<std::string> suffix;
  /// The DIR of the last -p or --tmpdir[=DIR], when one was given; empty
  /// means the temporary directory.
  std::optional<std::string> directory;
  /// -t: TEMPLATE is one file name, in the environment's temporary directory,
  /// else in -p's DIR, else in the system's.
  bool single_name = false;
};

/// The CreateOptions GNU mktemp would create with, on top of `base` (its
/// prefix, mode and other fields are kept): a TEMPLATE without -p, --tmpdir
/// or -t is taken from the current directory; no TEMPLATE means the default
/// name in the temporary directory. Errors are ErrorKind::invalid_argument,
/// worded as GNU words them ("too few X's in template 'foo.XX'"); nothing is
/// created.
std::expected<CreateOptions, Error> mktemp_options(const MktempRequest& request,
                                                   CreateOptions base);

}  // namespace tmpctl::core
