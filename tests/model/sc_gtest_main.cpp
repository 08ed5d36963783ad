// GoogleTest main for SystemC tests: libsystemc owns main() and calls sc_main.
// CTest runs every TEST in its own process (gtest_discover_tests), because
// SystemC elaborates once per process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

namespace {
const int kQuiet = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
