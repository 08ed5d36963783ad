#pragma once
// A constant's or input's elements (one element's bits per entry,
// row-major), either given or computed from a rule when first read. A rule
// (a seeded random tensor, a block of one, a generated weight) lets a system
// compile of many chips carry its weights without holding them: a tensor
// nobody reads is never made. Copies share one state; values never change
// once made (a graph replaces a tensor's LazyData instead). Reading is
// thread-safe: chips compile side by side and may share a source tensor.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace tsp::compiler {

class LazyData {
 public:
  using Rule = std::function<std::vector<uint32_t>()>;

  LazyData() : LazyData(std::vector<uint32_t>{}) {}
  // Given values convert implicitly, and made values read as a vector: most
  // tensors are small and given, and their readers need not know of rules.
  LazyData(std::vector<uint32_t> values);  // NOLINT(google-explicit-constructor)
  LazyData(std::initializer_list<uint32_t> values) : LazyData(std::vector<uint32_t>(values)) {}
  operator const std::vector<uint32_t>&() const { return values(); }  // NOLINT(google-explicit-constructor)
  // `count` elements, made by `rule` when first read (it must return `count`,
  // each within the tensor's element type: Graph does not mask a rule's values).
  static LazyData deferred(uint64_t count, Rule rule);
  // `count` copies of `value`, made only when read: a block of ones or a fill
  // (expand.cpp) whose values generated weights never need (uniform()).
  static LazyData uniform(uint64_t count, uint32_t value);
  // The one value of every element, when the tensor was made by uniform().
  std::optional<uint32_t> uniform() const { return state_->uniform; }

  uint64_t size() const { return state_->count; }
  bool empty() const { return size() == 0; }
  // Made once and kept (every later read shares them).
  const std::vector<uint32_t>& values() const;
  // The values without keeping them, when nothing has made them yet: for a
  // rule that reads part of this tensor (a chip's block of a weight).
  std::vector<uint32_t> copy() const;
  bool made() const;

  // The vector-like reads of given values, each making them if needed.
  const uint32_t& operator[](size_t i) const { return values()[i]; }
  const uint32_t* data() const { return values().data(); }
  std::vector<uint32_t>::const_iterator begin() const { return values().begin(); }
  std::vector<uint32_t>::const_iterator end() const { return values().end(); }

 private:
  struct State {
    uint64_t count = 0;
    bool deferred = false;  // set before the state is shared: given values take no lock
    std::once_flag once;
    std::mutex guard;  // rule, values and made, against copy() and made() beside values()
    Rule rule;         // dropped once made (it may hold a whole source tensor's state)
    std::vector<uint32_t> values;
    bool made = false;
    std::optional<uint32_t> uniform;  // set before the state is shared
  };
  std::shared_ptr<State> state_;
};

}  // namespace tsp::compiler
