# Windows executables keep their debug information in a file of its own.
#
# A PE image maps every section it has, DWARF included: a RelWithDebInfo
# tmpctl.exe is 104 MB, and under Wine each start read it: 441 ms instead of
# 120 ms. The tests start tmpctl.exe hundreds of times. So after each link,
# the DWARF moves to <program>.exe.debug beside it, which the program names in
# a .gnu_debuglink section; gdb finds it there (docs/benchmarks.md, "Windows
# programs under Wine"). The packages strip both anyway. ELF programs need
# none of this: their debug sections are never loaded.
function(tmpctl_split_debug_info target)
  if(NOT WIN32 OR MSVC OR NOT CMAKE_OBJCOPY)
    return()
  endif()
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_OBJCOPY}" --only-keep-debug "$<TARGET_FILE_NAME:${target}>"
      "$<TARGET_FILE_NAME:${target}>.debug"
    COMMAND "${CMAKE_OBJCOPY}" --strip-debug
      "--add-gnu-debuglink=$<TARGET_FILE_NAME:${target}>.debug" "$<TARGET_FILE_NAME:${target}>"
    WORKING_DIRECTORY "$<TARGET_FILE_DIR:${target}>"
    VERBATIM)
  set_property(TARGET ${target} APPEND PROPERTY ADDITIONAL_CLEAN_FILES "$<TARGET_FILE:${target}>.debug")
endfunction()
