# Runs CMD (a ;-list) and passes only if it exits with RC and its output
# (stdout + stderr) matches the regular expression MESSAGE. The exit code is
# checked here because CTest ignores it once PASS_REGULAR_EXPRESSION is set
# (docs/testing.md). Used through tsp_expect_test() (cmake/TestChecks.cmake).
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE ";" " " cmd "${CMD}")
message("${out}${err}")
if(NOT rc STREQUAL "${RC}")
  message(FATAL_ERROR "`${cmd}` exited with ${rc}, expected ${RC}")
endif()
if(NOT "${out}${err}" MATCHES "${MESSAGE}")
  message(FATAL_ERROR "`${cmd}`: output does not match `${MESSAGE}`")
endif()
