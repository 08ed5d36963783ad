// Test-only libFuzzer target with a planted bug, for scripts/fuzz-campaign's
// own tests (tests/fuzz/CMakeLists.txt): it aborts on exactly one input, the
// text "planted fuzz bug\n" (tests/support/fuzz_planted/crash/), and on
// nothing else. The comparison is on a hash, so that libFuzzer's comparison
// tracing cannot steer a clean campaign onto the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

constexpr uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

constexpr std::string_view kPlanted = "planted fuzz bug\n";
constexpr uint64_t kPlantedHash = [] {
  uint64_t h = 1469598103934665603ull;
  for (char c : kPlanted) h = (h ^ uint8_t(c)) * 1099511628211ull;
  return h;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == kPlanted.size() && fnv1a(data, size) == kPlantedHash) std::abort();
  return 0;
}
