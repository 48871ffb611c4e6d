# The layers of docs/architecture.md, checked: the core (src/core) and the
# CLI (src/cli) include no OS header, the core no CLI header and none of the
# CLI-only platform headers, and the core library (the archive that is
# installed) has no console handling and no process spawner in it; each
# layer's own headers use its one namespace.
#
# cmake -DSOURCE_DIR=<tmpctl> [-DARCHIVE=<libtmpctl.a> -DNM=<nm>] -P layering_test.cmake

# Headers only the platform layer may include: POSIX, Linux, macOS and Windows.
set(_os_header
  "(unistd|fcntl|dirent|signal|spawn|pwd|grp|poll|termios|dlfcn|libproc|io|direct|windows|winternl|winioctl|ntstatus|shellapi|shlobj|bcrypt|sddl|aclapi|restartmanager)\\.h|(sys|linux|mach)/[a-z_/]+\\.h")
set(_cli_header "\"cli/[^\"]+\"|<CLI/[^>]+>")
set(_cli_platform_header "\"platform/(console|process|process_tree)\\.hpp\"")

set(_failures "")

# Every #include of the layer's sources that matches `forbidden`.
function(check_includes layer forbidden why)
  file(GLOB_RECURSE _sources "${SOURCE_DIR}/src/${layer}/*.cpp" "${SOURCE_DIR}/src/${layer}/*.hpp")
  if(NOT _sources)
    message(FATAL_ERROR "no sources found in ${SOURCE_DIR}/src/${layer}")
  endif()
  foreach(_source IN LISTS _sources)
    file(STRINGS "${_source}" _includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(_include IN LISTS _includes)
      if(_include MATCHES "include[ \t]*(${forbidden})")
        file(RELATIVE_PATH _name "${SOURCE_DIR}" "${_source}")
        list(APPEND _failures "${_name}: ${_include} (${why})")
      endif()
    endforeach()
  endforeach()
  set(_failures "${_failures}" PARENT_SCOPE)
endfunction()

check_includes(core "<(${_os_header})>" "an OS header: only src/platform/ touches the OS")
check_includes(core "${_cli_header}" "a CLI header: the core never prints")
check_includes(core "${_cli_platform_header}" "the CLI's own platform layer, not in the library")
check_includes(cli "<(${_os_header})>" "an OS header: the CLI reaches the OS through src/platform/")

# One namespace per layer for its own headers: a private header of the core
# declares tmpctl::core, of the CLI tmpctl::cli, of the platform
# tmpctl::platform (a backend's own: tmpctl::platform::posix or ::win32).
# The public API (include/tmpctl) is namespace tmpctl.
function(check_namespaces layer allowed)
  file(GLOB_RECURSE _headers "${SOURCE_DIR}/src/${layer}/*.hpp")
  foreach(_header IN LISTS _headers)
    file(STRINGS "${_header}" _namespaces REGEX "^namespace [A-Za-z0-9_:]+ *{")
    file(RELATIVE_PATH _name "${SOURCE_DIR}" "${_header}")
    if(NOT _namespaces)
      list(APPEND _failures "${_name}: declares no namespace (${allowed})")
    endif()
    foreach(_namespace IN LISTS _namespaces)
      if(NOT _namespace MATCHES "^namespace (${allowed}) *{")
        list(APPEND _failures "${_name}: ${_namespace} (a header of src/${layer} declares ${allowed})")
      endif()
    endforeach()
  endforeach()
  set(_failures "${_failures}" PARENT_SCOPE)
endfunction()

check_namespaces(core "tmpctl::core")
check_namespaces(cli "tmpctl::cli")
check_namespaces(platform "tmpctl::platform|tmpctl::platform::posix|tmpctl::platform::win32")

if(ARCHIVE)
  # What console_*.cpp, process_*.cpp and process_tree_*.cpp define, and the
  # OS calls only they make. (kill() stays: records_posix.cpp asks whether an
  # owner is alive.)
  set(_cli_only_functions
    "tmpctl::platform::(utf8_arguments|prepare_standard_streams|is_terminal|enable_color|stop_on_interrupt|interrupt_signal|pass_interrupts_to_command|set_interrupted_command|command_cleanup_done|run_command|end_by_signal|signal_name|ProcessTree::[a-z_]+|running_for)\\(")
  set(_cli_only_os_calls
    " U (__imp_)?(posix_spawnp?|posix_spawnattr_[a-z]+|sigaction|sigprocmask|signal|waitid|waitpid|isatty|CreateProcessW|UpdateProcThreadAttribute|SetConsoleCtrlHandler|CommandLineToArgvW|SetConsoleMode|SetConsoleOutputCP|_setmode|CreateJobObjectW|AssignProcessToJobObject|TerminateJobObject|prctl)$")
  execute_process(COMMAND "${NM}" -C "${ARCHIVE}"
    OUTPUT_VARIABLE _symbols RESULT_VARIABLE _result ERROR_VARIABLE _error)
  if(NOT _result EQUAL 0 OR _symbols STREQUAL "")
    message(FATAL_ERROR "${NM} -C ${ARCHIVE} failed (${_result}): ${_error}")
  endif()
  string(REPLACE "\n" ";" _lines "${_symbols}")
  foreach(_line IN LISTS _lines)
    if(_line MATCHES "${_cli_only_functions}" OR _line MATCHES "${_cli_only_os_calls}")
      string(STRIP "${_line}" _line)
      list(APPEND _failures "${ARCHIVE}: ${_line} (console or process code belongs to tmpctl_cli_platform)")
    endif()
  endforeach()
endif()

if(_failures)
  list(JOIN _failures "\n  " _text)
  message(FATAL_ERROR "layering broken:\n  ${_text}")
endif()
