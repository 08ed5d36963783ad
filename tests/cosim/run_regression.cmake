# One cosim regression (an entry of regressions.json): for each seed in SEEDS
# (a ;-list), `tsp cosim --random UNIT` (the RTL against the model) and
# `tsp run` of the same generated image (the generator's prediction against
# the model). Fails on the first seed that fails either, printing its output
# and the command that reproduces it.
foreach(seed IN LISTS SEEDS)
  # c2c draws link frames, not a program: the adapter is all there is to run.
  if(UNIT STREQUAL "c2c")
    set(cmd ${TSP} cosim --random c2c --seed ${seed} --config ${CONFIG} --instructions ${INSTRUCTIONS}
        --wave-dir ${OUT}/waves_${NAME})
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    message("${out}${err}")
    if(NOT rc EQUAL 0)
      string(REPLACE ";" " " shown "${cmd}")
      message(FATAL_ERROR "cosim regression ${NAME}: seed ${seed} failed; reproduce: ${shown}")
    endif()
    continue()
  endif()
  set(img ${OUT}/${NAME}_${seed}.img)
  set(cmd ${TSP} cosim --random ${UNIT} --seed ${seed} --config ${CONFIG} --instructions ${INSTRUCTIONS}
      --rtl ${UNIT} --save-image ${img} --wave-dir ${OUT}/waves_${NAME})
  if(FCOV_DIR)  # the model's functional coverage bins of this seed (tsp coverage merges them)
    list(APPEND cmd --coverage ${FCOV_DIR}/${NAME}_${seed}.json)
  endif()
  if(FLIPS GREATER 0)  # single-bit SRAM flips in the program's words, model and RTL alike
    list(APPEND cmd --random-flips ${FLIPS})
  endif()
  execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${cmd}")
    message(FATAL_ERROR "cosim regression ${NAME}: seed ${seed} failed; reproduce: ${shown}")
  endif()
  execute_process(COMMAND ${TSP} run ${img} -q RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cosim regression ${NAME}: seed ${seed}: the generated program does not run as predicted:\n${err}reproduce: ${TSP} run ${img}")
  endif()
endforeach()
