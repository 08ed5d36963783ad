# The MXM and SXM RTL, Verilated into one library as designed (Vtsp_mxm_cell,
# Vtsp_sxm_superlane) and with their planted bugs (Vtsp_mxm_cell_planted,
# Vtsp_sxm_superlane_planted): one library compiles Verilator's runtime once, and
# the distinct prefixes let one binary hold both variants. The MXM's float
# arithmetic is an include file (rtl/mxm/tsp_mxm_fp.svh). Then the cosim
# adapters that drive them (tb/cosim/rtl_mxm.cpp, rtl_sxm.cpp).
set(_rtl ${CMAKE_SOURCE_DIR}/rtl)
set(_mxm_sv ${_rtl}/lint/waivers.vlt ${TSP_GEN_RTL_PKGS} ${_rtl}/mxm/tsp_mxm_fcol.sv ${_rtl}/mxm/tsp_mxm_tile.sv
    ${_rtl}/mxm/tsp_mxm_acc.sv ${_rtl}/mxm/tsp_mxm_cell.sv)
set(_sxm_sv ${_rtl}/lint/waivers.vlt ${TSP_GEN_RTL_PKGS} ${_rtl}/sxm/tsp_sxm_superlane.sv)
add_library(tsp_rtl_mxm_sxm STATIC)
foreach(_variant IN ITEMS "" "_planted")
  if(_variant)
    set(_mxm_def +define+TSP_PLANT_BUG_MXM)
    set(_sxm_def +define+TSP_PLANT_BUG_SXM)
  else()
    set(_mxm_def "")
    set(_sxm_def "")
  endif()
  tsp_verilate(tsp_rtl_mxm_sxm TRACE_FST PREFIX Vtsp_mxm_cell${_variant} TOP_MODULE tsp_mxm_cell SOURCES ${_mxm_sv}
               INCLUDE_DIRS ${_rtl}/mxm VERILATOR_ARGS -Wall ${_mxm_def})
  tsp_verilate(tsp_rtl_mxm_sxm TRACE_FST PREFIX Vtsp_sxm_superlane${_variant} TOP_MODULE tsp_sxm_superlane SOURCES ${_sxm_sv}
               VERILATOR_ARGS -Wall ${_sxm_def})
endforeach()

add_library(tsp_cosim_mxm_sxm STATIC ${CMAKE_CURRENT_SOURCE_DIR}/cosim/rtl_mxm.cpp
            ${CMAKE_CURRENT_SOURCE_DIR}/cosim/rtl_sxm.cpp)
target_link_libraries(tsp_cosim_mxm_sxm PUBLIC tsp_engine tsp_rtl_mxm_sxm PRIVATE tsp_warnings)
