# Runs CMD (a ;-list) and fails unless it exits 0 and its stdout matches EXPECT
# (a regex); with FILE, that file must also match FILE_EXPECT. CTest's
# PASS_REGULAR_EXPRESSION alone would ignore the exit code.
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit code ${rc}: ${CMD}")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not match: ${EXPECT}")
endif()
if(FILE)
  file(READ ${FILE} contents)
  if(NOT contents MATCHES "${FILE_EXPECT}")
    message(FATAL_ERROR "${FILE} does not match: ${FILE_EXPECT}")
  endif()
endif()
