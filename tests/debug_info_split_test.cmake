# Every Windows program of the build carries no DWARF of its own: it lies in
# <program>.exe.debug beside it, which the program names (.gnu_debuglink).
# Under Wine a start reads the whole image: tmpctl.exe with its 100 MB of
# DWARF started in 441 ms, without it in 120 ms (cmake/SplitDebugInfo.cmake).
# Fails for a new executable that was not given tmpctl_split_debug_info().
#
# cmake -DBIN_DIR=<build>/bin -DOBJDUMP=<objdump> -P debug_info_split_test.cmake

cmake_policy(VERSION 3.25)

file(GLOB _programs "${BIN_DIR}/*.exe")
if(NOT _programs)
  message(FATAL_ERROR "no programs found in ${BIN_DIR}")
endif()
set(_failures "")
foreach(_program IN LISTS _programs)
  execute_process(COMMAND "${OBJDUMP}" -h "${_program}"
    OUTPUT_VARIABLE _sections RESULT_VARIABLE _status)
  if(NOT _status EQUAL 0)
    string(APPEND _failures "\n  ${_program}: ${OBJDUMP} -h exited with ${_status}")
    continue()
  endif()
  if(_sections MATCHES " \\.debug_[a-z_]+ ")
    string(APPEND _failures "\n  ${_program}: still has its DWARF (${CMAKE_MATCH_0}); "
      "call tmpctl_split_debug_info() for its target")
  endif()
  if(NOT _sections MATCHES " \\.gnu_debuglink ")
    string(APPEND _failures "\n  ${_program}: has no .gnu_debuglink section")
  endif()
  if(NOT EXISTS "${_program}.debug")
    string(APPEND _failures "\n  ${_program}.debug: missing")
  endif()
endforeach()
if(_failures)
  message(FATAL_ERROR "Windows programs with their debug information inside:${_failures}")
endif()
list(LENGTH _programs _count)
message(STATUS "${_count} programs, each with its debug information in a file of its own")
