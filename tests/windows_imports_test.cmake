# tmpctl.exe loads no GUI or shell library at start-up: user32.dll, gdi32.dll
# and shell32.dll (which brings user32 with it) were a quarter of each start
# of tmpctl under Wine, 120 ms against 89 ms (docs/benchmarks.md). Functions of
# theirs that tmpctl needs are loaded where they are used, or have kernel32
# equivalents (src/platform/win32/).
#
# cmake -DPROGRAM=<tmpctl.exe> -DOBJDUMP=<objdump> -P windows_imports_test.cmake

cmake_policy(VERSION 3.25)

execute_process(COMMAND "${OBJDUMP}" -p "${PROGRAM}" OUTPUT_VARIABLE _headers
  RESULT_VARIABLE _status)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "${OBJDUMP} -p ${PROGRAM} exited with ${_status}")
endif()
string(REGEX MATCHALL "DLL Name: [^\n]+" _imports "${_headers}")
list(TRANSFORM _imports REPLACE "DLL Name: " "")
if(NOT _imports)
  message(FATAL_ERROR "no imported DLLs found in ${PROGRAM}")
endif()
set(_failures "")
foreach(_dll IN LISTS _imports)
  string(TOLOWER "${_dll}" _name)
  if(_name MATCHES "^(user32|gdi32|shell32|comctl32|ole32)\\.dll$")
    list(APPEND _failures "${_dll}")
  endif()
endforeach()
if(_failures)
  message(FATAL_ERROR "${PROGRAM} imports ${_failures}, loaded at every start; "
    "load what is needed where it is used (LoadLibraryExW from the system directory)")
endif()
message(STATUS "${PROGRAM} imports ${_imports}")
