#!/bin/sh
# Wine shows a Unix symlink as an ordinary file or directory and opens its
# target even with FILE_OPEN_REPARSE_POINT. `tmpctl.exe remove -r` must still
# never touch what such a link points to, nor may `tmpctl.exe cleanup`.
# Windows code cannot make a Unix symlink, so this test builds the trap from
# Linux.
# Usage: unix_symlink_test.sh EMULATOR TMPCTL_EXE
set -u
emulator=$1
tmpctl=$2
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/sub" "$work/outside"
echo keep > "$work/outside/precious.txt"
echo keep > "$work/outside-file.txt"
ln -s "$work/outside" "$work/tree/sub/dir-link"
ln -s "$work/outside-file.txt" "$work/tree/file-link"

ln -s "$work/outside" "$work/top-dir-link"
ln -s "$work/outside-file.txt" "$work/top-file-link"
windows() { printf 'Z:%s' "$1" | tr / '\\'; }

fail=0
# The path given is itself a link, with and without -r and a trailing separator.
for args in "$(windows "$work/top-dir-link")" "-r $(windows "$work/top-dir-link")\\" \
            "$(windows "$work/top-file-link")"; do
  # shellcheck disable=SC2086 # word splitting wanted: options and a path without spaces
  "$emulator" "$tmpctl" remove $args > /dev/null 2>&1
  [ -f "$work/outside/precious.txt" ] && [ -f "$work/outside-file.txt" ] ||
    { printf 'FAIL: remove %s deleted what the link points to\n' "$args"; fail=1; }
done

"$emulator" "$tmpctl" remove -r "$(windows "$work/tree")" > "$work/out" 2> "$work/err"
status=$?

[ -f "$work/outside/precious.txt" ] || { echo "FAIL: deleted a file behind a directory link"; fail=1; }
[ -d "$work/outside" ] || { echo "FAIL: deleted the directory a link points to"; fail=1; }
[ -f "$work/outside-file.txt" ] || { echo "FAIL: deleted the file a link points to"; fail=1; }
[ "$status" -ne 0 ] || { echo "FAIL: reported success although links were left"; fail=1; }
grep -q "leads outside its directory" "$work/err" || { echo "FAIL: no explanation"; fail=1; }
cat "$work/err"

# cleanup: everything old, links included; what they point to must stay.
mkdir -p "$work/stale/sub" "$work/far"
for i in 1 2 3; do echo keep > "$work/far/old$i"; done
echo keep > "$work/far-file"
echo old > "$work/stale/sub/old"
ln -s "$work/far" "$work/stale/dir-link"
ln -s "$work/far" "$work/stale/sub/deep-dir-link"
ln -s "$work/far-file" "$work/stale/file-link"
touch -h -d '20 days ago' "$work/far"/* "$work/far" "$work/far-file" "$work/stale/sub/old" \
  "$work/stale/dir-link" "$work/stale/sub/deep-dir-link" "$work/stale/file-link" "$work/stale/sub"
"$emulator" "$tmpctl" cleanup --age-by mtime --older-than 1d "$(windows "$work/stale")" \
  > "$work/out" 2> "$work/err"
for i in 1 2 3; do
  [ -f "$work/far/old$i" ] || { echo "FAIL: cleanup deleted far/old$i behind a link"; fail=1; }
done
[ -f "$work/far-file" ] || { echo "FAIL: cleanup deleted the file a link points to"; fail=1; }
[ -e "$work/stale/sub/old" ] && { echo "FAIL: cleanup left a stale file"; fail=1; }
cat "$work/err"
# Spelled by its 8.3 short name (issue 12 item 13: a short name is accepted
# as the same entry), a link is still refused. cmd's "dir /x" says the name.
mkdir "$work/short"
ln -s "$work/outside-file.txt" "$work/short/a-long-name-of-a-file-link.txt"
short=$("$emulator" cmd /c dir /x "$(windows "$work/short")" 2> /dev/null | tr -d '\r' |
  awk '$NF == "a-long-name-of-a-file-link.txt" && NF >= 5 { print $(NF - 1) }')
if [ -n "$short" ]; then
  "$emulator" "$tmpctl" remove "$(windows "$work/short")\\$short" > "$work/out" 2> "$work/err"
  status=$?
  [ -f "$work/outside-file.txt" ] ||
    { echo "FAIL: remove by short name deleted the file a link points to"; fail=1; }
  [ "$status" -ne 0 ] && grep -q "leads outside its directory" "$work/err" ||
    { echo "FAIL: remove by short name $short: no refusal"; fail=1; }
  cat "$work/err"
else
  echo "note: no 8.3 name for the link; the short-name case was not tried"
fi
[ "$fail" -eq 0 ] && echo "3 passed, 0 failed"
exit "$fail"
