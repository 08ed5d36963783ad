# Distributed runs (docs/distributed.md), label `mpi`: `tsp run` under
# `mpirun -n R --oversubscribe` on this one machine. tests/e2e/mpi/check_ranks.py
# does the checking by exit code:
#   identity  1 process, then 2 and 4 ranks (8 under `slow`): same digest,
#             same exit code, same output but for the lines about ranks and
#             wall time; planted: a run that differs on one rank count fails it;
#   fails     a job that must end non-zero with a message within a bound.
set(_mpi_dir ${OUT}/mpi)
file(MAKE_DIRECTORY ${_mpi_dir})
# Strings, not lists: they go into `sh -c` command lines.
set(_check "${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/mpi/check_ranks.py")
set(_gen "${Python3_EXECUTABLE} ${EX}/gen_links.py ${TSP}")
set(_mpi_env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1)

# tsp_mpi_test(NAME KIND RC MESSAGE CHECK_ARGS...): generates and assembles the
# example KIND into ${_mpi_dir}/NAME.img (@IMG@ in CHECK_ARGS), then runs the checker.
function(tsp_mpi_test name kind rc message)
  set(img ${_mpi_dir}/${name}.img)
  string(JOIN " " check ${_check} ${ARGN})
  string(REPLACE "@IMG@" ${img} check "${check}")
  tsp_expect_test(mpi_${name}
    COMMAND sh -c "${_gen} ${kind} ${_mpi_dir}/${name}.tsp ${_mpi_dir}/${name}.expect >/dev/null && ${TSP} as ${_mpi_dir}/${name}.tsp -o ${img} && ${check}"
    RC ${rc} MESSAGE "${message}")
  set_tests_properties(mpi_${name} PROPERTIES LABELS "mpi;${TSP_MPI_LABELS}" ENVIRONMENT "${_mpi_env}"
                       RESOURCE_LOCK mpi TIMEOUT 300)
endfunction()

set(_run --mpirun ${MPIEXEC_EXECUTABLE} --tsp ${TSP} --image @IMG@)
set(_node8 -- --topology node8)
set(_df -- --topology dragonfly2 --clock-ppm-spread 50 --link-ber 2e-4 --link-jitter --seed 3)
set(_df_err -- --topology dragonfly2 --clock-ppm-spread 50 --link-ber 3e-3 --seed 3)

# Identity on node8 (ring all-reduce) and dragonfly2 (3 hops) with drift, bit
# errors the FEC corrects and jitter, and with so many that a RECV fails: the
# error, its chip and its cycle must not depend on the ranks either.
tsp_mpi_test(identity_node8 node8_allreduce 0 "check_ranks: identical for 1, 2,4 ranks" identity ${_run} --ranks 2,4 ${_node8})
tsp_mpi_test(identity_dragonfly2_drift_ber dragonfly_3hop 0 "check_ranks: identical for 1, 2,4 ranks"
             identity ${_run} --ranks 2,4 ${_df})
tsp_mpi_test(identity_dragonfly2_uncorrectable dragonfly_3hop 0 "check_ranks: identical for 1, 2,4 ranks: digest [0-9a-f]+, exit 1"
             identity ${_run} --ranks 2,4 ${_df_err})
# A partition of our own: the chips of each node dealt round-robin to 4 ranks.
tsp_mpi_test(identity_node8_partition node8_allreduce 0 "check_ranks: identical for 1, 4 ranks"
             identity ${_run} --ranks 4 --partition 0,1,2,3,3,2,1,0 ${_node8})
# Every node's chips dealt round-robin (chip c on rank c % ranks).
tsp_mpi_test(identity_dragonfly2_interleave dragonfly_3hop 0 "check_ranks: identical for 1, 2,4 ranks"
             identity ${_run} --ranks 2,4 ${_df} --partition interleave)

# A frame that lands on a chip whose program has ended (chip 1 of the
# broadcast runs nothing): the receiver's error, the same on every rank count,
# with chip 1 on a rank of its own (the frame crosses ranks).
set(_dead ${_mpi_dir}/dead_receiver)
tsp_expect_test(mpi_identity_frame_to_finished_chip
  COMMAND sh -c "${_gen} node8_broadcast ${_dead}.tsp ${_dead}.expect >/dev/null && ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/mpi/drop_queues.py ${_dead}.tsp 1 ${_dead}_1.tsp && ${TSP} as ${_dead}_1.tsp -o ${_dead}.img && ${_check} identity --mpirun ${MPIEXEC_EXECUTABLE} --tsp ${TSP} --image ${_dead}.img --ranks 4 --partition 0,1,2,3,3,2,1,0 -- --topology node8"
  RC 0 MESSAGE "check_ranks: identical for 1, 4 ranks: digest [0-9a-f]+, exit 1")
set_tests_properties(mpi_identity_frame_to_finished_chip PROPERTIES LABELS mpi ENVIRONMENT "${_mpi_env}" RESOURCE_LOCK mpi)

# The checker catches what it is for. Planted, in the test only: the 2-rank run
# of node8 runs the all-reduce with one ADD made a SUB (tensors differ, cycles
# do not: only the digest and the dumps can tell); dragonfly2's 4-rank run
# draws other bit errors (--seed 4 for 3: link counters differ).
set(_sub ${_mpi_dir}/node8_add_sub.img)
tsp_expect_test(mpi_identity_planted_tensor
  COMMAND sh -c "${_gen} node8_allreduce ${_mpi_dir}/p.tsp ${_mpi_dir}/p.expect >/dev/null && sed 's/^    ADD\\(\\.i8 .*\\). mark:add$/    SUB\\1/' ${_mpi_dir}/p.tsp > ${_mpi_dir}/p_sub.tsp && ! cmp -s ${_mpi_dir}/p.tsp ${_mpi_dir}/p_sub.tsp && ${TSP} as ${_mpi_dir}/p.tsp -o ${_mpi_dir}/p.img && ${TSP} as ${_mpi_dir}/p_sub.tsp -o ${_sub} && ${_check} identity --mpirun ${MPIEXEC_EXECUTABLE} --tsp ${TSP} --image ${_mpi_dir}/p.img --ranks 2 --plant-image 2:${_sub} -- --topology node8"
  RC 1 MESSAGE "check_ranks: FAIL: digest [0-9a-f]+ with 2 ranks")
set_tests_properties(mpi_identity_planted_tensor PROPERTIES LABELS mpi ENVIRONMENT "${_mpi_env}" RESOURCE_LOCK mpi)
tsp_mpi_test(identity_planted_seed dragonfly_3hop 1 "check_ranks: FAIL: digest [0-9a-f]+ with 4 ranks.*FAIL: output with 4 ranks"
             identity ${_run} --ranks 2,4 --plant 4:--seed=4 ${_df})

# A lookahead that links between ranks do not keep (here: claimed by
# --lookahead-cycles, as a wrong cable table would) is the sender's located
# error: link, chips, ranks, cycles.
tsp_mpi_test(lookahead_violation node8_allreduce 0
  "builtin node8: link[0-9]+: the frame chip [0-9]+ \\(rank [0-9]\\) sent to chip [0-9]+ \\(rank [0-9]\\) in its cycle [0-9]+ lands at system cycle [0-9.]+, inside the window that ends at cycle [0-9.]+"
  fails ${_run} --ranks 2 --within 120 --message "'inside the window that ends'" ${_node8} --lookahead-cycles 400)
# Windows that grow to the next SEND between ranks (docs/distributed.md):
# the checker fails when they do not (planted: --fixed-windows for both), and
# a window grown a lookahead too far (a test-only build) lets a frame land
# inside it: the located lookahead error, never a silent reorder.
tsp_mpi_test(windows_grow_planted dragonfly_3hop 1 "check_ranks: FAIL: with 2 ranks the windows did not grow"
  identity ${_run} --ranks 2 --compare-fixed ${_df} --fixed-windows)
if(NOT TSP_SANITIZE)
  tsp_mpi_test(windows_planted_too_long dragonfly_3hop 0
    "link[0-9]+: the frame chip [0-9]+ \\(rank [0-9]\\) sent to chip [0-9]+ \\(rank [0-9]\\) in its cycle [0-9]+ lands at system cycle [0-9.]+, inside the window"
    fails ${_run} --tsp $<TARGET_FILE:tsp_run_planted_windows> --ranks 2 --within 120
    --message "'inside the window that ends'" ${_df})
endif()
# A rank that dies, hangs or throws in the middle of the run: every rank ends
# non-zero with a message within the timeout (3 s here), never a hang.
tsp_mpi_test(rank_exits node8_allreduce 0 "check_ranks: every rank ended"
  fails ${_run} --ranks 4 --within 120 --message "'test fault .exit. after window 5'" ${_node8} --mpi-timeout 3 --test-rank-fault 2:5:exit)
tsp_mpi_test(rank_hangs node8_allreduce 0 "no answer from the other ranks for 3 s in the exchange after window"
  fails ${_run} --ranks 4 --within 120 --message "'no answer from the other ranks for 3 s'" ${_node8} --mpi-timeout 3
  --test-rank-fault 1:5:hang)
tsp_mpi_test(rank_throws node8_allreduce 0 "check_ranks: every rank ended"
  fails ${_run} --ranks 2 --within 120 --message "'rank 1: error: test fault after window 3'" ${_node8}
  --test-rank-fault 1:3:throw)
# A rank busy for 2.5 timeouts in one window is late, not dead: its heartbeat
# keeps the others waiting and the run is the same as on one process. The
# same rank silent for as long (planted: no heartbeat) ends the job.
tsp_mpi_test(rank_slow_beats node8_allreduce 0 "check_ranks: identical for 1, 2 ranks"
  identity ${_run} --ranks 2 ${_node8} --mpi-timeout 2 --test-rank-fault 1:3:slow)
tsp_mpi_test(rank_silent_planted node8_allreduce 0 "no answer from the other ranks for 2 s in the exchange after window [0-9]+, and no heartbeat"
  fails ${_run} --ranks 2 --within 120 --message "'no heartbeat from a rank still simulating'" ${_node8} --mpi-timeout 2
  --test-rank-fault 1:3:silent)
# The fails checker itself: a job that succeeds must fail it.
tsp_mpi_test(fails_planted_success node8_allreduce 1 "check_ranks: FAIL: exit 0"
  fails ${_run} --ranks 2 --within 120 --message "." ${_node8})
# 8 ranks: one chip each (8 processes on 2 cores, still a few seconds).
set(TSP_MPI_LABELS "")
tsp_mpi_test(identity_node8_8ranks node8_allreduce 0 "check_ranks: identical for 1, 8 ranks" identity ${_run} --ranks 8 ${_node8})
tsp_mpi_test(identity_dragonfly2_8ranks dragonfly_3hop 0 "check_ranks: identical for 1, 8 ranks"
             identity ${_run} --ranks 8 ${_df})
unset(TSP_MPI_LABELS)

# Waves of a distributed run (--wave, --wave-chips): the FST rank 0 writes
# must read back (fst2vcd) as the one a single process writes, for the whole
# node8 and for some dragonfly2 chips with drift, bit errors and jitter (their
# links to chips outside the wave included). Planted: another chip set on the
# 2-rank run must fail the wave comparison.
if(FST2VCD)
  set(_waves --fst2vcd ${FST2VCD} --waves ${_mpi_dir}/waves)
  tsp_mpi_test(identity_waves_node8 node8_allreduce 0 "check_ranks: identical for 1, 4 ranks: .*waves of [0-9]+ bytes"
               identity ${_run} --ranks 4 ${_waves}_node8 ${_node8})
  tsp_mpi_test(identity_waves_dragonfly2_chips dragonfly_3hop 0
               "check_ranks: identical for 1, 2,4 ranks: .*waves of [0-9]+ bytes"
               identity ${_run} --ranks 2,4 ${_waves}_df ${_df} --wave-chips 0-2,9)
  tsp_mpi_test(identity_waves_planted node8_allreduce 1 "check_ranks: FAIL: the wave with 2 ranks differs"
               identity ${_run} --ranks 2 ${_waves}_planted --plant 2:--wave-chips=0,4 ${_node8} --wave-chips 0,3-4)
endif()
# The Llama-2-70B-shaped stand-in (scripts/llama_standin.py, docs/distributed.md)
# on dragonfly2's two nodes, timing-only: compiled layer shares, all-reduces
# and the hand-off run in exactly the predicted cycles (exit 0), the same on
# 1 and 2 ranks with the ranks splitting each node, and the same again with
# fixed windows, of which there must be more (--compare-fixed).
set(_ls ${_mpi_dir}/llama_standin)
tsp_expect_test(mpi_identity_llama_standin
  COMMAND sh -c "${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/llama_standin.py ${TSP} ${_ls}.img --topology dragonfly2 && ${_check} identity --mpirun ${MPIEXEC_EXECUTABLE} --tsp ${TSP} --image ${_ls}.img --ranks 2 --compare-fixed --partition 0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1 -- --topology dragonfly2 --timing-only"
  RC 0 MESSAGE "predicted token 31679 cycles.*windows over the ranks: [0-9]+ growing, [0-9]+ fixed.*check_ranks: identical for 1, 2 ranks: digest [0-9a-f]+, exit 0")
set_tests_properties(mpi_identity_llama_standin PROPERTIES LABELS mpi ENVIRONMENT "${_mpi_env}" RESOURCE_LOCK mpi
                     TIMEOUT 300)

# A system image from the system compiler (docs/compiler.md "Systems"), with
# its host reference embedded: checked and the same on 1, 2 and 4 ranks.
function(tsp_mpi_compiled_system name graph topology)
  set(img ${_mpi_dir}/${name})
  string(JOIN " " flags ${ARGN})
  tsp_expect_test(${name}
    COMMAND sh -c "${TSP} compile ${graph} --topology ${topology} ${flags} --embed-reference -o ${img}.img -q && ${_check} identity --mpirun ${MPIEXEC_EXECUTABLE} --tsp ${TSP} --image ${img}.img --ranks 2,4 -- --topology ${topology} --check"
    RC 0 MESSAGE "check_ranks: identical for 1, 2,4 ranks: digest [0-9a-f]+, exit 0")
  set_tests_properties(${name} PROPERTIES LABELS mpi ENVIRONMENT "${_mpi_env}" RESOURCE_LOCK mpi TIMEOUT 300)
endfunction()
# node8_mlp in two pipeline stages on dragonfly2 ...
tsp_mpi_compiled_system(mpi_identity_compiled_system ${GRAPHS}/node8_mlp.txt dragonfly2 --stages 2)
# ... and an int8 pair on node8 with its weights generated on read on every rank's chips.
tsp_mpi_compiled_system(mpi_identity_compiled_system_generated
  ${CMAKE_CURRENT_SOURCE_DIR}/compiler/node8_int8_mlp.txt node8 --generated-weights 7)

# --wave-chips names chips of the image.
set(_wc ${_mpi_dir}/wave_chips)
tsp_expect_test(mpi_wave_chips_past_the_last
  COMMAND sh -c "${_gen} node8_allreduce ${_wc}.tsp ${_wc}.expect >/dev/null && ${TSP} as ${_wc}.tsp -o ${_wc}.img && ${TSP} run ${_wc}.img --topology node8 --wave ${_wc}.fst --wave-chips 2,6-9 -q"
  RC 1 MESSAGE "--wave-chips 2,6-9: '6-9' names a chip past the image's last \\(it has 8 chips\\)")
set_tests_properties(mpi_wave_chips_past_the_last PROPERTIES LABELS mpi)

# Without mpirun a partition may only name rank 0.
set(_p1 ${_mpi_dir}/partition_one_rank)
tsp_expect_test(mpi_partition_one_rank
  COMMAND sh -c "${_gen} node8_allreduce ${_p1}.tsp ${_p1}.expect >/dev/null && ${TSP} as ${_p1}.tsp -o ${_p1}.img && ${TSP} run ${_p1}.img --topology node8 --partition 0,0,0,0,1,1,1,1 -q"
  RC 1 MESSAGE "--partition: error: chip 4 on rank 1, but the job has 1 ranks")
set_tests_properties(mpi_partition_one_rank PROPERTIES LABELS mpi)
