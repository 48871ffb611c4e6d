#!/bin/sh
# The .deb's control fields and file list, as `dpkg-deb` shows them to a user
# or to apt: the right Depends (none when tmpctl is linked statically, as on
# Linux with g++; else libc6 only: it carries libstdc++ and libgcc), maintainer, section, homepage, description, and exactly the
# files of deb_files.txt, owned by root.
#
# usage: deb_contents_test.sh DPKG_DEB PACKAGE_DIR FILE_LIST VERSION
set -u
dpkg_deb=$1 package_dir=$2 file_list=$3 version=$4
. "$(dirname "$0")/check_file_list.sh"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

[ -x "$dpkg_deb" ] || { echo "FAIL: dpkg-deb not found (Debian package dpkg)" >&2; exit 1; }
set -- "$package_dir"/*.deb
[ $# -eq 1 ] && [ -f "$1" ] || { echo "FAIL: expected one .deb in $package_dir, found: $*" >&2; exit 1; }
deb=$1
echo "$deb:"
"$dpkg_deb" --info "$deb" | sed -n '/^ [A-Z][A-Za-z-]*:/,$p'

field() { "$dpkg_deb" --field "$deb" "$1"; }
[ "$(field Package)" = tmpctl ] || fail "Package is '$(field Package)', not tmpctl"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
arch=$(dpkg --print-architecture 2> /dev/null) &&
  { [ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)', not $arch"; }
[ "$(field Section)" = utils ] || fail "Section is '$(field Section)', not utils"
for name in Maintainer Homepage Description; do
  [ -n "$(field $name)" ] || fail "no $name field"
done
case $(field Maintainer) in *'<'*@*'>') ;; *) fail "Maintainer '$(field Maintainer)' is not 'Name <address>'" ;; esac
[ "$(field Description | wc -l)" -ge 2 ] || fail "Description has no long description"

# Depends comes from dpkg-shlibdeps: nothing of the C++ runtime, which
# tmpctl carries inside; libc6 with a version when tmpctl is linked against
# it, nothing at all when it is linked statically (as on Linux with g++).
depends=$(field Depends)
program=$(mktemp) || exit 1
"$dpkg_deb" --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/tmpctl > "$program"
kind=$(file -b "$program")
rm -f "$program"
case $kind in
  *"static-pie linked"*|*"statically linked"*)
    [ -z "$depends" ] || fail "Depends '$depends' for a statically linked tmpctl" ;;
  *)
    case $depends in
      *"libc6 (>="*) ;;
      *) fail "Depends '$depends' has no 'libc6 (>= ...)' (CPack leaves Depends empty without dpkg-shlibdeps: install dpkg-dev)" ;;
    esac ;;
esac
case $depends in *libstdc++*|*libgcc*) fail "Depends '$depends' names the C++ runtime, which tmpctl links statically" ;; esac

# dpkg-deb -c: "-rwxr-xr-x root/root 123 2024-01-01 00:00 ./usr/bin/tmpctl"
listing=$("$dpkg_deb" --contents "$deb")
files=$(printf '%s\n' "$listing" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }')
check_file_list "$file_list" "$files" || status=1
not_root=$(printf '%s\n' "$listing" | awk '$2 != "root/root"')
[ -z "$not_root" ] || fail "entries not owned by root/root:
$not_root"
printf '%s\n' "$listing" | grep -q '^-rwxr-xr-x .* \./usr/bin/tmpctl$' || fail "usr/bin/tmpctl is not -rwxr-xr-x"
non_executables=$(printf '%s\n' "$listing" | awk '$1 ~ /^-/ && $6 != "./usr/bin/tmpctl" && $1 != "-rw-r--r--"')
[ -z "$non_executables" ] || fail "data files not -rw-r--r--:
$non_executables"

[ "$status" -eq 0 ] && echo "the .deb's fields and $(printf '%s\n' "$files" | wc -l) files are as expected"
exit "$status"
