# Runs every program image the test suite compiled (tests/CMakeLists.txt:
# TSP_COMPILE_LOG_DIR) on the model; `tsp run` fails when the simulated cycles
# differ from the compiler's prediction in the image.
#   cmake -DTSP=... -DDIR=... -P run_compiled.cmake
file(GLOB images "${DIR}/*.img")
list(LENGTH images n)
if(n EQUAL 0)
  message(STATUS "no compiled programs to check (no test that compiles ran)")
  return()
endif()
set(failed 0)
foreach(img IN LISTS images)
  execute_process(COMMAND ${TSP} run -q ${img} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    math(EXPR failed "${failed} + 1")
    message(STATUS "${img}: ${out}${err}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "${failed} of ${n} compiled programs did not run in their predicted cycles")
endif()
message(STATUS "all ${n} compiled programs ran in exactly their predicted cycles")
