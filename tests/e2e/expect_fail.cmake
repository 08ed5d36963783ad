# Runs CMD (a ;-list) and fails unless it exits non-zero; prints its stderr so
# that the test's PASS_REGULAR_EXPRESSION can check what the error said.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
message("${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the command succeeded: ${CMD}")
endif()
