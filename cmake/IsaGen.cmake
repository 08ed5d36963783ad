# Generate C++ and SystemVerilog from the ISA table at configure time, so that
# verilate() (which runs Verilator while configuring) sees the packages. CMake
# re-runs itself whenever the table or the generator changes.
set(TSP_ISA_TOML ${CMAKE_SOURCE_DIR}/firmware/isa/isa.toml)
set(TSP_ISAGEN ${CMAKE_SOURCE_DIR}/firmware/isa/isagen.py)
set(TSP_GEN_DIR ${CMAKE_BINARY_DIR}/gen)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${TSP_ISA_TOML} ${TSP_ISAGEN})
execute_process(
  COMMAND ${Python3_EXECUTABLE} ${TSP_ISAGEN} ${TSP_ISA_TOML} ${TSP_GEN_DIR}
  RESULT_VARIABLE _isagen_rc ERROR_VARIABLE _isagen_err)
if(NOT _isagen_rc EQUAL 0)
  message(FATAL_ERROR "ISA generation failed:\n${_isagen_err}")
endif()
set(TSP_GEN_INCLUDE ${TSP_GEN_DIR}/include)
set(TSP_GEN_RTL_PKGS ${TSP_GEN_DIR}/rtl/tsp_isa_pkg.sv ${TSP_GEN_DIR}/rtl/tsp_cfg_tsp1_pkg.sv
                     ${TSP_GEN_DIR}/rtl/tsp_cfg_mini_pkg.sv)
set(TSP_GEN_RTL_PROBE ${TSP_GEN_DIR}/rtl/tsp_isa_probe.sv)
