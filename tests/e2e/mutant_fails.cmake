# Plants a bug in a program: replaces FROM by TO in SRC, assembles the mutant
# as OUT/NAME.tsp, runs it, and fails unless `tsp run` exits non-zero. The
# test's PASS_REGULAR_EXPRESSION then checks what the error said.
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
if(rc EQUAL 0)
  message(FATAL_ERROR "tsp run accepted the mutant ${NAME}")
endif()
