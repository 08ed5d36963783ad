# Compiler setup shared by every target we write.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# Warnings as errors for our own code only: generated and third-party code gets
# its includes marked SYSTEM and its own flags.
add_library(tsp_warnings INTERFACE)
target_compile_options(tsp_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Werror)

if(TSP_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
# libFuzzer is guided by the coverage of what it runs: instrument every
# library, not only the fuzz targets' own files (with those alone a target saw
# a few hundred edges of its harness and none of the parser under test).
if(TSP_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(TSP_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TSP_FUZZ needs clang (libFuzzer); use the 'debug' preset")
endif()
