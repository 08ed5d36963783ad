# One multi-chip link example end to end (firmware/examples/gen_links.py):
# generate, assemble, run on TOPOLOGY and check everything by exit code (not
# by CTest's PASS_REGULAR_EXPRESSION, which ignores exit codes):
#   - `tsp run` exits 0 (it fails itself when the cycles differ from .predict)
#     and prints "predicted N: exact";
#   - every tensor line of the expected dump (plain Python reference) appears;
#   - --stats: every link's frame count equals the generator's plan.
# MUTANT=NAME plants a bug first (see below). With ERROR (a regular
# expression) the test passes only if the run fails with a message matching
# it (a program that must fail as generated, too); with MUTANT and no ERROR,
# only if the run succeeds but at least one tensor differs.
#   cmake -DTSP= -DPYTHON= -DGEN= -DKIND= -DNAME= -DOUT= -DTOPOLOGY= [-DGENARGS=a|b]
#         [-DMUTANT=recv_late|recv_early|add_sub] [-DERROR=regex] -P check_links.cmake
cmake_minimum_required(VERSION 3.20)
set(base ${OUT}/${NAME})
string(REPLACE "|" ";" GENARGS "${GENARGS}")  # `|`-separated: a `;` would not survive add_test
execute_process(COMMAND ${PYTHON} ${GEN} ${TSP} ${KIND} ${base}.tsp ${base}.expect ${GENARGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE gen_out ERROR_VARIABLE gen_err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator failed (${rc}):\n${gen_out}${gen_err}")
endif()
message("${gen_out}")

if(MUTANT)
  # Instructions the mutants change carry `; mark:NAME` in the generated text.
  file(READ ${base}.tsp text)
  if(MUTANT STREQUAL "recv_late")      # one RECV a cycle late: its vector is on the stream a cycle late
    set(re "\n(    RECV [^\n]*); mark:recv[^\n]*\n")
    set(to "\n    NOP 1\n\\1\n")
  elseif(MUTANT STREQUAL "recv_early")  # one RECV a receive window early: its frame has not arrived
    string(REGEX MATCH "\n(\\.at |    NOP )([0-9]+)\n(    RECV [^\n]*); mark:recv window:([0-9]+)\n" m "${text}")
    if(NOT m)
      message(FATAL_ERROR "mutant recv_early: no `.at N` or `NOP N` before the marked RECV in ${base}.tsp")
    endif()
    math(EXPR n "${CMAKE_MATCH_2} - ${CMAKE_MATCH_4}")
    set(re "\n(\\.at |    NOP )([0-9]+)\n(    RECV [^\n]*); mark:recv window:([0-9]+)\n")
    set(to "\n\\1${n}\n\\3\n")
  elseif(MUTANT STREQUAL "add_sub")    # one ADD of the reduction subtracts
    set(re "\n    ADD(\\.i8 [^\n]*); mark:add\n")
    set(to "\n    SUB\\1\n")
  else()
    message(FATAL_ERROR "unknown MUTANT ${MUTANT}")
  endif()
  string(REGEX REPLACE "_.*" "" mark ${MUTANT})
  string(REGEX MATCHALL "; mark:${mark}[ \n]" hits "${text}")  # each hit holds a `;`: two list items
  list(LENGTH hits n)
  math(EXPR n "${n} / 2")
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "mutant ${MUTANT}: expected one marked instruction in ${base}.tsp, found ${n}")
  endif()
  string(REGEX REPLACE "${re}" "${to}" text "${text}")
  set(base ${base}_${MUTANT})
  file(WRITE ${base}.tsp "${text}")
endif()

execute_process(COMMAND ${TSP} as ${base}.tsp -o ${base}.img RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tsp as failed (${rc}):\n${err}")
endif()

file(STRINGS ${OUT}/${NAME}.expect lines)
set(dumps)
foreach(line IN LISTS lines)
  string(REGEX REPLACE " \\(.*" "" tname "${line}")
  list(APPEND dumps --dump ${tname})
endforeach()
file(REMOVE ${base}.stats.json)
execute_process(COMMAND ${TSP} run ${base}.img --topology ${TOPOLOGY} ${RUNARGS} --stats ${base}.stats.json ${dumps}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "cycles +[0-9]+[^\n]*" summary "${out}")

if(DEFINED ERROR)
  if(rc EQUAL 0)
    message(FATAL_ERROR "expected a failure (${MUTANT}), but tsp run succeeded\n${summary}")
  endif()
  # `tsp run` prints the error of the lowest-numbered chip that failed, which
  # may be a consequence (a RECV whose sender had stopped) of the planted bug
  # on another chip; --stats holds every chip's error: one must match.
  set(errors "${err}")
  if(EXISTS ${base}.stats.json)
    file(READ ${base}.stats.json stats)
    string(JSON nchips LENGTH "${stats}" chips)
    math(EXPR last "${nchips} - 1")
    foreach(c RANGE ${last})
      string(JSON e GET "${stats}" chips ${c} error)
      list(APPEND errors "${e}")
    endforeach()
  endif()
  set(found "")
  foreach(e IN LISTS errors)
    if(e MATCHES "${ERROR}")
      set(found "${e}")
      break()
    endif()
  endforeach()
  if(NOT found)
    message(FATAL_ERROR "tsp run failed (${rc}) but not with the expected message\n  expected: ${ERROR}\n  got: ${err}")
  endif()
  message("caught as expected (exit ${rc}): ${found}")
  return()
endif()

if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tsp run failed (${rc}):\n${err}")
endif()
message("${summary}")
if(NOT summary MATCHES "predicted [0-9]+: exact")
  message(FATAL_ERROR "the cycle count is not the predicted one: ${summary}")
endif()
set(missing 0)
foreach(line IN LISTS lines)
  string(FIND "${out}" "${line}\n" at)
  if(at EQUAL -1)
    math(EXPR missing "${missing} + 1")
    string(REGEX REPLACE " \\(.*" "" tname "${line}")
    message("MISMATCH ${tname}")
  endif()
endforeach()
list(LENGTH lines total)
if(MUTANT)
  if(missing EQUAL 0)
    message(FATAL_ERROR "the planted bug ${MUTANT} went unnoticed: all ${total} tensors still match")
  endif()
  message("caught as expected: ${missing} of ${total} tensors differ")
  return()
endif()
if(NOT missing EQUAL 0)
  message(FATAL_ERROR "${missing} of ${total} tensors differ from the reference")
endif()
message("${total} tensors equal the reference")

# Frames per link: the generator's plan (NAME.expect.frames) against --stats.
execute_process(COMMAND ${PYTHON} ${GEN} --check-frames ${base}.stats.json ${OUT}/${NAME}.expect.frames
                RESULT_VARIABLE rc OUTPUT_VARIABLE fout ERROR_VARIABLE ferr)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "link frame counts differ from the plan:\n${fout}${ferr}")
endif()
message("${fout}")
