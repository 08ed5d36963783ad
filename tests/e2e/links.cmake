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
set(_rdeskew 64)   # RDESKEW count: well above the drift of one 20,000-cycle period (12 cycles at 600 ppm apart)

# tsp_link_test(NAME KIND TOPOLOGY [GEN args...] [MUTANT m] [ERROR regex] [LABELS ...])
function(tsp_link_test name kind topology)
  cmake_parse_arguments(L "" "MUTANT;ERROR" "GEN;LABELS" ${ARGN})
  set(args -DTSP=${TSP} -DPYTHON=${Python3_EXECUTABLE} -DGEN=${_gen} -DKIND=${kind} -DNAME=${name} -DOUT=${_dir}
           -DTOPOLOGY=${topology})
  if(L_GEN)
    string(REPLACE ";" "|" _genargs "${L_GEN}")
    list(APPEND args "-DGENARGS=${_genargs}")
  endif()
  if(L_MUTANT)
    list(APPEND args -DMUTANT=${L_MUTANT})
  endif()
  if(DEFINED L_ERROR)
    list(APPEND args "-DERROR=${L_ERROR}")
  endif()
  add_test(NAME e2e_links_${name} COMMAND ${CMAKE_COMMAND} ${args} -P ${CMAKE_CURRENT_SOURCE_DIR}/check_links.cmake)
  set_tests_properties(e2e_links_${name} PROPERTIES LABELS "e2e;${L_LABELS}")
endfunction()

# Planted bugs. A RECV one cycle late still takes its frame (it is inside the
# receive window) but puts the vector on its stream a cycle late: the WRITE,
# SEND or ADD that expects it there reports the empty stream. A RECV one receive
# window early finds no frame: the RECV's own located error.
set(_late "\\.tsp:[0-9]+: error: chip [0-9]+, (MEM\\.[EW]\\.|C2C\\.|VXM\\.)[0-9]+ #[0-9]+ `(WRITE|SEND|ADD\\.i8) [^`]*`, cycle [0-9]+: stream S[0-9]+\\.[EW] holds no value")
set(_early "\\.tsp:[0-9]+: error: chip [0-9]+, C2C\\.[0-9]+ #[0-9]+ `RECV [^`]*`, cycle [0-9]+: the vector from chip [0-9]+, C2C\\.[0-9]+ #[0-9]+ `SEND [^`]*`, cycle [0-9]+ \\([^)]*\\) arrived in cycle [0-9]+, RECV in cycle [0-9]+: [0-9]+ cycles after the RECV")

foreach(_ex node8_broadcast:node8 node8_allreduce:node8 dragonfly_3hop:dragonfly2)
  string(REPLACE ":" ";" _ex ${_ex})
  list(GET _ex 0 _kind)
  list(GET _ex 1 _topology)
  tsp_link_test(${_kind} ${_kind} ${_topology})
  tsp_link_test(${_kind}_recv_late ${_kind} ${_topology} MUTANT recv_late ERROR "${_late}")
  tsp_link_test(${_kind}_recv_early ${_kind} ${_topology} MUTANT recv_early ERROR "${_early}")
endforeach()
# The reduction itself: one chip's ADD of one step subtracts instead.
tsp_link_test(node8_allreduce_add_sub node8_allreduce node8 MUTANT add_sub)

# Drift (docs/links.md, clocks): a vector each way every 20,000 cycles between
# two chips whose clocks run apart, RDESKEW before each exchange. Short form
# (10^5 cycles, 600 ppm apart so that it fails early without RDESKEW: at 40,000
# cycles the frames are 24 cycles off) in CI; 10^6 cycles at 200 ppm apart
# under `slow`. Without RDESKEW the RECV reports where the frame arrived.
set(_drift_error "\\.tsp:[0-9]+: error: chip [0-9]+, C2C\\.[0-9]+ #[0-9]+ `RECV [^`]*`, cycle [0-9]+: the vector from chip [0-9]+, C2C\\.[0-9]+ #[0-9]+ `SEND [^`]*`, cycle [0-9]+ \\([^)]*\\) arrived in cycle [0-9]+, RECV in cycle [0-9]+")
foreach(_form short long)
  if(_form STREQUAL short)
    set(_args --cycles 100000 --period 20000)
    set(_topo ${CMAKE_CURRENT_SOURCE_DIR}/links/drift_pm300.topo)
    set(_labels "")
  else()
    set(_args --cycles 1000000 --period 20000)
    set(_topo ${CMAKE_CURRENT_SOURCE_DIR}/links/drift_pm100.topo)
    set(_labels slow)
  endif()
  tsp_link_test(drift_${_form} drift ${_topo} GEN --topology ${_topo} ${_args} --deskew ${_rdeskew} LABELS ${_labels})
  tsp_link_test(drift_${_form}_no_deskew_fails drift ${_topo} GEN --topology ${_topo} ${_args} --deskew 0
                ERROR "${_drift_error}" LABELS ${_labels})
endforeach()
set(_topo ${CMAKE_CURRENT_SOURCE_DIR}/links/drift_pm300.topo)
tsp_link_test(drift_short_recv_late drift ${_topo} GEN --topology ${_topo} --cycles 100000 --period 20000
              --deskew ${_rdeskew} MUTANT recv_late ERROR "${_late}")
tsp_link_test(drift_short_recv_early drift ${_topo} GEN --topology ${_topo} --cycles 100000 --period 20000
              --deskew ${_rdeskew} MUTANT recv_early ERROR "${_early}")

# The command line's link errors, each with its message and exit code.
set(_one ${_dir}/one_chip.img)
tsp_expect_test(e2e_links_topology_chip_count
  COMMAND sh -c "${TSP} as ${EX}/mini_add.tsp -o ${_one} && ${TSP} run ${_one} --topology pair"
  RC 1 MESSAGE "builtin pair: error: the topology has 2 chips but the image has 1")
tsp_expect_test(e2e_links_options_need_a_topology
  COMMAND sh -c "${TSP} as ${EX}/mini_add.tsp -o ${_one}_b && ${TSP} run ${_one}_b --link-ber 1e-3"
  RC 1 MESSAGE "--clock-ppm-spread, --link-ber, --link-flip and --link-jitter need --topology")
tsp_expect_test(e2e_links_flip_syntax
  COMMAND sh -c "${TSP} as ${EX}/mini_add.tsp -o ${_one}_c && ${TSP} run ${_one}_c --topology pair --link-flip 0.0:8"
  RC 1 MESSAGE "--link-flip 0\\.0:8: expected CHIP\\.PORT:CYCLE:BIT")
tsp_expect_test(e2e_links_flip_port_range
  COMMAND sh -c "${TSP} as ${EX}/mini_add.tsp -o ${_one}_d && ${TSP} run ${_one}_d --topology pair --link-flip 0.9:8:1"
  RC 1 MESSAGE "--link-flip 0\\.9:8:1: port 9 out of range \\(a mini chip has 8 links\\)")
set_tests_properties(e2e_links_topology_chip_count e2e_links_options_need_a_topology e2e_links_flip_syntax
  e2e_links_flip_port_range PROPERTIES LABELS e2e)
