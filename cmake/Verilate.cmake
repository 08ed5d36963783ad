# tsp_verilate(TARGET ...verilate() arguments...): verilate() into TARGET, then
# build the generated code without warnings and expose Verilator's headers as
# SYSTEM includes, so our -Werror code can include them. Verilator's runtime
# (verilated.cpp, its FST writer, ...) is not compiled into TARGET: every
# Verilated library links the one tsp_verilator_runtime (cmake/Dependencies.cmake),
# which saves compiling it per library and keeps one copy of fstapi in `tsp`.
#
# Variables start at zero (--x-initial 0), as they did before with Verilator's
# default run-time reset of 0; the default code (`unique`) called a random-reset
# function per 32-bit word at construction: a quarter of a short MEM cosim's
# instructions went into zeroing the 8,192-word SRAM array of each instance.
#
# With TSP_RTL_COVERAGE every model also counts Verilator's line, toggle and
# user cover points (--coverage); tb/cosim/rtl_coverage.hpp writes them out.
function(tsp_verilate target)
  if(TSP_RTL_COVERAGE)
    verilate(${target} COVERAGE ${ARGN} VERILATOR_ARGS --x-initial 0)
  else()
    verilate(${target} ${ARGN} VERILATOR_ARGS --x-initial 0)
  endif()
  target_compile_options(${target} PRIVATE -w)
  # Under the sanitizers (the debug preset) the generated models are built
  # optimised and uninstrumented: what ASan and UBSan guard is our code around
  # them (the cosim adapters' indexing of their ports, arrays and lifetimes);
  # instrumenting Verilator's generated C++ would test Verilator, at several
  # times the build and run time of every cosim test under the sanitizers.
  if(TSP_SANITIZE)
    target_compile_options(${target} PRIVATE -O1 -fno-sanitize=all)
  endif()
  get_target_property(_srcs ${target} SOURCES)
  list(FILTER _srcs EXCLUDE REGEX "^${VERILATOR_ROOT}/include/[^/]*\\.cpp$")
  set_property(TARGET ${target} PROPERTY SOURCES ${_srcs})
  target_link_libraries(${target} PUBLIC tsp_verilator_runtime tsp_rtl_coverage)
  get_target_property(_dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(_dirs)
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${_dirs})
  endif()
endfunction()
