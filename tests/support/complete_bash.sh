# Usage: bash --norc --noprofile complete_bash.sh SCRIPT WORD...
# Loads the completion SCRIPT into this non-interactive bash, calls the
# function it registered for WORD[0] as readline would with the cursor at the
# end of the last WORD, and prints COMPREPLY, one candidate a line.
script=$1
shift
source "$script" || exit 3
registered=$(complete -p "$1" 2>/dev/null) || { echo "no completion registered for $1" >&2; exit 4; }
function=${registered##*-F }
function=${function%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$function" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 5
printf '%s\n' "${COMPREPLY[@]}"
