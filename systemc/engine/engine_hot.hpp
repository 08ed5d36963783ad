#pragma once
// ChipEngine's per-instruction operand and SRAM-port paths, inline so that
// every exec_*.cpp compiles them into its unit's code: they run once or more
// per simulated instruction. Their error messages are built out of line.
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

// Operands that several ops share, by name, resolved per opcode at compile time.
namespace operands {
inline constexpr auto kSrc = isa::operand_positions("src"), kDst = isa::operand_positions("dst"),
                      kA = isa::operand_positions("a"), kB = isa::operand_positions("b"),
                      kC = isa::operand_positions("c"), kMap = isa::operand_positions("map"),
                      kType = isa::operand_positions("type"), kFrom = isa::operand_positions("from"),
                      kShamt = isa::operand_positions("shamt"), kLanes = isa::operand_positions("lanes"),
                      kGroup = isa::operand_positions("group");
}  // namespace operands

inline isa::StreamRef stream_of(const isa::Instr& in, const isa::OperandPositions& field) {
  return isa::StreamRef::from_code(uint64_t(in.get(field)));
}

void ChipEngine::read_streams(const Exec& x, isa::StreamRef base, unsigned width, const Vec** out, bool* ref) const {
  for (unsigned i = 0; i < width; ++i) {
    const isa::StreamRef s{static_cast<uint8_t>(base.index + i), base.west};
    out[i] = fabric_.get(s, x.q.desc->position, x.t, nullptr, ref);
    if (!out[i]) fail_empty(x, s);
    if (recording_) recording_->inputs.push_back(UnitOp::Input{s, *out[i]});
  }
}

Vec& ChipEngine::result_stream(const Exec& x, isa::StreamRef s) {
  const Cycle at = x.t + x.d.latency;
  if (observer_) observer_->on_stream_put(s, x.q.desc->position, at, x.q.id);
  Origin other;
  Vec* v = fabric_.emplace(s, x.q.desc->position, at, Origin{x.q.id, x.index, x.t}, &other);
  if (!v) fail_taken(x, s, at, other);
  ++stats_.stream_values;
  if (recording_) recording_->outputs.push_back(UnitOp::Output{s, at, nullptr});
  return *v;
}

void ChipEngine::result_ref(const Exec& x, isa::StreamRef s, const Vec* value) {
  const Cycle at = x.t + x.d.latency;
  if (observer_) observer_->on_stream_put(s, x.q.desc->position, at, x.q.id);
  Origin other;
  if (!fabric_.put_ref(s, x.q.desc->position, at, value, Origin{x.q.id, x.index, x.t}, &other))
    fail_taken(x, s, at, other);
  ++stats_.stream_values;
  if (recording_) recording_->outputs.push_back(UnitOp::Output{s, at, nullptr});
}

void ChipEngine::no_results(const Exec& x, isa::StreamRef base, unsigned width) {
  for (unsigned i = 0; i < width; ++i)
    result_ref(x, isa::StreamRef{static_cast<uint8_t>(base.index + i), base.west}, &kNoValue);
}

void ChipEngine::sram_access(const Exec& x, uint16_t slice, bool write, uint32_t banks, uint32_t address) {
  const Cycle at = x.t + static_cast<Cycle>(x.d.sram_access);
  PortUse& mine = ports_[slice].of(write);
  const PortUse& other = ports_[slice].of(!write);
  if (mine.cycle == at || (other.cycle == at && (other.banks & banks))) fail_port(x, slice, write, banks, at);
  mine = PortUse{at, banks, Origin{x.q.id, x.index, x.t}};
  if (observer_) observer_->on_sram(slice, address, at, write);
  if (recording_) recording_->sram.push_back(UnitOp::Sram{slice, address, write, banks, at});
}

}  // namespace tsp::model
