#!/bin/sh
# Installs the .deb on this machine for real (dpkg -i), uses it as a user
# would, then purges it. It changes the machine, so it runs only where CI asks
# for it with TMPCTL_TEST_SYSTEM_INSTALL=1 (as root, on a throw-away machine);
# anywhere else it reports itself skipped (exit 77).
#
# usage: system_install_test.sh PACKAGE_DIR CONSUMER_ARGS...
#   CONSUMER_ARGS: the cmake command and -D arguments that run consumer_test.cmake
set -u
if [ "${TMPCTL_TEST_SYSTEM_INSTALL:-0}" != 1 ]; then
  echo "skipped: set TMPCTL_TEST_SYSTEM_INSTALL=1 to install the .deb on this machine (as root)"
  exit 77
fi
package_dir=$1
shift
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

[ "$(id -u)" = 0 ] || { echo "FAIL: TMPCTL_TEST_SYSTEM_INSTALL=1 needs root (dpkg -i)" >&2; exit 1; }
command -v dpkg > /dev/null || { echo "FAIL: dpkg not found" >&2; exit 1; }
if dpkg-query -W -f '${Status}' tmpctl 2> /dev/null | grep -q 'installed'; then
  echo "FAIL: a tmpctl package is already installed; not replacing it" >&2
  exit 1
fi
set -- "$package_dir"/*.deb "$@"
deb=$1
shift
[ -f "$deb" ] || { echo "FAIL: no .deb in $package_dir" >&2; exit 1; }

dpkg -i "$deb" || { echo "FAIL: dpkg -i $deb" >&2; exit 1; }
trap 'dpkg --purge tmpctl > /dev/null' EXIT

[ "$(command -v tmpctl)" = /usr/bin/tmpctl ] || fail "tmpctl on PATH is '$(command -v tmpctl)', not /usr/bin/tmpctl"
tmpctl --version || fail "tmpctl --version failed"
path=$(tmpctl create) && [ -f "$path" ] && tmpctl remove "$path" || fail "tmpctl create and remove failed"
# Minimal Docker images tell dpkg to leave man pages out (path-exclude).
if dpkg -L tmpctl | grep -qx /usr/share/man/man1/tmpctl.1.gz; then
  [ "$(man -w tmpctl)" = /usr/share/man/man1/tmpctl.1.gz ] || fail "man -w tmpctl: '$(man -w tmpctl)'"
  man tmpctl > /dev/null || fail "man tmpctl failed"
else
  echo "note: dpkg left the man page out (see /etc/dpkg/dpkg.cfg.d/): not checked"
fi
# Tab completion as an interactive bash gets it: bash-completion's loader
# finds the installed script by the command's name, and `tmpctl c<TAB>`
# offers the commands that start with c.
completions=/usr/share/bash-completion/completions/tmpctl
[ -f "$completions" ] || fail "$completions is not installed"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion &&
    _completion_loader tmpctl; complete -p tmpctl' | grep -q -- '-F' ||
    fail "bash-completion's loader does not load the completion for tmpctl"
else
  fail "bash-completion is not installed (apt-get install bash-completion)"
fi
offered=$(bash --norc --noprofile "$(dirname "$0")/../support/complete_bash.sh" "$completions" tmpctl c |
  sort | tr '\n' ' ')
[ "$offered" = "cleanup completion create " ] || fail "tmpctl c<TAB> offers '$offered'"
# find_package(tmpctl) finds /usr's package with no hint at all.
"$@" || fail "building a program against the installed package failed"

dpkg --purge tmpctl || fail "dpkg --purge tmpctl"
trap - EXIT
[ ! -e /usr/bin/tmpctl ] || fail "/usr/bin/tmpctl is still there after dpkg --purge"
[ "$status" -eq 0 ] && echo "dpkg -i, use, man, tab completion, build against, dpkg --purge: all as expected"
exit "$status"
