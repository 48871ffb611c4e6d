#!/bin/sh
# Fails when a C++ source of the project is not as clang-format makes it
# (.clang-format at the top), naming each place. The formatter's output
# differs between major versions: the check runs with the version the style
# was set with (Debian 12's clang-format 14), and is skipped (exit 77) with
# any other or none. To format the tree:
#   find src include tests examples bench -name '*.[ch]pp' -exec clang-format -i {} +
set -u
cd "$1" || exit 1
formatter=${2:-clang-format}
version=$("$formatter" --version 2>/dev/null | sed -n 's/.*clang-format version \([0-9]*\)\..*/\1/p')
if [ "$version" != 14 ]; then
  echo "format_check: needs clang-format 14 (found: ${version:-none}); skipped"
  exit 77
fi
find src include tests examples bench \( -name '*.cpp' -o -name '*.hpp' \) \
  -exec "$formatter" --dry-run -Werror {} +
