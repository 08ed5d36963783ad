# The command line (included by tests/e2e/CMakeLists.txt): an option that
# would be ignored is an error that says why; --flip names a chip; tools run
# from an argument vector, so a path reaches them as it is. Each of these
# passed the old `tsp`, which exited 0 (or broke the path in a shell).
set(_img ${OUT}/mini_add.img)
set(_cli_tests)
function(tsp_cli_test name)
  tsp_expect_test(${name} ${ARGN})
  set(_cli_tests ${_cli_tests} ${name} PARENT_SCOPE)
endfunction()

tsp_cli_test(e2e_cli_cosim_png_needs_wave COMMAND ${TSP} cosim ${_img} --rtl mem --png ${OUT}/cli_no_wave.png
  RC 1 MESSAGE "tsp cosim: error: --png without --wave: it renders the window --wave writes")
tsp_cli_test(e2e_cli_cosim_seed_needs_random COMMAND ${TSP} cosim ${_img} --rtl mem --seed 3
  RC 1 MESSAGE "tsp cosim: error: --seed without --random or --link-ber: it seeds the program --random generates and --link-ber's errors. an image is a finished program")
tsp_cli_test(e2e_cli_cosim_config_needs_random COMMAND ${TSP} cosim ${_img} --rtl mem --config tsp1
  RC 1 MESSAGE "tsp cosim: error: --config without --random: it is the configuration of --random's program. an image names its own")
tsp_cli_test(e2e_cli_cosim_instructions_need_random COMMAND ${TSP} cosim ${_img} --rtl mem --instructions 9
  RC 1 MESSAGE "tsp cosim: error: --instructions without --random: it sizes the program --random generates")
tsp_cli_test(e2e_cli_run_flip_until_needs_rate COMMAND ${TSP} run ${_img} --flip-until 100
  RC 1 MESSAGE "tsp run: error: --flip-until without --flip-rate: it ends the random flips that --flip-rate draws")
tsp_cli_test(e2e_cli_run_seed_needs_randomness COMMAND ${TSP} run ${_img} --seed 3
  RC 1 MESSAGE "tsp run: error: --seed without --flip-rate, --link-ber, --link-jitter or --clock-ppm-spread: it seeds only")
# ... but a seed of something random stays legal (1 flip per million cycles over 12 cycles: none drawn).
tsp_cli_test(e2e_cli_run_seed_with_flip_rate COMMAND ${TSP} run ${_img} --seed 3 --flip-rate 1 --flip-until 12
  MESSAGE "predicted 12: exact")
# --timing-only computes no values: what compares or prints them is an error with it (docs/timing-only.md).
tsp_cli_test(e2e_cli_run_timing_only_check COMMAND ${TSP} run ${_img} --timing-only --check
  RC 1 MESSAGE "tsp run: error: --check with --timing-only: it compares output values, which a timing-only run does not compute")
tsp_cli_test(e2e_cli_run_timing_only_dump COMMAND ${TSP} run ${_img} --timing-only --dump z
  RC 1 MESSAGE "tsp run: error: --dump with --timing-only: it prints tensor values, which a timing-only run does not compute")
tsp_cli_test(e2e_cli_run_timing_only COMMAND ${TSP} run ${_img} --timing-only
  MESSAGE "predicted 12: exact.*timing only: every rule and count, no values computed")
tsp_cli_test(e2e_cli_info_modules_json COMMAND ${TSP} info --modules --json
  RC 1 MESSAGE "tsp info: error: --json with --modules: the module tree has no JSON form")

# --flip CHIP/...: the chip's own SRAM (the old form, no prefix, is chip 0:
# e2e_ecc_* above). two_chips.tsp runs mini_add on chips 0 and 1.
add_test(NAME e2e_cli_two_chips_assemble COMMAND ${TSP} as ${CMAKE_CURRENT_SOURCE_DIR}/two_chips.tsp -o ${OUT}/two_chips.img)
tsp_cli_test(e2e_cli_flip_chip_1_corrected COMMAND ${TSP} run ${OUT}/two_chips.img --flip 1/MEM.W.0:0:1:5@0
  MESSAGE "  chip 0\n.*ECC +0 single-bit errors corrected.*  chip 1\n.*ECC +1 single-bit errors corrected")
tsp_cli_test(e2e_cli_flip_chip_1_uncorrectable
  COMMAND ${TSP} run ${OUT}/two_chips.img --flip 1/MEM.W.0:0:1:5@0 --flip 1/MEM.W.0:0:1:130@0
  RC 1 MESSAGE "error: chip 1, MEM\\.W\\.0 #[0-9]+ `READ 0x0, S0\\.E`, cycle 1: uncorrectable ECC error")
set_tests_properties(e2e_cli_flip_chip_1_corrected e2e_cli_flip_chip_1_uncorrectable PROPERTIES
  FIXTURES_REQUIRED e2e_cli_two_chips_assemble)
tsp_cli_test(e2e_cli_flip_no_such_chip COMMAND ${TSP} run ${_img} --flip 1/MEM.W.0:0:1:5@0
  RC 1 MESSAGE "tsp run: error: --flip '1/MEM\\.W\\.0:0:1:5@0': no chip 1 \\(the image has 1 chip\\)")
tsp_cli_test(e2e_cli_cosim_flip_no_such_chip COMMAND ${TSP} cosim ${_img} --rtl mem --flip 2/MEM.W.0:0:1:5@0
  RC 1 MESSAGE "tsp cosim: error: --flip '2/MEM\\.W\\.0:0:1:5@0': no chip 2 \\(the image has 1 chip\\)")

# A path with a quote and a space: a shell command line built from it broke
# it apart; an argument vector hands it to rsvg-convert whole.
# Pipeline stages are a system's: without --topology, or more than the map and graph allow, an error.
tsp_cli_test(e2e_cli_compile_stages_needs_topology COMMAND ${TSP} compile ${GRAPHS}/mini_elementwise.txt --stages 2
  RC 1 MESSAGE "tsp compile: error: --stages without --topology: one chip has no pipeline stages")
tsp_cli_test(e2e_cli_compile_stages_more_than_nodes
  COMMAND ${TSP} compile ${GRAPHS}/node8_mlp.txt --topology node8 --stages 2
  RC 1 MESSAGE "error: --stages 2: at most 1 \\(1 nodes, 2 MatMuls of constant weights\\)")
tsp_cli_test(e2e_cli_compile_png_path_with_quote
  COMMAND sh -c "${TSP} compile ${GRAPHS}/mini_elementwise.txt -o ${OUT}/png_quote.img --png \"${OUT}/it's a.png\" >/dev/null && identify \"${OUT}/it's a.png\""
  MESSAGE "it's a\\.png PNG 1[0-9][0-9][0-9]x[0-9]+ ")

set_tests_properties(e2e_cli_two_chips_assemble ${_cli_tests} PROPERTIES LABELS e2e)
set_tests_properties(e2e_cli_two_chips_assemble PROPERTIES FIXTURES_SETUP e2e_cli_two_chips_assemble)
set_tests_properties(${_cli_tests} PROPERTIES FIXTURES_REQUIRED "e2e_mini_add_assemble;e2e_cli_two_chips_assemble")
