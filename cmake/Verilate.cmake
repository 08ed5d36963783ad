# tsp_verilate(TARGET ...verilate() arguments...): verilate() into TARGET, then
# build the generated code without warnings and expose Verilator's headers as
# SYSTEM includes, so our -Werror code can include them. Verilator's runtime
# (verilated.cpp, its FST writer, ...) is not compiled into TARGET: every
# Verilated library links the one tsp_verilator_runtime (cmake/Dependencies.cmake),
# which saves compiling it per library and keeps one copy of fstapi in `tsp`.
#
# With TSP_RTL_COVERAGE every model also counts Verilator's line, toggle and
# user cover points (--coverage); tb/cosim/rtl_coverage.hpp writes them out.
function(tsp_verilate target)
  if(TSP_RTL_COVERAGE)
    verilate(${target} COVERAGE ${ARGN})
  else()
    verilate(${target} ${ARGN})
  endif()
  target_compile_options(${target} PRIVATE -w)
  get_target_property(_srcs ${target} SOURCES)
  list(FILTER _srcs EXCLUDE REGEX "^${VERILATOR_ROOT}/include/[^/]*\\.cpp$")
  set_property(TARGET ${target} PROPERTY SOURCES ${_srcs})
  target_link_libraries(${target} PUBLIC tsp_verilator_runtime tsp_rtl_coverage)
  get_target_property(_dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(_dirs)
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${_dirs})
  endif()
endfunction()
