#pragma once
// Little-endian byte writer and bounds-checked reader for the image format.
// Every value is assembled byte by byte so the layout never depends on the
// host's endianness, padding or alignment.
#include <fmt/format.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace tsp::image {

// Little-endian n-byte values; compilers make each a single load or store.
inline uint64_t load_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
inline void store_le(uint8_t* p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  // n bytes to fill, appended at once: a program's words and source lines are
  // most of a large image, and a push_back per byte was most of writing them.
  uint8_t* grow(size_t n) {
    const size_t at = out_.size();
    out_.resize(at + n);
    return out_.data() + at;
  }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void pad_to(size_t alignment) {
    while (out_.size() % alignment != 0) out_.push_back(0);
  }
  // Overwrites an already written little-endian value (sizes and CRC known only at the end).
  void patch(size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) out_[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  size_t size() const { return out_.size(); }
  void reserve(size_t n) { out_.reserve(n); }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void put(uint64_t v, unsigned n) { store_le(grow(n), v, n); }
  std::vector<uint8_t> out_;
};

// Reads a window of the file; `base` is the window's offset in the file so that
// every error names the absolute offset where reading went wrong.
class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> data, size_t base, const std::string& name)
      : data_(data), base_(base), name_(name) {}

  [[noreturn]] void fail_at(size_t offset, const std::string& what) const {
    throw Error(fmt::format("{}@0x{:x}: error: {}", name_, offset, what));
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(offset(), what); }

  size_t offset() const { return base_ + pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  uint8_t u8(const char* what) { return static_cast<uint8_t>(get(1, what)); }
  uint16_t u16(const char* what) { return static_cast<uint16_t>(get(2, what)); }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(get(4, what)); }
  uint64_t u64(const char* what) { return get(8, what); }
  std::span<const uint8_t> bytes(uint64_t n, const char* what) {
    need(n, what);
    auto s = data_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  std::string str(const char* what) {
    const uint32_t n = u32(what);
    auto b = bytes(n, what);
    return {b.begin(), b.end()};
  }
  // A count of items each at least `min_item_bytes` long: bounded by what is left,
  // so a hostile count can never make us allocate more than the file holds.
  uint32_t count(uint64_t min_item_bytes, const char* what) {
    const size_t at = offset();
    const uint32_t n = u32(what);
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes)
      fail_at(at, fmt::format("{} {} needs at least {} bytes but only {} remain", what, n, n * min_item_bytes,
                              remaining()));
    return n;
  }

 private:
  void need(uint64_t n, const char* what) const {
    if (n > remaining()) fail(fmt::format("truncated: {} needs {} bytes but only {} remain", what, n, remaining()));
  }
  uint64_t get(unsigned n, const char* what) {
    need(n, what);
    const uint64_t v = load_le(data_.data() + pos_, n);
    pos_ += n;
    return v;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  size_t base_;
  const std::string& name_;
};

}  // namespace tsp::image
