# Every external package, as an imported target. All come from Debian
# (scripts/install-deps installs them).
find_package(PkgConfig REQUIRED)
find_package(Python3 3.11 REQUIRED COMPONENTS Interpreter)  # isagen.py needs tomllib
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest REQUIRED)
find_package(verilator REQUIRED HINTS /usr/share/verilator)
find_package(Threads REQUIRED)
find_package(MPI REQUIRED COMPONENTS C)  # distributed runs (openmpi-bin, libopenmpi-dev)
# ONNX front end: libonnx-dev's onnx_proto links protobuf::libprotobuf (libprotobuf-dev).
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)

# SystemC ships no CMake package: build an imported target from pkg-config.
# The library was compiled as C++17; SC_CPLUSPLUS pins its ABI checks to that.
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc>=2.3.3)
add_library(tsp_systemc INTERFACE)
target_link_libraries(tsp_systemc INTERFACE PkgConfig::SYSTEMC Threads::Threads)
target_compile_definitions(tsp_systemc INTERFACE SC_CPLUSPLUS=201703L SC_INCLUDE_DYNAMIC_PROCESSES)
add_library(tsp::systemc ALIAS tsp_systemc)

# Verilator's runtime, compiled once for every Verilated library (tsp_verilate()
# strips the copy verilate() adds to each target). It holds Verilator's FST
# writer, which compiles GTKWave's fstapi into itself: that one fstapi also
# serves the model's transaction-level waves (tsp_fstapi below), so a binary
# with both kinds of waves has one copy of its symbols, not two.
set(TSP_FSTAPI_DIR ${VERILATOR_ROOT}/include/gtkwave)
if(NOT EXISTS ${TSP_FSTAPI_DIR}/fstapi.c)
  message(FATAL_ERROR "fstapi.c not found in ${TSP_FSTAPI_DIR}: install Debian's verilator package")
endif()
add_library(tsp_verilator_runtime STATIC ${VERILATOR_ROOT}/include/verilated.cpp
            ${VERILATOR_ROOT}/include/verilated_threads.cpp ${VERILATOR_ROOT}/include/verilated_fst_c.cpp)
target_compile_options(tsp_verilator_runtime PRIVATE -w)
if(TSP_SANITIZE)  # AddressSanitizer only: fstapi/lz4 do misaligned loads and null+0 on purpose (UBSan stops there)
  target_compile_options(tsp_verilator_runtime PRIVATE -fno-sanitize=undefined)
endif()
# Coverage builds add the coverage database (VerilatedCovContext) the models count into.
if(TSP_RTL_COVERAGE)
  target_sources(tsp_verilator_runtime PRIVATE ${VERILATOR_ROOT}/include/verilated_cov.cpp)
endif()
target_compile_definitions(tsp_verilator_runtime PRIVATE VM_COVERAGE=$<BOOL:${TSP_RTL_COVERAGE}> VM_SC=0 VM_TRACE=1
                           VM_TRACE_FST=1 VM_TRACE_VCD=0)
target_include_directories(tsp_verilator_runtime SYSTEM PUBLIC ${VERILATOR_ROOT}/include
                           ${VERILATOR_ROOT}/include/vltstd)
target_link_libraries(tsp_verilator_runtime PUBLIC ZLIB::ZLIB Threads::Threads)
# FST wave writer of the model: the fstapi inside the runtime above.
add_library(tsp_fstapi INTERFACE)
target_include_directories(tsp_fstapi SYSTEM INTERFACE ${TSP_FSTAPI_DIR})
target_link_libraries(tsp_fstapi INTERFACE tsp_verilator_runtime)
