# Builds examples/consumer against one form of tmpctl's CMake package and runs
# it, as a user of the library would: the program creates, writes and removes
# a temp file and says so.
#
# cmake -D<var>=<value>... -P consumer_test.cmake, with:
#   SOURCE_DIR      examples/consumer
#   WORK_DIR        scratch directory (emptied first)
#   INSTALL_FROM    optional: a tmpctl build tree to `cmake --install` into
#                   WORK_DIR/prefix first; the package is then looked for there
#   PREFIX          or: a prefix holding the package (CMAKE_PREFIX_PATH)
#   PACKAGE_DIR     or: the folder holding tmpctlConfig.cmake (tmpctl_DIR)
#   GENERATOR, MAKE_PROGRAM, CXX_COMPILER, BUILD_TYPE, CXX_FLAGS,
#   TOOLCHAIN_FILE  the main build's, so the consumer is built the same way
#   EMULATOR        optional: runs the program (Wine for the Windows build)
#   EXPECTED_DIR    where find_package must have found tmpctl (default: below
#                   the prefix or PACKAGE_DIR given; required without them)
cmake_minimum_required(VERSION 3.25)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${what} failed (${result}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# -D values may be cache entries in script mode: work on copies.
set(prefix "${PREFIX}")
set(package_dir "${PACKAGE_DIR}")
set(expected_dir "${EXPECTED_DIR}")
if(INSTALL_FROM)
  set(prefix "${WORK_DIR}/prefix")
  run_step("cmake --install" "${CMAKE_COMMAND}" --install "${INSTALL_FROM}" --prefix "${prefix}")
endif()

set(configure_args -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_FLAGS)
  list(APPEND configure_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")
endif()
if(TOOLCHAIN_FILE)
  list(APPEND configure_args "-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE}")
endif()
if(prefix AND TOOLCHAIN_FILE)
  # The cross toolchain searches packages only below its sysroot
  # (CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY), so name the package's folder.
  file(GLOB_RECURSE config LIST_DIRECTORIES false "${prefix}/*/tmpctlConfig.cmake")
  if(NOT config)
    message(FATAL_ERROR "no tmpctlConfig.cmake below ${prefix}")
  endif()
  list(GET config 0 config)
  get_filename_component(package_dir "${config}" DIRECTORY)
  set(prefix "")
endif()
if(prefix)
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
  if(NOT expected_dir)
    set(expected_dir "${prefix}")
  endif()
elseif(package_dir)
  list(APPEND configure_args "-Dtmpctl_DIR=${package_dir}")
  if(NOT expected_dir)
    set(expected_dir "${package_dir}")
  endif()
endif()  # neither: CMake's default search, e.g. /usr after dpkg -i

run_step("configuring the consumer" "${CMAKE_COMMAND}" ${configure_args})
# The package used must be the one under test, not one installed elsewhere.
file(STRINGS "${WORK_DIR}/build/CMakeCache.txt" found REGEX "^tmpctl_DIR:")
string(REGEX REPLACE "^tmpctl_DIR:[A-Z]+=" "" found "${found}")
file(REAL_PATH "${found}" found)
file(REAL_PATH "${expected_dir}" expected)
string(FIND "${found}/" "${expected}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "find_package(tmpctl) used ${found}, not the package below ${expected}")
endif()
message(STATUS "find_package(tmpctl) found ${found}")

run_step("building the consumer" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build")

file(GLOB program LIST_DIRECTORIES false "${WORK_DIR}/build/consumer" "${WORK_DIR}/build/consumer.exe")
if(NOT program)
  message(FATAL_ERROR "the consumer was built, but no program is in ${WORK_DIR}/build")
endif()
# Its temp file goes to a scratch TMPDIR on POSIX, where this script can see it.
file(MAKE_DIRECTORY "${WORK_DIR}/tmp")
set(ENV{TMPDIR} "${WORK_DIR}/tmp")
run_step("running the consumer" ${EMULATOR} "${program}")
message(STATUS "the consumer said:\n${step_output}")
if(NOT step_output MATCHES "^wrote ([^\n]*report\\.[0-9A-Za-z]+\\.csv)\r?\nremoved ([^\n]*)\r?\n$")
  message(FATAL_ERROR "unexpected output from the consumer:\n${step_output}")
endif()
set(path "${CMAKE_MATCH_1}")
if(NOT CMAKE_MATCH_2 STREQUAL path)
  message(FATAL_ERROR "the consumer wrote ${path} but removed ${CMAKE_MATCH_2}")
endif()
if(NOT EMULATOR)
  string(FIND "${path}" "${WORK_DIR}/tmp/" at)
  if(NOT at EQUAL 0 OR EXISTS "${path}")
    message(FATAL_ERROR "${path}: expected below ${WORK_DIR}/tmp, and gone")
  endif()
endif()
