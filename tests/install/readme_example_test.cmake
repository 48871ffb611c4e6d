# README.md's "## The library" section shows examples/consumer/main.cpp, the
# program the package tests build and run; the two must be the same text.
#
# cmake -DREADME=README.md -DEXAMPLE=examples/consumer/main.cpp -P readme_example_test.cmake
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "\n## The library\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "${README} has no '## The library' section")
endif()
string(SUBSTRING "${readme}" ${start} -1 section)
string(FIND "${section}" "\n```cpp\n" open)
if(open EQUAL -1)
  message(FATAL_ERROR "the '## The library' section of ${README} has no ```cpp block")
endif()
math(EXPR open "${open} + 8")
string(SUBSTRING "${section}" ${open} -1 section)
string(FIND "${section}" "\n```\n" close)
math(EXPR close "${close} + 1")
string(SUBSTRING "${section}" 0 ${close} snippet)
if(NOT snippet STREQUAL example)
  message(FATAL_ERROR "README.md's library example differs from ${EXAMPLE}; "
    "copy one to the other. README.md has:\n${snippet}")
endif()
message(STATUS "README.md's library example is ${EXAMPLE}")
