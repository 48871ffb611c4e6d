# The two backends mirror each other file for file, as ninja's *-posix.cc /
# *-win32.cc pairs do: every interface header src/platform/<name>.hpp is
# implemented by exactly posix/<name>_posix.cpp and win32/<name>_win32.cpp,
# each of which includes it and is built by src/CMakeLists.txt; nothing else
# lies in a backend but the helpers it keeps to itself, listed here.
#
# cmake -DSOURCE_DIR=<tmpctl> -P backend_mirror_test.cmake

cmake_policy(VERSION 3.25)

set(_platform "${SOURCE_DIR}/src/platform")
set(_backends posix win32)
# What one backend shares among its own files, and no interface declares.
set(_private_posix process_start.hpp)
set(_private_win32 nt_files.hpp unicode.hpp unicode.cpp win32_util.hpp win32_util.cpp)
# Built into both backends: errno is the C library's, on Windows too.
set(_shared errno_error.cpp)

set(_failures "")

file(GLOB _interfaces RELATIVE "${_platform}" "${_platform}/*.hpp")
if(NOT _interfaces)
  message(FATAL_ERROR "no interface headers found in ${_platform}")
endif()
list(TRANSFORM _interfaces REPLACE "\\.hpp$" "")
file(READ "${SOURCE_DIR}/src/CMakeLists.txt" _build)

foreach(_backend IN LISTS _backends)
  foreach(_name IN LISTS _interfaces)
    set(_file "${_backend}/${_name}_${_backend}.cpp")
    if(NOT EXISTS "${_platform}/${_file}")
      list(APPEND _failures "${_name}.hpp has no ${_file}")
      continue()
    endif()
    file(STRINGS "${_platform}/${_file}" _includes REGEX "^#include \"platform/${_name}\\.hpp\"")
    if(NOT _includes)
      list(APPEND _failures "${_file} does not include the interface it implements, platform/${_name}.hpp")
    endif()
  endforeach()

  file(GLOB _files RELATIVE "${_platform}/${_backend}" "${_platform}/${_backend}/*")
  foreach(_file IN LISTS _files)
    if(_file IN_LIST _private_${_backend})
      continue()
    endif()
    if(NOT _file MATCHES "^(.+)_${_backend}\\.cpp$" OR NOT CMAKE_MATCH_1 IN_LIST _interfaces)
      list(APPEND _failures
        "${_backend}/${_file} implements no interface header src/platform/<name>.hpp (nor is it one of the backend's own helpers listed in tests/backend_mirror_test.cmake)")
    endif()
  endforeach()
  foreach(_file IN LISTS _private_${_backend})
    if(NOT EXISTS "${_platform}/${_backend}/${_file}")
      list(APPEND _failures "${_backend}/${_file} is listed as a helper of the backend but does not exist")
    endif()
  endforeach()

  foreach(_file IN LISTS _files)
    if(_file MATCHES "\\.cpp$" AND NOT _build MATCHES "platform/${_backend}/${_file}")
      list(APPEND _failures "${_backend}/${_file} is not built (src/CMakeLists.txt)")
    endif()
  endforeach()
endforeach()

file(GLOB _sources RELATIVE "${_platform}" "${_platform}/*.cpp")
foreach(_file IN LISTS _sources)
  if(NOT _file IN_LIST _shared)
    list(APPEND _failures
      "${_file}: only code both backends build lies beside the interfaces (listed in tests/backend_mirror_test.cmake); the rest goes to posix/ and win32/")
  endif()
endforeach()

if(_failures)
  list(JOIN _failures "\n  " _text)
  message(FATAL_ERROR "the backends do not mirror each other:\n  ${_text}")
endif()
