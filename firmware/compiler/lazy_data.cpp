#include "firmware/compiler/lazy_data.hpp"

#include "common/error.hpp"

namespace tsp::compiler {

LazyData::LazyData(std::vector<uint32_t> values) : state_(std::make_shared<State>()) {
  state_->count = values.size();
  state_->values = std::move(values);
  state_->made = true;
}

LazyData LazyData::deferred(uint64_t count, Rule rule) {
  LazyData d;
  d.state_ = std::make_shared<State>();
  d.state_->count = count;
  d.state_->rule = std::move(rule);
  d.state_->deferred = true;
  return d;
}

LazyData LazyData::uniform(uint64_t count, uint32_t value) {
  LazyData d = deferred(count, [count, value] { return std::vector<uint32_t>(count, value); });
  d.state_->uniform = value;
  return d;
}

const std::vector<uint32_t>& LazyData::values() const {
  State& s = *state_;
  if (s.deferred)
    std::call_once(s.once, [&s] {
      std::vector<uint32_t> v = s.rule();
      if (v.size() != s.count) throw Error("internal error: a tensor's rule made the wrong number of elements");
      const std::lock_guard<std::mutex> hold(s.guard);
      s.values = std::move(v);
      s.made = true;
      s.rule = nullptr;
    });
  return s.values;
}

std::vector<uint32_t> LazyData::copy() const {
  State& s = *state_;
  Rule rule;
  {
    const std::lock_guard<std::mutex> hold(s.guard);
    if (s.made) return s.values;
    rule = s.rule;
  }
  return rule();
}

bool LazyData::made() const {
  const std::lock_guard<std::mutex> hold(state_->guard);
  return state_->made;
}

}  // namespace tsp::compiler
