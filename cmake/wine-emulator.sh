#!/bin/sh
# Runs one Windows program under Wine for CTest (CMAKE_CROSSCOMPILING_EMULATOR).
# One prefix for all runs, so its ~10 s creation happens once per machine;
# set WINEPREFIX to use another.
: "${WINEPREFIX:=${XDG_CACHE_HOME:-$HOME/.cache}/tmpctl/wineprefix}"
export WINEPREFIX
export WINEDEBUG=-all
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
exec wine "$@"
