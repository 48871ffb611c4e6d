#!/bin/sh
# Runs one Windows program under Wine for CTest (CMAKE_CROSSCOMPILING_EMULATOR).
# One prefix for all runs, so its ~10 s creation happens once per machine;
# set WINEPREFIX to use another.
: "${WINEPREFIX:=${XDG_CACHE_HOME:-$HOME/.cache}/tmpctl/wineprefix}"
export WINEPREFIX
# Quiet unless asked: WINEDEBUG=-all,err+all shows Wine's own errors (they go
# to this program's output, also for the processes it starts).
: "${WINEDEBUG:=-all}"
export WINEDEBUG
# No Mono or Gecko installer prompts on a machine without a display.
export WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$WINEPREFIX" || exit 1

# Set a new prefix up once, before any program runs: test programs started at
# the same moment on a prefix that wineboot is still creating can lose their
# wineserver ("chdir to /tmp/wine-.../server-...: No such file or directory").
if [ ! -e "$WINEPREFIX/.tmpctl-ready" ]; then
  (
    flock 9
    if [ ! -e "$WINEPREFIX/.tmpctl-ready" ]; then
      wineboot --init > /dev/null 2>&1
      wineserver --wait
      : > "$WINEPREFIX/.tmpctl-ready"
    fi
  ) 9> "$WINEPREFIX.lock" || exit 1
fi

# Wine starts its system processes (services.exe, winedevice.exe, ...) from
# the first program of a session, and they inherit that program's stdout and
# stderr. One that never ends (winedevice.exe, seen under load) would then
# hold CTest's pipe open, and a test that passed would time out. So the
# program writes to two files, which `tail --pid` passes on to stdout and
# stderr as they grow and leaves when the program ends; a leftover process
# holds only the files.
output=$(mktemp "${TMPDIR:-/tmp}/tmpctl-wine-out.XXXXXX") || exit 1
errors=$(mktemp "${TMPDIR:-/tmp}/tmpctl-wine-err.XXXXXX") || { rm -f -- "$output"; exit 1; }
trap 'rm -f -- "$output" "$errors"' EXIT
# In the background, with stdin kept, so that a TERM reaches it at once.
exec 3<&0
# Without address space randomization where the kernel allows it: Debian's
# Wine 8.0 has no preloader to reserve low memory, so now and then a new
# process finds a Linux mapping where its shared user data page must go and
# dies starting ("virtual_alloc_first_teb wine: failed to map the shared user
# data: c0000018"), and CreateProcessW fails with WinError 1359 (issue 13).
# The processes Wine starts inherit the setting.
no_aslr=
if setarch "$(uname -m)" -R true 2>/dev/null; then no_aslr="setarch $(uname -m) -R"; fi
$no_aslr wine "$@" <&3 3<&- > "$output" 2> "$errors" &
program=$!
exec 3<&-
tail -n +1 -s 0.1 -f --pid="$program" -- "$output" &
out_follower=$!
tail -n +1 -s 0.1 -f --pid="$program" -- "$errors" >&2 &
err_follower=$!
trap 'kill -TERM "$program" 2>/dev/null' TERM INT
status=
while [ -z "$status" ]; do
  wait "$program"
  status=$?
  # A trapped signal ends `wait` early (status > 128) while the program runs.
  if [ "$status" -gt 128 ] && kill -0 "$program" 2>/dev/null; then status=; fi
done
wait "$out_follower" "$err_follower"
exit "$status"
