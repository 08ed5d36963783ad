# tsp_verilate(TARGET ...verilate() arguments...): verilate() into TARGET, then
# build the generated code without warnings and expose Verilator's headers as
# SYSTEM includes, so our -Werror code can include them.
function(tsp_verilate target)
  verilate(${target} ${ARGN})
  target_compile_options(${target} PRIVATE -w)
  get_target_property(_dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(_dirs)
    set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${_dirs})
  endif()
endfunction()
