# Native build with Clang and libc++ (-stdlib=libc++), the pairing Apple clang
# uses, so the macOS standard library is exercised on Linux too.
#
# Clang needs libc++ for C++23's <expected>: libstdc++ (12 to 14) hides it
# unless __cpp_concepts >= 202002L, which Clang defines from version 19 on;
# libc++ has it from version 16 on. So the newest versioned clang++ on PATH is
# taken (Debian 12: apt-get install clang-16 libc++-16-dev libc++abi-16-dev);
# -DCMAKE_CXX_COMPILER=... picks another. GoogleTest is then compiled from
# source (Debian's libgtest is built against libstdc++): see Dependencies.cmake.
if(NOT CMAKE_CXX_COMPILER)
  find_program(TMPCTL_CLANGXX NAMES
    clang++-22 clang++-21 clang++-20 clang++-19 clang++-18 clang++-17 clang++-16 clang++
    REQUIRED)
  set(CMAKE_CXX_COMPILER "${TMPCTL_CLANGXX}")
endif()
# GoogleTest's project enables C too: the matching clang, not the system's cc.
if(NOT CMAKE_C_COMPILER)
  string(REGEX REPLACE "clang\\+\\+([^/]*)$" "clang\\1" _tmpctl_clang "${CMAKE_CXX_COMPILER}")
  set(CMAKE_C_COMPILER "${_tmpctl_clang}")
endif()
set(CMAKE_CXX_FLAGS_INIT "-stdlib=libc++")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-stdlib=libc++")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-stdlib=libc++")
set(TMPCTL_GTEST_FROM_SOURCE ON CACHE BOOL "")
