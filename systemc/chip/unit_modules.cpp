#include "systemc/chip/unit_modules.hpp"

namespace tsp::model {

std::vector<uint16_t> queues_of(const isa::Config& cfg, isa::Unit unit, int hemisphere, int group,
                                uint32_t group_size) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < cfg.queue_table.size(); ++i) {
    const isa::QueueDesc& q = cfg.queue_table[i];
    if (q.unit != unit || (hemisphere >= 0 && q.hemisphere != hemisphere)) continue;
    if (group >= 0 && q.index / group_size != uint32_t(group)) continue;
    out.push_back(static_cast<uint16_t>(i));
  }
  return out;
}

UnitModule::UnitModule(sc_core::sc_module_name name, const ChipEngine& engine, std::vector<uint16_t> queues)
    : sc_module(name), engine_(engine), queues_(std::move(queues)) {}

uint64_t UnitModule::issued() const {
  uint64_t n = 0;
  for (uint16_t q : queues_) n += engine_.queue_issued(q);
  return n;
}

namespace {
std::vector<uint16_t> all_queues(const isa::Config& cfg) {
  std::vector<uint16_t> out(cfg.queue_table.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint16_t>(i);
  return out;
}
}  // namespace

IcuModule::IcuModule(sc_core::sc_module_name name, const ChipEngine& engine)
    : UnitModule(name, engine, all_queues(engine.config())) {}

IcuModule::QueueState IcuModule::state(uint16_t queue) const {
  QueueState s;
  if (const auto* code = engine_.queue_code(queue)) s.instructions = code->size();
  s.issued = engine_.queue_issued(queue);
  s.end = engine_.queue_end(queue);
  return s;
}

StreamFabricModule::StreamFabricModule(sc_core::sc_module_name name, const ChipEngine& engine)
    : sc_module(name), engine_(engine) {}

const Vec* StreamFabricModule::value(isa::StreamRef s, uint16_t position, Cycle t) const {
  return engine_.streams().get(s, position, t);
}

}  // namespace tsp::model
