# Sourced by the package tests: check_file_list LIST FILES
# LIST holds shell patterns (see deb_files.txt); FILES one path a line.
# Each pattern must match some file, each file some pattern; prints what does
# not and returns 1 then.
check_file_list() {
  _list=$1 _files=$2 _status=0
  set -f  # the patterns are for case, not for the shell to expand
  _patterns=$(grep -v -e '^#' -e '^$' "$_list")
  for _pattern in $_patterns; do
    _found=no
    for _file in $_files; do
      # shellcheck disable=SC2254
      case $_file in $_pattern) _found=yes; break ;; esac
    done
    [ "$_found" = yes ] || { echo "FAIL: nothing in the package matches $_pattern" >&2; _status=1; }
  done
  for _file in $_files; do
    _found=no
    for _pattern in $_patterns; do
      # shellcheck disable=SC2254
      case $_file in $_pattern) _found=yes; break ;; esac
    done
    [ "$_found" = yes ] || { echo "FAIL: $_file is in the package but not in $_list" >&2; _status=1; }
  done
  set +f
  return "$_status"
}
