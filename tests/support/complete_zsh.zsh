# Usage: zsh -f complete_zsh.zsh FPATH_DIR 'command line'
# Starts an interactive zsh on a pseudo-terminal (zpty) with FPATH_DIR first
# in $fpath and the completion system loaded, types the line and a Tab, and
# prints the candidates the completion functions offered, one a line, sorted.
zmodload zsh/zpty || exit 3
fpath_dir=$1 line=$2
zpty tmpctl_test zsh -f -i || exit 4
zpty -w tmpctl_test "PS1= RPROMPT=; fpath=(${(q)fpath_dir} \$fpath)"
zpty -w tmpctl_test 'autoload -Uz compinit && compinit -u -D'
# Every candidate passes through compadd: print each, then add it as usual.
zpty -w tmpctl_test 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; (( $#hits )) && print -rl -- "" ${(@)hits/#/CANDIDATE:} >&2; builtin compadd "$@"; }'
# A first completer that only asks to be told when the whole completion is over.
zpty -w tmpctl_test '_tmpctl_test_done() { print -rl -- "" "COMPLETION-DONE" >&2 }'
zpty -w tmpctl_test '_tmpctl_test_mark() { comppostfuncs+=(_tmpctl_test_done); return 1 }'
zpty -w tmpctl_test "zstyle ':completion:*' completer _tmpctl_test_mark _complete"
zpty -w tmpctl_test 'exec 2>&1; print READY-$((20+22))'
output= chunk=
for attempt in {1..400}; do
  zpty -r -t tmpctl_test chunk && output+=$chunk
  [[ $output == *READY-42* ]] && break
  sleep 0.05
done
[[ $output == *READY-42* ]] || { print -u2 "zsh did not start: $output"; exit 5 }
output=
zpty -n -w tmpctl_test "$line"$'\t'
for attempt in {1..400}; do
  zpty -r -t tmpctl_test chunk && output+=$chunk
  [[ $output == *$'\n'COMPLETION-DONE* ]] && break
  sleep 0.05
done
zpty -d tmpctl_test
[[ $output == *$'\n'COMPLETION-DONE* ]] || { print -u2 "completion did not finish: $output"; exit 6 }
print -r -- $output | tr -d '\r' | sed -n 's/^CANDIDATE://p' | sort -u
