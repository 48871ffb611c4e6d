#!/bin/sh
# Unpacks the .deb as dpkg would (dpkg-deb -x) into TREE, then uses it as a
# user would: the packaged tmpctl runs, creates and removes a file, and its
# man page is compressed as Debian wants and renders without a warning.
# TREE is left for the test that builds a program against the package in it.
#
# usage: deb_extracted_test.sh DPKG_DEB PACKAGE_DIR TREE VERSION GROFF MAN
set -u
dpkg_deb=$1 package_dir=$2 tree=$3 version=$4 groff=$5 man=$6
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

[ -x "$dpkg_deb" ] || { echo "FAIL: dpkg-deb not found (Debian package dpkg)" >&2; exit 1; }
set -- "$package_dir"/*.deb
[ $# -eq 1 ] && [ -f "$1" ] || { echo "FAIL: expected one .deb in $package_dir, found: $*" >&2; exit 1; }
rm -rf "$tree" && mkdir -p "$tree/tmp" || exit 1
"$dpkg_deb" -x "$1" "$tree" || { echo "FAIL: dpkg-deb -x $1" >&2; exit 1; }

tmpctl=$tree/usr/bin/tmpctl
said=$("$tmpctl" --version)
[ "$said" = "tmpctl $version" ] || fail "tmpctl --version said '$said', not 'tmpctl $version'"

path=$(TMPDIR=$tree/tmp "$tmpctl" create --suffix .txt) || fail "tmpctl create failed"
case $path in
  "$tree"/tmp/tmp.*.txt) ;;
  *) fail "tmpctl create printed '$path', not a path in \$TMPDIR ($tree/tmp)" ;;
esac
[ -f "$path" ] || fail "tmpctl create printed $path, which is not a file"
mode=$(stat -c %a "$path" 2> /dev/null)
[ "$mode" = 600 ] || fail "$path has mode $mode, not 600"
"$tmpctl" remove "$path" || fail "tmpctl remove $path failed"
[ ! -e "$path" ] || fail "$path is still there after tmpctl remove"

# Debian policy 12.3: gzip -9n, so no name and no time stamp in the header.
page=$tree/usr/share/man/man1/tmpctl.1.gz
header=$(od -An -tx1 -N8 "$page" | tr -d ' \n')
case $header in
  1f8b0800000000*) ;;  # magic, deflate, no flags (no name), time stamp 0
  *) fail "$page: gzip header $header has a name or a time stamp (want gzip -9n)" ;;
esac
sh "$(dirname "$0")/man_page_render_test.sh" "$groff" "$man" "$page" || status=1

[ "$status" -eq 0 ] && echo "the extracted tmpctl $version runs, creates and removes; its man page renders"
exit "$status"
