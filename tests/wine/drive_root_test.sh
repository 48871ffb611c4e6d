#!/bin/sh
# issue 12 item 1 on Windows: `tmpctl.exe remove -r X:\` (and the same drive
# root as X:/, \\?\X:\, X:\sub\..) is refused with exit 2 unless
# --no-preserve-root. SAFETY: the drive is not C: or Z: but a new Wine drive
# letter made here, a symlink in $WINEPREFIX/dosdevices to a scratch
# directory, so a build without the guard could only empty that directory.
# The letter is removed again on exit.
# Usage: drive_root_test.sh EMULATOR TMPCTL_EXE
set -u
emulator=$1
tmpctl=$2
# The prefix the emulator script uses (cmake/wine-emulator.sh); running it
# once makes sure the prefix and its dosdevices exist.
: "${WINEPREFIX:=${XDG_CACHE_HOME:-$HOME/.cache}/tmpctl/wineprefix}"
export WINEPREFIX
"$emulator" "$tmpctl" --version > /dev/null 2>&1 || { echo "FAIL: cannot run $tmpctl"; exit 1; }
work=$(mktemp -d) || exit 1
letter=
trap 'if [ -n "$letter" ]; then rm -f "$WINEPREFIX/dosdevices/$letter:"; fi; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$work/drive/sub"
echo keep > "$work/drive/precious"
echo keep > "$work/drive/sub/file"
for candidate in q r s t u v w x y p o n m l k; do
  # ln -s fails when the letter is taken: never reuse another's drive.
  if ln -s "$work/drive" "$WINEPREFIX/dosdevices/$candidate:" 2> /dev/null; then
    letter=$candidate
    break
  fi
done
[ -n "$letter" ] || { echo "FAIL: no free Wine drive letter"; exit 1; }
drive=$(printf '%s' "$letter" | tr 'a-z' 'A-Z')

fail=0
intact() { [ -f "$work/drive/precious" ] && [ -f "$work/drive/sub/file" ]; }
check() {  # EXPECTED_STATUS MESSAGE ARGUMENTS...
  expected=$1 message=$2
  shift 2
  "$emulator" "$tmpctl" "$@" > "$work/out" 2> "$work/err"
  status=$?
  [ "$status" -eq "$expected" ] ||
    { printf 'FAIL: %s: exit %s, expected %s\n' "$*" "$status" "$expected"; cat "$work/err"; fail=1; }
  # remove says why on stderr, diagnose on stdout.
  cat "$work/out" "$work/err" | grep -q -- "$message" ||
    { printf 'FAIL: %s: no "%s" in:\n' "$*" "$message"; cat "$work/out" "$work/err"; fail=1; }
  intact || { printf 'FAIL: %s removed files of the drive\n' "$*"; fail=1; }
}
[ "$(cat "$work/drive/precious")" = keep ] || { echo "FAIL: setup"; exit 1; }
"$emulator" "$tmpctl" diagnose "$drive:\\precious" > /dev/null 2>&1 ||
  { echo "FAIL: the new drive $drive: is not visible to Wine"; exit 1; }

root_message="it is the root of a file system or volume"
for path in "$drive:\\" "$drive:/" "\\\\?\\$drive:\\" "\\\\.\\$drive:\\"; do
  check 2 "$root_message" remove -r "$path"
  check 2 "$root_message" remove -r --no-preserve-root --preserve-root "$path"
  check 2 "$root_message" diagnose -r "$path"
done
for path in "$drive:\\sub\\.." "$drive:\\sub\\..\\" "$drive:/sub/.." "$drive:\\."; do
  check 2 "refusing to remove '.' or '..' directory" remove -r "$path"
done
# The scratch drive may be emptied on request: the guard is the only thing
# that kept it.
"$emulator" "$tmpctl" remove -r --no-preserve-root "$drive:\\" > "$work/out" 2> "$work/err"
[ -e "$work/drive/precious" ] &&
  { echo "FAIL: --no-preserve-root did not remove the drive's files"; cat "$work/err"; fail=1; }
[ "$fail" -eq 0 ] && echo "passed"
exit "$fail"
