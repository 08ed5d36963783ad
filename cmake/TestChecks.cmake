# How a test states the output it expects, and the guard that keeps CTest from
# ignoring exit codes (docs/testing.md).
#
# CTest ignores a test's exit code once PASS_REGULAR_EXPRESSION is set: the
# test passes whenever the pattern appears, even if the command fails right
# after printing it. So tests check output and exit code in the command:
#
#   tsp_expect_test(NAME COMMAND cmd args... [RC code] MESSAGE regex)
#
# passes only if `cmd` exits with `code` (default 0) and its stdout + stderr
# match `regex` (CMake regex syntax, the same engine CTest uses).
set(TSP_EXPECT_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/../tests/expect_exit.cmake)

function(tsp_expect_test name)
  cmake_parse_arguments(T "" "RC;MESSAGE" "COMMAND" ${ARGN})
  if(NOT DEFINED T_RC)
    set(T_RC 0)
  endif()
  if(NOT T_COMMAND OR NOT DEFINED T_MESSAGE)
    message(FATAL_ERROR "tsp_expect_test(${name}): needs COMMAND and MESSAGE")
  endif()
  # A ';' in MESSAGE is a CMake list separator: the pattern would end there
  # and the rest would be dropped unchecked (it was, in tests that passed
  # with output the rest would have failed).
  if(T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tsp_expect_test(${name}): MESSAGE or COMMAND was cut at a ';' (a CMake list separator), "
      "leaving `${T_UNPARSED_ARGUMENTS}` unchecked: write '.' for a ';' in MESSAGE")
  endif()
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} "-DCMD=${T_COMMAND}" -DRC=${T_RC} "-DMESSAGE=${T_MESSAGE}"
                                -P ${TSP_EXPECT_SCRIPT})
endfunction()

# The guard. tsp_check_test_regexes() ends every CMakeLists.txt that adds
# tests (CMake 3.25 reads a test's properties only in its own directory): a
# test with PASS_REGULAR_EXPRESSION fails configure unless it also sets
# FAIL_REGULAR_EXPRESSION (it says what failure prints) or the property
# TSP_PASS_REGEX_REASON (why its exit code does not matter).
# It also fails configure for a test with DEPENDS: DEPENDS only orders tests
# that run anyway, so `ctest -L cosim` in a fresh build ran cosim tests on
# images no test had made. A test that reads another's output names it in
# FIXTURES_REQUIRED, and the producer sets FIXTURES_SETUP (by convention the
# fixture is the producing test's name); CTest then runs it first in any
# selection.
# tsp_check_test_dirs() ends the top-level CMakeLists.txt: every directory
# with tests must have run the check, so a new one cannot skip it.
function(tsp_check_test_regexes)
  get_property(tests DIRECTORY PROPERTY TESTS)
  set(blind)
  set(ordered)
  foreach(t IN LISTS tests)
    get_property(depends TEST ${t} PROPERTY DEPENDS)
    if(depends)
      list(APPEND ordered ${t})
    endif()
    get_property(pass TEST ${t} PROPERTY PASS_REGULAR_EXPRESSION)
    get_property(fail TEST ${t} PROPERTY FAIL_REGULAR_EXPRESSION)
    get_property(reason TEST ${t} PROPERTY TSP_PASS_REGEX_REASON)
    if(pass AND NOT fail AND NOT reason)
      list(APPEND blind ${t})
    endif()
  endforeach()
  if(blind)
    list(JOIN blind ", " blind)
    message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE}: tests ${blind} set PASS_REGULAR_EXPRESSION, so CTest ignores "
      "their exit code and they pass whenever the pattern appears. Use tsp_expect_test() (cmake/TestChecks.cmake), "
      "or add FAIL_REGULAR_EXPRESSION, or set TSP_PASS_REGEX_REASON to say why the exit code does not matter.")
  endif()
  if(ordered)
    list(JOIN ordered ", " ordered)
    message(FATAL_ERROR "${CMAKE_CURRENT_LIST_FILE}: tests ${ordered} set DEPENDS, which only orders tests that "
      "run anyway: selected alone (ctest -L/-R) they read files no test made. Name the producer in "
      "FIXTURES_REQUIRED and set FIXTURES_SETUP on it (cmake/TestChecks.cmake).")
  endif()
  set_property(GLOBAL APPEND PROPERTY TSP_REGEX_CHECKED_DIRS ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()

function(tsp_check_test_dirs dir)
  get_property(tests DIRECTORY ${dir} PROPERTY TESTS)
  get_property(checked GLOBAL PROPERTY TSP_REGEX_CHECKED_DIRS)
  if(tests AND NOT dir IN_LIST checked)
    message(FATAL_ERROR "${dir}/CMakeLists.txt adds tests but does not end with tsp_check_test_regexes() "
      "(cmake/TestChecks.cmake)")
  endif()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    tsp_check_test_dirs(${sub})
  endforeach()
endfunction()
