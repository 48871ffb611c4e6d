#!/bin/sh
# The Windows .zip as a user gets it: exactly the files of zip_files.txt, a
# tmpctl.exe that needs no DLL but Windows' own, and that, unzipped, runs
# (under Wine here), creates a file and removes it. TREE is left for the test
# that builds a program against the package in it.
#
# usage: zip_test.sh CMAKE OBJDUMP EMULATOR PACKAGE_DIR TREE FILE_LIST VERSION
set -u
cmake=$1 objdump=$2 emulator=$3 package_dir=$4 tree=$5 file_list=$6 version=$7
. "$(dirname "$0")/check_file_list.sh"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

[ -x "$objdump" ] || { echo "FAIL: $objdump not found (Debian package binutils-mingw-w64-x86-64)" >&2; exit 1; }
set -- "$package_dir"/*.zip
[ $# -eq 1 ] && [ -f "$1" ] || { echo "FAIL: expected one .zip in $package_dir, found: $*" >&2; exit 1; }
zip=$1
top=$(basename "$zip" .zip)

listing=$("$cmake" -E tar tf "$zip") || { echo "FAIL: cannot list $zip" >&2; exit 1; }
outside=$(printf '%s\n' "$listing" | grep -v "^$top/")
[ -z "$outside" ] || fail "entries outside the top folder $top/:
$outside"
files=$(printf '%s\n' "$listing" | grep -v '/$' | sed "s|^$top/||")
check_file_list "$file_list" "$files" || status=1

rm -rf "$tree" && mkdir -p "$tree" || exit 1
(cd "$tree" && "$cmake" -E tar xf "$zip") || { echo "FAIL: cannot unzip $zip" >&2; exit 1; }
exe=$tree/$top/bin/tmpctl.exe

# Only DLLs that come with every Windows: no libstdc++-6.dll,
# libgcc_s_seh-1.dll or libwinpthread-1.dll to ship.
headers=$("$objdump" -p "$exe") || { echo "FAIL: $objdump -p $exe" >&2; exit 1; }
printf '%s\n' "$headers" | grep -q 'file format pei-x86-64' || fail "$exe is not a 64-bit Windows program"
dlls=$(printf '%s\n' "$headers" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u)
echo "tmpctl.exe imports: $(echo $dlls)"
for dll in $dlls; do
  case $dll in
    kernel32.dll|advapi32.dll|bcrypt.dll|rstrtmgr.dll|shell32.dll|user32.dll|ntdll.dll|msvcrt.dll|ucrtbase.dll|api-ms-win-crt-*.dll) ;;
    *) fail "tmpctl.exe needs $dll, which Windows does not have" ;;
  esac
done

said=$("$emulator" "$exe" --version) || fail "tmpctl.exe --version failed"
[ "$said" = "tmpctl $version" ] || fail "tmpctl.exe --version said '$said', not 'tmpctl $version'"
path=$("$emulator" "$exe" create --suffix .txt) || fail "tmpctl.exe create failed"
case $path in
  [A-Z]:\\*\\tmp.*.txt) ;;
  *) fail "tmpctl.exe create printed '$path', not an absolute Windows path" ;;
esac
"$emulator" "$exe" remove "$path" || fail "tmpctl.exe remove $path failed"
"$emulator" "$exe" diagnose "$path" > /dev/null 2>&1
code=$?
[ "$code" -eq 4 ] || fail "tmpctl.exe diagnose $path after remove exited $code, not 4 (not found)"

[ "$status" -eq 0 ] && echo "$(basename "$zip"): $(printf '%s\n' "$files" | wc -l) files as expected; tmpctl.exe runs, creates, removes"
exit "$status"
