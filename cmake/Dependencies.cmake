# Every dependency comes from Debian's packages; nothing is downloaded.
#
# fmt, CLI11 and nlohmann-json are used header-only everywhere. Native builds
# find them through the packages' CMake configs. The Windows cross build cannot
# use the host's configs, so only their own include folders are staged into
# the build tree (never the host's whole /usr/include), and GoogleTest is
# compiled for the target from Debian's source package.

# GoogleTest is compiled, not found, where the installed one would not link:
# in the Windows cross build, and with another C++ standard library than the
# system's (the clang-libcxx toolchain file sets this).
option(TMPCTL_GTEST_FROM_SOURCE "Build GoogleTest from TMPCTL_GOOGLETEST_SOURCE_DIR"
  ${CMAKE_CROSSCOMPILING})
set(TMPCTL_GOOGLETEST_SOURCE_DIR "/usr/src/googletest"
  CACHE PATH "GoogleTest sources to build for the target (Debian package googletest)")

macro(tmpctl_googletest_from_source)
  if(NOT EXISTS "${TMPCTL_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt")
    message(FATAL_ERROR "tmpctl: GoogleTest sources not found in "
      "${TMPCTL_GOOGLETEST_SOURCE_DIR} (install the googletest package)")
  endif()
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  add_subdirectory("${TMPCTL_GOOGLETEST_SOURCE_DIR}"
    "${PROJECT_BINARY_DIR}/_deps/googletest" EXCLUDE_FROM_ALL SYSTEM)
  # CMAKE_COMPILE_WARNING_AS_ERROR is for tmpctl's own code, not a dependency's.
  set_target_properties(gtest gtest_main PROPERTIES COMPILE_WARNING_AS_ERROR OFF)
  # GoogleTest's own CMakeLists defines the GTest::gtest and GTest::gtest_main aliases.
endmacro()

if(NOT CMAKE_CROSSCOMPILING)
  find_package(fmt 9 CONFIG REQUIRED)
  find_package(CLI11 2.1 CONFIG REQUIRED)
  find_package(nlohmann_json 3.10 CONFIG REQUIRED)
  if(TMPCTL_BUILD_TESTS AND TMPCTL_GTEST_FROM_SOURCE)
    tmpctl_googletest_from_source()
  elseif(TMPCTL_BUILD_TESTS)
    find_package(GTest 1.11 CONFIG REQUIRED)
  endif()
  if(TMPCTL_BUILD_BENCHMARKS)
    find_package(benchmark CONFIG REQUIRED)
  endif()
  return()
endif()

set(TMPCTL_HOST_INCLUDE_DIR "/usr/include"
  CACHE PATH "Where the host's header-only libraries (fmt, CLI, nlohmann) live")
set(_tmpctl_staged "${PROJECT_BINARY_DIR}/_deps/host-headers")
file(MAKE_DIRECTORY "${_tmpctl_staged}")
foreach(_dir IN ITEMS fmt CLI nlohmann)
  if(NOT IS_DIRECTORY "${TMPCTL_HOST_INCLUDE_DIR}/${_dir}")
    message(FATAL_ERROR "tmpctl: ${TMPCTL_HOST_INCLUDE_DIR}/${_dir} not found "
      "(install libfmt-dev, libcli11-dev and nlohmann-json3-dev)")
  endif()
  file(CREATE_LINK "${TMPCTL_HOST_INCLUDE_DIR}/${_dir}" "${_tmpctl_staged}/${_dir}" SYMBOLIC)
endforeach()

foreach(_target IN ITEMS fmt::fmt-header-only CLI11::CLI11 nlohmann_json::nlohmann_json)
  add_library(${_target} INTERFACE IMPORTED)
  target_include_directories(${_target} SYSTEM INTERFACE "${_tmpctl_staged}")
endforeach()
target_compile_definitions(fmt::fmt-header-only INTERFACE FMT_HEADER_ONLY=1)

if(TMPCTL_BUILD_TESTS)
  tmpctl_googletest_from_source()
endif()
