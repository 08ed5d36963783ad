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

# SystemC ships no CMake package: build an imported target from pkg-config.
# The library was compiled as C++17; SC_CPLUSPLUS pins its ABI checks to that.
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc>=2.3.3)
add_library(tsp_systemc INTERFACE)
target_link_libraries(tsp_systemc INTERFACE PkgConfig::SYSTEMC Threads::Threads)
target_compile_definitions(tsp_systemc INTERFACE SC_CPLUSPLUS=201703L SC_INCLUDE_DYNAMIC_PROCESSES)
add_library(tsp::systemc ALIAS tsp_systemc)

# FST wave writer: the fstapi sources Debian's verilator package ships (we do
# not copy them), built as third-party C: no warnings, includes marked SYSTEM.
set(TSP_FSTAPI_DIR ${VERILATOR_ROOT}/include/gtkwave)
if(NOT EXISTS ${TSP_FSTAPI_DIR}/fstapi.c)
  message(FATAL_ERROR "fstapi.c not found in ${TSP_FSTAPI_DIR}: install Debian's verilator package")
endif()
add_library(tsp_fstapi STATIC ${TSP_FSTAPI_DIR}/fstapi.c ${TSP_FSTAPI_DIR}/fastlz.c ${TSP_FSTAPI_DIR}/lz4.c)
target_compile_options(tsp_fstapi PRIVATE -w)
if(TSP_SANITIZE)  # AddressSanitizer only: fstapi/lz4 do misaligned loads and null+0 on purpose (UBSan stops there)
  target_compile_options(tsp_fstapi PRIVATE -fno-sanitize=undefined)
endif()
target_compile_definitions(tsp_fstapi PRIVATE FST_CONFIG_INCLUDE="fst_config.h")
target_include_directories(tsp_fstapi SYSTEM PUBLIC ${TSP_FSTAPI_DIR})
target_link_libraries(tsp_fstapi PUBLIC ZLIB::ZLIB Threads::Threads)
