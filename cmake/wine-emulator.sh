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
exec wine "$@"
