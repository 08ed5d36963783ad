# One compiled program in lock-step cosim (an entry of programs.json):
#   [ONNX=model.onnx INPUTS=dir]  compile it first into IMAGE (ONNX node tests)
#   tsp run IMAGE                 the model's cycles, which must be the prediction
#   tsp cosim IMAGE --rtl UNITS   every unit's RTL against the model
# Passes only if cosim exits 0, prints a `checks` line for every unit of UNITS
# with 0 skipped (unless ALLOW_SKIPS) and ran as many cycles as the prediction.
# PLANTED=N runs the RTL with its planted bugs (--planted=N) and then passes
# only if cosim reports a divergence, in unit EXPECT_UNIT if given (the tests
# that show the check can fail).
# Prints the per-unit counts last.
string(REPLACE "," ";" unit_list "${UNITS}")
function(fail why)
  message(FATAL_ERROR "cosim program ${NAME}: ${why}")
endfunction()

if(ONNX)
  execute_process(COMMAND ${TSP} compile ${ONNX} --inputs ${INPUTS} -o ${IMAGE} -q RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("compiling ${ONNX} failed:\n${out}${err}")
  endif()
endif()

execute_process(COMMAND ${TSP} run ${IMAGE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT "${out}${err}" MATCHES "predicted ([0-9]+): exact")
  fail("tsp run ${IMAGE} did not run as predicted:\n${out}${err}")
endif()
set(predicted ${CMAKE_MATCH_1})

set(cmd ${TSP} cosim ${IMAGE} --rtl ${UNITS} --wave-dir ${OUT}/waves_${NAME})
if(ALLOW_SKIPS)
  list(APPEND cmd --allow-skips)
endif()
if(PLANTED)
  list(APPEND cmd --planted=${PLANTED})
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
string(REPLACE ";" " " shown "${cmd}")
if(PLANTED)
  if(rc EQUAL 0 OR NOT "${err}" MATCHES "error: cosim divergence: chip [0-9]+, unit ([a-z]+), ")
    fail("the planted RTL (--planted=${PLANTED}) was not caught (exit ${rc}); command: ${shown}")
  endif()
  if(EXPECT_UNIT AND NOT CMAKE_MATCH_1 STREQUAL EXPECT_UNIT)
    fail("the planted RTL was caught by unit ${CMAKE_MATCH_1}, expected ${EXPECT_UNIT}")
  endif()
  message("cosim program ${NAME}: planted bug ${PLANTED} caught by unit ${CMAKE_MATCH_1}")
  return()
endif()
if(NOT rc EQUAL 0)
  fail("cosim failed (exit ${rc}); reproduce: ${shown}")
endif()
if(NOT out MATCHES "matched [0-9]+ instructions, [0-9]+ values, ([0-9]+) cycles")
  fail("no cosim summary in the output")
endif()
if(NOT CMAKE_MATCH_1 EQUAL predicted)
  fail("cosim ran ${CMAKE_MATCH_1} cycles, the image predicts ${predicted}")
endif()
set(summary "")
foreach(u IN LISTS unit_list)
  if(NOT out MATCHES "checks ${u} +([0-9]+) data and timing, ([0-9]+) timing only, ([0-9]+) skipped")
    fail("no `checks ${u}` line: unit ${u} did not report what it compared")
  endif()
  if(CMAKE_MATCH_3 GREATER 0 AND NOT ALLOW_SKIPS)
    fail("unit ${u} skipped ${CMAKE_MATCH_3} instructions; a skip is not a match")
  endif()
  string(APPEND summary " ${u} ${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/${CMAKE_MATCH_3}")
endforeach()
message("cosim program ${NAME}: ${predicted} cycles as predicted; data+timing/timing-only/skipped:${summary}")
