# CPack: a .deb from the Linux build, a .zip from the Windows cross build.
# `cpack --preset linux` / `cpack --preset windows` after a build; the packages
# go to <build dir>/packages. What is in them is what `cmake --install` puts
# in a prefix (cmake/Install.cmake), with executables stripped.
set(CPACK_PACKAGE_NAME tmpctl)
set(CPACK_PACKAGE_VENDOR "tmpctl")
set(CPACK_PACKAGE_CONTACT "tmpctl maintainers <tmpctl@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "temporary files with explicit handle, close and delete semantics")
set(CPACK_PACKAGE_DESCRIPTION
  "tmpctl creates temporary files safely (exclusive, owner-only, unpredictable
names, no handle left open), removes them with explicit semantics and, when the
OS refuses, says why and which process holds the file. tmpctl cleanup removes
stale temporary files without touching what is in use. The package also holds
tmpctl's C++23 core library (static), its headers and its CMake package
(find_package(tmpctl) gives tmpctl::core).")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_STRIP_FILES ON)  # executables only: CMake leaves static archives alone
set(CPACK_SOURCE_GENERATOR "")

if(WIN32)
  set(CPACK_GENERATOR ZIP)
  set(CPACK_PACKAGE_FILE_NAME "tmpctl-${PROJECT_VERSION}-windows-x86_64")
else()
  set(CPACK_GENERATOR DEB)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tmpctl_0.1.0_amd64.deb
  set(CPACK_DEBIAN_PACKAGE_SECTION utils)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
  # Depends from dpkg-shlibdeps (package dpkg-dev): the ELF files' real needs.
  # tmpctl is linked statically on Linux with g++, so this comes to nothing
  # (libc6 only where it links glibc dynamically: sanitizers, other compilers).
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # Control files get the permissions Debian's tools give them (0644/0755).
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
endif()

include(CPack)
