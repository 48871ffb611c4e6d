# Installs the tmpctl executable, its man page, the core library, its headers
# and a CMake package, so that find_package(tmpctl CONFIG) gives tmpctl::core,
# from an install prefix or straight from this build tree.
include(CMakePackageConfigHelpers)

# Destinations are GNUInstallDirs' defaults (bin/, lib/, include/ for the
# header file set, which the exported target also takes as its include path).
install(TARGETS tmpctl)
install(TARGETS tmpctl_core EXPORT tmpctlTargets FILE_SET HEADERS)
# Stripping (`cmake --install --strip`, CPACK_STRIP_FILES) leaves static
# archives alone; drop the archive's debug information then too, as Debian's
# dh_strip does (--strip-debug keeps every symbol a linker needs). In a
# RelWithDebInfo build that is most of the archive's size.
if(CMAKE_STRIP)
  install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
      execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
        \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:tmpctl_core>\"
        COMMAND_ERROR_IS_FATAL ANY)
    endif()")
endif()

# The package needs no find_dependency(): fmt is compiled into the archive
# (header-only), and what the archive needs at link time (the Windows system
# libraries) is in tmpctl::core's exported link interface.
set(_tmpctl_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tmpctl)
install(EXPORT tmpctlTargets NAMESPACE tmpctl:: DESTINATION ${_tmpctl_cmake_dir})
configure_package_config_file(cmake/tmpctlConfig.cmake.in
  "${PROJECT_BINARY_DIR}/tmpctlConfig.cmake" INSTALL_DESTINATION ${_tmpctl_cmake_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tmpctlConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tmpctlConfig.cmake"
  "${PROJECT_BINARY_DIR}/tmpctlConfigVersion.cmake" DESTINATION ${_tmpctl_cmake_dir})

# The same package for the build tree: find_package(tmpctl) with
# tmpctl_DIR=<this build directory> uses the library and headers in place.
# tmpctlConfig.cmake includes tmpctlTargets.cmake from its own folder, so the
# one generated file serves both.
export(EXPORT tmpctlTargets NAMESPACE tmpctl::
  FILE "${PROJECT_BINARY_DIR}/tmpctlTargets.cmake")

if(NOT WIN32)
  # Debian's policy (12.3) wants man pages compressed with `gzip -9n` (no name
  # or time stamp, so the package is reproducible); man reads them either way.
  find_program(TMPCTL_GZIP gzip REQUIRED)
  set(_tmpctl_man_page "${PROJECT_BINARY_DIR}/man/tmpctl.1.gz")
  add_custom_command(OUTPUT "${_tmpctl_man_page}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${PROJECT_BINARY_DIR}/man"
    COMMAND "${TMPCTL_GZIP}" -9n -c "${PROJECT_SOURCE_DIR}/docs/tmpctl.1" > "${_tmpctl_man_page}"
    DEPENDS "${PROJECT_SOURCE_DIR}/docs/tmpctl.1"
    COMMENT "Compressing the man page"
    VERBATIM)
  add_custom_target(tmpctl_man_page ALL DEPENDS "${_tmpctl_man_page}")
  install(FILES "${_tmpctl_man_page}" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
else()
  # The .zip: read-me at its top, the CLI reference where the read-me links it.
  install(FILES README.md DESTINATION .)
  install(FILES docs/cli.md docs/windows-locks.md DESTINATION docs)
endif()

include(cmake/Packaging.cmake)
