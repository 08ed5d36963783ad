# Multi-chip programs over chip-to-chip links (firmware/examples/gen_links.py,
# docs/links.md "Examples"). Each test generates its program and the expected
# tensors (an independent Python reference), assembles, runs it on its
# topology and checks the exit code, the predicted cycles, every tensor and
# the frames per link (--stats); tests/e2e/check_links.cmake does it all and
# fails by exit code. Planted bugs must be caught: a RECV one cycle late fails
# the run with the located message, a SUB in place of an ADD changes tensors.
set(_gen ${EX}/gen_links.py)
set(_dir ${OUT}/links)
file(MAKE_DIRECTORY ${_dir})
set(_rdeskew 64)   # RDESKEW count: well above the 200 ppm drift of one 20,000-cycle period (4 cycles)

# tsp_link_test(NAME KIND TOPOLOGY [GEN args...] [MUTANT m] [ERROR regex] [LABELS ...])
function(tsp_link_test name kind topology)
  cmake_parse_arguments(L "" "MUTANT;ERROR" "GEN;LABELS" ${ARGN})
  set(args -DTSP=${TSP} -DPYTHON=${Python3_EXECUTABLE} -DGEN=${_gen} -DKIND=${kind} -DNAME=${name} -DOUT=${_dir}
           -DTOPOLOGY=${topology} "-DGENARGS=${L_GEN}")
  if(L_MUTANT)
    list(APPEND args -DMUTANT=${L_MUTANT})
  endif()
  if(DEFINED L_ERROR)
    list(APPEND args "-DERROR=${L_ERROR}")
  endif()
  add_test(NAME e2e_links_${name} COMMAND ${CMAKE_COMMAND} ${args} -P ${CMAKE_CURRENT_SOURCE_DIR}/check_links.cmake)
  set_tests_properties(e2e_links_${name} PROPERTIES LABELS "e2e;${L_LABELS}")
endfunction()

# A RECV one cycle after its frame's slot: the receiver's located error.
set(_late "error: chip [0-9]+, C2C\\.[0-9]+ #[0-9]+ `RECV ")

tsp_link_test(node8_broadcast node8_broadcast node8)
tsp_link_test(node8_broadcast_recv_late node8_broadcast node8 MUTANT recv_late ERROR "${_late}")
tsp_link_test(node8_allreduce node8_allreduce node8)
tsp_link_test(node8_allreduce_recv_late node8_allreduce node8 MUTANT recv_late ERROR "${_late}")
tsp_link_test(node8_allreduce_add_sub node8_allreduce node8 MUTANT add_sub)
tsp_link_test(dragonfly_3hop dragonfly_3hop dragonfly2)
tsp_link_test(dragonfly_3hop_recv_late dragonfly_3hop dragonfly2 MUTANT recv_late ERROR "${_late}")

# Drift: 200 ppm apart. Short form (10^5 cycles) in CI, 10^6 cycles under `slow`.
set(_topo ${CMAKE_CURRENT_SOURCE_DIR}/links/drift_pm100.topo)
set(_drift_error "arrived in cycle [0-9]+.*RECV in cycle [0-9]+|RECV in cycle [0-9]+.*arrived in cycle [0-9]+")
foreach(_form short long)
  if(_form STREQUAL short)
    set(_cycles 100000)
    set(_labels "")
  else()
    set(_cycles 1000000)
    set(_labels slow)
  endif()
  tsp_link_test(drift_${_form} drift ${_topo} GEN --topology ${_topo} --cycles ${_cycles} --period 20000
                --deskew ${_rdeskew} LABELS ${_labels})
  tsp_link_test(drift_${_form}_no_deskew_fails drift ${_topo} GEN --topology ${_topo} --cycles ${_cycles}
                --period 20000 --deskew 0 ERROR "${_drift_error}" LABELS ${_labels})
endforeach()
tsp_link_test(drift_short_recv_late drift ${_topo} GEN --topology ${_topo} --cycles 100000 --period 20000
              --deskew ${_rdeskew} MUTANT recv_late ERROR "${_late}")
