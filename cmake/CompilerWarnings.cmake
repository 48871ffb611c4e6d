# Warnings and sanitizers for tmpctl's own targets only (never for dependencies).
# Warnings are errors with CMAKE_COMPILE_WARNING_AS_ERROR (on in every preset;
# `cmake --compile-no-warning-as-error` turns it off for one build).
add_library(tmpctl_build_flags INTERFACE)
if(MSVC)
  target_compile_options(tmpctl_build_flags INTERFACE
    /W4 /permissive- /utf-8 /Zc:__cplusplus)
else()
  target_compile_options(tmpctl_build_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough -Wundef)
endif()

if(WIN32)
  # Keep <windows.h> lean and free of min/max macros: MSVC and mingw alike.
  target_compile_definitions(tmpctl_build_flags INTERFACE
    WIN32_LEAN_AND_MEAN NOMINMAX UNICODE _UNICODE _WIN32_WINNT=0x0A00)
endif()

if(TMPCTL_SANITIZE AND NOT MSVC)
  target_compile_options(tmpctl_build_flags INTERFACE
    -fsanitize=${TMPCTL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(tmpctl_build_flags INTERFACE -fsanitize=${TMPCTL_SANITIZE})
  # The tests start tmpctl thousands of times. A sanitized position-independent
  # executable applies two million relative relocations (the sanitizers'
  # descriptors) at each start, half its start-up time; linked at a fixed
  # address it has none (docs/benchmarks.md, "The build and the test suites").
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_options(tmpctl_build_flags INTERFACE
      $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-no-pie>)
  endif()
endif()
