# CLI11 is precompiled for the CLI files that include it, and only for them
# (src/CMakeLists.txt): a file that never included CLI11 must not gain its
# validators, globals with constructors that every start of tmpctl would run
# (create's fast path above all). The files kept out of the precompiled
# header are a list kept by hand; this checks it against what each file
# includes, through tmpctl's own headers.
#
# cmake -DSOURCE_DIR=<tmpctl> -P precompiled_headers_test.cmake

cmake_policy(VERSION 3.25)

file(READ "${SOURCE_DIR}/src/CMakeLists.txt" _build)
if(NOT _build MATCHES "add_library\\(tmpctl_cli STATIC([^)]*)\\)")
  message(FATAL_ERROR "the sources of tmpctl_cli were not found in src/CMakeLists.txt")
endif()
string(REGEX MATCHALL "cli/[a-z_]+\\.cpp" _sources "${CMAKE_MATCH_1}")
if(NOT _build MATCHES "set_source_files_properties\\(([^)]*) PROPERTIES SKIP_PRECOMPILE_HEADERS ON\\)")
  message(FATAL_ERROR "no SKIP_PRECOMPILE_HEADERS list found in src/CMakeLists.txt")
endif()
string(REGEX MATCHALL "cli/[a-z_]+\\.cpp" _skipped "${CMAKE_MATCH_1}")

# Whether `file` (relative to src/) includes CLI11, itself or through the
# headers of src/ it includes.
function(includes_cli11 file out)
  set(_pending "${file}")
  set(_seen "")
  while(_pending)
    list(POP_FRONT _pending _current)
    if(_current IN_LIST _seen OR NOT EXISTS "${SOURCE_DIR}/src/${_current}")
      continue()
    endif()
    list(APPEND _seen "${_current}")
    file(STRINGS "${SOURCE_DIR}/src/${_current}" _includes
      REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(_include IN LISTS _includes)
      if(_include MATCHES "<CLI/")
        set(${out} TRUE PARENT_SCOPE)
        return()
      elseif(_include MATCHES "\"([^\"]+)\"")
        list(APPEND _pending "${CMAKE_MATCH_1}")
      endif()
    endforeach()
  endwhile()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

set(_failures "")
foreach(_source IN LISTS _sources)
  includes_cli11("${_source}" _uses)
  if(_uses AND _source IN_LIST _skipped)
    list(APPEND _failures "src/${_source} includes CLI11: remove it from SKIP_PRECOMPILE_HEADERS")
  elseif(NOT _uses AND NOT _source IN_LIST _skipped)
    list(APPEND _failures "src/${_source} does not include CLI11: add it to SKIP_PRECOMPILE_HEADERS")
  endif()
endforeach()
foreach(_source IN LISTS _skipped)
  if(NOT _source IN_LIST _sources)
    list(APPEND _failures "src/${_source} is in SKIP_PRECOMPILE_HEADERS but not a source of tmpctl_cli")
  endif()
endforeach()
if(_failures)
  list(JOIN _failures "\n  " _text)
  message(FATAL_ERROR "CLI11's precompiled header and the files that include it disagree:\n  ${_text}")
endif()
list(LENGTH _sources _count)
list(LENGTH _skipped _kept_out)
message(STATUS "${_count} CLI files; the ${_kept_out} that do not include CLI11 are kept out of its precompiled header")
