# tmpctl_compile_with(<target> <dependency>...): compile <target> with the
# usage requirements of each dependency (include directories, definitions,
# options) without linking it.
#
# A static library's PRIVATE link items are still exported, as
# $<LINK_ONLY:...>, because whoever links the archive may need them. For
# tmpctl_build_flags (warnings, sanitizers) and header-only fmt that would be
# wrong: the build-tree export (export(EXPORT)) would name targets that exist
# only in this build, and nothing of theirs is needed at link time. CMake 3.27
# has $<COMPILE_ONLY:...> for this; 3.25 does not.
function(tmpctl_compile_with target)
  foreach(_dependency IN LISTS ARGN)
    target_include_directories(${target} SYSTEM PRIVATE
      "$<TARGET_PROPERTY:${_dependency},INTERFACE_INCLUDE_DIRECTORIES>")
    target_compile_definitions(${target} PRIVATE
      "$<TARGET_PROPERTY:${_dependency},INTERFACE_COMPILE_DEFINITIONS>")
    target_compile_options(${target} PRIVATE
      "$<TARGET_PROPERTY:${_dependency},INTERFACE_COMPILE_OPTIONS>")
  endforeach()
endfunction()
