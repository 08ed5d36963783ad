# Plants a bug in a program: replaces FROM by TO in SRC, assembles the mutant
# as OUT/NAME.tsp, runs it, and passes only if `tsp run` exits 1 with an error
# matching MESSAGE (checked here: the test sets no PASS_REGULAR_EXPRESSION).
file(READ ${SRC} text)
string(FIND "${text}" "${FROM}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "mutant_fails: '${FROM}' not found in ${SRC}")
endif()
string(REPLACE "${FROM}" "${TO}" text "${text}")
file(WRITE ${OUT}/${NAME}.tsp "${text}")
execute_process(COMMAND ${TSP} as ${OUT}/${NAME}.tsp -o ${OUT}/${NAME}.img COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${TSP} run ${OUT}/${NAME}.img RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
message("${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "tsp run of the mutant ${NAME} exited with ${rc}, expected 1")
endif()
if(NOT err MATCHES "${MESSAGE}")
  message(FATAL_ERROR "tsp run of the mutant ${NAME}: the error does not match `${MESSAGE}`")
endif()
