#!/bin/sh
# The man page renders without a warning, through groff directly (every
# warning enabled) and through man(1) as a user reads it.
#
# usage: man_page_render_test.sh GROFF MAN PAGE   (PAGE may be gzipped)
set -u
groff=$1 man=$2 page=$3
for tool in "$groff" "$man"; do
  [ -x "$tool" ] || { echo "FAIL: $tool not found: install the Debian package man-db (it brings groff-base)" >&2; exit 1; }
done
[ -f "$page" ] || { echo "FAIL: no man page at $page" >&2; exit 1; }
export LC_ALL=C.UTF-8 MANWIDTH=80
status=0

case $page in
  *.gz) source_text() { gzip -dc "$page"; } ;;
  *) source_text() { cat "$page"; } ;;
esac
warnings=$(source_text | "$groff" -man -Tutf8 -ww -z 2>&1)
if [ -n "$warnings" ]; then
  echo "FAIL: groff -man -ww warns about $page:" >&2
  echo "$warnings" >&2
  status=1
fi

warnings=$("$man" --warnings -E UTF-8 -l "$page" 2>&1 > /dev/null)
rendered=$("$man" -E UTF-8 -l "$page" 2> /dev/null)
if [ -n "$warnings" ]; then
  echo "FAIL: man -l warns about $page:" >&2
  echo "$warnings" >&2
  status=1
fi
for heading in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
  printf '%s\n' "$rendered" | grep -qx "$heading" || { echo "FAIL: man -l shows no $heading section" >&2; status=1; }
done
[ "$status" -eq 0 ] && echo "$page renders without warnings ($(printf '%s\n' "$rendered" | wc -l) lines)"
exit "$status"
