# Installs the tmpctl executable, the core library, its headers and a CMake
# package, so that find_package(tmpctl CONFIG) gives tmpctl::core.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS tmpctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS tmpctl_core EXPORT tmpctlTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/tmpctl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${PROJECT_BINARY_DIR}/include/tmpctl/version.hpp"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tmpctl)

set(_tmpctl_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/tmpctl)
install(EXPORT tmpctlTargets NAMESPACE tmpctl:: DESTINATION ${_tmpctl_cmake_dir})
configure_package_config_file(cmake/tmpctlConfig.cmake.in
  "${PROJECT_BINARY_DIR}/tmpctlConfig.cmake" INSTALL_DESTINATION ${_tmpctl_cmake_dir})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tmpctlConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tmpctlConfig.cmake"
  "${PROJECT_BINARY_DIR}/tmpctlConfigVersion.cmake" DESTINATION ${_tmpctl_cmake_dir})
