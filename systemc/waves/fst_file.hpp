#pragma once
// A thin C++ face on GTKWave's fstapi writer: scopes, variables, time and value
// changes. Time is in picoseconds (timescale 1 ps). Variables are declared
// before the first time() call; time must never go backwards.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tsp::waves {

class FstFile {
 public:
  using Handle = uint32_t;  // fstapi's variable handle, 1-based

  // Creates (truncates) `path`; throws tsp::Error when it cannot.
  explicit FstFile(const std::string& path);
  ~FstFile();
  FstFile(const FstFile&) = delete;
  FstFile& operator=(const FstFile&) = delete;

  void push_scope(const std::string& name);
  void pop_scope();
  // A bit vector of `width` bits (a wire); alias: share the values of an earlier variable.
  Handle bits(const std::string& name, uint32_t width, Handle alias = 0);
  // A string variable (FST_VT_GEN_STRING): GTKWave shows the text as it is.
  Handle text(const std::string& name);

  void time(uint64_t ps);
  void set(Handle h, uint64_t value);  // the low `width` bits of value
  void set_z(Handle h);                // every bit high-impedance: "no value"
  void set_text(Handle h, std::string_view value);
  // Writes the file out; the destructor does it too. Idempotent.
  void close();

 private:
  void* ctx_ = nullptr;
  std::vector<uint32_t> width_;  // by handle
  std::string scratch_;
};

}  // namespace tsp::waves
